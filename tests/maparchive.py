"""A small hand-filled archive for the map, report and browser tests, with hostile names in it.

Three years of #hcldr: who interacted with whom is written straight into `posts`, `interactions` and
`post_threads`; `connections` is derived from them by chatgraph.interactions.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from chatgraph import interactions

CHAT = "hcldr"
# A handle and names that would run script if any page put them in as markup.
EVIL = "<img src=x onerror=window.__pwned=1>"
EVIL_NAME = "<script>window.__pwned=2</script>Eve"
EVIL_TEXT = '<img src=x onerror="window.__pwned=3">A1 </textarea></script><b>bold</b>'

ACCOUNTS = [
    ("1", "Alice", "Alice Adams"),
    ("2", "Bob", "Bob <b>Brown</b>"),
    ("3", "Carol", "Carol"),
    ("4", "Dave", "Dave"),
    ("5", EVIL, EVIL_NAME),
]
IDS = {h.lower(): i for i, h, _ in ACCOUNTS}

# (post_id, local time, session, question, author, kind, target, text)
ROWS = [
    (
        "p1",
        dt.datetime(2019, 3, 5, 1, 0),
        "hcldr-2019-03-05",
        1,
        "alice",
        "reply",
        "bob",
        "A1 hi @bob",
    ),
    ("p2", dt.datetime(2019, 3, 5, 1, 5), "hcldr-2019-03-05", 1, "bob", "reply", "alice", "A1 yes"),
    (
        "p3",
        dt.datetime(2019, 3, 5, 1, 9),
        "hcldr-2019-03-05",
        2,
        "bob",
        "mention",
        "carol",
        "A2 @carol",
    ),
    (
        "p4",
        dt.datetime(2020, 4, 7, 1, 0),
        "hcldr-2020-04-07",
        1,
        "alice",
        "mention",
        "bob",
        "A1 @bob",
    ),
    (
        "p5",
        dt.datetime(2020, 4, 7, 1, 2),
        "hcldr-2020-04-07",
        1,
        "alice",
        "reply",
        "dave",
        "welcome",
    ),
    (
        "p6",
        dt.datetime(2020, 4, 7, 1, 4),
        "hcldr-2020-04-07",
        2,
        EVIL.lower(),
        "reply",
        "alice",
        EVIL_TEXT,
    ),
    (
        "p7",
        dt.datetime(2021, 6, 1, 1, 0),
        "hcldr-2021-06-01",
        1,
        "dave",
        "quote",
        "carol",
        "A1 see this",
    ),
    (
        "p8",
        dt.datetime(2021, 6, 1, 1, 3),
        "hcldr-2021-06-01",
        1,
        "alice",
        "reply",
        "bob",
        "A1 agreed",
    ),
    (
        "p9",
        dt.datetime(2021, 6, 1, 1, 5),
        "hcldr-2021-06-01",
        2,
        "bob",
        "retweet",
        "alice",
        "RT @alice: agreed",
    ),
]
SESSIONS = [
    ("hcldr-2019-03-05", dt.date(2019, 3, 5)),
    ("hcldr-2020-04-07", dt.date(2020, 4, 7)),
    ("hcldr-2021-06-01", dt.date(2021, 6, 1)),
]
QUESTIONS = {1: "Q1 what helps?", 2: "Q2 <script>window.__pwned=4</script> what next?"}


def fill(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Write the archive into a migrated connection and return it."""
    con.execute(
        "insert into chats (chat_id, hashtag, timezone) values ($c, $c, 'UTC')", {"c": CHAT}
    )
    first_seen = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    for account_id, handle, name in ACCOUNTS:
        con.execute(
            "insert into accounts values ($id, 'twitter', $h, $n, $t, $t)",
            {"id": account_id, "h": handle, "n": name, "t": first_seen},
        )
    handles = {h.lower(): h for _, h, _ in ACCOUNTS}
    for session_id, day in SESSIONS:
        start = dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.UTC)
        posts = [r for r in ROWS if r[2] == session_id]
        con.execute(
            "insert into sessions values ($s, $c, $a, $b, $d, $p, $n)",
            {
                "s": session_id, "c": CHAT, "a": start, "b": start + dt.timedelta(minutes=59),
                "d": day, "p": len(posts), "n": len({r[4] for r in posts}),
            },
        )  # fmt: skip
        for number, text in QUESTIONS.items():
            con.execute(
                "insert into questions values ($s, $n, $p, $t, $x)",
                {"s": session_id, "n": number, "p": f"{session_id}-q{number}",
                 "t": start, "x": text},
            )  # fmt: skip
    for post_id, when, session_id, question, author, kind, target, text in ROWS:
        at = when.replace(tzinfo=dt.UTC)
        con.execute(
            "insert into posts (post_id, platform, chat_id, created_at, author_id, author_handle, "
            "text, is_retweet) values ($p, 'twitter', $c, $t, $a, $h, $x, $rt)",
            {
                "p": post_id, "c": CHAT, "t": at, "a": IDS[author], "h": handles[author],
                "x": text, "rt": kind == "retweet",
            },
        )  # fmt: skip
        con.execute(
            "insert into post_threads values ($p, $c, $s, $q, 'tag')",
            {"p": post_id, "c": CHAT, "s": session_id, "q": question},
        )
        con.execute(
            "insert into interactions values ($p, $t, $c, $s, $q, $k, $a, $h, $ti, $th)",
            {
                "p": post_id, "t": at, "c": CHAT, "s": session_id, "q": question, "k": kind,
                "a": IDS[author], "h": author, "ti": IDS[target], "th": target,
            },
        )  # fmt: skip
    interactions.refresh_connections(con, CHAT)
    return con
