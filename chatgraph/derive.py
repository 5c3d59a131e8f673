"""Keep the derived tables (sessions, threads, interactions, connections) current after a load."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from chatgraph import interactions, sessions, threads
from chatgraph.db import has_temp_table


def refresh(
    con: duckdb.DuckDBPyConnection, chat_ids: Iterable[str], changed: str | None = None
) -> None:
    """Bring sessions, question threads, interactions and connections up to date for these chats.

    ``changed``: a temp table of the post ids a load just added or changed; with it, interactions
    are redone only for what the load can touch (a weekly load into years of archive stays fast),
    without it they are rebuilt for the whole chat.
    """
    for chat_id in chat_ids:
        sessions.refresh(con, chat_id)
        whole = (
            changed is None
            or con.execute(
                "select not exists (select 1 from interactions where chat_id = $c)", {"c": chat_id}
            ).fetchone()[0]
        )
        since = None
        if not whole and has_temp_table(con, "_placed"):
            # Posts sessions.refresh placed again and the sessions threads.refresh will redo
            # whole: their interactions carry a session and question that may change.
            since = con.execute(
                """
                select min(p.created_at)::VARCHAR from posts p
                where p.post_id in (select post_id from _placed)
                   or p.post_id in (select post_id from post_threads where chat_id = $c and session_id in (
                                        select session_id from _placed where session_id is not null))
                """,
                {"c": chat_id},
            ).fetchone()[0]
        threads.refresh(con, chat_id)
        if whole:
            interactions.refresh(con, chat_id)
        else:
            interactions.refresh_since(con, chat_id, since, changed)
