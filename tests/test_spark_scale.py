"""chatgraph.spark on a simulated 300,000-post chat (bench/make_exports.py's busy weekly chat,
loaded through chatgraph): the whole growth and connections tables equal chatgraph's own."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from test_spark import duck_connections, spark_connections

from chatgraph import db as dbmod
from chatgraph import export as exportmod
from chatgraph import ingest
from chatgraph import spark as sparkmod
from chatgraph.growth import growth

pytestmark = [pytest.mark.slow, pytest.mark.spark]

POSTS = 300_000
BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="session")
def busy(tmp_path_factory):
    """The 300k-post archive and its partitioned export, built once per test session."""
    sys.path.insert(0, str(BENCH))
    try:
        from make_exports import write_v1
    finally:
        sys.path.remove(str(BENCH))
    folder = tmp_path_factory.mktemp("busy")
    export_file = write_v1(folder / "busy.jsonl", POSTS, seed=100)
    con = dbmod.connect(folder / "busy.duckdb")
    try:
        (result,) = ingest.load(con, [export_file], chat="busy")
        assert result.error is None and result.inserted == POSTS
        export_file.unlink()  # about 500 MB
        exportmod.export_partitioned(con, folder / "archive")
    finally:
        con.close()
    return folder


@pytest.fixture(scope="module")
def con(busy):
    con = dbmod.connect(busy / "busy.duckdb", read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def export(spark, busy):
    return sparkmod.read_export(spark, str(busy / "archive"))


def test_growth_of_300k_posts_equals_chatgraph_growth(export, con):
    mine = growth(con, "busy")
    assert mine.height == 10
    assert mine["posts"].sum() == POSTS
    assert_frame_equal(sparkmod.growth_table(export, "busy"), mine, check_exact=True)


def test_connections_of_300k_posts_equal_the_archive_table(export, con):
    mine = duck_connections(con)
    assert mine.height == con.execute("select count(*) from connections").fetchall()[0][0] == 6578
    assert_frame_equal(spark_connections(export), mine, check_exact=True)


def test_interactions_per_year_of_300k_posts(export, con):
    sql = (
        Path(__file__).resolve().parent.parent / "queries" / "interactions_per_year.sql"
    ).read_text()
    mine = con.sql(sql, params={"chat": "busy"}).pl().with_columns(pl.col("year").cast(pl.Int64))
    theirs = sparkmod.to_polars(sparkmod.interactions_per_year(export, "busy"), mine.schema)
    assert_frame_equal(theirs, mine, check_exact=True)
