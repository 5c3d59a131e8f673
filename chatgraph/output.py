"""Tabular output for the command line: rich tables, CSV or JSON from polars DataFrames."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from chatgraph.errors import UsageError

# Piped or captured output gets room for wide tables instead of an 80-column guess.
_WIDE = 150
console = Console(width=None if sys.stdout.isatty() else _WIDE)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else _WIDE)


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def show(
    df: pl.DataFrame, fmt: TableFormat | str = TableFormat.table, title: str | None = None
) -> None:
    """Print a DataFrame as a rich table, CSV or JSON (records) on standard output."""
    fmt = TableFormat(fmt)
    if fmt is TableFormat.csv:
        sys.stdout.write(df.write_csv())
        return
    if fmt is TableFormat.json:
        sys.stdout.write(df.write_json() + "\n")
        return
    table = Table(title=title, header_style="bold", show_lines=False)
    rows = [["" if v is None else _cell(v) for v in row] for row in df.iter_rows()]
    for i, (name, dtype) in enumerate(df.schema.items()):
        # Headers wrap at their words ("active participants"); numbers never wrap.
        # Only plain snake_case names read better with spaces; an expression that DuckDB named
        # itself (count_star(), "sum(posts)") is shown as written.
        header = name.replace("_", " ") if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) else name
        longest_word = max(len(w) for w in header.split()) if header.strip() else 1
        if dtype.is_numeric():
            widest = max((len(r[i]) for r in rows), default=1)
            table.add_column(header, justify="right", min_width=max(widest, longest_word))
        else:
            table.add_column(header, overflow="fold", min_width=min(max(longest_word, 4), 12))
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _cell(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if v == v else ""
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return str(v)


class DataFormat(StrEnum):
    """Formats for query results: the table formats plus Parquet (to a file only)."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """Nested columns (lists, structs) as JSON text, since CSV has no nesting."""
    nested = [n for n, t in df.schema.items() if t.is_nested()]
    return df.with_columns(
        pl.Series(n, [None if v is None else json.dumps(v, default=str) for v in df[n].to_list()])
        for n in nested
    )


def emit(
    df: pl.DataFrame,
    fmt: DataFormat | str = DataFormat.table,
    output: Path | None = None,
    title: str | None = None,
    max_rows: int = 1000,
) -> None:
    """Show a result on standard output, or write it to ``output`` (format from --format or suffix).

    A table on screen shows at most ``max_rows`` rows and says so; files always hold every row.
    """
    fmt = DataFormat(fmt)
    if output is not None:
        if fmt is DataFormat.table:
            guessed = _SUFFIX_FORMATS.get(output.suffix.lower())
            if guessed is None:
                raise UsageError(
                    f"--output {output}: cannot tell the format from the name; "
                    "add --format csv, json or parquet"
                )
            fmt = DataFormat(guessed)
        output.parent.mkdir(parents=True, exist_ok=True)
        if fmt is DataFormat.parquet:
            df.write_parquet(output)
        elif fmt is DataFormat.csv:
            _flat(df).write_csv(output)
        else:
            output.write_text(df.write_json() + "\n", encoding="utf-8")
        err_console.print(
            f"Wrote {df.height} rows to {output}", markup=False, highlight=False, soft_wrap=True
        )
        return
    if fmt is DataFormat.parquet:
        raise UsageError("--format parquet writes a binary file; add --output FILE.parquet")
    if fmt is DataFormat.csv:
        sys.stdout.write(_flat(df).write_csv())
        return
    if fmt is DataFormat.table and df.height > max_rows:
        show(df.head(max_rows), TableFormat.table, title=title)
        err_console.print(
            f"Showing {max_rows} of {df.height} rows; use --format csv or --output FILE for all.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return
    show(df, TableFormat(fmt.value), title=title)
