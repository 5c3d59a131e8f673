"""`chatgraph sql`: ad hoc SQL on a read-only archive that no statement can change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import research_archive

from chatgraph import db as dbmod
from chatgraph import queries
from chatgraph.cli import app

REFUSED = "Error: the archive is opened read-only by `sql`; {kind} statements are refused " \
    "(only SELECT and EXPLAIN run); write results to a file with --output, " \
    "or the whole archive with chatgraph export"  # fmt: skip


@pytest.fixture
def archive(tmp_path) -> Path:
    path = tmp_path / "archive.duckdb"
    con = dbmod.connect(path)
    research_archive.fill(con)
    con.execute("checkpoint")
    con.close()
    return path


def checksums(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every table's rows."""
    con = dbmod.connect(path, read_only=True)
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "order by table_name").fetchall()]  # fmt: skip
    out = {
        t: con.execute(f"select count(*), bit_xor(hash(t)) from {t} t").fetchone() for t in tables
    }
    con.close()
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_select_as_json(runner, archive):
    result = runner.invoke(app, ["sql", "select chat_id, count(*) as posts from posts group by all "
                                 "order by chat_id", "--db", str(archive), "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"chat_id": "hcldr", "posts": 14},
        {"chat_id": "hcsm", "posts": 4},
    ]


def test_nested_columns_as_json_text_in_csv(runner, archive):
    result = runner.invoke(app, ["sql", "select chat_id, hosts from chats order by 1",
                                 "--db", str(archive), "-f", "csv"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == 'chat_id,hosts\nhcldr,"[""hcldr""]"\nhcsm,"[""hcsmhost""]"\n'


def test_screen_table_shows_at_most_1000_rows(runner, archive):
    result = runner.invoke(app, ["sql", "select range as n from range(1500)", "--db", str(archive)])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("│ 998 │\n│ 999 │\n└─────┘\n")
    assert result.stderr == (
        "Showing 1000 of 1500 rows; use --format csv or --output FILE for all.\n"
    )


def test_explain_pivot_describe_and_ctes_run(runner, archive):
    for sql in [
        "explain select * from posts",
        "explain analyze select count(*) from posts",
        "explain (format json) select count(*) from posts",
        "pivot (select chat_id, is_retweet from posts) on is_retweet in (true, false) using count(*)",
        "unpivot (select post_id, text, lang from posts) on text, lang into name k value v",
        "describe posts",
        "with p as (select * from posts) select count(*) from p",
        "from posts select count(*)",
    ]:
        result = runner.invoke(app, ["sql", sql, "--db", str(archive), "-f", "csv"])
        assert result.exit_code == 0, (sql, result.output)


def test_output_file_holds_every_row(runner, archive, tmp_path):
    out = tmp_path / "posts.csv"
    result = runner.invoke(app, ["sql", "select post_id from posts order by post_id::int",
                                 "--db", str(archive), "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[:3] == ["post_id", "1", "2"]
    assert len(out.read_text().splitlines()) == 19


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("insert into posts select * from posts", "INSERT"),
        ("update posts set text = 'gone'", "UPDATE"),
        ("delete from posts", "DELETE"),
        ("drop table posts", "DROP"),
        ("create table notes (x int)", "CREATE"),
        ("create temp table notes as select * from posts", "CREATE"),
        ("alter table posts add column x int", "ALTER"),
        ("copy posts to '{tmp}/posts.csv'", "COPY"),
        ("copy (select * from posts) to '{tmp}/posts.parquet' (format parquet)", "COPY"),
        ("attach '{tmp}/other.duckdb' as other", "ATTACH"),
        ("export database '{tmp}/dump'", "EXPORT"),
        ("set enable_external_access = true", "SET"),
        ("install httpfs", "LOAD"),
        ("load httpfs", "LOAD"),
        ("checkpoint", "CALL"),
        ("pragma enable_profiling", "PRAGMA"),
        ("begin transaction", "TRANSACTION"),
        ("vacuum", "VACUUM"),
        ("explain analyze delete from posts", "DELETE"),
        ("EXPLAIN ANALYSE create temp table notes as select 1", "CREATE"),
        ("explain (analyze) update posts set text = ''", "UPDATE"),
        ("explain (analyze, format json) insert into posts select * from posts", "INSERT"),
    ],
)
def test_writes_are_refused_and_change_nothing(runner, archive, tmp_path, sql, kind):
    before, digest = checksums(archive), sha256(archive)
    result = runner.invoke(app, ["sql", sql.format(tmp=tmp_path), "--db", str(archive)])
    assert result.exit_code == 2, result.output
    assert result.stderr == REFUSED.format(kind=kind) + "\n"
    assert result.stdout == ""
    assert checksums(archive) == before
    assert sha256(archive) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.duckdb"]


@pytest.mark.parametrize(
    "sql",
    [
        "pivot posts on platform using count(*)",
        "create temp table p as pivot posts on platform using count(*)",
        "insert into posts select * from (pivot posts on platform using count(*))",
    ],
)
def test_multi_statement_pivots_are_refused(runner, archive, sql):
    before = checksums(archive)
    result = runner.invoke(app, ["sql", sql, "--db", str(archive)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "Error: the archive is opened read-only by `sql`; this PIVOT runs several statements and is "
        "refused; list its values instead: PIVOT ... ON column IN ('a', 'b') USING ...\n"
    )
    assert checksums(archive) == before


def test_select_cannot_reach_files(runner, archive, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    result = runner.invoke(
        app, ["sql", f"select * from read_csv('{secret}')", "--db", str(archive)]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "Error: `sql` reads the archive only and cannot reach files, extensions or the network "
        f'(Permission Error: Cannot access file "{secret}" - file system operations are disabled '
        "by configuration); use duckdb itself for that\n"
    )


def test_one_statement_at_a_time(runner, archive):
    before = checksums(archive)
    result = runner.invoke(app, ["sql", "select 1; delete from posts", "--db", str(archive)])
    assert result.exit_code == 2, result.output
    assert (
        result.stderr
        == "Error: `sql` runs one statement at a time and got 2; run them one by one\n"
    )
    assert checksums(archive) == before


def test_sql_errors_are_one_line(runner, archive, tmp_path):
    result = runner.invoke(app, ["sql", "select nope from posts", "--db", str(archive)])
    assert result.exit_code == 1
    assert result.stderr.startswith('Error: Binder Error: Referenced column "nope" not found')
    assert result.stderr.count("\n") == 1
    missing = tmp_path / "missing.duckdb"
    result = runner.invoke(app, ["sql", "select 1", "--db", str(missing)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {missing}: no archive here; load some exports first "
        f"(chatgraph load FILES --db {missing})\n"
    )
    assert not missing.exists()


def test_read_only_connection_refuses_in_the_library(archive):
    con = queries.open_read_only(archive)
    try:
        assert queries.run_sql(con, "select count(*) as n from posts").rows() == [(18,)]
        with pytest.raises(Exception, match="DELETE statements are refused"):
            queries.run_sql(con, "delete from posts")
    finally:
        con.close()
