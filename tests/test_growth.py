"""Growth per year and per session, and overlap between chats, on a hand-built chat: exact numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from handmade import mention, post, session, thread

from chatgraph import interactions
from chatgraph.errors import UsageError
from chatgraph.growth import growth, overlap

UTC = dt.UTC


def t(y, mo, d, minute=0):
    return dt.datetime(y, mo, d, 1, 30 + minute, tzinfo=UTC)


SESSIONS = {
    "a": (t(2018, 3, 7), dt.date(2018, 3, 6)),
    "b": (t(2019, 3, 6), dt.date(2019, 3, 5)),
    "c": (t(2019, 3, 13), dt.date(2019, 3, 12)),
    "d": (t(2021, 3, 3), dt.date(2021, 3, 2)),
}

# post, author, session (None: between sittings), minute, fields, mentions
POSTS = [
    ("aa1", "Alice", "a", 0, {}, []),
    ("ba1", "Bob", "a", 1, {"reply_to_post_id": "aa1", "reply_to_handle": "Alice"}, ["Alice"]),
    ("ra1", "Rita", "a", 2, {"is_retweet": True, "retweet_of_post_id": "aa1"}, []),
    ("ab1", "Alice", "b", 0, {}, []),
    ("bb1", "Bob", "b", 1, {}, []),
    ("cb1", "Carol", "b", 2, {"reply_to_post_id": "bb1", "reply_to_handle": "Bob"}, ["Bob"]),
    ("rb1", "Rita", "b", 3, {"is_retweet": True, "retweet_of_post_id": "ab1"}, []),
    ("cc1", "Carol", "c", 0, {}, []),
    ("dc1", "Dave", "c", 1, {"reply_to_post_id": "cc1", "reply_to_handle": "Carol"}, ["Carol"]),
    ("ac1", "Alice", "c", 2, {}, []),
    ("zz1", "Zed", None, 0, {}, ["alice"]),
    ("dd1", "Dave", "d", 0, {}, []),
    ("ed1", "Erin", "d", 1, {}, ["Alice", "Dave"]),
    ("rd1", "Rita", "d", 2, {}, ["alice"]),
]  # fmt: skip


def fill(db):
    """The hand-built chat: four sittings over 2018-2021 and one lone post in 2020."""
    db.execute("insert into chats (chat_id, hashtag) values ('hcldr', 'hcldr'), ('uscap', 'uscap')")
    for sid, (start, local) in SESSIONS.items():
        session(db, sid, start, local)
    for post_id, handle, sid, minute, fields, mentioned in POSTS:
        when = SESSIONS[sid][0] if sid else t(2020, 6, 1)
        post(db, post_id, handle, when + dt.timedelta(minutes=minute), "", **fields)
        if sid:
            thread(db, post_id, sid, 1)
        for h in mentioned:
            mention(db, post_id, h)
    interactions.refresh(db, "hcldr")
    return db


@pytest.fixture
def chat(db):
    return fill(db)


COLUMNS = [
    "year", "sessions", "posts", "participants", "active_participants", "newcomers", "returning",
    "retention", "new_connections", "cumulative_connections", "median_new_connections_per_newcomer",
]  # fmt: skip


def test_growth_by_year(chat):
    df = growth(chat, "hcldr")
    assert df.columns == COLUMNS
    assert df.rows() == [
        (2018, 1, 3, 3, 2, 2, 0, 1.0, 1, 1, 1.0),
        (2019, 2, 7, 5, 4, 2, 2, 0.0, 2, 3, 1.5),
        (2020, 0, 0, 0, 0, 0, 0, None, 1, 4, None),  # a year without a sitting: zed's lone post
        (2021, 1, 3, 3, 3, 2, 1, None, 3, 7, 1.5),  # rita only retweeted before: a newcomer now
    ]


def test_growth_by_year_counting_retweeters(chat):
    df = growth(chat, "hcldr", include_retweeters=True)
    assert df.select(
        "year", "newcomers", "returning", "retention", "median_new_connections_per_newcomer"
    ).rows() == [
        (2018, 3, 0, 1.0, 1.0),
        (2019, 2, 3, 0.0, 1.5),
        (2020, 0, 0, None, None),
        (2021, 1, 2, None, 2.0),
    ]


def test_growth_by_session(chat):
    df = growth(chat, "hcldr", by="session")
    assert df.columns == ["session_id", "local_date", "year"] + COLUMNS[2:]
    assert df.rows() == [
        ("a", dt.date(2018, 3, 6), 2018, 3, 3, 2, 2, 0, 1.0, 1, 1, 1.0),
        ("b", dt.date(2019, 3, 5), 2019, 4, 4, 3, 1, 2, 1.0, 1, 2, 1.0),
        ("c", dt.date(2019, 3, 12), 2019, 3, 3, 3, 1, 2, 1.0, 1, 3, 1.0),
        ("d", dt.date(2021, 3, 2), 2021, 3, 3, 3, 2, 1, None, 3, 7, 1.5),
    ]


def test_new_connections_sum_to_the_connections_table(chat):
    df = growth(chat, "hcldr")
    assert (
        df["new_connections"].sum()
        == chat.execute("select count(*) from connections").fetchone()[0]
        == 7
    )


def test_without_sessions_years_count_every_post(chat):
    chat.execute("delete from post_threads")
    df = growth(chat, "hcldr")
    assert df.select(
        "year", "sessions", "posts", "participants", "newcomers", "returning"
    ).rows() == [
        (2018, 0, 3, 3, 2, 0),
        (2019, 0, 7, 5, 2, 2),
        (2020, 0, 1, 1, 1, 0),
        (2021, 0, 3, 3, 2, 1),
    ]
    with pytest.raises(
        UsageError, match=r"^chat 'hcldr' has no sessions with posts yet; .* or use --by year$"
    ):
        growth(chat, "hcldr", by="session")


def test_empty_chat_and_bad_by(chat):
    assert growth(chat, "uscap").height == 0
    with pytest.raises(UsageError, match=r"^--by 'month': choose year or session$"):
        growth(chat, "hcldr", by="month")


def test_overlap(chat):
    post(chat, "u1", "ALICE", t(2019, 3, 1), chat="uscap")
    mention(chat, "u1", "erin")
    post(chat, "u2", "Erin", t(2019, 3, 1, 5), chat="uscap")
    post(chat, "u3", "Yan", t(2019, 3, 1, 6), chat="uscap", reply_to_handle="alice")
    interactions.refresh(chat, "uscap")
    o = overlap(chat, "hcldr", "uscap")
    assert o.summary().rows() == [("accounts", 7, 3, 2), ("connections", 7, 2, 1)]
    assert o.summary().columns == ["measure", "hcldr", "uscap", "shared"]
    assert o.shared_accounts.select("handle", "posts_a", "posts_b").rows() == [
        ("alice", 3, 1),
        ("erin", 1, 1),
    ]
    assert o.shared_connections.select(
        "a_handle", "b_handle", "interactions_a", "interactions_b"
    ).rows() == [("alice", "erin", 1, 1)]
    with pytest.raises(UsageError, match=r"^overlap needs two different chats, got 'hcldr' twice$"):
        overlap(chat, "hcldr", "hcldr")


def test_a_pair_first_seen_between_sittings_is_new_in_no_session(db):
    db.execute("insert into chats (chat_id, hashtag) values ('hcldr', 'hcldr')")
    session(db, "s1", t(2019, 3, 6), dt.date(2019, 3, 5))
    post(db, "lone", "Ann", t(2019, 3, 4), "@ben see you Tuesday")
    mention(db, "lone", "Ben")
    post(db, "q", "Ben", t(2019, 3, 6), "Q1")
    post(db, "a", "Ann", t(2019, 3, 6, 1), "A1", reply_to_post_id="q", reply_to_handle="Ben")
    for post_id in ("q", "a"):
        thread(db, post_id, "s1", 1)
    interactions.refresh(db, "hcldr")
    df = growth(db, "hcldr", by="session")
    assert df.select("session_id", "new_connections", "cumulative_connections").rows() == [
        ("s1", 0, 1)
    ]
    assert growth(db, "hcldr").select("year", "new_connections").rows() == [(2019, 1)]
