from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatgraph import db as dbmod
from chatgraph import ingest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"
SAMPLES = ROOT / "sample_exports"
DATA = Path(__file__).resolve().parent / "data"


def realdata(rel: str) -> Path:
    """A file of ../shared/realdata, or a clean skip where that folder is absent."""
    path = REALDATA / rel
    if not path.exists():
        pytest.skip(f"real sample {rel} not present")
    return path


@pytest.fixture
def db():
    con = dbmod.connect(":memory:")
    yield con
    con.close()


@pytest.fixture
def load(db):
    """Load paths into the in-memory archive; returns the list of FileResults."""

    def _load(*paths, **kw):
        return ingest.load(db, [str(p) for p in paths], **kw)

    return _load


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def sample_dir():
    if not any(SAMPLES.glob("*")):
        pytest.skip("sample_exports/ not generated")
    return SAMPLES


def _java() -> bool:
    import os
    import shutil

    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and Path(home, "bin", "java").exists()))


def load_samples(con, hcldr: list[Path] | None = None) -> None:
    """Load the samples into ``con`` as a moderator would: each chat in its time zone (the demo's),
    every hcldr file (or ``hcldr``) and uscap, the derived tables refreshed once at the end."""
    from chatgraph import chats, demo, derive

    for chat, zone in demo.bundled_timezones().items():
        chats.add(con, chat)
        chats.set_chat(con, chat, timezone=zone)
    hcldr = sorted(SAMPLES.glob("hcldr_*")) if hcldr is None else hcldr
    results = ingest.load(con, hcldr, refresh=False)
    results += ingest.load(con, [SAMPLES / "uscap_2016-2019_twarc1.jsonl"], refresh=False)
    assert [r.error for r in results] == [None] * len(results)
    assert [r.chat_id for r in results] == ["hcldr"] * len(hcldr) + ["uscap"]
    derive.refresh(con, ["hcldr", "uscap"])


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The whole sample archive, built once per run; open it read-only, or copy it to change it."""
    if not any(SAMPLES.glob("*.json*")):
        pytest.skip("sample_exports/ not generated")
    path = tmp_path_factory.mktemp("samples") / "sample.duckdb"
    con = dbmod.connect(path)
    try:
        load_samples(con)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test run (two cores, few shuffle partitions, no UI)."""
    pytest.importorskip(
        "pyspark", reason="PySpark is not installed: pip install 'chatgraph[spark]'"
    )
    if not _java():
        pytest.skip(
            "Spark tests skipped: Java is not installed and could not be installed "
            "(apt-get install openjdk-17-jre-headless; .ci/run does this as root)"
        )
    from chatgraph import spark as sparkmod

    session = sparkmod.session("local[2]", "chatgraph-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory):
    """The sample archive (every hcldr file, and uscap) with the chats' time zones, built once;
    the last week of hcldr (its Bluesky posts from 17 December 2024 on) is held back in
    ``last_week`` for the tests that load a new week."""
    import json

    if not any(SAMPLES.glob("*.json*")):
        pytest.skip("sample_exports/ not generated")
    folder = tmp_path_factory.mktemp("sample_archive")
    bluesky = json.loads((SAMPLES / "hcldr_2024_bluesky.json").read_text())
    early = [p for p in bluesky["posts"] if p["record"]["createdAt"] < "2024-12-17"]
    late = [p for p in bluesky["posts"] if p["record"]["createdAt"] >= "2024-12-17"]
    (folder / "hcldr_2024_bluesky_early.json").write_text(json.dumps(bluesky | {"posts": early}))
    last_week = folder / "hcldr_2024-12-17_bluesky.json"
    last_week.write_text(json.dumps(bluesky | {"posts": late}))
    con = dbmod.connect(folder / "sample.duckdb")
    hcldr = [p for p in sorted(SAMPLES.glob("hcldr_*")) if p.name != "hcldr_2024_bluesky.json"]
    load_samples(con, [*hcldr, folder / "hcldr_2024_bluesky_early.json"])
    con.close()
    return {"db": folder / "sample.duckdb", "last_week": last_week, "early": len(early),
            "late": len(late)}  # fmt: skip
