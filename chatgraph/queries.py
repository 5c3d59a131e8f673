"""Find, describe and run the named research queries in ``queries/*.sql``.

Queries are looked up in folders, the first holding a name wins: the folders given with ``--dir``,
then those in ``CHATGRAPH_QUERIES`` (separated like ``PATH``), then the queries shipped with
chatgraph (the checkout's ``queries/``, which a wheel carries as ``chatgraph/_queries``). So a
research group keeps its own ``.sql`` files beside the shipped ones, and may override one by name.

A query file starts with a header the code parses::

    -- title: New connections per year
    -- description: Pairs of accounts that first interacted in each year of a chat.
    -- params: chat, limit=10

Parameters are DuckDB ``$name`` placeholders; values are always bound, never pasted into the SQL.
A ``name=value`` in ``-- params:`` gives a default. Parameters named ``chat`` or ending in ``_chat``
name a chat: they are normalised like ``--chat`` (case and ``#`` ignored) and checked against the
archive, and a missing ``chat`` defaults to the archive's only chat.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

import chatgraph
from chatgraph.errors import ChatgraphError, UsageError, first_line

_PACKAGE = Path(chatgraph.__file__).resolve().parent
# A wheel carries the checkout's queries/ as package data; a checkout (or an editable install)
# reads queries/ itself, so an edit there shows at once.
QUERIES_DIR = (
    _PACKAGE / "_queries" if (_PACKAGE / "_queries").is_dir() else _PACKAGE.parent / "queries"
)
ENV_VAR = "CHATGRAPH_QUERIES"

_HEADER_RE = re.compile(r"^--\s*(title|description|params)\s*:\s*(.*?)\s*$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# String literals, quoted identifiers and comments are skipped when looking for $name placeholders.
_PLACEHOLDER_RE = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\$([A-Za-z_][A-Za-z0-9_]*)", re.S
)


@dataclass(frozen=True)
class Param:
    """A declared parameter: its name and, when optional, its default value (as text)."""

    name: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None

    def __str__(self) -> str:
        return self.name if self.default is None else f"{self.name}={self.default}"


@dataclass(frozen=True)
class Query:
    """One stored query: its file, header and SQL."""

    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    sql: str = field(repr=False)

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]


def _where(path: Path) -> str:
    try:
        return str(path.relative_to(QUERIES_DIR.parent))
    except ValueError:
        return str(path)


def origin(query: Query) -> str:
    """Where a query comes from: ``shipped``, or the folder that holds it."""
    return "shipped" if query.path.parent == QUERIES_DIR else str(query.path.parent)


def search_path(dirs: Sequence[str | Path] = ()) -> list[Path]:
    """The folders searched for queries, first wins: ``dirs``, ``CHATGRAPH_QUERIES``, the shipped."""
    folders: list[Path] = []
    for d in dirs:
        path = Path(d)
        if not path.is_dir():
            raise UsageError(f"--dir {d}: no such folder; give a folder that holds .sql queries")
        folders.append(path)
    for d in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if not d.strip():
            continue
        path = Path(d.strip())
        if not path.is_dir():
            raise ChatgraphError(
                f"{ENV_VAR} names {d.strip()}, which is not a folder; fix the path or unset it"
            )
        folders.append(path)
    if not QUERIES_DIR.is_dir():
        raise ChatgraphError(
            f"{QUERIES_DIR}: the shipped queries are missing from this installation; "
            "reinstall chatgraph (pip install --force-reinstall chatgraph)"
        )
    folders.append(QUERIES_DIR)
    unique: list[Path] = []
    for f in folders:
        if all(f.resolve() != u.resolve() for u in unique):
            unique.append(f)
    return unique


def _folders(directory: Path | Sequence[str | Path] | None) -> list[Path]:
    if directory is None:
        return search_path()
    if isinstance(directory, str | Path):
        return [Path(directory)]
    return [Path(d) for d in directory]


def _files(folders: list[Path]) -> dict[str, Path]:
    """Query name -> file, the first folder holding a name winning."""
    files: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise ChatgraphError(f"{folder}: no such queries folder; give a folder of .sql files")
        for p in sorted(folder.glob("*.sql")):
            files.setdefault(p.stem, p)
    return files


def placeholders(sql: str) -> list[str]:
    """The distinct ``$name`` placeholders of a SQL text, in order of first use."""
    seen: list[str] = []
    for m in _PLACEHOLDER_RE.finditer(sql):
        if m.group(1) and m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def parse(path: Path) -> Query:
    """Read a query file: its header (title, description, params) and SQL; checks they agree."""
    where = _where(path)
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        m = _HEADER_RE.match(stripped)
        if m:
            last = m.group(1)
            if last in header:
                raise ChatgraphError(f"{where}: '-- {last}:' appears twice; keep one")
            header[last] = m.group(2)
        elif last == "description" and stripped.lstrip("-").strip():
            # A description may run on over further comment lines.
            header["description"] += " " + stripped.lstrip("-").strip()
    for key in ("title", "description"):
        if not header.get(key):
            raise ChatgraphError(
                f"{where}: the header has no '-- {key}:' line; start the file with "
                "'-- title: ...', '-- description: ...' and '-- params: ...'"
            )
    if "params" not in header:
        raise ChatgraphError(
            f"{where}: the header has no '-- params:' line; list the $names the SQL uses "
            "(or leave it empty: '-- params:')"
        )
    params: list[Param] = []
    for item in filter(None, (s.strip() for s in header["params"].split(","))):
        name, eq, default = (s.strip() for s in item.partition("="))
        if not _NAME_RE.match(name):
            raise ChatgraphError(f"{where}: {item!r} in '-- params:' is not NAME or NAME=DEFAULT")
        if name in (p.name for p in params):
            raise ChatgraphError(f"{where}: parameter {name!r} is declared twice in '-- params:'")
        params.append(Param(name, default if eq else None))
    declared = [p.name for p in params]
    used = placeholders(text)
    undeclared = [n for n in used if n not in declared]
    if undeclared:
        raise ChatgraphError(
            f"{where}: the SQL uses ${undeclared[0]} but '-- params:' does not declare it; add it there"
        )
    unused = [n for n in declared if n not in used]
    if unused:
        raise ChatgraphError(
            f"{where}: '-- params:' declares {unused[0]!r} but the SQL never uses ${unused[0]}; "
            "remove it or use it"
        )
    return Query(
        name=path.stem,
        path=path,
        title=header["title"],
        description=header["description"],
        params=tuple(params),
        sql=text,
    )


def find(directory: Path | Sequence[str | Path] | None = None) -> list[Query]:
    """Every query, sorted by name: of one folder, of several (the first holding a name wins), or
    by default of the search path (see ``search_path``)."""
    files = _files(_folders(directory))
    return [parse(files[name]) for name in sorted(files)]


def get(name: str, directory: Path | Sequence[str | Path] | None = None) -> Query:
    """The query called ``name`` (its file name without ``.sql``); other files are not parsed."""
    files = _files(_folders(directory))
    wanted = name[:-4] if name.endswith(".sql") else name
    if wanted not in files:
        known = ", ".join(sorted(files)) or "none"
        raise UsageError(f"no query named {wanted!r} (queries: {known}); see chatgraph queries")
    return parse(files[wanted])


def _chat_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select chat_id from chats order by chat_id").fetchall()]


def bind(
    con: duckdb.DuckDBPyConnection, query: Query, values: Mapping[str, object]
) -> dict[str, object]:
    """The values to bind: given ones checked against the declared names, then the defaults."""
    declared = query.param_names
    for name in values:
        if name not in declared:
            listed = ", ".join(declared) or "none"
            raise UsageError(
                f"query {query.name!r} has no parameter {name!r} (parameters: {listed}); "
                f"see chatgraph query {query.name} --show"
            )
    bound: dict[str, object] = {}
    for p in query.params:
        if p.name in values:
            bound[p.name] = values[p.name]
        elif p.default is not None:
            bound[p.name] = p.default
        elif p.name == "chat" and len(chats := _chat_names(con)) == 1:
            bound[p.name] = chats[0]
        else:
            raise UsageError(
                f"query {query.name!r} needs parameter {p.name!r}; "
                f"pass it as -p {p.name}=VALUE (parameters: {', '.join(map(str, query.params))})"
            )
    for name, value in bound.items():
        if (name == "chat" or name.endswith("_chat")) and isinstance(value, str):
            wanted = value.strip().lstrip("#").lower()
            chats = _chat_names(con)
            if wanted not in chats:
                known = ", ".join(chats) or "none yet"
                raise UsageError(
                    f"-p {name}={value}: no chat named {wanted!r} in the archive (chats: {known})"
                )
            bound[name] = wanted
    return bound


def run(
    con: duckdb.DuckDBPyConnection,
    name: str | Query,
    values: Mapping[str, object] | None = None,
    directory: Path | Sequence[str | Path] | None = None,
) -> pl.DataFrame:
    """Run a stored query with its parameters bound; returns the rows as a DataFrame."""
    query = name if isinstance(name, Query) else get(name, directory)
    bound = bind(con, query, values or {})
    try:
        return con.sql(query.sql, params=bound).pl()
    except duckdb.Error as e:
        raise ChatgraphError(f"{_where(query.path)}: {first_line(e)}") from e


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["chat=hcldr", "limit=5"]`` as a dict; a clear error for anything not KEY=VALUE."""
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not _NAME_RE.match(key):
            raise UsageError(f"-p {item}: write parameters as -p NAME=VALUE (e.g. -p chat=hcldr)")
        if key in out:
            raise UsageError(f"-p {item}: parameter {key!r} is given twice; give it once")
        out[key] = value
    return out


# ---------------------------------------------------------------- ad hoc SQL (read-only)

# On a read-only archive with file access switched off, these can neither change the archive nor
# write a file. (A PIVOT whose values are listed, ON col IN ('a', 'b'), is a SELECT.)
READ_STATEMENTS = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
_EXPLAIN_RE = re.compile(r"^\s*explain\b\s*(?:analy[sz]e\b\s*|\([^)]*\)\s*)?", re.I)


def open_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """The archive opened read-only, with file and network access off and the settings locked.

    A read-only DuckDB connection still lets SQL write files (COPY TO, EXPORT DATABASE), attach other
    databases and load extensions; switching external access off closes those doors too. The
    setting holds for every connection this process has open to the same file.
    """
    from chatgraph import db as dbmod

    con = dbmod.connect(path, read_only=True)
    # DuckDB shares one instance (and its settings) between the connections a process opens to the
    # same file, so another open_read_only() may have switched these already.
    if con.execute("select current_setting('enable_external_access')").fetchone()[0]:
        con.execute("set enable_external_access = false")
    if not con.execute("select current_setting('lock_configuration')").fetchone()[0]:
        con.execute("set lock_configuration = true")
    return con


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but one SELECT (or EXPLAIN), by DuckDB's own statement type."""
    statements = con.extract_statements(sql)
    if not statements:
        raise UsageError('no SQL given; e.g. chatgraph sql "select count(*) from posts"')
    if len(statements) > 1:
        raise UsageError(
            f"`sql` runs one statement at a time and got {len(statements)}; run them one by one"
        )
    kind = statements[0].type
    if kind is duckdb.StatementType.MULTI:
        # A PIVOT that looks up its own column values first (or a CREATE/INSERT around one) is
        # several statements; DuckDB does not say which, so none of them runs.
        raise UsageError(
            "the archive is opened read-only by `sql`; this PIVOT runs several statements and is "
            "refused; list its values instead: PIVOT ... ON column IN ('a', 'b') USING ..."
        )
    if kind is duckdb.StatementType.EXPLAIN:
        # EXPLAIN ANALYZE runs the statement it explains: that one must be a SELECT too.
        inner = _EXPLAIN_RE.sub("", statements[0].query, count=1)
        try:
            explained = con.extract_statements(inner)
            if len(explained) != 1:
                raise UsageError(f"EXPLAIN of {len(explained)} statements")
        except (duckdb.Error, UsageError) as e:
            raise UsageError(
                "the archive is opened read-only by `sql`; it cannot tell what this EXPLAIN "
                "explains, so it is refused; EXPLAIN a single SELECT"
            ) from e
        check_read_only(con, inner)
        return
    if kind not in READ_STATEMENTS:
        raise UsageError(
            f"the archive is opened read-only by `sql`; {kind.name} statements are refused "
            "(only SELECT and EXPLAIN run); write results to a file with --output, "
            "or the whole archive with chatgraph export"
        )


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    """Run one read-only statement (see ``check_read_only``) and return its rows."""
    check_read_only(con, sql)
    try:
        return con.sql(sql).pl()
    except duckdb.PermissionException as e:
        raise UsageError(
            "`sql` reads the archive only and cannot reach files, extensions or the network "
            f"({str(e).strip().splitlines()[0]}); use duckdb itself for that"
        ) from e
