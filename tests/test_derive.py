"""A load redoes only the interactions it can touch, and ends where a full rebuild would."""

from __future__ import annotations

import random

import pytest

from chatgraph import interactions

ROWS = {
    "interactions": "select * from interactions order by all",
    "connections": "select * from connections order by all",
}


def snapshot(db):
    return {name: db.execute(sql).fetchall() for name, sql in ROWS.items()}


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_loads_equal_a_full_rebuild(db, load, sample_dir, seed):
    files = sorted(p for p in sample_dir.iterdir() if p.name.startswith("hcldr_20"))
    random.Random(seed).shuffle(files)  # out of order: older weeks arrive after newer ones
    for path in files:
        (r,) = load(path, chat="hcldr")
        assert r.error is None, r.error
    after_loads = snapshot(db)
    assert len(after_loads["interactions"]) > 10_000
    interactions.refresh(db, "hcldr")
    assert snapshot(db) == after_loads


def test_a_weekly_load_redoes_only_its_week(db, load, sample_dir, tmp_path):
    from chatgraph import simulate

    (r,) = load(sample_dir / "hcldr_2016-2018_twarc1.jsonl.gz", chat="hcldr")
    before = db.execute(
        "select count(*), max(created_at) from interactions where chat_id = 'hcldr'"
    ).fetchone()
    # mark every stored row: an incremental load must leave the old weeks' rows in place
    db.execute("create temp table old_rows as select * from interactions")
    chat = simulate.generate(simulate.ChatSpec(hashtag="HCLDR"), 2012)
    late = [p for p in chat.posts if p.created_at.year == 2019 and p.created_at.month == 1]
    (week,) = simulate.write(chat, tmp_path, ["twitter-v1"], posts=late)
    (r,) = load(week, chat="hcldr")
    assert r.error is None and r.inserted == len(late)
    kept = db.execute(
        "select count(*) from old_rows o semi join interactions i using (post_id, kind, target_handle)"
    ).fetchone()[0]
    assert kept == before[0]
    incremental = snapshot(db)
    interactions.refresh(db, "hcldr")
    assert snapshot(db) == incremental
