"""Time growth (per year, per session), a year's graph and its metrics on a synthetic busy chat.

Run: .venv/bin/python bench/bench_growth.py [POSTS]
The chat is bench_interactions.py's (default 500k posts, 5,000 accounts) with weekly sessions.
Each figure is also a ratio to a baseline measured in the same run (one pass copying the chat's
posts and mentions).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_interactions import build  # noqa: E402

from chatgraph import db as dbmod  # noqa: E402
from chatgraph import graphs, interactions  # noqa: E402
from chatgraph.growth import growth  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    con = dbmod.connect(":memory:")
    con.execute("insert into chats (chat_id, hashtag) values ('busy', 'busy')")
    build(con, n)
    con.execute(
        "insert into post_threads select post_id, 'busy', "
        "'w' || (epoch(created_at)::BIGINT // (7 * 86400)), 1, 'bench' from posts"
    )
    con.execute(
        "insert into sessions select session_id, 'busy', min(p.created_at), max(p.created_at), "
        "min(p.created_at)::DATE, count(*), 0 from post_threads t join posts p using (post_id) "
        "group by session_id"
    )
    interactions.refresh(con, "busy")
    t0 = time.perf_counter()
    con.execute(
        "create temp table baseline as select p.*, m.handle from posts p "
        "left join mentions m using (post_id) where p.chat_id = 'busy'"
    )
    base = time.perf_counter() - t0
    print(f"baseline (copy the chat's posts and mentions): {base:.3f} s")

    def timed(label, fn):
        t0 = time.perf_counter()
        out = fn()
        took = time.perf_counter() - t0
        print(f"{label}: {took:.3f} s ({took / base:.1f}x baseline)")
        return out

    years = timed("growth by year", lambda: growth(con, "busy"))
    sessions = timed("growth by session", lambda: growth(con, "busy", by="session"))
    year = years["year"][len(years) // 2]
    g = timed(f"graph of {year}", lambda: graphs.build(con, graphs.Scope("busy", year=year)))
    timed(f"metrics of {year} ({g.number_of_nodes()} accounts, {g.number_of_edges()} edges)",
          lambda: graphs.metrics(g))  # fmt: skip
    print(f"{n} posts: {years.height} years, {sessions.height} sessions")


if __name__ == "__main__":
    main()
