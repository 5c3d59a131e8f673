"""chatgraph.spark on the sample archive: every number equals chatgraph's own (whole tables)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from chatgraph import db as dbmod
from chatgraph import export as exportmod
from chatgraph import graphs
from chatgraph import spark as sparkmod
from chatgraph.cli import app as cli_app
from chatgraph.errors import ChatgraphError
from chatgraph.growth import growth
from chatgraph.spark.__main__ import app

ROOT = Path(__file__).resolve().parent.parent
CHATS = ("hcldr", "uscap")


@pytest.fixture(scope="module")
def exported(sample_archive, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spark_export") / "archive"
    con = dbmod.connect(sample_archive["db"], read_only=True)
    try:
        exportmod.export_partitioned(con, out)
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def export(spark, exported):
    return sparkmod.read_export(spark, str(exported))


@pytest.fixture(scope="module")
def con(sample_archive):
    con = dbmod.connect(sample_archive["db"], read_only=True)
    yield con
    con.close()


def duck_connections(con, chat: str | None = None) -> pl.DataFrame:
    where = "where chat_id = $chat" if chat else ""
    return con.sql(
        f"select chat_id, a_handle, b_handle, epoch_us(first_seen_at) as first_seen_at, "
        f"first_year::INTEGER as first_year, interactions::BIGINT as interactions "
        f"from connections {where} order by all",
        params={"chat": chat} if chat else None,
    ).pl()


def spark_connections(export, chat: str | None = None) -> pl.DataFrame:
    from pyspark.sql import functions as F

    df = sparkmod.connections(export, chat).withColumn(
        "first_seen_at", F.unix_micros("first_seen_at")
    )
    cols = ["chat_id", "a_handle", "b_handle", "first_seen_at", "first_year", "interactions"]
    return sparkmod.to_polars(df.orderBy(*cols)).select(
        pl.col("chat_id", "a_handle", "b_handle"),
        pl.col("first_seen_at").cast(pl.Int64),
        pl.col("first_year").cast(pl.Int32),
        pl.col("interactions").cast(pl.Int64),
    )


@pytest.mark.spark
@pytest.mark.parametrize("chat", CHATS)
@pytest.mark.parametrize("retweeters", [False, True])
def test_growth_equals_chatgraph_growth(export, con, chat, retweeters):
    mine = growth(con, chat, include_retweeters=retweeters)
    theirs = sparkmod.growth_table(export, chat, retweeters)
    assert theirs.height == mine.height
    assert_frame_equal(theirs, mine, check_exact=True)


@pytest.mark.spark
def test_connections_equal_the_archive_table(export, con):
    mine = duck_connections(con)
    assert mine.height == 1218
    assert_frame_equal(spark_connections(export), mine, check_exact=True)


@pytest.mark.spark
@pytest.mark.parametrize("chat", CHATS)
def test_new_connections_per_year(export, con, chat):
    mine = con.sql(
        "select first_year::BIGINT as first_year, count(*) as new_connections, "
        "sum(count(*)) over (order by first_year)::BIGINT as total_connections "
        "from connections where chat_id = $chat group by first_year order by first_year",
        params={"chat": chat},
    ).pl()
    theirs = sparkmod.to_polars(sparkmod.new_connections_per_year(export, chat), mine.schema)
    assert_frame_equal(theirs, mine, check_exact=True)


@pytest.mark.spark
@pytest.mark.parametrize("chat", CHATS)
def test_interactions_per_year_equal_the_query(export, con, chat):
    sql = (ROOT / "queries" / "interactions_per_year.sql").read_text()
    mine = con.sql(sql, params={"chat": chat}).pl().with_columns(pl.col("year").cast(pl.Int64))
    theirs = sparkmod.to_polars(sparkmod.interactions_per_year(export, chat), mine.schema)
    assert_frame_equal(theirs, mine, check_exact=True)


@pytest.mark.spark
@pytest.mark.parametrize("chat", CHATS)
def test_edges_per_year_equal_the_graphs_edge_lists(export, con, chat):
    theirs = sparkmod.to_polars(sparkmod.edges_per_year(export, chat))
    years = sorted(set(theirs["year"].to_list()))
    assert years == (list(range(2016, 2025)) if chat == "hcldr" else list(range(2016, 2020)))
    for year in years:
        g = graphs.build(con, graphs.Scope(chat, year=year))
        mine = graphs.edge_list(g)
        got = theirs.filter(pl.col("year") == year).drop("year").select(mine.columns)
        assert_frame_equal(got, mine, check_exact=True, check_dtypes=False)


@pytest.mark.spark
@pytest.mark.parametrize("chat", CHATS)
def test_cli_growth_prints_the_same_table_as_chatgraph_growth(
    runner, exported, sample_archive, chat
):
    for fmt in ("csv", "table"):
        ours = runner.invoke(app, ["growth", str(exported), "--chat", chat, "--format", fmt])
        assert ours.exit_code == 0, ours.output
        theirs = runner.invoke(
            cli_app, ["growth", "--db", str(sample_archive["db"]), "--chat", chat, "--format", fmt]
        )
        assert theirs.exit_code == 0, theirs.output
        assert ours.stdout == theirs.stdout


@pytest.mark.spark
def test_cli_needs_a_chat_when_the_export_has_two(runner, exported):
    r = runner.invoke(app, ["growth", str(exported)])
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "Error: the export has 2 chats (hcldr, uscap); pick one with --chat"
    ]


def test_cli_refuses_a_folder_that_is_not_an_export(runner, tmp_path):
    (tmp_path / "posts").mkdir()
    r = runner.invoke(app, ["growth", str(tmp_path)])
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"Error: {tmp_path}: not a partitioned chatgraph export (no valid _schema.json); "
        f"write one with: chatgraph export --output {tmp_path} --partition"
    ]
    r = runner.invoke(app, ["growth", str(tmp_path / "nowhere")])
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"Error: {tmp_path / 'nowhere'}: no such folder; give the folder of chatgraph export "
        "--partition"
    ]


def test_without_pyspark_the_error_names_the_extra(monkeypatch, runner, tmp_path):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ChatgraphError) as e:
        sparkmod.session()
    assert str(e.value) == (
        "chatgraph.spark needs PySpark, which is not installed; run: pip install 'chatgraph[spark]'"
    )
    (tmp_path / "_schema.json").write_text('{"layout": "chatgraph-partitioned-1", "tables": {}}')
    r = runner.invoke(app, ["growth", str(tmp_path)])
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "Error: chatgraph.spark needs PySpark, which is not installed; "
        "run: pip install 'chatgraph[spark]'"
    ]


def test_every_command_has_help_with_an_example(runner):
    for command in ("growth", "connections", "interactions"):
        r = runner.invoke(app, [command, "--help"])
        assert r.exit_code == 0, r.output
        assert "Example: python -m chatgraph.spark " + command in r.output
