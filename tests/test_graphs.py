"""Graphs from the interactions table: exact nodes, edges and attributes per scope; metrics; files."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from handmade import mention, post, session, thread

from chatgraph import graphs, interactions
from chatgraph.errors import UsageError
from chatgraph.graphs import Scope

UTC = dt.UTC
S1 = dt.datetime(2019, 1, 9, 1, 30, tzinfo=UTC)  # Tuesday 8:30pm in New York
S2 = dt.datetime(2020, 1, 1, 2, 0, tzinfo=UTC)  # still 2019 in New York
S3 = dt.datetime(2020, 1, 8, 1, 30, tzinfo=UTC)


def m(start: dt.datetime, minutes: int) -> dt.datetime:
    return start + dt.timedelta(minutes=minutes)


@pytest.fixture
def chat(db):
    db.execute(
        "insert into chats (chat_id, hashtag, timezone) values ('hcldr', 'hcldr', 'America/New_York')"
    )
    session(db, "s1", S1, dt.date(2019, 1, 8))
    session(db, "s2", S2, dt.date(2019, 12, 31))
    session(db, "s3", S3, dt.date(2020, 1, 7))
    rows = [
        # post, author, session, minute, question, fields, mentions
        ("p1", "Alice", "s1", S1, 0, 1, {}, []),
        ("b1", "Bob", "s1", S1, 2, 1, {"reply_to_post_id": "p1", "reply_to_handle": "Alice"}, ["Alice"]),
        ("c1", "Carol", "s1", S1, 3, 1, {"reply_to_post_id": "b1", "reply_to_handle": "Bob"}, ["Bob"]),
        ("d1", "Dave", "s1", S1, 4, 1, {"is_retweet": True, "retweet_of_post_id": "p1"}, []),
        ("p2", "Alice", "s1", S1, 10, 2, {}, []),
        ("c2", "Carol", "s1", S1, 12, 2, {}, ["dave"]),
        ("p3", "Alice", "s2", S2, 0, 1, {}, []),
        ("e1", "Erin", "s2", S2, 1, 1, {"reply_to_post_id": "p3", "reply_to_handle": "alice"}, ["alice"]),
        ("b2", "Bob", "s2", S2, 2, 1, {"quote_of_post_id": "e1"}, []),
        ("p4", "Alice", "s3", S3, 0, 1, {}, []),
        ("b3", "bob", "s3", S3, 1, 1, {"reply_to_post_id": "p4", "reply_to_handle": "Alice"}, ["Alice"]),
        ("f1", "Frank", "s3", S3, 2, 1, {"reply_to_post_id": "b3", "reply_to_handle": "bob"}, ["bob"]),
        ("d2", "Dave", "s3", S3, 3, 1, {"is_retweet": True, "retweet_of_post_id": "b3"}, []),
    ]  # fmt: skip
    for post_id, handle, sid, start, minute, q, fields, mentioned in rows:
        post(db, post_id, handle, m(start, minute), f"text of {post_id}", **fields)
        thread(db, post_id, sid, q)
        for h in mentioned:
            mention(db, post_id, h)
    interactions.refresh(db, "hcldr")
    return db


def edge_set(g):
    return {(a, b, tuple(sorted(d.items()))) for a, b, d in g.edges(data=True)}


def e(a, b, first, reply=0, mention=0, retweet=0, quote=0, weight=None):
    d = {
        "reply": reply,
        "mention": mention,
        "retweet": retweet,
        "quote": quote,
        "first_seen": first,
    }
    d["weight"] = reply + mention + retweet + quote if weight is None else weight
    return (a, b, tuple(sorted(d.items())))


def test_whole_chat_graph(chat):
    g = graphs.build(chat, Scope("hcldr"))
    assert edge_set(g) == {
        e("bob", "alice", "2019-01-08T20:32:00", reply=2, mention=2),
        e("carol", "bob", "2019-01-08T20:33:00", reply=1, mention=1),
        e("dave", "alice", "2019-01-08T20:34:00", retweet=1),
        e("carol", "dave", "2019-01-08T20:42:00", mention=1),
        e("erin", "alice", "2019-12-31T21:01:00", reply=1, mention=1),
        e("bob", "erin", "2019-12-31T21:02:00", quote=1),
        e("frank", "bob", "2020-01-07T20:32:00", reply=1, mention=1),
        e("dave", "bob", "2020-01-07T20:33:00", retweet=1),
    }
    assert dict(g.nodes(data=True)) == {
        "alice": {"posts": 4, "first_seen": "2019-01-08T20:32:00", "first_year": 2019},
        "bob": {"posts": 3, "first_seen": "2019-01-08T20:32:00", "first_year": 2019},
        "carol": {"posts": 2, "first_seen": "2019-01-08T20:33:00", "first_year": 2019},
        "dave": {"posts": 2, "first_seen": "2019-01-08T20:34:00", "first_year": 2019},
        "erin": {"posts": 1, "first_seen": "2019-12-31T21:01:00", "first_year": 2019},
        "frank": {"posts": 1, "first_seen": "2020-01-07T20:32:00", "first_year": 2020},
    }


def test_years_are_the_chats_local_years(chat):
    y2019 = graphs.build(chat, Scope("hcldr", year=2019))
    assert set(y2019.edges) == {
        ("bob", "alice"), ("carol", "bob"), ("dave", "alice"), ("carol", "dave"),
        ("erin", "alice"), ("bob", "erin"),
    }  # fmt: skip
    assert y2019.edges["bob", "alice"]["reply"] == 1
    assert dict(y2019.nodes(data="posts")) == {
        "alice": 3, "bob": 2, "carol": 2, "dave": 1, "erin": 1
    }  # fmt: skip
    y2020 = graphs.build(chat, Scope("hcldr", year=2020))
    assert set(y2020.edges) == {("bob", "alice"), ("frank", "bob"), ("dave", "bob")}
    assert dict(y2020.nodes(data="posts")) == {"alice": 1, "bob": 1, "frank": 1, "dave": 1}
    both = graphs.build(chat, Scope("hcldr", years=(2019, 2020)))
    assert edge_set(both) == edge_set(graphs.build(chat, Scope("hcldr")))
    assert graphs.build(chat, Scope("hcldr", years=(2021, 2024))).number_of_nodes() == 0


def test_session_and_question_scopes(chat):
    s3 = graphs.build(chat, Scope("hcldr", session="s3"))
    assert edge_set(s3) == edge_set(graphs.build(chat, Scope("hcldr", year=2020)))
    q2 = graphs.build(chat, Scope("hcldr", session="s1", question=2))
    assert edge_set(q2) == {e("carol", "dave", "2019-01-08T20:42:00", mention=1)}
    assert dict(q2.nodes(data="posts")) == {"carol": 1, "dave": 0}
    q1_everywhere = graphs.build(chat, Scope("hcldr", question=1))
    assert set(q1_everywhere.edges) == {
        ("bob", "alice"), ("carol", "bob"), ("dave", "alice"), ("erin", "alice"), ("bob", "erin"),
        ("frank", "bob"), ("dave", "bob"),
    }  # fmt: skip


def test_kinds_and_weights(chat):
    g = graphs.build(chat, Scope("hcldr"), kinds=["reply", "mention"], kind_weights={"reply": 2})
    assert {(a, b): (d["reply"], d["mention"], d["weight"]) for a, b, d in g.edges(data=True)} == {
        ("bob", "alice"): (2, 2, 6),
        ("carol", "bob"): (1, 1, 3),
        ("carol", "dave"): (0, 1, 1),
        ("erin", "alice"): (1, 1, 3),
        ("frank", "bob"): (1, 1, 3),
    }
    assert "retweet" not in g.edges["bob", "alice"]
    half = graphs.build(chat, Scope("hcldr"), kinds=["retweet"], kind_weights={"retweet": 0.5})
    assert dict(half.edges.items()) == {
        ("dave", "alice"): {"weight": 0.5, "first_seen": "2019-01-08T20:34:00", "retweet": 1},
        ("dave", "bob"): {"weight": 0.5, "first_seen": "2020-01-07T20:33:00", "retweet": 1},
    }


def test_bad_scopes_are_one_line_usage_errors(chat):
    with pytest.raises(
        UsageError,
        match=r"^no session 's9' in chat 'hcldr'; list them with: chatgraph sessions --chat hcldr$",
    ):
        graphs.build(chat, Scope("hcldr", session="s9"))
    with pytest.raises(UsageError, match=r"^give either a year or a range of years, not both"):
        graphs.build(chat, Scope("hcldr", year=2019, years=(2019, 2020)))
    with pytest.raises(
        UsageError,
        match=r"^unknown interaction kind 'like'; choose from reply, mention, retweet, quote$",
    ):
        graphs.build(chat, Scope("hcldr"), kinds=["like"])
    with pytest.raises(
        UsageError,
        match=r"^--kinds: unknown kind 'likes'; choose from reply,mention,retweet,quote$",
    ):
        graphs.parse_kinds("reply,likes")
    with pytest.raises(
        UsageError, match=r"^--years '2019-x': not a range of years; write it as 2015-2019$"
    ):
        graphs.parse_years("2019-x")
    assert graphs.parse_years("2015-2019") == (2015, 2019)
    assert graphs.parse_kinds(" Reply, mention,reply") == ("reply", "mention")


def two_triangles() -> nx.DiGraph:
    g = nx.DiGraph()
    for a, b in [
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
        ("x", "y"),
        ("y", "z"),
        ("z", "x"),
        ("c", "x"),
        ("p", "a"),
    ]:
        g.add_edge(a, b, weight=1)
    return g


def test_communities_bridges_and_cores():
    g = two_triangles()
    parts = graphs.communities(g, seed=7)
    assert parts == [{"a", "b", "c", "p"}, {"x", "y", "z"}]
    assert graphs.communities(g, seed=7) == parts
    assert graphs.bridges(g, parts).rows() == [("c", "x", 0, 1, 1.0)]
    assert graphs.core_numbers(g) == {"a": 2, "b": 2, "c": 2, "x": 2, "y": 2, "z": 2, "p": 1}
    assert set(graphs.k_core(g).nodes) == {"a", "b", "c", "x", "y", "z"}
    assert set(graphs.k_core(g, 1).nodes) == set(g.nodes)


def test_betweenness_exact_small_and_seeded_when_sampled():
    path = nx.DiGraph([("a", "b"), ("b", "c")])
    assert graphs.betweenness(path) == {"a": 0.0, "b": 0.5, "c": 0.0}
    big = nx.gnp_random_graph(60, 0.08, seed=1, directed=True)
    first = graphs.betweenness(big, sample=10, seed=3)
    assert first == graphs.betweenness(big, sample=10, seed=3)
    assert first != graphs.betweenness(big, sample=60)


def test_metrics_table(chat):
    g = graphs.build(chat, Scope("hcldr"))
    df = graphs.metrics(g, seed=1)
    assert df.columns == [
        "handle", "posts", "first_seen", "in_degree", "out_degree", "degree", "in_weight",
        "out_weight", "pagerank", "betweenness", "community", "communities_reached", "core",
    ]  # fmt: skip
    rows = {r["handle"]: r for r in df.iter_rows(named=True)}
    assert df["handle"][0] == "alice"  # most weight flows to the host
    assert (rows["bob"]["in_degree"], rows["bob"]["out_degree"], rows["bob"]["degree"]) == (3, 2, 5)
    assert (rows["bob"]["in_weight"], rows["bob"]["out_weight"]) == (5.0, 5.0)
    assert abs(df["pagerank"].sum() - 1) < 1e-9
    assert graphs.metrics(g, seed=1).equals(df)


def test_core_members_per_year(chat):
    df = graphs.core_members(chat, "hcldr")
    # 2019: alice-bob-erin form a triangle (2-core); 2020 is a star around bob (1-core)
    assert df.rows() == [
        (2019, 2, "alice", 3),
        (2019, 2, "bob", 2),
        (2019, 2, "erin", 1),
        (2020, 1, "alice", 1),
        (2020, 1, "bob", 1),
        (2020, 1, "frank", 1),
    ]


def test_files(chat, tmp_path):
    g = graphs.build(chat, Scope("hcldr", year=2020))
    graphs.write(g, tmp_path / "g.gexf", "gexf")
    root = ET.parse(tmp_path / "g.gexf").getroot()
    ns = {"g": root.tag.split("}")[0].strip("{")}
    graph_el = root.find("g:graph", ns)
    assert (graph_el.get("mode"), graph_el.get("timeformat")) == ("dynamic", "dateTime")
    starts = {n.get("id"): n.get("start") for n in graph_el.iterfind("g:nodes/g:node", ns)}
    assert starts == {
        "bob": "2020-01-07T20:31:00",
        "alice": "2020-01-07T20:31:00",
        "frank": "2020-01-07T20:32:00",
        "dave": "2020-01-07T20:33:00",
    }
    edge_starts = {
        (x.get("source"), x.get("target")): x.get("start")
        for x in graph_el.iterfind("g:edges/g:edge", ns)
    }
    assert edge_starts == {
        ("bob", "alice"): "2020-01-07T20:31:00",
        ("frank", "bob"): "2020-01-07T20:32:00",
        ("dave", "bob"): "2020-01-07T20:33:00",
    }
    graphs.write(g, tmp_path / "g.graphml", "graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert edge_set(back) == edge_set(g)
    graphs.write(g, tmp_path / "g.csv", "csv")
    assert (tmp_path / "g.csv").read_text().splitlines() == [
        "source,target,weight,first_seen,reply,mention,retweet,quote",
        "bob,alice,2,2020-01-07T20:31:00,1,1,0,0",
        "dave,bob,1,2020-01-07T20:33:00,0,0,1,0",
        "frank,bob,2,2020-01-07T20:32:00,1,1,0,0",
    ]
    with pytest.raises(UsageError, match=r"^--format 'dot': choose gexf, graphml or csv$"):
        graphs.write(g, tmp_path / "g.dot", "dot")
