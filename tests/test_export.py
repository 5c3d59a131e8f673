"""`chatgraph export`: every public table as Parquet, posts and interactions by chat=…/year=…."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest
import research_archive

from chatgraph import db as dbmod
from chatgraph import export as exportmod
from chatgraph import schema_doc
from chatgraph.cli import app


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "archive.duckdb"
    con = dbmod.connect(path)
    research_archive.fill(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def exported(archive, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parquet") / "out"
    con = dbmod.connect(archive, read_only=True)
    exportmod.export(con, out)
    con.close()
    return out


def archive_rows(archive: Path, sql: str) -> list[tuple]:
    con = dbmod.connect(archive, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))


def test_every_public_table_is_a_folder(exported):
    assert sorted(p.name for p in exported.iterdir()) == sorted(schema_doc.TABLES)


def test_posts_and_interactions_partitioned_by_chat_and_year(exported):
    assert tree(exported / "posts") == [
        "chat=hcldr/year=2021/data_0.parquet",
        "chat=hcldr/year=2022/data_0.parquet",
        "chat=hcsm/year=2022/data_0.parquet",
    ]
    assert tree(exported / "interactions") == tree(exported / "posts")
    assert tree(exported / "accounts") == ["data.parquet"]


def test_every_post_is_exported_once(archive, exported):
    df = pl.scan_parquet(exported / "posts" / "**" / "*.parquet", hive_partitioning=True).collect()
    ids = archive_rows(archive, "select post_id from posts order by post_id")
    assert df.height == len(ids) == 18
    assert sorted(df["post_id"].to_list()) == [r[0] for r in ids]
    # the hive columns come back, and the file columns are the archive's
    assert df.columns[-2:] == ["chat", "year"]
    assert df.filter(pl.col("chat") != pl.col("chat_id")).height == 0
    assert df.schema["created_at"] == pl.Datetime("us", "UTC")


def test_year_is_counted_in_the_chat_time_zone(archive, tmp_path):
    # 2021-01-01 03:00 UTC is still New Year's Eve 2020 in New York.
    con = dbmod.connect(archive)
    con.execute("create temp table late as select * from posts where post_id = '1'")
    con.execute("update late set post_id = 'nye', created_at = '2021-01-01 03:00:00+00'")
    con.execute("insert into posts select * from late")
    con.close()
    try:
        con = dbmod.connect(archive, read_only=True)
        exportmod.export(con, tmp_path / "out")
        con.close()
        df = pl.read_parquet(
            tmp_path / "out" / "posts" / "**" / "*.parquet", hive_partitioning=True
        )
        assert df.filter(pl.col("post_id") == "nye")["year"].to_list() == [2020]
    finally:
        con = dbmod.connect(archive)
        con.execute("delete from posts where post_id = 'nye'")
        con.close()


def test_every_table_round_trips(archive, exported):
    con = duckdb.connect()
    for table in schema_doc.TABLES:
        source = archive_rows(archive, f"select count(*) from {table}")[0][0]
        path = exported / table / "**" / "*.parquet"
        got = con.execute(
            f"select count(*) from read_parquet('{path}', hive_partitioning = true)"
        ).fetchone()[0]
        assert got == source, table
    rows = con.execute(
        f"select chat, year, count(*) from read_parquet('{exported}/interactions/**/*.parquet', "
        "hive_partitioning = true) group by all order by all"
    ).fetchall()
    assert rows == [("hcldr", 2021, 7), ("hcldr", 2022, 5), ("hcsm", 2022, 4)]


def test_readable_by_arrow_datasets_as_r_and_spark_read_them(exported):
    # R's arrow::open_dataset() is this same Arrow C++ dataset reader with hive partitioning.
    table = ds.dataset(exported / "posts", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 18
    assert set(table.column("chat").to_pylist()) == {"hcldr", "hcsm"}
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=UTC]"


def test_one_chat(runner, archive, tmp_path):
    out = tmp_path / "hcsm"
    result = runner.invoke(app, ["export", "--db", str(archive), "--output", str(out),
                                 "--chat", "#HCSM", "--format", "csv"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "table,rows,files,path", f"posts,4,1,{out}/posts", f"referenced_posts,0,1,{out}/referenced_posts",
    ]  # fmt: skip
    assert tree(out / "posts") == ["chat=hcsm/year=2022/data_0.parquet"]
    posts = pl.read_parquet(out / "posts" / "**" / "*.parquet", hive_partitioning=True)
    assert sorted(posts["post_id"]) == ["20", "21", "22", "23"]
    accounts = pl.read_parquet(out / "accounts" / "data.parquet")
    assert sorted(accounts["handle"]) == ["alice", "bob", "frank", "hcsmhost"]
    assert pl.read_parquet(out / "chats" / "data.parquet")["chat_id"].to_list() == ["hcsm"]
    assert pl.read_parquet(out / "connections" / "data.parquet").height == 3


def test_empty_partitioned_table_still_has_a_readable_file(tmp_path):
    path = tmp_path / "empty.duckdb"
    dbmod.connect(path).close()
    con = dbmod.connect(path, read_only=True)
    exportmod.export(con, tmp_path / "out")
    con.close()
    assert tree(tmp_path / "out" / "posts") == ["data.parquet"]
    df = pl.read_parquet(tmp_path / "out" / "posts" / "data.parquet")
    assert df.height == 0 and df.columns[-2:] == ["chat", "year"]


def test_refuses_a_folder_that_is_not_empty(runner, archive, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["export", "--db", str(archive), "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --output {tmp_path}: the folder is not empty; export into a new folder "
        "or add --overwrite to replace the tables in it\n"
    )
    result = runner.invoke(app, ["export", "--db", str(archive), "--output", str(tmp_path),
                                 "--overwrite", "-f", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert len(tree(tmp_path / "posts")) == 3


def test_unknown_chat(runner, archive, tmp_path):
    result = runner.invoke(app, ["export", "--db", str(archive), "--output", str(tmp_path / "o"),
                                 "--chat", "nope"])  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == "Error: no chat named 'nope' in the archive (chats: hcldr, hcsm)\n"
    assert not (tmp_path / "o").exists()


def test_export_leaves_the_archive_alone(archive, tmp_path):
    before = archive.read_bytes()
    con = dbmod.connect(archive, read_only=True)
    exportmod.export(con, tmp_path / "out")
    con.close()
    assert archive.read_bytes() == before


def test_no_column_spark_cannot_read(exported):
    # Spark refuses Parquet TIME ("The data type TIME is not supported"): start_time goes as text.
    import pyarrow.parquet as pq

    for path in exported.rglob("*.parquet"):
        for field in pq.read_schema(path):
            assert not str(field.type).startswith(("time32", "time64", "duration")), (path, field)
    chats = pl.read_parquet(exported / "chats" / "data.parquet")
    assert chats.filter(pl.col("chat_id") == "hcldr")["start_time"].to_list() == ["20:30:00"]
