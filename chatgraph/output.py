"""Tabular output for the command line: rich tables, CSV or JSON from polars DataFrames."""

from __future__ import annotations

import sys
from enum import StrEnum

import polars as pl
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


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
    for name, dtype in df.schema.items():
        if dtype.is_numeric():
            table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
        else:
            table.add_column(name, overflow="fold", min_width=min(len(name), 12))
    for row in df.iter_rows():
        table.add_row(*["" if v is None else _cell(v) for v in row])
    console.print(table)


def _cell(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if v == v else ""
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return str(v)
