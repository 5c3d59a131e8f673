"""How good are `chatgraph people suggest`'s suggestions? Precision and recall against the simulator.

Loads sample_exports/ into a temporary archive and compares the suggested pairs with the pairs of
accounts the simulator says are one person (:func:`chatgraph.simulate.model.people`: the #HCLDR
hosts and the organisations people mention moved from Twitter to Mastodon and Bluesky), at the
default minimum score and at others. Run by hand: ``.venv/bin/python bench/people_suggest.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from chatgraph import chats, derive, ingest, people
from chatgraph import db as dbmod
from chatgraph.simulate.model import people as sim_people
from chatgraph.simulate.samples import sample_chats

SAMPLES = Path(__file__).resolve().parent.parent / "sample_exports"


def truth_pairs(con, person_of: dict[str, str]) -> set[tuple[str, str]]:
    platform = dict(con.execute("select lower(handle), platform from accounts").fetchall())
    keys = sorted(k for k in person_of if k in platform)
    return {
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if person_of[a] == person_of[b] and platform[a] != platform[b]
    }


def main() -> int:
    sims = sample_chats()
    person_of = sim_people([sims["hcldr"], sims["hcldr-mastodon"], sims["hcldr-bluesky"]])
    with tempfile.TemporaryDirectory() as tmp:
        con = dbmod.connect(Path(tmp) / "samples.duckdb")
        chats.add(con, "hcldr")
        con.execute("update chats set timezone = 'America/New_York' where chat_id = 'hcldr'")
        ingest.load(con, sorted(SAMPLES.glob("hcldr_*")), refresh=False)
        derive.refresh(con, ["hcldr"])
        truth = truth_pairs(con, person_of)
        print(f"{len(truth)} true cross-platform pairs in the samples")
        print("min score | suggested | right | precision | recall")
        for score in (0.3, 0.4, people.SUGGEST_MIN_SCORE, 0.6, 0.7, 0.8):
            df = people.suggest(con, "hcldr", min_score=score)
            got = {(a, b) for a, b in df.select("a_handle", "b_handle").iter_rows()}
            right = got & truth
            precision = len(right) / len(got) if got else float("nan")
            recall = len(right) / len(truth)
            mark = " (default)" if score == people.SUGGEST_MIN_SCORE else ""
            print(
                f"{score:9.2f} | {len(got):9} | {len(right):5} | {precision:9.2f} | "
                f"{recall:6.2f}{mark}"
            )
        df = people.suggest(con, "hcldr")
        wrong = [
            (a, b, e)
            for a, b, e in df.select("a_handle", "b_handle", "evidence").iter_rows()
            if (a, b) not in truth
        ]
        print("wrong at the default:")
        for a, b, e in wrong:
            print(f"  {a} ~ {b}: {e}")
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
