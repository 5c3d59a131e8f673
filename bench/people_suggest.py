"""How good are `chatgraph people suggest`'s suggestions? Precision and recall against the simulator.

Two archives, each compared with the pairs of accounts on different platforms that the simulator
says are one person (:func:`chatgraph.simulate.model.people`):

- ``samples``: sample_exports/, where the #HCLDR hosts and the organisations people mention moved
  from Twitter to Mastodon and Bluesky, and every other Mastodon and Bluesky member is new;
- ``movers``: :func:`chatgraph.simulate.samples.moved_chats`, the same chats where most Mastodon
  and Bluesky newcomers are Twitter members under new accounts (most keep their name, many their
  handle's name, some announce the move).

Run by hand: ``.venv/bin/python bench/people_suggest.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import duckdb

from chatgraph import chats, derive, ingest, people
from chatgraph import db as dbmod
from chatgraph.simulate.model import people as sim_people
from chatgraph.simulate.samples import moved_chats, sample_chats
from chatgraph.simulate.writers import write

SAMPLES = Path(__file__).resolve().parent.parent / "sample_exports"
SCORES = (0.3, 0.4, people.SUGGEST_MIN_SCORE, 0.6, 0.7, 0.8)


def truth_pairs(con: duckdb.DuckDBPyConnection, person_of: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs (a < b) of the archive's accounts on different platforms that are one person."""
    platform = dict(con.execute("select lower(handle), platform from accounts").fetchall())
    keys = sorted(k for k in person_of if k in platform)
    return {
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if person_of[a] == person_of[b] and platform[a] != platform[b]
    }


def quality(
    con: duckdb.DuckDBPyConnection, truth: set[tuple[str, str]], min_score: float
) -> tuple[int, int, float, float]:
    """Suggested, right, precision and recall at ``min_score``."""
    df = people.suggest(con, "hcldr", min_score=min_score)
    got = {(a, b) for a, b in df.select("a_handle", "b_handle").iter_rows()}
    right = len(got & truth)
    return len(got), right, right / len(got) if got else float("nan"), right / len(truth)


def samples_archive(folder: Path) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    sims = sample_chats()
    con = dbmod.connect(folder / "samples.duckdb")
    chats.add(con, "hcldr")
    ingest.load(con, sorted(SAMPLES.glob("hcldr_*")), refresh=False)
    derive.refresh(con, ["hcldr"])
    return con, sim_people([sims["hcldr"], sims["hcldr-mastodon"], sims["hcldr-bluesky"]])


def movers_archive(folder: Path) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    sims = moved_chats()
    files = []
    for name, fmt in (
        ("hcldr", "twitter-v2"),
        ("hcldr-mastodon", "mastodon"),
        ("hcldr-bluesky", "bluesky"),
    ):
        files += write(sims[name], folder, [fmt], stem=name)
    con = dbmod.connect(folder / "movers.duckdb")
    chats.add(con, "hcldr")
    ingest.load(con, files, chat="hcldr")
    return con, sim_people(sims.values())


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("samples", samples_archive), ("movers", movers_archive)):
            con, person_of = make(Path(tmp))
            truth = truth_pairs(con, person_of)
            print(f"\n{name}: {len(truth)} true cross-platform pairs")
            print("min score | suggested | right | precision | recall")
            for score in SCORES:
                got, right, precision, recall = quality(con, truth, score)
                mark = " (default)" if score == people.SUGGEST_MIN_SCORE else ""
                print(
                    f"{score:9.2f} | {got:9} | {right:5} | {precision:9.2f} | {recall:6.2f}{mark}"
                )
            df = people.suggest(con, "hcldr")
            got = set(df.select("a_handle", "b_handle").iter_rows())
            for a, b, e in df.select("a_handle", "b_handle", "evidence").iter_rows():
                if (a, b) not in truth:
                    print(f"  wrong: {a} ~ {b}: {e}")
            for a, b in sorted(truth - got):
                print(f"  missed: {a} ~ {b}")
            con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
