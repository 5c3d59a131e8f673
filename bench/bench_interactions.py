"""Time interactions.refresh on a synthetic busy chat (default 500k posts), built in SQL.

Run: .venv/bin/python bench/bench_interactions.py [POSTS]
Reports seconds for a full rebuild and a second (warm) one, each also as a ratio to a baseline
measured in the same run (one pass copying the chat's posts, with their mentions, into a table), so
figures from busy machines compare.
"""

from __future__ import annotations

import os
import sys
import time

from chatgraph import db as dbmod
from chatgraph import interactions


def build(con, n: int, accounts: int = 5000) -> None:
    con.execute(
        """
        insert into accounts (account_id, platform, handle)
        select i::VARCHAR, 'twitter', 'User' || i from range(1, $a + 1) t(i)
        """,
        {"a": accounts},
    )
    con.execute(
        """
        insert into posts (post_id, platform, chat_id, created_at, author_id, author_handle, text,
                           is_retweet, retweet_of_post_id, reply_to_post_id, reply_to_author_id,
                           reply_to_handle, quote_of_post_id)
        select i::VARCHAR, 'twitter', 'busy',
               '2012-10-01 00:30:00+00'::TIMESTAMPTZ + to_seconds(i * 600),
               a::VARCHAR, 'User' || a, 'post ' || i,
               i % 10 < 3,
               case when i % 10 < 3 and i > 1 then (i - 1 - i % 7)::VARCHAR end,
               case when i % 10 between 3 and 4 and i > 10 then (i - 5)::VARCHAR end,
               case when i % 10 between 3 and 4 and i > 10 then (hash(i - 5) % $a + 1)::VARCHAR end,
               null,
               case when i % 10 = 5 and i > 10 then (i - 3)::VARCHAR end
        from (select i, hash(i) % $a + 1 as a from range(1, $n + 1) t(i))
        """,
        {"n": n, "a": accounts},
    )
    con.execute(
        """
        insert into mentions
        select i::VARCHAR, m::VARCHAR, 'User' || m
        from (select i, hash(i * 31) % $a + 1 as m from range(1, $n + 1) t(i) where i % 2 = 0)
        """,
        {"n": n, "a": accounts},
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    con = dbmod.connect(":memory:")
    con.execute("insert into chats (chat_id, hashtag) values ('busy', 'busy')")
    build(con, n)
    t0 = time.perf_counter()
    con.execute(
        "create temp table baseline as select p.*, m.handle from posts p "
        "left join mentions m using (post_id) where p.chat_id = 'busy'"
    )
    base = time.perf_counter() - t0
    print(f"baseline (copy the chat's posts and mentions): {base:.3f} s")
    for label in ("first rebuild", "second rebuild"):
        c0, t0 = os.times(), time.perf_counter()
        con.execute("begin")
        interactions.refresh(con, "busy")
        con.execute("commit")
        took, c1 = time.perf_counter() - t0, os.times()
        cpu = c1.user - c0.user + c1.system - c0.system
        print(f"{label}: {took:.3f} s ({took / base:.1f}x baseline), {cpu:.2f} s of CPU")
    counts = con.execute(
        "select kind, count(*) from interactions group by kind order by kind"
    ).fetchall()
    conns = con.execute("select count(*) from connections").fetchone()[0]
    print(f"{n} posts: interactions {dict(counts)}, connections {conns}")


if __name__ == "__main__":
    main()
