"""A load killed at any moment leaves the archive as before or as after, never half; loads queue up.

Each kill runs ``python -m chatgraph load`` in a subprocess and sends SIGKILL after a seeded random
delay. More kills: ``CHATGRAPH_FAULT_KILLS=100 CHATGRAPH_FAULT_MIXED_KILLS=20 pytest tests/test_faults.py -s``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
import synth

from chatgraph import db as dbmod
from chatgraph import ingest
from chatgraph.errors import ArchiveBusy

BIG = 10_000  # tweets: one to two seconds to load, with derive.refresh
BASE = 50
KILLS = int(os.environ.get("CHATGRAPH_FAULT_KILLS", "10"))
FIGURES: dict[str, int] = {"kills": 0, "before": 0, "after": 0, "posts_lost": 0}


# `python -m chatgraph` with marks written (unbuffered) as the load passes its steps, so that each
# kill can be placed: before the file's transaction, inside it, or after its commit.
TRACED = """
import os, sys, time
from dataclasses import replace
from chatgraph import derive, formats, ingest
from chatgraph.cli import app
marks = open(os.environ["CG_MARKS"], "a", buffering=1)
detect, archive, refresh, load = formats.detect, ingest._archive, derive.refresh, ingest.load
def staged(fmt):
    def stage(*a, **k):
        marks.write(f"stage {time.time()}\\n")
        return fmt.stage(*a, **k)
    return replace(fmt, stage=stage)
formats.detect = lambda *a, **k: staged(detect(*a, **k))
def archived(*a, **k):
    marks.write(f"archive {time.time()}\\n")
    return archive(*a, **k)
def refreshed(*a, **k):
    marks.write(f"refresh {time.time()}\\n")
    return refresh(*a, **k)
def loaded(*a, **k):
    out = load(*a, **k)
    done = "committed" if all(r.error is None for r in out) else "failed"
    marks.write(f"{done} {time.time()}\\n")
    return out
ingest._archive, derive.refresh, ingest.load = archived, refreshed, loaded
app(prog_name="chatgraph", args=sys.argv[1:])
"""


def run_load(
    path: Path, db: Path, tmp: Path, marks: Path | None = None, **popen
) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp), "CHATGRAPH_DEBUG": ""}
    args = ["load", str(path), "--db", str(db), "--chat", "hcldr", "--format", "csv"]
    if marks is None:
        return subprocess.Popen([sys.executable, "-m", "chatgraph", *args], env=env, **popen)
    env["CG_MARKS"] = str(marks)
    return subprocess.Popen([sys.executable, "-c", TRACED, *args], env=env, **popen)


def read_marks(marks: Path) -> list[tuple[str, float]]:
    if not marks.exists():
        return []
    return [(m, float(t)) for m, t in (line.split() for line in marks.read_text().splitlines())]


def last_mark(marks: Path) -> str:
    found = read_marks(marks)
    return found[-1][0] if found else "started"


def copy_archive(src: Path, dst: Path) -> None:
    for suffix in ("", ".wal"):
        target = Path(str(dst) + suffix)
        if target.exists():
            target.unlink()
        source = Path(str(src) + suffix)
        if source.exists():
            shutil.copy(source, target)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A base archive (one small file loaded), the big file, and the archive after loading it."""
    tmp = tmp_path_factory.mktemp("faults")
    big = synth.write_v1(tmp / "big.jsonl", BIG)
    small = synth.write_v1(tmp / "small.jsonl", BASE, first=1_000_000)
    base = tmp / "base.duckdb"
    con = dbmod.connect(base)
    (r,) = ingest.load(con, [small], chat="hcldr")
    assert (r.error, r.inserted) == (None, BASE)
    con.close()
    before = synth.snapshot_file(base)

    ref = tmp / "ref.duckdb"
    copy_archive(base, ref)
    marks = tmp / "ref-marks.txt"
    started = time.time()
    proc = run_load(big, ref, tmp, marks, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    duration = time.time() - started
    at = dict(read_marks(marks))
    # when the file's transaction runs, seconds after the process starts
    window = (at["archive"] - started, at["committed"] - started)
    assert proc.returncode == 0, err
    assert f"big.jsonl,twitter-v1,hcldr,{BIG},{BIG},0,0,loaded" in out
    after = synth.snapshot_file(ref)
    assert after["posts"] == BASE + BIG
    return {
        "tmp": tmp,
        "big": big,
        "base": base,
        "before": before,
        "after": after,
        "duration": duration,
        "window": window,
    }


def test_killed_load_leaves_archive_before_or_after_and_rerun_completes(world):
    tmp, big, before, after = world["tmp"], world["big"], world["before"], world["after"]
    assert before != after
    work = tmp / "work.duckdb"
    copy_archive(world["base"], work)
    rng = random.Random(8)
    outcomes = []
    marks = tmp / "marks.txt"
    for _ in range(KILLS):
        marks.unlink(missing_ok=True)
        proc = run_load(big, work, tmp, marks, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # every other kill aims at the transaction (from its first mark on, somewhere within the
        # length it took in the reference load); the rest land anywhere from start to exit
        if len(outcomes) % 2 == 0:
            begun, ended = world["window"]
            deadline = time.monotonic() + 60
            while last_mark(marks) in ("started", "stage") and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, ended - begun))
        else:
            time.sleep(rng.uniform(0.15, 1.3) * world["duration"])
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        FIGURES["kills"] += 1
        where = last_mark(marks)  # started, stage, archive, refresh or committed
        assert where != "failed", "the load itself failed: run it by hand to see why"
        FIGURES[f"at_{where}"] = FIGURES.get(f"at_{where}", 0) + 1
        state = synth.snapshot_file(work)  # opening after the kill works (and replays the WAL)
        assert state in (before, after), f"half a load after kill {len(outcomes) + 1}: {state}"
        outcome = "before" if state == before else "after"
        if where == "started":
            assert outcome == "before"
        if where == "committed":
            assert outcome == "after"
        outcomes.append(f"{where}->{outcome}")
        FIGURES[outcome] += 1
        if outcome == "after":
            copy_archive(world["base"], work)
    # staging reads the file into temp tables before the transaction; archive and refresh are in it
    inside = sum(FIGURES.get(f"at_{m}", 0) for m in ("archive", "refresh"))
    assert inside >= 1, f"no kill landed inside the transaction: {outcomes}"
    # The same load, run again on what the last kill left, completes it.
    proc = run_load(big, work, tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"big.jsonl,twitter-v1,hcldr,{BIG},{BIG},0,0,loaded" in out
    assert synth.snapshot_file(work) == after
    FIGURES["posts_lost"] += BASE + BIG - after["posts"]
    window = "-".join(f"{t:.2f}" for t in world["window"])
    print(
        f"\nfault figures: {FIGURES} outcomes={outcomes} transaction={window}s of {world['duration']:.2f}s"
    )


def test_two_loads_at_once_second_waits_and_both_land(world, tmp_path):
    db = tmp_path / "two.duckdb"
    copy_archive(world["base"], db)
    other = synth.write_v1(tmp_path / "other.jsonl", 2_000, first=2_000_000)
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    marks1, marks2 = tmp_path / "first.txt", tmp_path / "second.txt"
    first = run_load(world["big"], db, tmp_path, marks1, **pipes)
    deadline = time.monotonic() + 60
    while last_mark(marks1) == "started" and time.monotonic() < deadline:
        time.sleep(0.02)  # until the first load is inside its transaction, holding the archive
    second_started = time.time()
    second = run_load(other, db, tmp_path, marks2, **pipes)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), (err1, err2)
    assert "other.jsonl,twitter-v1,hcldr,2000,2000,0,0,loaded" in out2
    one, two = dict(read_marks(marks1)), dict(read_marks(marks2))
    assert second_started < one["committed"] <= two["stage"]  # it overlapped, and it waited
    state = synth.snapshot_file(db)
    assert (state["posts"], state["sources"]) == (BASE + BIG + 2_000, 3)


def test_archive_busy_past_the_wait_is_one_clear_line(world, tmp_path, runner, monkeypatch):
    db = tmp_path / "busy.duckdb"
    copy_archive(world["base"], db)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)",
         str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ArchiveBusy) as e:
            dbmod.connect(db, wait_seconds=0.5)
        assert str(e.value) == (
            f"{db}: the archive is in use by another process (PID {holder.pid}); "
            "wait for it to finish and run the command again"
        )
        from chatgraph.cli import app

        monkeypatch.setattr(dbmod, "connect", partial(dbmod.connect, wait_seconds=0.5))
        small = synth.write_v1(tmp_path / "small.jsonl", 5, first=3_000_000)
        result = runner.invoke(app, ["load", str(small), "--db", str(db)])
        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [f"Error: {e.value}"]
    finally:
        holder.kill()
        holder.wait()
    assert synth.snapshot_file(db) == world["before"]


def test_load_is_one_transaction_including_derive_refresh(tmp_path, monkeypatch):
    """A failure in derive.refresh (the last step) rolls the whole file back."""
    from chatgraph import derive

    con = dbmod.connect(tmp_path / "tx.duckdb")
    good = synth.write_v1(tmp_path / "good.jsonl", 30)
    before = synth.snapshot(con)

    def broken(con, chat_ids, **kw):
        con.execute("select * from no_such_table")

    monkeypatch.setattr(derive, "refresh", broken)
    (r,) = ingest.load(con, [good], chat="hcldr")
    assert r.error is not None and "no_such_table" in r.error
    assert synth.snapshot(con) == before
    monkeypatch.undo()
    (r,) = ingest.load(con, [good], chat="hcldr")
    assert (r.error, r.inserted) == (None, 30)
    con.close()


MIXED = ["twitter-v1", "twitter-v2", "mastodon", "bluesky", "tags", "rtweet", "twarc-csv"]
MIXED_KILLS = int(os.environ.get("CHATGRAPH_FAULT_MIXED_KILLS", "3"))


def test_killed_folder_load_of_every_format_stops_between_files(tmp_path):
    """A folder with a file of each format: a kill leaves whole files loaded, never part of one."""
    folder = tmp_path / "exports"
    folder.mkdir()
    names = []
    for k, fmt in enumerate(MIXED):
        name = f"{k}_{fmt}.{'csv' if fmt in synth.CSV_FORMATS else 'json'}"
        records = [synth.record(fmt, i) for i in range(k * 10_000, k * 10_000 + 300)]
        synth.write_records(fmt, folder / name, records)
        names.append(name)
    db = tmp_path / "mixed.duckdb"
    dbmod.connect(db).close()
    empty = tmp_path / "empty.duckdb"
    copy_archive(db, empty)
    # the archive after each prefix of the folder's files (it loads them in name order)
    prefix = tmp_path / "prefix.duckdb"
    copy_archive(empty, prefix)
    states = [synth.snapshot_file(prefix)]
    for name in names:
        con = dbmod.connect(prefix)
        (r,) = ingest.load(con, [folder / name], chat="hcldr")
        assert (r.error, r.inserted) == (None, 300), (name, r.error)
        con.close()
        states.append(synth.snapshot_file(prefix))
    started = time.monotonic()
    proc = run_load(folder, db, tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.wait(timeout=300) == 0
    duration = time.monotonic() - started
    assert synth.snapshot_file(db) == states[-1]
    rng = random.Random(88)
    seen = []
    for _ in range(MIXED_KILLS):
        copy_archive(empty, db)
        proc = run_load(folder, db, tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        FIGURES["kills"] += 1
        state = synth.snapshot_file(db)
        assert state in states, f"part of a file after a kill: {state}"
        seen.append(states.index(state))
        # the same load again completes the folder
        assert run_load(folder, db, tmp_path, stdout=subprocess.DEVNULL).wait(timeout=300) == 0
        assert synth.snapshot_file(db) == states[-1]
    print(f"\nmixed-format kills stopped after files: {seen} of {len(names)}")
