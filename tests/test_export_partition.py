"""`chatgraph export --partition`: every table of a chat under chat_id=…/year=…, read back whole,
and a new week rewrites only the partitions it touches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from chatgraph import db as dbmod
from chatgraph import export as exportmod
from chatgraph import ingest, schema_doc
from chatgraph.cli import app

pytestmark = pytest.mark.slow

HCLDR_YEARS = list(range(2016, 2025))
USCAP_YEARS = list(range(2016, 2020))


def parts(chat_years: dict[str, list[int]]) -> list[str]:
    return sorted(
        f"chat_id={chat}/year={year}/data.parquet"
        for chat, years in chat_years.items()
        for year in years
    )


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in root.rglob("*.parquet")
    }


@pytest.fixture(scope="module")
def updated(sample_archive, tmp_path_factory):
    """A copy of the sample archive exported, then given its last week and exported again."""
    folder = tmp_path_factory.mktemp("partition")
    db = folder / "archive.duckdb"
    shutil.copy(sample_archive["db"], db)
    out = folder / "out"
    con = dbmod.connect(db)
    try:
        first = exportmod.export_partitioned(con, out)
        before = snapshot(out)
        again = exportmod.export_partitioned(con, out)
        (loaded,) = ingest.load(con, [sample_archive["last_week"]])
        second = exportmod.export_partitioned(con, out)
        after = snapshot(out)
    finally:
        con.close()
    return {
        "db": db,
        "out": out,
        "first": first,
        "again": again,
        "loaded": loaded,
        "second": second,
        "before": before,
        "after": after,
    }


def test_every_table_of_a_chat_is_partitioned_by_chat_id_and_year(sample_archive, tmp_path):
    con = dbmod.connect(sample_archive["db"], read_only=True)
    try:
        written = exportmod.export_partitioned(con, tmp_path / "out")
    finally:
        con.close()
    out = tmp_path / "out"
    every = parts({"hcldr": HCLDR_YEARS, "uscap": USCAP_YEARS})
    for table in exportmod.PARTITION_KEYS.keys() - {"questions"}:
        assert tree(out / table) == every, table
    # uscap is a conference hashtag: sessions, but no questions
    assert tree(out / "questions") == parts({"hcldr": HCLDR_YEARS})
    for table in ("referenced_posts", "accounts", "mentions", "hashtags", "sources", "chats"):
        assert tree(out / table) == ["data.parquet"], table
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*schema_doc.TABLES, "_schema.json", "README.md"]
    )
    assert [w.table for w in written] == list(schema_doc.TABLES)
    assert all(w.written == w.files and w.removed == 0 for w in written)


def test_read_back_every_table_equals_the_archive(updated):
    """Whole tables: the Parquet (with chat_id and year from the folder names) holds exactly the
    archive's rows."""
    out = updated["out"]
    con = dbmod.connect(updated["db"], read_only=True)
    try:
        for table in schema_doc.public_tables(con):
            columns = [c for c, _, _ in schema_doc._columns(con, table)]
            cols = ", ".join(f'"{c}"' for c in columns)
            cast = ", ".join(
                f'"{c}"::VARCHAR' if t in exportmod._AS_TEXT else f'"{c}"'
                for c, t, _ in schema_doc._columns(con, table)
            )
            mine = con.execute(f"select {cast} from {table} order by all").fetchall()
            theirs = duckdb.sql(
                f"select {cols} from read_parquet('{out / table}/**/*.parquet', "
                f"hive_partitioning = true, hive_types_autocast = false) order by all"
            ).fetchall()
            assert theirs == mine, table
    finally:
        con.close()


def test_exporting_again_without_changes_writes_nothing(updated):
    assert [(t.table, t.written, t.removed) for t in updated["again"]] == [
        (t, 0, 0) for t in schema_doc.TABLES
    ]


def test_a_new_week_rewrites_only_its_partitions(updated, sample_archive):
    assert updated["loaded"].inserted == sample_archive["late"] == 49
    before, after = updated["before"], updated["after"]
    assert sorted(after) == sorted(before)
    changed = sorted(k for k in after if after[k] != before[k])
    this_year = "chat_id=hcldr/year=2024/data.parquet"
    assert changed == sorted(
        [f"{t}/{this_year}" for t in exportmod.PARTITION_KEYS]
        + [
            f"{t}/data.parquet"
            for t in (
                "referenced_posts",
                "accounts",
                "mentions",
                "hashtags",
                "sources",
                "post_sources",
            )
        ]
    )
    # untouched partitions: the very same files (inode, mtime, bytes)
    for name in set(after) - set(changed):
        assert after[name] == before[name], name
    assert {t.table: t.written for t in updated["second"]} == {
        t: (1 if t in exportmod.PARTITION_KEYS or f"{t}/data.parquet" in changed else 0)
        for t in schema_doc.TABLES
    }


def test_schema_json_describes_every_column(updated):
    manifest = json.loads((updated["out"] / "_schema.json").read_text())
    assert manifest["layout"] == exportmod.LAYOUT
    assert list(manifest["tables"]) == list(schema_doc.TABLES)
    posts = manifest["tables"]["posts"]
    assert posts["partitioned_by"] == ["chat_id", "year"]
    described = {c["name"]: c["description"] for c in posts["columns"]}
    assert described["chat_id"] == schema_doc.TABLES["posts"][1]["chat_id"]
    assert described["year"].startswith("Partition column: the row's year in the chat's time zone")
    assert manifest["tables"]["accounts"]["partitioned_by"] == []
    start = [c for c in manifest["tables"]["chats"]["columns"] if c["name"] == "start_time"]
    assert start[0]["type"] == "VARCHAR"
    readme = (updated["out"] / "README.md").read_text()
    assert readme.startswith("# chatgraph archive as partitioned Parquet\n")
    assert "## posts (partitioned by chat_id, year)" in readme
    assert "## accounts\n" in readme


def test_partition_with_chat_is_refused(runner, sample_archive, tmp_path):
    r = runner.invoke(
        app,
        ["export", "--db", str(sample_archive["db"]), "--output", str(tmp_path / "o"),
         "--partition", "--chat", "hcldr"],
    )  # fmt: skip
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        "Error: --partition exports the whole archive (so that the next export can update it); "
        "leave out --chat, or use --chat without --partition"
    ]


def test_partition_refuses_a_folder_that_holds_something_else(runner, sample_archive, tmp_path):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "notes.txt").write_text("mine")
    r = runner.invoke(
        app,
        ["export", "--db", str(sample_archive["db"]), "--output", str(tmp_path / "o"),
         "--partition"],
    )  # fmt: skip
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"Error: --output {tmp_path / 'o'}: the folder is not empty and holds no --partition "
        "export (no _schema.json); export into a new folder or add --overwrite"
    ]


def test_partition_cli_reports_written_partitions(runner, sample_archive, tmp_path):
    args = ["export", "--db", str(sample_archive["db"]), "--output", str(tmp_path / "o"),
            "--partition", "--format", "csv"]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "table,rows,files,written,removed,path"
    assert lines[1].startswith("posts,") and lines[1].split(",")[2:5] == ["13", "13", "0"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1].split(",")[2:5] == ["13", "0", "0"]


def test_overwrite_replaces_the_default_layout(sample_archive, tmp_path):
    con = dbmod.connect(sample_archive["db"], read_only=True)
    try:
        exportmod.export(con, tmp_path / "o")
        assert tree(tmp_path / "o" / "posts")[0] == "chat=hcldr/year=2016/data_0.parquet"
        exportmod.export_partitioned(con, tmp_path / "o", overwrite=True)
    finally:
        con.close()
    assert tree(tmp_path / "o" / "posts") == parts({"hcldr": HCLDR_YEARS, "uscap": USCAP_YEARS})
