"""The simulator: deterministic, its truth consistent with DESIGN.md, its files loadable."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from chatgraph import ingest, simulate

HALF_YEAR = simulate.ChatSpec(start_date=date(2016, 1, 1), end_date=date(2016, 6, 30))


@pytest.fixture(scope="module")
def chat() -> simulate.SimulatedChat:
    return simulate.generate(HALF_YEAR, seed=11)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_files_byte_for_byte(tmp_path):
    a = simulate.generate(HALF_YEAR, seed=5)
    b = simulate.generate(HALF_YEAR, seed=5)
    simulate.write(a, tmp_path / "a", formats=simulate.FORMATS_FOR["twitter"])
    simulate.write(b, tmp_path / "b", formats=simulate.FORMATS_FOR["twitter"])
    simulate.write(a, tmp_path / "a", formats=["twitter-v1"], stem="gz", compress=True)
    simulate.write(b, tmp_path / "b", formats=["twitter-v1"], stem="gz", compress=True)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert [p.as_dict() for p in a.posts] == [p.as_dict() for p in b.posts]
    assert a.interactions == b.interactions


def test_other_seed_other_chat():
    a = simulate.generate(HALF_YEAR, seed=5)
    c = simulate.generate(HALF_YEAR, seed=6)
    assert [p.post_id for p in a.posts] != [p.post_id for p in c.posts]


def test_tagged_answers_and_question_posts(chat):
    answer_tag = re.compile(r"^(?:@\w+ )*(?:A(\d+)(?: |: | - )|a(\d+)\) |T(\d+): )")
    tagged = 0
    for p in chat.posts:
        if p.kind == "answer" and p.answer_tag is not None:
            m = answer_tag.match(p.text)
            assert m, p.text
            assert int(next(g for g in m.groups() if g)) == p.answer_tag == p.truth_question
            tagged += 1
        if p.truth_is_question:
            assert p.author.role == "host"
            assert not p.is_retweet and p.quote_of is None
            assert re.match(rf"^T{p.truth_question}[ :.]", p.text)
    assert tagged > 300


def test_lone_posts_have_no_session_and_are_far_from_sittings(chat):
    lone = [p for p in chat.posts if p.truth_session is None]
    assert lone and all(p.kind in ("promo", "lone", "retweet") for p in lone)
    assert all(p.truth_question is None for p in lone)
    for p in lone:
        for s in chat.sessions:
            assert abs(p.created_at - s.starts_at) > timedelta(hours=4)


def test_session_posts_inside_their_window(chat):
    sessions = {s.key: s for s in chat.sessions}
    for p in chat.posts:
        if p.truth_session:
            s = sessions[p.truth_session]
            assert s.starts_at - simulate.PRE_CHAT <= p.created_at <= s.ends_at + simulate.STRAGGLE


def test_new_york_daylight_saving_moves_the_utc_start(chat):
    hours = {}
    for s in chat.sessions:
        local = s.starts_at.astimezone(HALF_YEAR.zone)
        assert local.time() == time(20, 30) and local.date() == s.local_date
        assert s.local_date.weekday() == 1
        hours[s.local_date] = s.starts_at.time()
    # DST began on 13 March 2016: 8:30pm EST = 01:30 UTC, 8:30pm EDT = 00:30 UTC (next UTC day)
    assert hours[date(2016, 3, 8)] == time(1, 30)
    assert hours[date(2016, 3, 15)] == time(0, 30)
    assert {t for d, t in hours.items() if d < date(2016, 3, 13)} == {time(1, 30)}
    assert {t for d, t in hours.items() if d > date(2016, 3, 13)} == {time(0, 30)}


def test_rules_in_order(chat):
    for p in chat.posts:
        if p.truth_session is None:
            continue
        ref = p.retweet_of or p.quote_of
        if p.truth_method == "reply":
            assert p.truth_question == p.reply_to.truth_question and p.answer_tag is None
        if p.truth_method in ("retweet", "quote"):
            assert p.truth_question == ref.truth_question
        if p.truth_method == "latest":
            asked = [
                n
                for n, _, t in next(s for s in chat.sessions if s.key == p.truth_session).questions
                if t < p.created_at
            ]
            assert p.truth_question == (max(asked) if asked else 0)


def test_the_cases_the_issue_names_occur(chat):
    by_id = chat.by_id
    late = [
        p
        for p in chat.posts
        if p.truth_method == "tag" and p.truth_question < _asked_before(chat, p)
    ]
    assert late, "a late A1 posted during Q2"
    assert any(
        p.truth_method == "reply" and _asked_before(chat, p) > p.truth_question for p in chat.posts
    ), "a reply to an earlier question's answer posted during a later question"
    assert any(p.is_retweet and p.retweet_of.truth_is_question for p in chat.posts)
    assert any(p.quote_of is not None and p.quote_of.truth_is_question for p in chat.posts)
    great = [p for p in chat.posts if p.text.startswith("T1 was great")]
    assert great and not any(p.truth_is_question for p in great)
    assert all(by_id[p.post_id] is p for p in chat.posts)


def _asked_before(chat, post) -> int:
    s = next(s for s in chat.sessions if s.key == post.truth_session)
    return max([n for n, _, t in s.questions if t < post.created_at], default=0)


def test_interactions_follow_the_definitions(chat):
    kinds = {k for _, k, _, _ in chat.interactions}
    assert kinds == {"reply", "mention", "retweet", "quote"}
    by_id = chat.by_id
    for post_id, kind, a, b in chat.interactions:
        assert a != b
        p = by_id[post_id]
        assert a == p.author_handle.lower()
        if p.is_retweet:
            assert kind == "retweet" and b == p.retweet_of.author_handle.lower()
    # a self-reply makes no interaction
    selfies = [p for p in chat.posts if p.reply_to is not None and p.reply_to.author is p.author]
    assert selfies
    assert not any(i[0] == p.post_id for p in selfies for i in chat.interactions)


def test_new_connections_are_first_sightings(chat):
    seen: set[tuple[str, str]] = set()
    for year, pairs in chat.new_connections_by_year.items():
        assert year == 2016
        assert not (pairs & seen)
        seen |= pairs
    assert seen == set(chat.connections())


def test_v1_jsonl_loads_with_exact_counts(chat, tmp_path, db):
    [path] = simulate.write(chat, tmp_path, formats=["twitter-v1"])
    [result] = ingest.load(db, [path])
    assert result.error is None, result.error
    assert result.inserted == len(chat.posts) and result.rejected == 0
    n, rts = db.execute("select count(*), count(*) filter (where is_retweet) from posts").fetchone()
    assert n == len(chat.posts)
    assert rts == sum(p.is_retweet for p in chat.posts)
    rows = db.execute(
        "select post_id, author_handle, text, reply_to_post_id, retweet_of_post_id, quote_of_post_id "
        "from posts"
    ).fetchall()
    truth = {
        p.post_id: (
            p.author_handle,
            p.text,
            p.reply_to_post_id,
            p.retweet_of_post_id,
            p.quote_of_post_id,
        )
        for p in chat.posts
    }
    assert {r[0]: tuple(r[1:]) for r in rows} == truth
