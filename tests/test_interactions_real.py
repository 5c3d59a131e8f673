"""Interactions of real Twitter v1.1 exports against a plain reading of the same JSON in Python."""

from __future__ import annotations

import json
import re

import pytest
from conftest import realdata

from chatgraph import db as dbmod
from chatgraph import ingest


def tweets(path):
    text = path.read_text(encoding="utf-8")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return whole["statuses"] if isinstance(whole, dict) else whole


def targets(t):
    """(kind, handle) pairs one tweet's JSON says it makes."""
    if "retweeted_status" in t:
        return [("retweet", t["retweeted_status"]["user"]["screen_name"])]
    old_rt = re.match(r"RT @(\w+):", t.get("full_text") or t["text"])
    if old_rt:
        return [("retweet", old_rt.group(1))]
    out = [("reply", t.get("in_reply_to_screen_name"))]
    ents = (t.get("extended_tweet") or {}).get("entities") or t["entities"]
    out += [("mention", m["screen_name"]) for m in ents.get("user_mentions", [])]
    if "quoted_status" in t:
        out.append(("quote", t["quoted_status"]["user"]["screen_name"]))
    return out


def oracle(listed):
    """DESIGN.md's interactions, read straight off the tweets' JSON (first copy of each id)."""
    out, seen = set(), set()
    for t in listed:
        if t["id_str"] in seen:
            continue
        seen.add(t["id_str"])
        me = t["user"]["screen_name"].lower()
        for kind, target in targets(t):
            if target and target.lower() != me:
                out.add((t["id_str"], kind, me, target.lower()))
    return out


@pytest.mark.parametrize(
    ("rel", "counts"),
    [
        # 74 retweets (some of quotes: a retweet makes only its retweet edge); 3 @-addressed replies
        ("twitter-v1/get_search_raw.json", {"reply": 3, "mention": 3, "retweet": 74, "quote": 9}),
        (
            "twitter-v1/streaming_lines.json",
            {"reply": 29, "mention": 197, "retweet": 1, "quote": 8},
        ),
        (
            "twitter-v1/original_format_examples.json",
            {"reply": 4, "mention": 10, "retweet": 2, "quote": 2},
        ),
    ],
)
def test_real_v1_interactions(rel, counts):
    path = realdata(rel)
    db = dbmod.connect(":memory:")
    (result,) = ingest.load(db, [path], chat="t")
    assert result.error is None
    ours = set(
        db.execute(
            "select post_id, kind, source_handle, target_handle from interactions"
        ).fetchall()
    )
    assert ours == oracle(tweets(path))
    got = dict(db.execute("select kind, count(*) from interactions group by kind").fetchall())
    assert got == counts
    db.close()
