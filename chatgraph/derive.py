"""Keep the derived tables (sessions, threads, interactions, connections) current after a load."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from chatgraph import interactions, sessions, threads


def refresh(con: duckdb.DuckDBPyConnection, chat_ids: Iterable[str]) -> None:
    """Bring sessions, question threads, interactions and connections up to date for these chats."""
    steps = [sessions.refresh, threads.refresh, interactions.refresh]
    for chat_id in chat_ids:
        for step in steps:
            step(con, chat_id)
