"""What a load rejected, said in one line per file: how many, why, where, and how to list them."""

from __future__ import annotations

import duckdb

SHOWN_REASONS = 3
SHOWN_RECORDS = 3


def reasons(con: duckdb.DuckDBPyConnection, source_id: int) -> list[tuple[str, int, list[int]]]:
    """``(reason, count, first record numbers)`` for one source, the earliest reason first."""
    rows = con.execute(
        """
        select reason, count(*) as n, list(record_no order by record_no)[1:$k] as first
        from rejects where source_id = $s
        group by reason order by min(record_no), reason
        """,
        {"s": source_id, "k": SHOWN_RECORDS},
    ).fetchall()
    return [(r, n, list(first)) for r, n, first in rows]


def line(con: duckdb.DuckDBPyConnection, label: str, source_id: int, records: int) -> str:
    """``file: 2 of 30 records rejected: reason (record 5); … List them: chatgraph sql "…"``."""
    found = reasons(con, source_id)
    total = sum(n for _, n, _ in found)
    parts = []
    for reason, n, first in found[:SHOWN_REASONS]:
        where = ", ".join(str(x) for x in first) + (", …" if n > len(first) else "")
        parts.append(f"{reason} ({'record' if n == 1 else f'{n} records:'} {where})")
    more = len(found) - SHOWN_REASONS
    if more > 0:
        parts.append(f"and {more} more reason{'s' if more > 1 else ''}")
    listing = (
        f'chatgraph sql "select record_no, reason, raw from rejects where source_id = {source_id}"'
    )
    noun = "record" if records == 1 else "records"
    return (
        f"{label}: {total} of {records} {noun} rejected: {'; '.join(parts)}. List them: {listing}"
    )
