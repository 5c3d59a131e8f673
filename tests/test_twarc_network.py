"""chatgraph's interactions against twarc-network's graph on the file twarc-network tests itself with.

Skips without twarc-network (the bench extra) or without ../shared/realdata.
"""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT, realdata

pytest.importorskip("twarc_network")
sys.path.insert(0, str(ROOT / "bench"))
from compare_twarc_network import compare, ours, theirs  # noqa: E402


@pytest.fixture(scope="module")
def blm():
    return realdata("twitter-v2/blacklivesmatter_search.jsonl")


def test_every_reply_retweet_and_quote_edge_of_twarc_network_is_ours(blm):
    t, o = theirs(blm), ours(blm)
    for kind in ("reply", "retweet", "quote"):
        between_two = {(a, b) for a, b in t[kind] if a != b}
        assert between_two <= o[kind], kind
    assert o["mention"] <= t["mention"]


def test_counts(blm):
    assert compare(blm) == {
        # 5 more replies: posts @-addressed to someone (in_reply_to_user_id) with no parent tweet
        "reply": {"twarc_network": 31, "self_loops": 7, "chatgraph": 29, "shared": 24, "theirs_not_ours": 0, "ours_not_theirs": 5},
        "retweet": {"twarc_network": 345, "self_loops": 10, "chatgraph": 335, "shared": 335, "theirs_not_ours": 0, "ours_not_theirs": 0},
        "quote": {"twarc_network": 17, "self_loops": 4, "chatgraph": 13, "shared": 13, "theirs_not_ours": 0, "ours_not_theirs": 0},
        # twarc-network also counts the mentions inside retweeted text
        "mention": {"twarc_network": 252, "self_loops": 3, "chatgraph": 145, "shared": 145, "theirs_not_ours": 104, "ours_not_theirs": 0},
    }  # fmt: skip
