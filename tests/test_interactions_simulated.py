"""Interactions and connections of simulated chats, loaded from their export files, against the
simulator's truth: every kind's (source, target) pairs, every interaction row, every year's new
connections."""

from __future__ import annotations

from datetime import date

import pytest

from chatgraph import ingest, simulate
from chatgraph.interactions import KINDS

SPEC = simulate.ChatSpec(start_date=date(2018, 7, 1), end_date=date(2019, 6, 30))


@pytest.fixture(scope="module")
def chat() -> simulate.SimulatedChat:
    return simulate.generate(SPEC, seed=3)


def pairs(rows, kind):
    return {(s, t) for _, k, s, t in rows if k == kind}


def load_as(db, chat, fmt, tmp_path):
    simulate.write(chat, tmp_path, formats=[fmt])
    (result,) = ingest.load(db, [tmp_path], chat=SPEC.chat_id)
    assert result.error is None and result.inserted == len(chat.posts), result
    db.execute(
        "update chats set timezone = $tz where chat_id = $c",
        {"tz": SPEC.timezone, "c": SPEC.chat_id},
    )
    from chatgraph import interactions

    interactions.refresh(db, SPEC.chat_id)
    return set(
        db.execute(
            "select post_id, kind, source_handle, target_handle from interactions"
        ).fetchall()
    )


@pytest.mark.parametrize("fmt", ["twitter-v1", "twitter-v2", "twarc-csv"])
def test_every_interaction_equals_the_truth(db, chat, fmt, tmp_path):
    ours = load_as(db, chat, fmt, tmp_path)
    for kind in KINDS:
        assert pairs(ours, kind) == pairs(chat.interactions, kind), kind
    assert ours == chat.interactions
    assert all(pairs(ours, kind) for kind in KINDS)  # the simulated chat has every kind


def test_new_connections_per_year_equal_the_truth(db, chat, tmp_path):
    load_as(db, chat, "twitter-v1", tmp_path)
    rows = db.execute("select first_year, a_handle, b_handle from connections").fetchall()
    ours: dict[int, set[tuple[str, str]]] = {}
    for year, a, b in rows:
        ours.setdefault(year, set()).add((a, b))
    assert ours == chat.new_connections_by_year
    assert sorted(ours) == [2018, 2019]


def test_tags_sheets_find_quotes_from_their_status_links(db, chat, tmp_path):
    # A TAGS sheet has no quoted-tweet id column: a quote is known by the status link in its
    # entities, and with it every kind equals the truth.
    ours = load_as(db, chat, "tags", tmp_path)
    for kind in ("reply", "mention", "retweet", "quote"):
        assert pairs(ours, kind) == pairs(chat.interactions, kind), kind
    assert pairs(ours, "quote")
