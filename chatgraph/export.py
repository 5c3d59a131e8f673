"""Every public table as Parquet: posts and interactions hive-partitioned by chat and year.

Layout (one folder per table, readable by DuckDB, polars, Spark and R's arrow)::

    DIR/posts/chat=hcldr/year=2021/data_0.parquet
    DIR/interactions/chat=hcldr/year=2021/data_0.parquet
    DIR/accounts/data.parquet          (and every other public table alike)

Years are counted in the chat's time zone, like everywhere else. TIME columns (``chats.start_time``)
are written as text such as ``20:30:00``, since Spark cannot read Parquet TIME. The partition columns ``chat`` and
``year`` live in the folder names only (hive style); readers add them back as columns.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from chatgraph import schema_doc
from chatgraph.errors import ChatgraphError, UsageError

PARTITIONED = ("posts", "interactions")

# The posts a chat's export holds (its own, and the originals they embed), for the tables keyed by post.
_CHAT_POSTS = "(select post_id from posts where chat_id = $chat)"
_CHAT_REFERENCED = """(
    select reply_to_post_id from posts where chat_id = $chat and reply_to_post_id is not null
    union select retweet_of_post_id from posts where chat_id = $chat and retweet_of_post_id is not null
    union select quote_of_post_id from posts where chat_id = $chat and quote_of_post_id is not null
)"""
_CHAT_SOURCES = f"""(
    select source_id from sources where chat_id = $chat
    union select source_id from post_sources where post_id in {_CHAT_POSTS}
)"""

# Row filters for an export of one chat (``--chat``).
CHAT_FILTERS: dict[str, str] = {
    "posts": "chat_id = $chat",
    "referenced_posts": f"post_id in {_CHAT_REFERENCED}",
    "accounts": f"""account_id in (
        select author_id from posts where chat_id = $chat
        union select author_id from referenced_posts where post_id in {_CHAT_REFERENCED}
        union select account_id from mentions where post_id in {_CHAT_POSTS}
        union select target_id from interactions where chat_id = $chat
    )""",
    "mentions": f"post_id in {_CHAT_POSTS} or post_id in {_CHAT_REFERENCED}",
    "hashtags": f"post_id in {_CHAT_POSTS} or post_id in {_CHAT_REFERENCED}",
    "sources": f"source_id in {_CHAT_SOURCES}",
    "post_sources": f"post_id in {_CHAT_POSTS}",
    "rejects": f"source_id in {_CHAT_SOURCES}",
    "chats": "chat_id = $chat",
    "sessions": "chat_id = $chat",
    "questions": "session_id in (select session_id from sessions where chat_id = $chat)",
    "post_threads": "chat_id = $chat",
    "interactions": "chat_id = $chat",
    "connections": "chat_id = $chat",
    "fetch_cursors": "chat_id = $chat",
    # the people layer: the links of the chat's accounts, and its person-level views
    "person_accounts": """handle in (
        select source_handle from interactions where chat_id = $chat
        union select target_handle from interactions where chat_id = $chat
        union select lower(author_handle) from posts where chat_id = $chat
    )""",
    "person_interactions": "chat_id = $chat",
    "person_connections": "chat_id = $chat",
}


@dataclass
class ExportedTable:
    """One table written: where, how many rows, in how many files."""

    table: str
    path: Path
    rows: int
    files: int


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


# Parquet TIME columns stop Spark ("The data type TIME is not supported"); text like 20:30:00 does not.
_AS_TEXT = ("TIME", "TIME WITH TIME ZONE", "INTERVAL")


def _star(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """``*``, with the columns Spark cannot read replaced by their text."""
    names = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'main' "
            "and table_name = $t and data_type in $types order by ordinal_position",
            {"t": table, "types": list(_AS_TEXT)},
        ).fetchall()
    ]
    if not names:
        return "*"
    return "* replace (" + ", ".join(f'cast("{n}" as varchar) as "{n}"' for n in names) + ")"


def _select(con: duckdb.DuckDBPyConnection, table: str, chat: str | None) -> str:
    star = _star(con, table)
    where = ""
    if chat is not None:
        if table not in CHAT_FILTERS:
            raise ChatgraphError(
                f"export --chat: no rule for which rows of {table!r} belong to a chat; "
                "add one to CHAT_FILTERS in chatgraph/export.py"
            )
        where = f" where {CHAT_FILTERS[table]}"
    if table in PARTITIONED:
        return (
            f"select t.*, t.chat_id as chat, "
            f"year(t.created_at at time zone coalesce(c.timezone, 'UTC')) as year "
            f"from (select {star} from {table}{where}) t left join chats c on c.chat_id = t.chat_id"
        )
    return f"select {star} from {table}{where}"


def check_output(directory: Path, overwrite: bool = False) -> None:
    """Refuse a file, or a folder with something in it unless ``overwrite``."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--output {directory}: is a file; give a folder for the export")
    if directory.exists() and any(directory.iterdir()) and not overwrite:
        raise UsageError(
            f"--output {directory}: the folder is not empty; export into a new folder "
            "or add --overwrite to replace the tables in it"
        )


def export(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    chat: str | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[ExportedTable]:
    """Write every public table of the archive (or only the rows of one chat) under ``directory``."""
    tables = schema_doc.public_tables(con)
    check_output(directory, overwrite)
    params = {"chat": chat} if chat is not None else {}
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        if progress:
            progress(table)
        target = directory / table
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        select = _select(con, table, chat)
        if table in PARTITIONED:
            options = "format parquet, partition_by (chat, year)"
            (rows,) = con.execute(
                f"copy ({select}) to {_literal(target)} ({options})", params
            ).fetchone()
            if rows == 0:
                # An empty folder is no dataset to most readers: keep one empty file with the schema.
                con.execute(
                    f"copy ({select}) to {_literal(target / 'data.parquet')} (format parquet)",
                    params,
                )
        else:
            (rows,) = con.execute(
                f"copy ({select}) to {_literal(target / 'data.parquet')} (format parquet)", params
            ).fetchone()
        files = sum(1 for _ in target.rglob("*.parquet"))
        written.append(ExportedTable(table, target, rows, files))
    return written
