"""Put posts straight into an archive, for tests of sessions and threads that need exact timings."""

from __future__ import annotations

from datetime import datetime

import duckdb

from chatgraph import sessions, threads


def add_chat(con: duckdb.DuckDBPyConnection, chat_id: str = "testchat", **schedule: object) -> None:
    cols = ["chat_id", "hashtag", *schedule]
    values = [chat_id, chat_id, *schedule.values()]
    marks = ", ".join(f"${i + 1}" for i in range(len(values)))
    con.execute(f"insert into chats ({', '.join(cols)}) values ({marks})", values)


def add_post(
    con: duckdb.DuckDBPyConnection,
    post_id: str,
    at: str | datetime,
    author: str,
    text: str = "",
    *,
    chat_id: str = "testchat",
    reply_to: str | None = None,
    retweet_of: str | None = None,
    quote_of: str | None = None,
    conversation: str | None = None,
) -> None:
    con.execute(
        """insert into posts (post_id, platform, chat_id, created_at, author_id, author_handle, text,
                              reply_to_post_id, retweet_of_post_id, quote_of_post_id, is_retweet,
                              conversation_id)
           values ($id, 'twitter', $chat, $at::TIMESTAMPTZ, $author, $author, $text,
                   $reply, $rt, $quote, $rt is not null, coalesce($conv, $id))""",
        {
            "id": post_id,
            "chat": chat_id,
            "at": at if isinstance(at, str) else at.isoformat(),
            "author": author,
            "text": text,
            "reply": reply_to,
            "rt": retweet_of,
            "quote": quote_of,
            "conv": conversation,
        },
    )


def refresh(con: duckdb.DuckDBPyConnection, chat_id: str = "testchat") -> None:
    sessions.refresh(con, chat_id)
    threads.refresh(con, chat_id)


def thread_of(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, int | None, str]]:
    """post_id -> (session_id, question, method)."""
    rows = con.execute("select post_id, session_id, question, method from post_threads").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}
