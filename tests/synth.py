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
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
        ),
        "utf-8",
    )
    return path


TAGS_HEADER = [
    "id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang",
    "in_reply_to_user_id_str", "in_reply_to_screen_name", "from_user_id_str",
    "in_reply_to_status_id_str", "source", "profile_image_url", "user_followers_count",
    "user_friends_count", "user_location", "status_url", "entities_str",
]  # fmt: skip


def tags_row(t: dict) -> list[str]:
    """A v1.1 tweet as a row of a TAGS archive sheet."""
    return [
        t["id_str"], t["user"]["screen_name"], t["text"], t["created_at"], "", "", "",
        t.get("in_reply_to_user_id_str") or "", t.get("in_reply_to_screen_name") or "",
        t["user"]["id_str"], t.get("in_reply_to_status_id_str") or "",
        '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>', "", "10", "20",
        "", f"http://twitter.com/{t['user']['screen_name']}/statuses/{t['id_str']}",
        json.dumps(t["entities"]),
    ]  # fmt: skip


def csv_text(rows: list[list[str]], newline: str = "\n") -> str:
    """Rows as CSV; a field is quoted when it holds a comma, a quote or a character of ``newline``."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def write_tags(path: Path, tweets: list[dict], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text([TAGS_HEADER] + [tags_row(t) for t in tweets]).encode(encoding))
    return path


# ---------------------------------------------------------------- one valid record per format
# Used by the fuzz tests: each format's record as a dict (JSON formats) or a {column: cell} dict
# (CSV formats), and a writer that puts a list of them into a file the format reads.


def _iso(i: int) -> str:
    return (START + timedelta(seconds=30 * i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def record(fmt: str, i: int) -> dict:
    """A valid record of format ``fmt`` (post number ``i`` of a small #hcldr chat)."""
    n, m = i % 7, (i + 1) % 7
    text = f"A{i % 4 + 1} answer {i} thanks @user{m} #hcldr"
    tid = str(BASE_ID + i)
    if fmt == "twitter-v1":
        return v1_tweet(i, users=7)
    if fmt == "twitter-v2":
        return {
            "data": [{"id": tid, "text": text, "author_id": str(5000 + n), "created_at": _iso(i),
                      "conversation_id": tid, "lang": "en",
                      "entities": {"mentions": [{"start": 20, "end": 26, "username": f"user{m}",
                                                 "id": str(5000 + m)}],
                                   "hashtags": [{"start": 27, "end": 33, "tag": "hcldr"}]}}],
            "includes": {"users": [{"id": str(5000 + n), "username": f"user{n}", "name": f"U{n}"}]},
            "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.14.0"},
        }  # fmt: skip
    if fmt == "mastodon":
        return {
            "id": str(110000000000000000 + i), "created_at": _iso(i),
            "uri": f"https://mastodon.social/users/user{n}/statuses/{110000000000000000 + i}",
            "url": f"https://mastodon.social/@user{n}/{110000000000000000 + i}",
            "in_reply_to_id": None, "in_reply_to_account_id": None, "language": "en",
            "content": f"<p>A{i % 4 + 1} answer {i} #<span>hcldr</span></p>", "reblog": None,
            "account": {"id": str(100 + n), "username": f"user{n}", "acct": f"user{n}",
                        "display_name": f"U{n}", "url": f"https://mastodon.social/@user{n}"},
            "mentions": [{"id": str(100 + m), "username": f"user{m}", "acct": f"user{m}",
                          "url": f"https://mastodon.social/@user{m}"}],
            "tags": [{"name": "hcldr", "url": "https://mastodon.social/tags/hcldr"}],
        }  # fmt: skip
    if fmt == "bluesky":
        did = f"did:plc:user{n:020d}"
        return {
            "uri": f"at://{did}/app.bsky.feed.post/3k{i:011d}", "cid": f"bafy{i}",
            "author": {"did": did, "handle": f"user{n}.bsky.social", "displayName": f"U{n}"},
            "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": _iso(i),
                       "langs": ["en"],
                       "facets": [{"index": {"byteStart": 27, "byteEnd": 33},
                                   "features": [{"$type": "app.bsky.richtext.facet#tag",
                                                 "tag": "hcldr"}]}]},
            "indexedAt": _iso(i),
        }  # fmt: skip
    if fmt == "twitter-archive":
        t = v1_tweet(i, users=7)
        return {
            "tweet": {"id_str": tid, "id": tid, "created_at": t["created_at"], "full_text": text,
                      "display_text_range": ["0", str(len(text))], "lang": "en",
                      "favorite_count": "0", "retweet_count": "0", "retweeted": False,
                      "entities": {"hashtags": [{"text": "hcldr", "indices": ["27", "33"]}],
                                   "user_mentions": [{"screen_name": f"user{m}", "name": "x",
                                                      "id_str": str(5000 + m), "id": str(5000 + m),
                                                      "indices": ["20", "26"]}],
                                   "urls": [], "symbols": []}}
        }  # fmt: skip
    if fmt == "tags":
        return dict(zip(TAGS_HEADER, tags_row(v1_tweet(i, users=7)), strict=True))
    if fmt == "rtweet":
        return {"user_id": f"x{5000 + n}", "status_id": f"x{tid}", "created_at":
                (START + timedelta(seconds=30 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                "screen_name": f"user{n}", "text": text, "reply_to_status_id": "NA",
                "is_retweet": "FALSE", "hashtags": "hcldr", "mentions_screen_name": f"user{m}",
                "lang": "en"}  # fmt: skip
    if fmt == "twarc-csv":
        return {"id": tid, "conversation_id": tid, "referenced_tweets.replied_to.id": "",
                "referenced_tweets.retweeted.id": "", "referenced_tweets.quoted.id": "",
                "author_id": str(5000 + n), "created_at": _iso(i), "text": text, "lang": "en",
                "entities.hashtags": '["#hcldr"]', "entities.mentions": f'["@user{m}"]',
                "author.id": str(5000 + n), "author.username": f"user{n}", "author.name": f"U{n}"}  # fmt: skip
    if fmt == "generic-csv":
        return {"id": tid, "author": f"user{n}", "created_at": _iso(i), "text": text}
    raise ValueError(fmt)


JSON_LINES = {"twitter-v1", "twitter-v2", "mastodon"}
CSV_FORMATS = {"tags", "rtweet", "twarc-csv", "generic-csv"}
FORMAT_RECORDS = [
    "twitter-v1", "twitter-v2", "mastodon", "bluesky", "twitter-archive",
    "tags", "rtweet", "twarc-csv", "generic-csv",
]  # fmt: skip


def write_records(fmt: str, path: Path, records: list) -> tuple[Path, dict]:
    """Write records (dicts, or raw strings for JSON lines) as a file of ``fmt``; returns the path
    and the keyword arguments ``ingest.load`` needs for it."""
    kw: dict = {"format": fmt, "chat": "hcldr"}
    if fmt in JSON_LINES:
        write_jsonl(path, records)
    elif fmt == "bluesky":
        path.write_text(json.dumps({"posts": records}, ensure_ascii=False), "utf-8")
    elif fmt == "twitter-archive":
        doc = json.dumps(records, indent=2, ensure_ascii=False)
        path.write_text("window.YTD.tweets.part0 = " + doc, "utf-8")
        kw["account"] = "owner"
    elif fmt in CSV_FORMATS:
        header = list(record(fmt, 0))
        rows = [
            [str(r.get(h, "")) if r.get(h) is not None else "" for h in header] for r in records
        ]
        # CRLF rows: every CR or LF inside a field is then quoted, as spreadsheets write them
        path.write_bytes(csv_text([header] + rows, "\r\n").encode("utf-8", "surrogatepass"))
        if fmt == "generic-csv":
            kw["columns"] = {
                "id": "id",
                "author": "author",
                "created_at": "created_at",
                "text": "text",
            }
    else:
        raise ValueError(fmt)
    return path, kw
