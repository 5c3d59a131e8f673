"""Score sessions and question threads against simulated chats, loaded with no configuration.

    .venv/bin/python bench/threads_accuracy.py [--search-only]

Each chat is simulated from a seed, written in an export format, loaded with ``ingest.load`` and
scored with :mod:`chatgraph.accuracy` (sessions paired with true sittings by majority; a post is
right when its session, and then its question, is). ``--search-only`` also scores the exports a
bare hashtag search would give (replies without the hashtag missing, so some replies point at
posts the archive never saw).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from chatgraph import accuracy, simulate

CHATS = [
    ("new-york-t", 4811, "twitter-v1", dict(
        hashtag="HCLDRsim", hosts=("HCLDRhost", "ColinSim"), timezone="America/New_York",
        weekday=1, start="20:30", question_prefix="T",
        start_date=date(2016, 1, 1), end_date=date(2018, 12, 31))),
    ("chicago-q", 4101, "twitter-v1", dict(
        hashtag="MidwestPT", hosts=("MidwestPTchat",), timezone="America/Chicago", weekday=3,
        start="19:00", question_prefix="Q", start_date=date(2015, 2, 1), end_date=date(2016, 5, 31))),
    ("paris-t-cohosts", 4202, "twitter-v1", dict(
        hashtag="SanteNum", hosts=("SanteNumFR", "DrClaireM"), timezone="Europe/Paris", weekday=0,
        start="21:00", question_prefix="T", start_date=date(2017, 9, 1), end_date=date(2018, 11, 30))),
    ("melbourne-q5", 4303, "twitter-v1", dict(
        hashtag="AusHealthChat", hosts=("AusHealthHost",), timezone="Australia/Melbourne",
        weekday=6, start="20:00", question_prefix="Q", questions=5,
        start_date=date(2019, 1, 1), end_date=date(2020, 3, 31))),
    ("kolkata-t", 4404, "twitter-v1", dict(
        hashtag="IndiaMedEd", hosts=("MedEdIndia",), timezone="Asia/Kolkata", weekday=5,
        start="18:30", question_prefix="T", start_date=date(2020, 6, 1), end_date=date(2021, 8, 31))),
    ("denver-late-q", 4505, "twitter-v1", dict(
        hashtag="NightShiftRN", hosts=("NightShiftHost",), timezone="America/Denver", weekday=2,
        start="22:30", question_prefix="Q", start_date=date(2013, 10, 1), end_date=date(2014, 12, 20))),
    ("new-york-t v2", 4811, "twitter-v2", dict(
        hashtag="HCLDRsim", hosts=("HCLDRhost", "ColinSim"), timezone="America/New_York",
        weekday=1, start="20:30", question_prefix="T",
        start_date=date(2016, 1, 1), end_date=date(2018, 12, 31))),
    ("mastodon-q", 4912, "mastodon", dict(
        hashtag="FediHealth", hosts=("FediHost",), platform="mastodon", timezone="Europe/Berlin",
        weekday=3, start="19:30", question_prefix="Q",
        start_date=date(2023, 1, 1), end_date=date(2023, 6, 30))),
    ("bluesky-t", 4913, "bluesky", dict(
        hashtag="SkyNurses", hosts=("skynurses",), platform="bluesky", timezone="America/Toronto",
        weekday=2, start="20:00", question_prefix="T",
        start_date=date(2024, 1, 1), end_date=date(2024, 6, 30))),
    ("conference", 4606, "twitter-v1", dict(
        hashtag="PathConf", kind="conference", timezone="America/Los_Angeles",
        meetings=((date(2014, 3, 1), 5), (date(2015, 3, 21), 6), (date(2016, 3, 12), 6)),
        start_date=date(2014, 1, 1), end_date=date(2016, 12, 31))),
]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--search-only", action="store_true", help="Also score hashtag-search exports.")
    args = ap.parse_args()
    print(f"{'chat':18} {'format':11} {'posts':>7} {'sittings':>8} {'found':>6} "
          f"{'session':>8} {'question':>9}  wrong (by kind)")  # fmt: skip
    total = right_s = right_q = 0
    variants = [False, True] if args.search_only else [False]
    for name, seed, fmt, kw in CHATS:
        chat = simulate.generate(simulate.ChatSpec(**kw), seed=seed)
        for search_only in variants:
            t = time.perf_counter()
            con = (
                _search_only(chat, fmt)
                if search_only
                else accuracy.load_simulated(chat, formats=[fmt])
            )
            s = accuracy.score(con, chat)
            found = con.execute("select count(*) from sessions").fetchall()[0][0]
            con.close()
            label = name + (" (search)" if search_only else "")
            print(
                f"{label:18} {fmt:11} {s.posts:7d} {len(chat.sessions):8d} {found:6d} "
                f"{s.session_share:8.3%} {s.question_share:9.3%}  {s.wrong_by_kind or ''}"
                f"  [{time.perf_counter() - t:.1f} s]"
            )
            if not search_only:
                total, right_s, right_q = (
                    total + s.posts,
                    right_s + s.right_session,
                    right_q + s.right_question,
                )
    print(f"{'all (full exports)':18} {'':11} {total:7d} {'':8} {'':6} "
          f"{right_s / total:8.3%} {right_q / total:9.3%}")  # fmt: skip


def _search_only(chat, fmt):
    """An archive of what a bare hashtag search returns; scored against every post's truth."""
    import tempfile

    from chatgraph import db as dbmod
    from chatgraph import ingest

    con = dbmod.connect(":memory:")
    with tempfile.TemporaryDirectory() as tmp:
        paths = simulate.write(chat, tmp, formats=[fmt], search_only=True)
        ingest.load(con, [str(p) for p in paths])
    return con


if __name__ == "__main__":
    main()
