"""Question posts and answer assignment, one rule at a time, with the exact question expected."""

from __future__ import annotations

import pytest

from chatgraph import threads
from tests.chat_posts import add_chat, add_post, refresh, thread_of

S = "testchat-2024-03-05"


def at(minute: int, second: int = 0) -> str:
    """A time in the test sitting: Tuesday 5 March 2024, 20:00 UTC plus ``minute``."""
    return f"2024-03-05 {20 + minute // 60:02d}:{minute % 60:02d}:{second:02d}+00"


@pytest.fixture
def sitting(db):
    """One Q-chat sitting by host 'hostacct' (no configuration), one week-old post and a lone post."""
    add_chat(db)
    add_post(db, "old", "2024-02-27 20:30:00+00", "alice", "A1 last week's answer")
    for i, who in enumerate(["bob", "carol", "dave", "erin", "alice"]):
        add_post(db, f"old{i}", f"2024-02-27 20:{31 + i}:00+00", who, f"A1 answer {i}")
    for i in range(6):
        add_post(db, f"oldq{i}", f"2024-02-27 20:{40 + i}:00+00", "bob", "chatter")
    posts = [
        ("welcome", at(0), "hostacct", "Welcome to #testchat! Introduce yourselves"),
        ("intro", at(1), "alice", "Hi, I'm Alice from Leeds"),
        ("q1", at(5), "hostacct", "Q1: What makes a good handover?"),
        ("a1", at(6), "alice", "A1: Clear notes and a named person"),
        ("great", at(7), "bob", "Q1 was great, love this topic"),
        ("lower", at(8), "dave", "a1) checklists help"),
        ("dash", at(9), "erin", "A1 - time to talk"),
        ("a1c", at(10), "frank", "A1C levels are what I track"),
        ("q2", at(20), "hostacct", "Q2. Who should own it?"),
        ("late", at(22), "carol", "A1 late thought: whiteboards"),
        ("rtq2", at(23), "dave", "Q2. Who should own it?"),
        ("quote", at(24), "erin", "so true"),
        ("mention", at(25), "bob", "@alice A2 the nurse in charge"),
        ("replyold", at(26), "alice", "@alice as I said last week"),
        ("orphan", at(27), "carol", "@ghost yes indeed"),
        ("q3", at(35), "hostacct", "Q3 - What will you change?"),
        ("r", at(36), "bob", "@alice agreed, named people matter"),
        ("rr", at(37), "alice", "@bob thanks!"),
        ("rrr", at(38), "bob", "@alice any time"),
        ("untagged", at(39), "carol", "I will write things down"),
        ("convo", at(39, 30), "dave", "@bob yes!"),
        ("rt_lone", at(40), "frank", "A2 promo text"),
    ]
    links = {
        "rtq2": {"retweet_of": "q2"},
        "quote": {"quote_of": "a1"},
        "replyold": {"reply_to": "old"},
        "orphan": {"reply_to": "not-in-archive"},
        "r": {"reply_to": "a1"},
        "rr": {"reply_to": "r"},
        "rrr": {"reply_to": "rr"},
        "rt_lone": {"retweet_of": "lone"},
        "convo": {"reply_to": "unseen-reply-to-a1", "conversation": "a1"},
    }
    for post_id, when, who, text in posts:
        add_post(db, post_id, when, who, text, **links.get(post_id, {}))
    add_post(db, "lone", "2024-03-07 12:00:00+00", "hostacct", "A2 promo: join us next Tuesday!")
    refresh(db)
    return thread_of(db)


def test_question_posts_are_the_hosts_numbered_posts(db, sitting):
    rows = db.execute(
        "select number, post_id, text from questions where session_id = $s order by number",
        {"s": S},
    ).fetchall()
    assert rows == [
        (1, "q1", "Q1: What makes a good handover?"),
        (2, "q2", "Q2. Who should own it?"),
        (3, "q3", "Q3 - What will you change?"),
    ]
    assert sitting["q1"] == (S, 1, "question")
    assert sitting["q3"] == (S, 3, "question")


def test_non_host_q1_was_great_is_no_question_post(db, sitting):
    assert db.execute("select count(*) from questions where post_id = 'great'").fetchone() == (0,)
    # It starts with the question prefix, which in a Q chat is also an answer tag.
    assert sitting["great"] == (S, 1, "tag")


def test_posts_before_the_first_question_get_zero(sitting):
    assert sitting["welcome"] == (S, 0, "time")
    assert sitting["intro"] == (S, 0, "time")


def test_answer_tags_in_their_forms(sitting):
    assert sitting["a1"] == (S, 1, "tag")
    assert sitting["lower"] == (S, 1, "tag")
    assert sitting["dash"] == (S, 1, "tag")
    assert sitting["mention"] == (S, 2, "tag")  # leading @mention skipped


def test_a1c_is_not_an_answer_tag(sitting):
    assert sitting["a1c"] == (S, 1, "time")


def test_late_a1_posted_during_q2_keeps_its_tag(sitting):
    assert sitting["late"] == (S, 1, "tag")


def test_retweet_of_q2_gets_question_2(db, sitting):
    assert sitting["rtq2"] == (S, 2, "retweet")
    assert db.execute("select count(*) from questions where post_id = 'rtq2'").fetchone() == (0,)


def test_quote_of_an_a1_answer_during_q2_gets_question_1(sitting):
    assert sitting["quote"] == (S, 1, "quote")


def test_untagged_reply_to_a1_during_q3_gets_question_1(sitting):
    assert sitting["r"] == (S, 1, "reply")


def test_reply_chains_inherit_through_every_level(sitting):
    assert sitting["rr"] == (S, 1, "reply")
    assert sitting["rrr"] == (S, 1, "reply")


def test_replies_to_posts_outside_the_session_fall_back_to_time(sitting):
    assert sitting["replyold"] == (S, 2, "time")
    assert sitting["orphan"] == (S, 2, "time")


def test_reply_to_an_unseen_post_follows_its_conversation_root(sitting):
    assert sitting["convo"] == (S, 1, "reply")


def test_untagged_post_gets_the_latest_question(sitting):
    assert sitting["untagged"] == (S, 3, "time")


def test_retweet_of_a_post_outside_the_session_uses_its_copied_tag(sitting):
    assert sitting["rt_lone"] == (S, 2, "tag")


def test_posts_outside_sessions_have_no_question(sitting):
    assert sitting["lone"] == (None, None, "none")


def test_every_post_has_one_thread_row(db, sitting):
    rows = db.execute("select count(*), count(distinct post_id) from post_threads").fetchone()
    assert rows == (35, 35)
    methods = db.execute(
        "select method, count(*) from post_threads group by method order by method"
    ).fetchall()
    assert methods == [
        ("none", 1),
        ("question", 3),
        ("quote", 1),
        ("reply", 4),
        ("retweet", 1),
        ("tag", 13),
        ("time", 12),
    ]


def test_inferred_prefix_and_host(db, sitting):
    assert threads.inferred(db, "testchat") == (["Q"], ["hostacct"])


def test_t_chat_tags_with_t_and_a(db):
    add_chat(db)
    add_post(db, "w", at(0), "host", "Welcome #testchat")
    add_post(db, "t1", at(2), "host", "#testchat T1: What is care?")
    add_post(db, "x1", at(3), "ann", "T1: kindness")
    add_post(db, "x2", at(4), "ben", "A1 time")
    add_post(db, "t2", at(15), "host", "T2 - What is cure?")
    add_post(db, "x3", at(16), "cat", "T1 late again")
    add_post(db, "x4", at(17), "ann", "Q1 is not a tag in a T chat")
    for i in range(4):
        add_post(db, f"y{i}", at(20 + i), ["ann", "ben", "cat", "dan"][i], "more thoughts")
    refresh(db)
    got = thread_of(db)
    assert got["t1"] == (S, 1, "question")
    assert got["t2"] == (S, 2, "question")
    assert got["x1"] == (S, 1, "tag")
    assert got["x2"] == (S, 1, "tag")
    assert got["x3"] == (S, 1, "tag")
    assert got["x4"] == (S, 2, "time")
    assert threads.inferred(db, "testchat") == (["T"], ["host"])


def test_configured_hosts_and_prefixes(db):
    add_chat(db, question_prefixes=["Topic"], hosts=["@Mod"])
    add_post(db, "w", at(0), "mod", "Welcome")
    add_post(db, "q1", at(2), "mod", "Topic 1: planning")
    add_post(db, "fake", at(3), "ann", "Topic 2: I jumped ahead")
    add_post(db, "a", at(4), "ben", "a1 yes")
    add_post(db, "q2", at(15), "mod", "topic 2 - doing")
    for i in range(6):
        add_post(db, f"y{i}", at(20 + i), ["ann", "ben", "cat"][i % 3], "more thoughts")
    refresh(db)
    got = thread_of(db)
    assert db.execute("select number, post_id from questions order by number").fetchall() == [
        (1, "q1"),
        (2, "q2"),
    ]
    assert got["fake"] == (S, 2, "tag")
    assert got["a"] == (S, 1, "tag")
    assert got["y0"] == (S, 2, "time")


def test_guest_host_in_one_session_is_found_by_order(db):
    add_chat(db)
    for week, host in (("2024-03-05", "regular"), ("2024-03-12", "guest")):
        for i, who in enumerate(["ann", "ben", "cat", "dan", "eve"]):
            add_post(db, f"{week}-a{i}", f"{week} 20:0{i}:00+00", who, "hello")
        for n in (1, 2, 3):
            add_post(db, f"{week}-q{n}", f"{week} 20:{n * 10}:00+00", host, f"Q{n}: question {n}")
        add_post(db, f"{week}-x", f"{week} 20:12:00+00", "ann", "Q1 was fun")
        add_post(db, f"{week}-y", f"{week} 20:13:00+00", "ben", "A1 indeed")
    refresh(db)
    assert db.execute(
        "select session_id, number, post_id from questions order by 1, 2"
    ).fetchall() == [
        ("testchat-2024-03-05", 1, "2024-03-05-q1"),
        ("testchat-2024-03-05", 2, "2024-03-05-q2"),
        ("testchat-2024-03-05", 3, "2024-03-05-q3"),
        ("testchat-2024-03-12", 1, "2024-03-12-q1"),
        ("testchat-2024-03-12", 2, "2024-03-12-q2"),
        ("testchat-2024-03-12", 3, "2024-03-12-q3"),
    ]
    assert threads.inferred(db, "testchat") == (["Q"], ["guest", "regular"])
