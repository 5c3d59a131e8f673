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

import json
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


# ------------------------------------------------------------------ partitioned (--partition)

# For ``--partition``: how each table of a chat finds its chat and year (in the chat's time zone).
# ``t`` is the table's row; ``k`` its chat's row in ``chats``. Year 0 holds rows with no time.
_LOCAL_YEAR = "coalesce(year({ts} at time zone coalesce(k.timezone, 'UTC')), 0)"
PARTITION_KEYS: dict[str, tuple[str, str, str]] = {
    # table: (join, chat_id, year)
    "posts": ("", "t.chat_id", _LOCAL_YEAR.format(ts="t.created_at")),
    "interactions": ("", "t.chat_id", _LOCAL_YEAR.format(ts="t.created_at")),
    "connections": ("", "t.chat_id", "coalesce(t.first_year, 0)"),
    "person_interactions": ("", "t.chat_id", _LOCAL_YEAR.format(ts="t.created_at")),
    "person_connections": ("", "t.chat_id", "coalesce(t.first_year, 0)"),
    "sessions": ("", "t.chat_id", "coalesce(year(t.local_date), 0)"),
    "questions": (
        "join sessions s on s.session_id = t.session_id",
        "s.chat_id",
        "coalesce(year(s.local_date), 0)",
    ),
    "post_threads": (
        "left join posts p on p.post_id = t.post_id and p.chat_id = t.chat_id",
        "t.chat_id",
        _LOCAL_YEAR.format(ts="p.created_at"),
    ),
}
MANIFEST = "_schema.json"
LAYOUT = "chatgraph-partitioned-1"


def _partitioned_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The table's rows; for a table of a chat, with the partition columns ``chat_id`` and ``year``
    last (its own ``chat_id`` moves there: it lives in the folder name, not in the file)."""
    star = _star(con, table)
    if table not in PARTITION_KEYS:
        return f"select {star} from {table}"
    join, chat, year = PARTITION_KEYS[table]
    own = any(c == "chat_id" for c, _, _ in schema_doc._columns(con, table))
    exclude = " exclude (chat_id)" if own else ""
    return (
        f"select t.*{exclude}, {chat} as chat_id, {year}::INTEGER as year "
        f"from (select {star} from {table}) t {join} left join chats k on k.chat_id = {chat}"
    )


def _fingerprints(
    con: duckdb.DuckDBPyConnection, table: str, select: str
) -> dict[str, tuple[int, str]]:
    """Each partition's folder (``chat_id=x/year=y``, or ``""``) with its rows and a hash of them."""
    keyed = table in PARTITION_KEYS
    key = "'chat_id=' || chat_id || '/year=' || year" if keyed else "''"
    rows = con.execute(
        f"select {key} as part, count(*), coalesce(sum(hash(r)::HUGEINT), 0)::VARCHAR "
        f"from ({select}) r group by all"
    ).fetchall()
    return {part: (n, digest) for part, n, digest in rows}


@dataclass
class PartitionedTable:
    """One table of a partitioned export: rows, partitions, and how many were (re)written."""

    table: str
    path: Path
    rows: int
    files: int
    written: int
    removed: int


def _read_manifest(directory: Path) -> dict | None:
    path = directory / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("layout") == LAYOUT else None


def check_partitioned_output(directory: Path, overwrite: bool = False) -> None:
    """A new or empty folder, or an earlier ``--partition`` export to update; else refuse."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--output {directory}: is a file; give a folder for the export")
    if (
        directory.exists()
        and any(directory.iterdir())
        and not overwrite
        and _read_manifest(directory) is None
    ):
        raise UsageError(
            f"--output {directory}: the folder is not empty and holds no --partition export "
            f"(no {MANIFEST}); export into a new folder or add --overwrite"
        )


def export_partitioned(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[PartitionedTable]:
    """Write every public table as Hive-partitioned Parquet (``chat_id=…/year=…``) under
    ``directory``, or bring an earlier such export there up to date.

    Only the partitions whose rows changed are written again (a new week touches its chat's
    current year): each partition's row count and a hash of its rows are kept in ``_schema.json``,
    and a partition whose fingerprint is unchanged keeps its file untouched. Partitions that no
    longer have rows are removed. Tables with no chat (accounts, sources, …) are one
    ``data.parquet`` each, rewritten only when they changed.
    """
    check_partitioned_output(directory, overwrite)
    manifest = _read_manifest(directory) if directory.exists() else None
    before: dict[str, dict] = (manifest or {}).get("partitions", {})
    directory.mkdir(parents=True, exist_ok=True)
    tables = schema_doc.public_tables(con)
    out: list[PartitionedTable] = []
    parts_now: dict[str, dict[str, list]] = {}
    for table in tables:
        if progress:
            progress(table)
        target = directory / table
        select = _partitioned_select(con, table)
        prints = _fingerprints(con, table, select)
        if manifest is None and target.exists():
            shutil.rmtree(target)  # --overwrite of another layout: start the table afresh
        old = before.get(table, {}) if target.is_dir() else {}
        keyed = table in PARTITION_KEYS
        written = removed = 0
        for part in sorted(set(old) - set(prints)):
            folder = target / part if part else target
            if part and folder.exists():
                shutil.rmtree(folder)
                removed += 1
        for part, fp in sorted(prints.items()):
            file = (target / part if part else target) / "data.parquet"
            if old.get(part) == list(fp) and file.exists():
                continue
            file.parent.mkdir(parents=True, exist_ok=True)
            # a dot file until complete: Spark, DuckDB and arrow skip hidden files
            tmp = file.with_name(".data.parquet.tmp")
            if keyed:
                chat, year = (kv.split("=", 1)[1] for kv in part.split("/"))
                con.execute(
                    f"copy (select * exclude (chat_id, year) from ({select}) "
                    f"where chat_id = $chat and year = $year) to {_literal(tmp)} (format parquet)",
                    {"chat": chat, "year": int(year)},
                )
            else:
                con.execute(f"copy ({select}) to {_literal(tmp)} (format parquet)")
            tmp.replace(file)
            written += 1
        if not prints:
            if keyed:
                # no rows: one empty file with the columns (not under a partition) keeps the schema
                target.mkdir(parents=True, exist_ok=True)
                empty = target / "data.parquet"
                if not empty.exists():
                    con.execute(
                        f"copy (select * exclude (chat_id, year) from ({select}) limit 0) "
                        f"to {_literal(empty)} (format parquet)"
                    )
                    written += 1
            else:
                target.mkdir(parents=True, exist_ok=True)
                con.execute(
                    f"copy ({select}) to {_literal(target / 'data.parquet')} (format parquet)"
                )
                written += 1
        elif keyed and (target / "data.parquet").exists():
            (target / "data.parquet").unlink()
        parts_now[table] = {p: list(fp) for p, fp in prints.items()}
        files = sum(1 for _ in target.rglob("*.parquet"))
        rows = sum(n for n, _ in prints.values())
        out.append(PartitionedTable(table, target, rows, files, written, removed))
    _write_manifest(con, directory, tables, parts_now)
    return out


def _write_manifest(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    tables: list[str],
    partitions: dict[str, dict[str, list]],
) -> None:
    """``_schema.json`` (columns, meanings, partitions and their fingerprints) and README.md."""
    described = {}
    for table in tables:
        what, meanings = schema_doc.TABLES[table]
        columns = [
            {
                "name": name,
                "type": "VARCHAR" if dtype in _AS_TEXT else dtype,
                "description": meanings.get(name, ""),
            }
            for name, dtype, _ in schema_doc._columns(con, table)
        ]
        if table in PARTITION_KEYS:
            columns.append(
                {
                    "name": "year",
                    "type": "INTEGER",
                    "description": "Partition column: the row's year in the chat's time zone "
                    "(0 when the row has no time).",
                }
            )
        described[table] = {
            "row": what,
            "partitioned_by": ["chat_id", "year"] if table in PARTITION_KEYS else [],
            "columns": columns,
        }
    manifest = {"layout": LAYOUT, "tables": described, "partitions": partitions}
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    tmp.replace(directory / MANIFEST)
    lines = [
        "# chatgraph archive as partitioned Parquet",
        "",
        "Written by `chatgraph export --partition`. One folder per table; the tables of a chat are",
        "Hive-partitioned as `chat_id=<chat>/year=<year>` (the year in the chat's time zone, 0 for",
        "rows with no time). `chat_id` and `year` live in the folder names: readers add them back",
        "as columns. `_schema.json` holds every column's type and meaning, and a fingerprint",
        "of each partition so that the next export rewrites only what changed.",
        "",
    ]
    for table, info in described.items():
        parts = " (partitioned by chat_id, year)" if info["partitioned_by"] else ""
        lines += [f"## {table}{parts}", "", info["row"], ""]
        lines += [f"- `{c['name']}` {c['type']}: {c['description']}" for c in info["columns"]]
        lines.append("")
    (directory / "README.md").write_text("\n".join(lines))
