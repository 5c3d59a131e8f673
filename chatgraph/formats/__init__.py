"""Export formats: each module sniffs its files and stages them as canonical posts in DuckDB.

A format is a :class:`Format`: ``sniff(head)`` says from the first bytes whether a file is of that
kind, and ``stage(con, source, options)`` fills the temp table ``stage`` (see :data:`STAGE_COLUMNS`)
with one row per post record, one per embedded original (``referenced``) and one per rejected
record (``reject`` holds the reason). Everything after staging is format-independent
(:mod:`chatgraph.ingest`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from chatgraph.errors import NotAnExport, UnknownFormat, first_line

HEAD_BYTES = 256 * 1024
MAX_RECORD_BYTES = 1 << 30  # one JSON record (line) may be this large
LINE_BYTES = 16 << 20  # the record size limit tried first (readers' memory grows with it)
RAW_KEEP = 10_000  # characters of a rejected record kept in `rejects.raw`

# Every staged row has exactly these columns, in this order.
STAGE_COLUMNS: dict[str, str] = {
    "record_no": "BIGINT",
    "reject": "VARCHAR",
    "raw": "VARCHAR",
    "referenced": "BOOLEAN",
    "post_id": "VARCHAR",
    "platform": "VARCHAR",
    "created_at": "TIMESTAMPTZ",
    "author_id": "VARCHAR",
    "author_handle": "VARCHAR",
    "author_name": "VARCHAR",
    "text": "VARCHAR",
    "lang": "VARCHAR",
    "reply_to_post_id": "VARCHAR",
    "reply_to_author_id": "VARCHAR",
    "reply_to_handle": "VARCHAR",
    "retweet_of_post_id": "VARCHAR",
    "quote_of_post_id": "VARCHAR",
    "conversation_id": "VARCHAR",
    "is_retweet": "BOOLEAN",
    "truncated": "BOOLEAN",
    "mentions": "STRUCT(account_id VARCHAR, handle VARCHAR, name VARCHAR)[]",
    "hashtags": "VARCHAR[]",
}


@dataclass
class Source:
    """One export file as the loader sees it (a zip member is extracted to ``path`` first)."""

    path: Path  # the file on disk that DuckDB reads
    label: str  # what error lines and `sources.path` call it
    compression: str = "none"  # "gzip" or "none"
    _plain: Path | None = None

    @property
    def duckdb_compression(self) -> str:
        return "gzip" if self.compression == "gzip" else "none"

    def sql_path(self) -> str:
        return sql_string(str(self.path))

    def plain_path(self, workdir: Path) -> Path:
        """An uncompressed copy for readers that cannot stream gzip (read_text)."""
        if self.compression != "gzip":
            return self.path
        if self._plain is None:
            target = workdir / (self.path.name + ".plain")
            with gzip.open(self.path, "rb") as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            self._plain = target
        return self._plain


@dataclass
class Options:
    """What the user said about the files being loaded."""

    account: str | None = None  # owner handle for personal archives without a user object
    columns: dict[str, str] | None = None  # generic CSV mapping: canonical name -> file column
    workdir: Path = field(default_factory=lambda: Path("."))


@dataclass
class Head:
    """The first bytes of a file, decoded, with the first JSON value when one parses."""

    text: str
    first_line: str
    first_json: Any = None
    whole: bool = False  # the head is the whole file
    line_json: bool = (
        False  # the first line alone is a JSON value (JSON lines, or a one-line document)
    )

    @classmethod
    def read(cls, source: Source) -> Head:
        opener = gzip.open if source.compression == "gzip" else open
        try:
            with opener(source.path, "rb") as f:
                raw = f.read(HEAD_BYTES + 1)
        except (EOFError, OSError, zlib.error) as e:
            if source.compression != "gzip":
                raise
            raise NotAnExport(gzip_damaged(source.label, e)) from e
        whole = len(raw) <= HEAD_BYTES
        text = raw[:HEAD_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
        first_line = text.split("\n", 1)[0].strip()
        first_json, line_json = None, False
        try:
            first_json, line_json = json.loads(first_line), True
        except ValueError:
            if whole:
                with contextlib.suppress(ValueError):
                    first_json = json.loads(text)
            if first_json is None:
                # JSON lines whose first line is cut or corrupt: the next whole object on a line
                # of its own says so (a pretty-printed document never has one).
                first_json = _next_object_line(text if whole else text.rsplit("\n", 1)[0])
                line_json = first_json is not None
        return cls(
            text=text,
            first_line=first_line,
            first_json=first_json,
            whole=whole,
            line_json=line_json,
        )

    def csv_header(self) -> list[str]:
        import csv

        try:
            return [c.strip() for c in next(csv.reader([self.first_line]))]
        except (StopIteration, csv.Error):
            return []


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    sniff: Callable[[Head], bool]
    stage: Callable[[duckdb.DuckDBPyConnection, Source, Options], None]


@dataclass(frozen=True)
class NonPost:
    """A known kind of file that holds no posts (users, counts): named in the error."""

    what: str
    sniff: Callable[[Head], bool]


def _next_object_line(text: str, lines: int = 50) -> Any:
    """The first of the next few lines (after the first) that alone is a non-empty JSON object."""
    for line in text.split("\n")[1 : lines + 1]:
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and obj:
                return obj
    return None


def gzip_damaged(label: str, error: BaseException | str) -> str:
    """The one-line error for a .gz file that is cut short or corrupt."""
    detail = first_line(error)
    if isinstance(error, EOFError) or "end of" in detail.lower():
        what = "is cut short (it ends before the end of its compressed stream)"
    else:
        what = f"is damaged ({detail})"
    return (
        f"{label}: the gzip file {what}; nothing was loaded from it. Fetch or compress it again, "
        "or keep the part before the damage with: gunzip -c FILE.gz > FILE"
    )


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_numbered(con: duckdb.DuckDBPyConnection, name: str, number: str, select_sql: str) -> None:
    """Read ``select_sql`` (a whole file) into the temp table ``{name}_read``, and make ``name`` a
    view of it with the rows numbered from 1 in the column ``number``.

    The table keeps the file's order (DuckDB preserves insertion order), so its row id numbers
    the rows; a ``row_number()`` window over a whole read cost a third of the read. Drop both with
    :func:`drop_numbered`.
    """
    con.execute(f"create or replace temp table {name}_read as {select_sql}")
    con.execute(
        f"create or replace temp view {name} as select rowid + 1 as {number}, * from {name}_read"
    )


def drop_numbered(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop what :func:`read_numbered` made (nothing if it is not there)."""
    drop_temp(con, name)
    con.execute(f"drop table if exists {name}_read")


def drop_temp(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a temp table or view of a load, whichever it is (nothing if neither exists)."""
    kind = con.execute(
        "select 'view' from duckdb_views() where view_name = $n and temporary "
        "union all select 'table' from duckdb_tables() where table_name = $n and temporary",
        {"n": name},
    ).fetchone()
    if kind:
        con.execute(f"drop {kind[0]} if exists {name}")


def finish_stage(
    con: duckdb.DuckDBPyConnection, select_sql: str, carry: tuple[str, ...] = ()
) -> None:
    """Create the temp table ``stage`` from a query; columns it lacks are NULL, extras are dropped
    except those named in ``carry``, kept after the stage columns (the reader drops them)."""
    con.execute(f"create or replace temp view stage_src as {select_sql}")
    have = {r[0] for r in con.execute("describe stage_src").fetchall()}
    cols = []
    for name, typ in STAGE_COLUMNS.items():
        if name in have:
            cols.append(f"cast({name} as {typ}) as {name}")
        elif name in ("referenced", "is_retweet", "truncated"):
            cols.append(f"false as {name}")
        else:
            cols.append(f"cast(null as {typ}) as {name}")
    cols += carry
    con.execute(f"create or replace temp table stage as select {', '.join(cols)} from stage_src")
    con.execute("drop view stage_src")


def attach_raw_lines(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Fill ``stage.raw`` of rejected line records from the file (read only when there are rejects).

    Records are the file's non-blank lines, numbered from 1, as DuckDB's line readers count them.
    """
    wanted = {
        r[0]
        for r in con.execute(
            "select record_no from stage where reject is not null and raw is null and not referenced"
        ).fetchall()
    }
    if not wanted:
        return
    opener = gzip.open if source.compression == "gzip" else open
    found: list[tuple[int, str]] = []
    last = max(wanted)
    n = 0
    try:
        with opener(source.path, "rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                n += 1
                if n in wanted:
                    found.append(
                        (n, raw[:RAW_KEEP].decode("utf-8", errors="replace").rstrip("\r\n"))
                    )
                if n >= last:
                    break
    except (OSError, EOFError):
        pass  # a cut gzip: keep what was read
    if found:
        con.execute("create or replace temp table raw_lines (record_no BIGINT, raw VARCHAR)")
        con.executemany("insert into raw_lines values (?, ?)", found)
        con.execute(
            "update stage set raw = r.raw from raw_lines r where stage.record_no = r.record_no and stage.reject is not null and not stage.referenced"
        )
        con.execute("drop table raw_lines")


def lines_relation(source: Source, max_line_bytes: int = 64 * 1024 * 1024) -> str:
    """SQL for the file's lines as ``(record_no, line)``, 1-based, blank lines skipped."""
    return f"""(
        select row_number() over () as record_no, line
        from read_csv({source.sql_path()}, columns={{'line': 'VARCHAR'}}, header=false,
                      delim='\\x01', quote='', escape='', auto_detect=false,
                      compression={sql_string(source.compression if source.compression != "none" else "none")},
                      max_line_size={max_line_bytes}, strict_mode=false, null_padding=false)
    ) where line is not null and trim(line) <> ''"""


def json_items_relation(
    source: Source, options: Options, head: Head, unwrap: tuple[str, ...] = ()
) -> str:
    """Each JSON value of the file as ``(record_no, ok, item, line)``, numbered in file order.

    JSON lines are read line by line; a pretty-printed document is read whole. A line or document
    that is an array, or an object with one of the ``unwrap`` keys holding an array, gives one
    record per element.
    """
    if head.line_json:
        rel = lines_relation(source)
    else:
        plain = sql_string(str(source.plain_path(options.workdir)))
        rel = f"(select 1 as record_no, content as line from read_text({plain}))"
    unwrap_cases = "\n".join(
        f"when json_type(line::JSON, '$.{key}') = 'ARRAY' then json_extract(line::JSON, '$.{key}[*]')"
        for key in unwrap
    )
    return f"""(
        with src as (select record_no as line_no, line, json_valid(line) as ok from {rel}),
        expanded as (
            select line_no, ok, line,
                   case when not ok then [null::JSON]
                        when json_type(line::JSON) = 'ARRAY' then json_extract(line::JSON, '$[*]')
                        {unwrap_cases}
                        else [line::JSON] end as elems
            from src)
        select row_number() over () as record_no, ok, cast(e as VARCHAR) as item,
               case when not ok then line end as line
        from expanded, unnest(elems) as u(e)
    )"""


# Sniffing order: the most specific shapes first.
FORMAT_MODULES = [
    "twitter_v2",
    "twitter_v1",
    "twarc_csv",
    "tags",
    "twitter_archive",
    "mastodon",
    "bluesky",
    "rtweet",
    "generic_csv",
]


def registry() -> tuple[list[Format], list[NonPost]]:
    """All formats, in sniffing order (most specific first), and the known non-post files."""
    import importlib

    formats: list[Format] = []
    non_posts: list[NonPost] = []
    for module_name in FORMAT_MODULES:
        module = importlib.import_module(f"chatgraph.formats.{module_name}")
        formats.append(module.FORMAT)
        non_posts.extend(getattr(module, "NON_POSTS", []))
    return formats, non_posts


def format_names() -> list[str]:
    return [f.name for f in registry()[0]]


def detect(source: Source, head: Head | None = None) -> Format:
    head = head or Head.read(source)
    formats, non_posts = registry()
    supported = ", ".join(f.name for f in formats)
    text = head.text.strip()
    if not text:
        raise UnknownFormat(f"{source.label}: the file is empty; supported formats: {supported}")
    if re.fullmatch(r"\[\s*\]", text):
        raise UnknownFormat(
            f"{source.label}: no posts: the file is an empty JSON list (the search or export "
            "found nothing); nothing to load"
        )
    for np_ in non_posts:
        if np_.sniff(head):
            raise UnknownFormat(
                f"{source.label}: this is {np_.what}, which holds no posts; supported formats: {supported}"
            )
    for fmt in formats:
        if fmt.sniff(head):
            return fmt
    raise UnknownFormat(
        f"{source.label}: not a chat export chatgraph can read; supported formats: {supported} "
        "(use --as NAME if the file is one of them)"
    )


def by_name(name: str) -> Format:
    for fmt in registry()[0]:
        if fmt.name == name:
            return fmt
    from chatgraph.errors import UsageError

    raise UsageError(f"unknown format {name!r}; supported formats: {', '.join(format_names())}")
