"""Chats: the named archives of one community's posts, with their schedules, prefixes and hosts."""

from __future__ import annotations

import duckdb

from chatgraph.errors import UsageError


def resolve(con: duckdb.DuckDBPyConnection, chat: str | None) -> str:
    """The chat named (case and ``#`` ignored), or the archive's only chat."""
    names = [r[0] for r in con.execute("select chat_id from chats order by chat_id").fetchall()]
    if chat is not None:
        wanted = chat.strip().lstrip("#").lower()
        if wanted not in names:
            known = ", ".join(names) or "none yet"
            raise UsageError(f"no chat named {wanted!r} in the archive (chats: {known})")
        return wanted
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError(
            "the archive holds no chats yet; load some exports first (chatgraph load FILES)"
        )
    raise UsageError(
        f"the archive holds several chats ({', '.join(names)}); choose one with --chat"
    )
