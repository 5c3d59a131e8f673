"""Time sessions.refresh and threads.refresh on a decade of a busy simulated chat (~500k posts).

    .venv/bin/python bench/threads_speed.py [--scale 9]

Posts go straight into the archive's ``posts`` table (the export writers and parsers are timed
elsewhere); then both refreshes run as ``load`` runs them, inside one transaction, a few times.
Reported next to a baseline measured in the same run: a plain ``count(*) ... group by`` scan of the
chat's posts, so that the figures carry over between machines as ratios.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import polars as pl

from chatgraph import db as dbmod
from chatgraph import sessions, simulate, threads


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=9.0)
    ap.add_argument("--seed", type=int, default=77)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", help="Parquet file to keep the simulated posts in between runs.")
    args = ap.parse_args()
    if args.cache and Path(args.cache).exists():
        df = pl.read_parquet(args.cache)
    else:
        df = simulated(args.scale, args.seed)
        if args.cache:
            df.write_parquet(args.cache)
    run(df, args.repeat)


def simulated(scale: float, seed: int) -> pl.DataFrame:
    spec = simulate.ChatSpec(
        hashtag="BigChat", hosts=("BigHost", "CoHost"), start_date=date(2013, 1, 1),
        end_date=date(2023, 10, 31), scale=scale,
    )  # fmt: skip
    t = time.perf_counter()
    chat = simulate.generate(spec, seed=seed)
    print(f"simulated {len(chat.posts):,} posts in {time.perf_counter() - t:.1f} s")
    return pl.DataFrame(
        {
            "post_id": [p.post_id for p in chat.posts],
            "created_at": [p.created_at for p in chat.posts],
            "author_id": [p.author_id for p in chat.posts],
            "author_handle": [p.author_handle for p in chat.posts],
            "text": [p.text for p in chat.posts],
            "reply_to_post_id": [p.reply_to_post_id for p in chat.posts],
            "retweet_of_post_id": [p.retweet_of_post_id for p in chat.posts],
            "quote_of_post_id": [p.quote_of_post_id for p in chat.posts],
            "is_retweet": [p.is_retweet for p in chat.posts],
        }
    )


def run(df: pl.DataFrame, repeat: int) -> None:
    con = dbmod.connect(":memory:")
    con.register("sim", df)
    con.execute("insert into chats (chat_id, hashtag) values ('bigchat', 'bigchat')")
    con.execute(
        """insert into posts (post_id, platform, chat_id, created_at, author_id, author_handle, text,
                              reply_to_post_id, retweet_of_post_id, quote_of_post_id, is_retweet)
           select post_id, 'twitter', 'bigchat', created_at, author_id, author_handle, text,
                  reply_to_post_id, retweet_of_post_id, quote_of_post_id, is_retweet from sim"""
    )
    n = con.execute("select count(*) from posts").fetchall()[0][0]
    # The last week's posts play the part of a new weekly export.
    con.execute(
        """create temp table last_week as select post_id from posts
           where created_at > (select max(created_at) from posts) - interval 7 day"""
    )
    n_new = con.execute("select count(*) from last_week").fetchall()[0][0]

    def timed(steps) -> list[float]:
        out = []
        for step in steps:
            t = time.perf_counter()
            step(con, "bigchat")
            out.append(time.perf_counter() - t)
        return out

    base, full, incr = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        con.execute("select author_id, count(*) from posts group by 1").fetchall()
        base.append(time.perf_counter() - t)
        con.execute("begin")
        con.execute("delete from post_threads")
        full.append(timed([sessions.refresh, threads.refresh]))
        con.execute("commit")
        con.execute("begin")
        con.execute("delete from post_threads where post_id in (select post_id from last_week)")
        incr.append(timed([sessions.refresh, threads.refresh]))
        con.execute("commit")
    b = min(base)
    f = min(full, key=sum)
    i = min(incr, key=sum)
    sessions_found = con.execute("select count(*) from sessions").fetchall()[0][0]
    print(f"{n:,} posts, {sessions_found} sessions; a new week of {n_new:,} posts")
    print(f"baseline: group-by scan of posts   {b * 1000:8.1f} ms")
    for label, (s, q) in (("rebuild (first load)", f), ("incremental (new week)", i)):
        total = s + q
        print(
            f"{label:24} sessions {s * 1000:7.1f} ms  threads {q * 1000:7.1f} ms  "
            f"total {total * 1000:7.1f} ms ({total / b:.1f}x baseline)"
        )


if __name__ == "__main__":
    main()
