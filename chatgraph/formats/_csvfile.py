"""Read a CSV export whole in DuckDB, keeping each row's record number and every malformed row.

Records are the CSV rows after the header, numbered from 1 the way DuckDB's reader counts them (a
quoted field may span lines; a blank line counts as a row). Malformed rows (wrong number of fields,
an unclosed quote, bad UTF-8) come back as rejects with their number, the reason and the raw row.
"""

from __future__ import annotations

import gzip
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import duckdb

from chatgraph.formats import (
    RAW_KEEP,
    Head,
    Source,
    drop_numbered,
    drop_temp,
    read_numbered,
    sql_string,
)

_ERRORS = "cg_csv_errors"
_SCANS = "cg_csv_scans"


_LONE_CR = re.compile(rb"\r(?!\n)")


def _chunks(f: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    """The file in chunks that never end between a CR and its LF (an end-of-file CR ends one)."""
    carry = b""
    while block := f.read(size):
        block = carry + block
        block, carry = (block[:-1], b"\r") if block.endswith(b"\r") else (block, b"")
        yield block
    if carry:
        yield carry


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def header_names(head: Head) -> list[str]:
    """The header's column names, made unique (a repeated name gets ``_2``, ``_3`` …)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for raw in head.csv_header():
        name = raw or "column"
        key = name.lower()
        seen[key] = seen.get(key, 0) + 1
        names.append(name if seen[key] == 1 else f"{name}_{seen[key]}")
    return names


def read_rows(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    head: Head,
    table: str,
    keep: Callable[[list[str]], list[str]] | None = None,
    *,
    view: bool = False,
) -> list[str]:
    """Create temp table ``table``: ``record_no``, ``reject``, ``raw`` and the columns as VARCHAR.

    Every row is checked against the header, but only the columns ``keep(names)`` picks are stored
    (all when ``keep`` is None). Rejected rows have NULL columns. Returns the header's column names.
    ``view``: make ``table`` a view over the rows as read (no second copy of a big file); drop it
    and what it reads with :func:`drop_rows`.
    """
    kind = "view" if view else "table"
    names = header_names(head)
    kept = keep(names) if keep else names
    picked = ", ".join(ident(n) for n in kept) if kept else "null as no_columns"
    columns = "{" + ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names) + "}"
    compression = "gzip" if source.compression == "gzip" else "none"
    for t in (_ERRORS, _SCANS):
        con.execute(f"drop table if exists {t}")

    def read(path: str, compression: str) -> None:
        read_numbered(
            con,
            "csv_good",
            "good_no",
            f"""
            select {picked}
            from read_csv({path}, columns={columns}, header=false, skip=1,
                          delim=',', quote='"', escape='"', auto_detect=false, strict_mode=true,
                          null_padding=false, compression={sql_string(compression)},
                          max_line_size={64 * 1024 * 1024}, store_rejects=true,
                          rejects_table={sql_string(_ERRORS)}, rejects_scan={sql_string(_SCANS)})
            """,
        )

    # A carriage return alone outside quotes stops DuckDB's reader for the whole file (and the
    # load's transaction with it): read it as the line break it is, as Python's csv does, so only
    # the rows it splits become rejects.
    opener = gzip.open if source.compression == "gzip" else open
    with opener(source.path, "rb") as src:
        lone_cr = any(_LONE_CR.search(chunk) for chunk in _chunks(src))
    if not lone_cr:
        read(source.sql_path(), compression)
    else:
        with tempfile.TemporaryDirectory(prefix="chatgraph-cr-") as tmp:
            plain = Path(tmp) / "lf.csv"
            with opener(source.path, "rb") as src, open(plain, "wb") as dst:
                for chunk in _chunks(src):
                    dst.write(_LONE_CR.sub(b"\n", chunk))
            read(sql_string(str(plain)), "none")
    # DuckDB counts the header as line 1; one reject per row, the first error it found.
    con.execute(
        f"""
        create or replace temp table csv_bad as
        select line - 1 as record_no,
               arg_min(error_type::VARCHAR, coalesce(column_idx, 0)) as error_type,
               arg_min(error_message, coalesce(column_idx, 0)) as error_message,
               arg_min(ltrim(csv_line, chr(13) || chr(10)), coalesce(column_idx, 0)) as raw
        from {_ERRORS}
        group by line
        """
    )
    expected = len(names)
    reason = f"""case error_type
        when 'MISSING COLUMNS' then 'row ' || record_no || ' has '
             || regexp_extract(error_message, 'Found: (\\d+)', 1) || ' fields, not {expected}: '
             || 'the row is cut or was edited by hand'
        when 'TOO MANY COLUMNS' then 'row ' || record_no || ' has '
             || regexp_extract(error_message, 'Found: (\\d+)', 1) || ' fields, not {expected}: '
             || 'an unquoted comma, or the row was edited by hand'
        when 'UNQUOTED VALUE' then 'row ' || record_no || ' has a quoted field that is not closed '
             || '(a cut file or a stray quote); the rest of the file was read into it'
        when 'INVALID STATE' then 'row ' || record_no || ' has a quote in the middle of a field'
        when 'INVALID ENCODING' then 'row ' || record_no || ' is not valid UTF-8; save the file as UTF-8'
        when 'LINE SIZE OVER MAXIMUM' then 'row ' || record_no || ' is longer than 64 MB'
        else 'row ' || record_no || ': ' || error_message end"""
    rejected = con.execute("select count(*) from csv_bad").fetchone()[0]
    if rejected == 0:
        con.execute(
            f"""create or replace temp {kind} {table} as
                select good_no as record_no, null::VARCHAR as reject, null::VARCHAR as raw,
                       csv_good.* exclude (good_no)
                from csv_good"""
        )
    else:
        # Rows read in order fill the record numbers the rejects leave free.
        con.execute(
            f"""
            create or replace temp table csv_numbers as
            select n as record_no, row_number() over (order by n) as good_no
            from range(1, (select count(*) from csv_good) + {rejected} + 1) r(n)
            where n not in (select record_no from csv_bad)
            """
        )
        con.execute(
            f"""
            create or replace temp {kind} {table} as
            select csv_numbers.record_no, null::VARCHAR as reject, null::VARCHAR as raw,
                   csv_good.* exclude (good_no)
            from csv_good join csv_numbers using (good_no)
            union all by name
            select record_no, {reason} as reject, left(raw, {RAW_KEEP}) as raw from csv_bad
            """
        )
    if view:
        for t in (_ERRORS, _SCANS):
            con.execute(f"drop table if exists {t}")
    else:
        _drop_reads(con)
    return names


def _drop_reads(con: duckdb.DuckDBPyConnection) -> None:
    drop_numbered(con, "csv_good")
    for t in (_ERRORS, _SCANS, "csv_bad", "csv_numbers"):
        con.execute(f"drop table if exists {t}")


def drop_rows(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop the rows :func:`read_rows` made, as a view or a table."""
    drop_temp(con, table)
    _drop_reads(con)


def col(name: str, *, na: bool = False) -> str:
    """A CSV column as SQL, blank as NULL (and R's ``NA`` too when ``na``)."""
    expr = f"nullif(trim({ident(name)}), '')"
    return f"nullif({expr}, 'NA')" if na else expr


_SCI_NUMBER = "'^[0-9]+(\\.[0-9]+)?[eE][+]?[0-9]+$'"


def rounded_id_cases(ids: list[tuple[str, str]], fix: str) -> str:
    """``when … then …`` arms naming the first id (label, SQL value) that a spreadsheet turned
    into a rounded number like ``1.26426E+18``, with the fix for this kind of file."""
    lost = " lost precision: a spreadsheet turned the id into a number; " + fix
    return " ".join(
        f"when regexp_matches({value}, {_SCI_NUMBER}) "
        f"then {sql_string(label + ' ')} || {value} || {sql_string(lost)}"
        for label, value in ids
    )
