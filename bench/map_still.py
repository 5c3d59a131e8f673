"""Seconds from opening a busy year's map (2,000 accounts, ~20,000 pairs) to a still picture.

Fills an in-memory archive with one synthetic year of interactions (seeded: a few dense communities,
long-tailed activity), writes its map, opens it in headless Chromium with every non-file request
blocked, and measures the time from navigation to vis-network's first drawn frame, then checks that
the picture is still: no node moves and nothing is redrawn in the following second.

    .venv/bin/python bench/map_still.py [--nodes 2000] [--pairs 20000] [--keep FILE] [--json]

Needs Chromium (/usr/bin/chromium) and the playwright package (the test extra); no browser download.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from chatgraph import db as dbmod
from chatgraph import interactions, maps

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
LIMIT_SECONDS = 5.0


def fill(con, nodes: int, pairs: int, seed: int = 1) -> int:
    """One year of a busy chat: ``pairs`` distinct pairs among ``nodes`` accounts, in communities."""
    rng = random.Random(seed)
    con.execute("insert into chats (chat_id, hashtag) values ('busy', 'busy')")
    groups = 12
    group = [i % groups for i in range(nodes)]
    activity = [1.0 / (i + 10) ** 0.8 for i in range(nodes)]
    members = [[i for i in range(nodes) if group[i] == g] for g in range(groups)]
    everyone = list(range(nodes))
    cum = list(itertools.accumulate(activity))
    cums = [list(itertools.accumulate(activity[i] for i in m)) for m in members]
    chosen: set[tuple[int, int]] = set()
    while len(chosen) < pairs:
        a = rng.choices(everyone, cum_weights=cum)[0]
        if rng.random() < 0.8:
            g = group[a]
            b = rng.choices(members[g], cum_weights=cums[g])[0]
        else:
            b = rng.choices(everyone, cum_weights=cum)[0]
        if a != b:
            chosen.add((min(a, b), max(a, b)))
    rows = []
    posts = []
    n = 0
    for a, b in sorted(chosen):
        # Most of a busy year's pairs already talked the year before: they are not new connections.
        years = [2018, 2019] if rng.random() < 0.6 else [2019]
        for year, _ in itertools.product(years, range(1 + int(rng.expovariate(0.7)))):
            n += 1
            src, dst = (a, b) if rng.random() < 0.5 else (b, a)
            start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
            at = start + dt.timedelta(minutes=rng.randrange(364 * 24 * 60))
            kind = rng.choice(["reply", "mention", "mention", "quote"])
            rows.append(
                (f"p{n}", at, "busy", None, None, kind, str(src), f"u{src}", str(dst), f"u{dst}")
            )
            posts.append((f"p{n}", "twitter", "busy", at, str(src), f"u{src}", f"post {n}"))
    cols = ["post_id", "created_at", "chat_id", "session_id", "question", "kind", "source_id",
            "source_handle", "target_id", "target_handle"]  # fmt: skip
    edges = pl.DataFrame(rows, schema=cols, orient="row")  # noqa: F841 (read by DuckDB below)
    con.execute("insert into interactions select * from edges")
    cols = ["post_id", "platform", "chat_id", "created_at", "author_id", "author_handle", "text"]
    chat_posts = pl.DataFrame(posts, schema=cols, orient="row")  # noqa: F841
    con.execute(f"insert into posts ({', '.join(cols)}) select * from chat_posts")
    con.execute(
        "insert into accounts select distinct author_id, 'twitter', author_handle, "
        "'User ' || author_id, min(created_at) over (partition by author_id), "
        "max(created_at) over (partition by author_id) from posts"
    )
    interactions.refresh_connections(con, "busy")
    return len(rows)


def measure(path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    outside: list[str] = []
    errors: list[str] = []
    with (
        sync_playwright() as p,
        tempfile.TemporaryDirectory() as profile,
    ):
        browser = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        page = browser.new_page()

        def block(route):
            if not route.request.url.startswith(("file:", "data:", "about:")):
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", block)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="commit")
        page.wait_for_function("window.chatgraphDrawnAt !== undefined", timeout=60_000)
        wall = time.perf_counter() - t0
        drawn = page.evaluate("window.chatgraphDrawnAt") / 1000.0
        marks = page.evaluate(
            "performance.getEntriesByType('mark').map(m => [m.name, m.startTime / 1000])"
        )
        print("page: " + ", ".join(f"{name.split(':')[1]} {t:.2f} s" for name, t in marks))
        still = page.evaluate(
            """() => new Promise(resolve => {
                const net = window.network;
                const before = net.getPositions();
                let draws = 0;
                net.on('afterDrawing', () => draws++);
                setTimeout(() => {
                    const after = net.getPositions();
                    let moved = 0;
                    for (const id in before)
                        if (before[id].x !== after[id].x || before[id].y !== after[id].y) moved++;
                    resolve({moved, draws, nodes: net.body.data.nodes.length,
                             edges: window.chatgraphMap.pairs(),
                             painted: window.chatgraphMap.painted});
                }, 1000);
            })"""
        )
        browser.close()
    if outside or errors:
        raise SystemExit(f"outside requests {outside} or page errors {errors}")
    return {"drawn": drawn, "wall": wall, **still}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--pairs", type=int, default=20000)
    ap.add_argument("--keep", type=Path, help="also keep the map here")
    ap.add_argument("--json", action="store_true", help="end with one JSON line (for bench/run.py)")
    args = ap.parse_args()
    con = dbmod.connect(":memory:")
    n = fill(con, args.nodes, args.pairs)
    t = time.perf_counter()
    result = maps.write_map(con, args.keep or Path(tempfile.mkdtemp()) / "map.html", year=2019)
    build = time.perf_counter() - t
    size = result.path.stat().st_size / 1e6
    print(
        f"map: {result.nodes} accounts, {result.edges} pairs from {n} interactions, {size:.1f} MB"
    )
    print(f"built and written in {build:.2f} s (layout, communities, page)")
    m = measure(result.path)
    print(
        f"browser: first drawn frame {m['drawn']:.2f} s after navigation "
        f"({m['wall']:.2f} s wall clock from goto); in the next second "
        f"{m['moved']} nodes moved, {m['draws']} redraws; "
        f"{m['nodes']} nodes and {m['edges']} edges on the page"
    )
    ok = m["drawn"] <= LIMIT_SECONDS and m["moved"] == 0 and m["draws"] == 0
    print(f"seconds to a still picture: {m['drawn']:.2f} (limit {LIMIT_SECONDS:.0f} s): "
          f"{'ok' if ok else 'TOO SLOW OR NOT STILL'}")  # fmt: skip
    if args.json:
        figures = {"nodes": m["nodes"], "edges": m["edges"], "seconds": round(m["drawn"], 3),
                   "build_seconds": round(build, 3), "moved": m["moved"], "draws": m["draws"]}  # fmt: skip
        print(json.dumps(figures))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
