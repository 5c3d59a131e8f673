"""Hand-built archive rows for the interaction, graph and growth tests."""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC


def post(db, post_id, handle, when, text="", *, author_id=None, table="posts", chat="hcldr", **kw):
    row = {
        "post_id": post_id,
        "platform": "twitter",
        "chat_id": chat if table == "posts" else None,
        "created_at": when,
        "author_id": author_id,
        "author_handle": handle,
        "text": text,
        "is_retweet": False,
        **kw,
    }
    cols = ", ".join(row)
    vals = ", ".join(f"${c}" for c in row)
    db.execute(f"insert into {table} ({cols}) values ({vals})", row)


def mention(db, post_id, handle, account_id=None):
    db.execute(
        "insert into mentions values ($p, $a, $h)", {"p": post_id, "a": account_id, "h": handle}
    )


def account(db, account_id, handle):
    db.execute(
        "insert into accounts (account_id, platform, handle) values ($a, 'twitter', $h)",
        {"a": account_id, "h": handle},
    )


def thread(db, post_id, session_id, question, chat="hcldr"):
    db.execute(
        "insert into post_threads values ($p, $c, $s, $q, 'test')",
        {"p": post_id, "c": chat, "s": session_id, "q": question},
    )


def session(db, session_id, starts_at, local_date, chat="hcldr", minutes=60):
    db.execute(
        "insert into sessions values ($s, $c, $a, $b, $d, 0, 0)",
        {
            "s": session_id,
            "c": chat,
            "a": starts_at,
            "b": starts_at + dt.timedelta(minutes=minutes),
            "d": local_date,
        },
    )
