"""Random small chats: the SQL interactions and connections equal a plain-Python reading of DESIGN.md."""

from __future__ import annotations

import datetime as dt

from handmade import mention, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatgraph import db as dbmod
from chatgraph import interactions

HANDLES = ["Ann", "ann", "Ben", "CAT", "dan", "Eve"]
START = dt.datetime(2019, 12, 31, 23, 0, tzinfo=dt.UTC)


@st.composite
def chats(draw):
    """Posts in time order; each may retweet, reply to or quote an earlier one, and mention people."""
    n = draw(st.integers(1, 14))
    posts = []
    for i in range(n):
        kind = (
            draw(st.sampled_from(["plain", "retweet", "reply", "quote", "addressed"]))
            if i
            else "plain"
        )
        target = draw(st.integers(0, i - 1)) if i else None
        posts.append(
            {
                "id": f"p{i}",
                "handle": draw(st.sampled_from(HANDLES)),
                "minutes": i * draw(st.sampled_from([1, 40])),
                "kind": kind,
                "target": target,
                "mentions": draw(st.lists(st.sampled_from(HANDLES), max_size=3)),
            }
        )
    return posts


def expected(posts):
    edges = set()
    for p in posts:
        me = p["handle"].lower()
        parent = posts[p["target"]] if p["target"] is not None else None
        if p["kind"] == "retweet":
            if parent["handle"].lower() != me:
                edges.add((p["id"], "retweet", me, parent["handle"].lower()))
            continue
        if p["kind"] in ("reply", "addressed") and parent["handle"].lower() != me:
            edges.add((p["id"], "reply", me, parent["handle"].lower()))
        if p["kind"] == "quote" and parent["handle"].lower() != me:
            edges.add((p["id"], "quote", me, parent["handle"].lower()))
        for h in p["mentions"]:
            if h.lower() != me:
                edges.add((p["id"], "mention", me, h.lower()))
    return edges


def expected_connections(posts, edges):
    when = {p["id"]: START + dt.timedelta(minutes=p["minutes"]) for p in posts}
    pairs: dict[tuple[str, str], list] = {}
    for post_id, kind, a, b in edges:
        if kind == "retweet":
            continue
        key = (min(a, b), max(a, b))
        first, count = pairs.get(key, (when[post_id], 0))
        pairs[key] = (min(first, when[post_id]), count + 1)
    return {(a, b, first.year, n) for (a, b), (first, n) in pairs.items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chats())
def test_sql_equals_the_definitions(posts):
    db = dbmod.connect(":memory:")
    db.execute("insert into chats (chat_id, hashtag) values ('hcldr', 'hcldr')")
    for p in posts:
        parent = posts[p["target"]] if p["target"] is not None else None
        fields = {}
        if p["kind"] == "retweet":
            fields = {"is_retweet": True, "retweet_of_post_id": parent["id"]}
        elif p["kind"] == "reply":
            fields = {"reply_to_post_id": parent["id"], "reply_to_handle": parent["handle"]}
        elif p["kind"] == "addressed":  # no parent post, only the handle addressed
            fields = {"reply_to_handle": parent["handle"]}
        elif p["kind"] == "quote":
            fields = {"quote_of_post_id": parent["id"]}
        post(db, p["id"], p["handle"], START + dt.timedelta(minutes=p["minutes"]), "", **fields)
        for h in p["mentions"]:
            mention(db, p["id"], h)
    interactions.refresh(db, "hcldr")
    edges = set(
        db.execute(
            "select post_id, kind, source_handle, target_handle from interactions"
        ).fetchall()
    )
    assert edges == expected(posts)
    conns = set(
        db.execute(
            "select a_handle, b_handle, first_year, interactions from connections"
        ).fetchall()
    )
    assert conns == expected_connections(posts, edges)
    db.close()
