"""The Python API hands back the archive's tables as polars and its graphs as NetworkX."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import polars as pl
import pytest
from test_growth import fill

from chatgraph import db as dbmod
from chatgraph import graphs
from chatgraph.api import Archive
from chatgraph.errors import UsageError
from chatgraph.growth import growth


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "a.duckdb"
    con = dbmod.connect(path)
    fill(con)
    con.close()
    with Archive(path) as a:
        yield a


def test_tables(archive):
    assert archive.chats()["chat_id"].to_list() == ["hcldr", "uscap"]
    posts = archive.posts("hcldr")
    assert posts.height == 14 and isinstance(posts, pl.DataFrame)
    assert archive.posts("#HCLDR", year=2019)["post_id"].to_list() == [
        "ab1",
        "bb1",
        "cb1",
        "rb1",
        "cc1",
        "dc1",
        "ac1",
    ]
    assert archive.sessions("hcldr")["session_id"].to_list() == ["a", "b", "c", "d"]
    i = archive.interactions("hcldr", year=2018)
    assert i.select("post_id", "kind", "source_handle", "target_handle").rows() == [
        ("ba1", "mention", "bob", "alice"),
        ("ba1", "reply", "bob", "alice"),
        ("ra1", "retweet", "rita", "alice"),
    ]
    assert archive.interactions("hcldr", kinds=["retweet"])["post_id"].to_list() == ["ra1", "rb1"]
    assert archive.connections("hcldr", year=2021).select("a_handle", "b_handle").rows() == [
        ("alice", "erin"),
        ("dave", "erin"),
        ("alice", "rita"),
    ]
    assert archive.sql("select count(*) as n from posts where chat_id = $c", c="hcldr").item() == 14
    with pytest.raises(UsageError, match=r"^unknown interaction kind 'like'"):
        archive.interactions("hcldr", kinds=["like"])
    with pytest.raises(
        UsageError,
        match=r"^the archive holds several chats \(hcldr, uscap\); choose one with --chat$",
    ):
        archive.posts()


def test_analysis_equals_the_library(archive):
    assert archive.growth("hcldr").equals(growth(archive.con, "hcldr"))
    g = archive.graph("hcldr", year=2019, kinds=["reply"])
    assert isinstance(g, nx.DiGraph)
    assert sorted(g.edges) == [("carol", "bob"), ("dave", "carol")]
    assert archive.metrics("hcldr").equals(
        graphs.metrics(
            graphs.build(archive.con, graphs.Scope("hcldr"), ("reply", "mention", "quote"))
        )
    )
    assert archive.core_members("hcldr").height == 11
    assert archive.overlap("hcldr", "uscap").summary().rows() == [
        ("accounts", 7, 0, 0),
        ("connections", 7, 0, 0),
    ]


def test_from_connection_and_memory():
    con = dbmod.connect(":memory:")
    fill(con)
    a = Archive.from_connection(con)
    assert a.connections("hcldr").height == 7
    assert a.posts("hcldr", year=2020).select("post_id", "created_at").rows() == [
        ("zz1", dt.datetime(2020, 6, 1, 1, 30, tzinfo=dt.UTC))
    ]
    a.close()
    with Archive(":memory:") as empty:
        assert empty.chats().height == 0
