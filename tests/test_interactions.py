"""Interactions and connections from hand-built posts: the exact edges each rule makes."""

from __future__ import annotations

import datetime as dt

import pytest
from handmade import account, mention, post

from chatgraph import interactions

UTC = dt.UTC


def at(day: int, hour: int = 1, minute: int = 0, year: int = 2020, tz=UTC) -> dt.datetime:
    return dt.datetime(year, 1, day, hour, minute, tzinfo=tz)


def naive(day: int, hour: int = 1) -> dt.datetime:
    """What ``timezone('UTC', ts)`` gives back (fetching TIMESTAMPTZ needs pytz)."""
    return at(day, hour, tz=None)


def edges(db, kind=None, chat="hcldr"):
    rows = db.execute(
        "select post_id, kind, source_handle, target_handle from interactions "
        "where chat_id = $c and ($k::VARCHAR is null or kind = $k)",
        {"c": chat, "k": kind},
    ).fetchall()
    return set(rows)


@pytest.fixture
def chat(db):
    db.execute("insert into chats (chat_id, hashtag) values ('hcldr', 'hcldr'), ('other', 'other')")
    account(db, "1", "Alice")
    account(db, "2", "Bob")
    account(db, "3", "Carol")
    # originals
    post(db, "p1", "Alice", at(1), "Q1 what helps? @Carol", author_id="1")
    mention(db, "p1", "Carol", "3")
    post(
        db,
        "ref1",
        "Frank",
        at(1),
        "an original only embedded",
        author_id="6",
        table="referenced_posts",
    )
    # retweets: only a retweet edge, never the original's mentions
    post(
        db,
        "rt1",
        "Bob",
        at(1, 2),
        "Q1 what helps? @Carol",
        author_id="2",
        is_retweet=True,
        retweet_of_post_id="p1",
    )
    mention(db, "rt1", "Carol", "3")
    post(db, "rt2", "Dave", at(1, 3), "RT @Alice: old style @Carol", is_retweet=True)
    mention(db, "rt2", "Carol")
    post(
        db,
        "rt3",
        "Dave",
        at(1, 4),
        "RT @Erin: original not stored",
        is_retweet=True,
        retweet_of_post_id="gone",
    )
    post(
        db,
        "rt4",
        "Bob",
        at(1, 5),
        "an original only embedded",
        author_id="2",
        is_retweet=True,
        retweet_of_post_id="ref1",
    )
    # replies
    post(
        db,
        "r1",
        "Carol",
        at(1, 6),
        "@Alice A1 rest",
        author_id="3",
        reply_to_post_id="p1",
        reply_to_author_id="1",
        reply_to_handle="Alice",
    )
    mention(db, "r1", "Alice", "1")
    post(
        db,
        "r2",
        "Alice",
        at(1, 7),
        "@alice more (self-thread) @ALICE",
        author_id="1",
        reply_to_post_id="p1",
        reply_to_handle="alice",
    )
    mention(db, "r2", "alice", "1")
    post(db, "r3", "Erin", at(1, 8), "@bob addressed, no parent", reply_to_author_id="2")
    mention(db, "r3", "bob", "2")
    post(db, "r4", "Dave", at(1, 9), "parent only", reply_to_post_id="r1")
    post(db, "r5", "Dave", at(1, 10), "parent unknown", reply_to_post_id="nowhere")
    # quotes
    post(db, "q1", "Bob", at(1, 11), "so true", author_id="2", quote_of_post_id="p1")
    post(
        db, "q2", "Carol", at(1, 12), "quoting the embedded", author_id="3", quote_of_post_id="ref1"
    )
    post(db, "q3", "Carol", at(1, 13), "quoting myself", author_id="3", quote_of_post_id="r1")
    # mentions: each mentioned account once, the author never
    post(db, "m1", "Bob", at(2), "hi @Carol @DAVE @carol @bob", author_id="2")
    for h in ("Carol", "DAVE", "carol", "bob"):
        mention(db, "m1", h)
    # another chat's posts stay out
    post(db, "x1", "Zed", at(2), "@alice", chat="other", reply_to_handle="alice")
    interactions.refresh(db, "hcldr")
    return db


def test_retweets_make_one_retweet_edge_and_no_mentions(chat):
    assert edges(chat, "retweet") == {
        ("rt1", "retweet", "bob", "alice"),
        ("rt2", "retweet", "dave", "alice"),
        ("rt3", "retweet", "dave", "erin"),
        ("rt4", "retweet", "bob", "frank"),
    }
    assert not {e for e in edges(chat) if e[0].startswith("rt") and e[1] != "retweet"}


def test_replies_resolve_and_skip_self_replies(chat):
    assert edges(chat, "reply") == {
        ("r1", "reply", "carol", "alice"),
        ("r3", "reply", "erin", "bob"),  # @-addressed, no parent: resolved through accounts
        ("r4", "reply", "dave", "carol"),  # only the parent post id: its author
    }


def test_mentions_include_the_reply_target_and_never_the_author(chat):
    assert edges(chat, "mention") == {
        ("p1", "mention", "alice", "carol"),
        ("r1", "mention", "carol", "alice"),
        ("r3", "mention", "erin", "bob"),
        ("m1", "mention", "bob", "carol"),
        ("m1", "mention", "bob", "dave"),
    }


def test_quotes_reach_the_quoted_author_in_posts_or_referenced_posts(chat):
    assert edges(chat, "quote") == {
        ("q1", "quote", "bob", "alice"),
        ("q2", "quote", "carol", "frank"),
    }


def test_ids_and_times_are_carried(chat):
    rows = chat.execute(
        "select post_id, kind, source_id, target_id, timezone('UTC', created_at) from interactions "
        "where post_id in ('r3', 'rt2', 'rt3', 'q2') order by post_id, kind"
    ).fetchall()
    assert rows == [
        ("q2", "quote", "3", "6", naive(1, 12)),
        ("r3", "mention", None, "2", naive(1, 8)),
        ("r3", "reply", None, "2", naive(1, 8)),
        ("rt2", "retweet", None, "1", naive(1, 3)),  # id of the handle, from accounts
        ("rt3", "retweet", None, None, naive(1, 4)),
    ]


def test_connections_are_unordered_pairs_without_retweets(chat):
    rows = chat.execute(
        "select a_handle, b_handle, timezone('UTC', first_seen_at), first_year, interactions from connections "
        "where chat_id = 'hcldr' order by all"
    ).fetchall()
    assert rows == [
        ("alice", "bob", naive(1, 11), 2020, 1),
        ("alice", "carol", naive(1), 2020, 3),
        ("bob", "carol", naive(2), 2020, 1),
        ("bob", "dave", naive(2), 2020, 1),
        ("bob", "erin", naive(1, 8), 2020, 2),
        ("carol", "dave", naive(1, 9), 2020, 1),
        ("carol", "frank", naive(1, 12), 2020, 1),
    ]


def test_first_year_is_in_the_chats_time_zone(db):
    db.execute(
        "insert into chats (chat_id, hashtag, timezone) values ('hcldr', 'hcldr', 'America/New_York')"
    )
    post(db, "a", "Ann", dt.datetime(2021, 1, 1, 2, 0, tzinfo=UTC), "@ben happy new year")
    mention(db, "a", "Ben")
    interactions.refresh(db, "hcldr")
    assert db.execute("select first_year from connections").fetchall() == [(2020,)]
    db.execute("update chats set timezone = null")
    interactions.refresh(db, "hcldr")
    assert db.execute("select first_year from connections").fetchall() == [(2021,)]


def test_session_and_question_come_from_post_threads(chat):
    chat.execute(
        "insert into post_threads values ('r1', 'hcldr', 's1', 1, 'tag'), ('rt1', 'hcldr', 's1', 1, 'retweet')"
    )
    interactions.refresh(chat, "hcldr")
    rows = chat.execute(
        "select post_id, kind, session_id, question from interactions "
        "where session_id is not null order by post_id, kind"
    ).fetchall()
    assert rows == [
        ("r1", "mention", "s1", 1),
        ("r1", "reply", "s1", 1),
        ("rt1", "retweet", "s1", 1),
    ]
    assert (
        chat.execute("select count(*) from interactions where session_id is null").fetchone()[0]
        == 11
    )


def test_refresh_replaces_rather_than_appends(chat):
    before = edges(chat)
    interactions.refresh(chat, "hcldr")
    assert edges(chat) == before
    assert chat.execute("select count(*) from interactions").fetchone()[0] == len(before) == 14
    assert edges(chat, chat="other") == set()


def test_a_later_load_resolves_earlier_posts(db):
    # The quoted tweet and the replied-to account arrive with a later file: the rebuild finds them.
    db.execute("insert into chats (chat_id, hashtag) values ('hcldr', 'hcldr')")
    post(db, "q", "Ann", at(1), "so true", quote_of_post_id="orig")
    post(db, "r", "Ann", at(1, 2), "@someone hi", reply_to_author_id="99")
    interactions.refresh(db, "hcldr")
    assert edges(db) == set()
    post(db, "orig", "Ben", at(1, 0), "the original", author_id="5", table="referenced_posts")
    account(db, "99", "Cy")
    interactions.refresh(db, "hcldr")
    assert edges(db) == {("q", "quote", "ann", "ben"), ("r", "reply", "ann", "cy")}
    assert db.execute("select a_handle, b_handle from connections order by all").fetchall() == [
        ("ann", "ben"),
        ("ann", "cy"),
    ]
