"""Synthetic export records for the reliability tests: valid Twitter v1.1 tweets and archive snapshots."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

# Every table a load writes to (directly or through derive.refresh), in a fixed order.
ARCHIVE_TABLES = [
    "sources", "posts", "referenced_posts", "post_sources", "accounts", "mentions", "hashtags",
    "rejects", "chats", "sessions", "questions", "post_threads", "interactions", "connections",
]  # fmt: skip

BASE_ID = 1_264_260_000_000_000_000
START = datetime(2020, 5, 5, 0, 30, tzinfo=UTC)  # a Tuesday 8:30pm in New York


def v1_time(t: datetime) -> str:
    return t.strftime("%a %b %d %H:%M:%S +0000 %Y")


def v1_tweet(
    i: int,
    *,
    handle: str | None = None,
    text: str | None = None,
    tag: str = "hcldr",
    users: int = 40,
    start: datetime = START,
) -> dict:
    """Tweet number ``i`` of a synthetic chat: an answer that mentions the next user and carries #tag."""
    n = i % users
    handle = handle or f"user{n}"
    other = f"user{(n + 1) % users}"
    tid = BASE_ID + i
    if text is None:
        text = f"A{i % 4 + 1} answer {i} from @{handle}'s desk, thanks @{other} #{tag}"
    return {
        "created_at": v1_time(start + timedelta(seconds=2 * i)),
        "id": tid,
        "id_str": str(tid),
        "text": text,
        "truncated": False,
        "entities": {
            "hashtags": [{"text": tag, "indices": [0, len(tag) + 1]}],
            "user_mentions": [
                {
                    "screen_name": other,
                    "name": other.title(),
                    "id": 5000 + (n + 1) % users,
                    "id_str": str(5000 + (n + 1) % users),
                    "indices": [0, len(other) + 1],
                }
            ],
        },  # fmt: skip
        "in_reply_to_status_id_str": None,
        "in_reply_to_user_id_str": None,
        "in_reply_to_screen_name": None,
        "user": {
            "id": 5000 + n,
            "id_str": str(5000 + n),
            "screen_name": handle,
            "name": handle.title(),
        },
        "lang": "en",
    }


def v1_lines(n: int, first: int = 0, **kw) -> list[str]:
    return [json.dumps(v1_tweet(i, **kw)) for i in range(first, first + n)]


def write_v1(path: Path, n: int, first: int = 0, **kw) -> Path:
    path.write_text("".join(line + "\n" for line in v1_lines(n, first, **kw)), encoding="utf-8")
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Row counts of every archive table and a checksum of the posts' content."""
    state: dict[str, object] = {
        t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ARCHIVE_TABLES
    }
    rows = con.execute(
        """select post_id, author_handle, coalesce(text, ''), created_at::VARCHAR, chat_id
           from posts order by post_id"""
    ).fetchall()
    state["posts_sha256"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return state


def snapshot_file(path: Path) -> dict[str, object]:
    from chatgraph import db as dbmod

    con = dbmod.connect(path, wait_seconds=5)
    try:
        return snapshot(con)
    finally:
        con.close()


def user_of(handle: str) -> dict:
    uid = str(7000 + sum(ord(c) for c in handle.lower()) * 31 % 100_000)
    return {"id": int(uid), "id_str": uid, "screen_name": handle, "name": handle.title()}


def tweet(
    tid: int,
    handle: str,
    text: str,
    *,
    minutes: float = 0,
    reply_to: dict | None = None,
    retweet_of: dict | None = None,
    quote_of: dict | None = None,
) -> dict:
    """A v1.1 tweet with entities taken from its text (``@x`` mentions, ``#y`` hashtags)."""
    import re

    shown = f"RT @{retweet_of['user']['screen_name']}: {retweet_of['text']}" if retweet_of else text
    out = {
        "created_at": v1_time(START + timedelta(minutes=minutes)),
        "id": tid,
        "id_str": str(tid),
        "text": shown,
        "entities": {
            "hashtags": [
                {"text": m.group(1), "indices": [m.start(), m.end()]}
                for m in re.finditer(r"#(\w+)", shown)
            ],
            "user_mentions": [
                {**user_of(m.group(1)), "indices": [m.start(), m.end()]}
                for m in re.finditer(r"(?<![\w@])@(\w+)", shown)
            ],
        },  # fmt: skip
        "user": user_of(handle),
        "lang": "en",
    }
    if reply_to:
        out["in_reply_to_status_id_str"] = reply_to["id_str"]
        out["in_reply_to_user_id_str"] = reply_to["user"]["id_str"]
        out["in_reply_to_screen_name"] = reply_to["user"]["screen_name"]
    if retweet_of:
        out["retweeted_status"] = retweet_of
    if quote_of:
        out["is_quote_status"] = True
        out["quoted_status_id_str"] = quote_of["id_str"]
        out["quoted_status"] = quote_of
    return out


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), "utf-8"
    )
    return path
