"""Fetch and load 10,000 replayed posts from a loopback server vs load the same posts from a file.

The server (tests/replay_server.py, pages built from ../shared/realdata) runs in its own process,
so that its JSON encoding does not share the client's interpreter lock. Each platform, in one run:

- fetch+load: ``fetch.fetch_place`` into a fresh archive (every page over HTTP, the spool, its
  gzip, and the load of that file with the cursor);
- file: ``ingest.load`` of the same posts into a fresh archive, from one JSON export file as a
  moderator would have downloaded it (a Mastodon array of statuses, a Bluesky ``{"posts": [...]}``).

Best of ``--runs`` each, alternated. Writes (or replaces) its section of bench/RESULTS.md.

    .venv/bin/python bench/fetch_speed.py [--posts 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

REALDATA = ROOT.parent / "shared" / "realdata"
SECTION = "## Fetch vs file (issue 14)"


def _serve(n: int, conn) -> None:
    from replay_server import Replay, bluesky_posts, mastodon_statuses

    with Replay() as server:
        server.add_statuses(mastodon_statuses(REALDATA, n))
        server.add_posts(bluesky_posts(REALDATA, n))
        conn.send(server.url)
        conn.recv()  # until the benchmark is done


def _export_file(platform_: str, url: str, folder: Path) -> Path:
    """The same posts as one export file, from the server itself (every page, concatenated)."""
    import httpx

    items: list = []
    with httpx.Client(timeout=60) as http:
        if platform_ == "mastodon":
            max_id = None
            while True:
                params = {"limit": 40, **({"max_id": max_id} if max_id else {})}
                page = http.get(f"{url}/api/v1/timelines/tag/hcldr", params=params).json()
                if not page:
                    break
                items += page
                max_id = page[-1]["id"]
            body: object = items
        else:
            cursor = None
            while True:
                params = {"q": "#hcldr", "sort": "latest", "limit": 100,
                          **({"cursor": cursor} if cursor else {})}  # fmt: skip
                page = http.get(f"{url}/xrpc/app.bsky.feed.searchPosts", params=params).json()
                items += page["posts"]
                cursor = page.get("cursor")
                if not cursor:
                    break
            body = {"posts": items}
    path = folder / f"hcldr_{platform_}.json"
    path.write_text(json.dumps(body))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    a = ap.parse_args()
    if not REALDATA.exists():
        sys.exit(f"{REALDATA}: the real samples the pages are built from are not here")

    # the library is imported before the clock starts: the figures compare the work, not imports
    from chatgraph import db as dbmod
    from chatgraph import derive, fetch, ingest, interactions, privacy, sessions, threads  # noqa: F401
    from chatgraph.formats import bluesky, mastodon  # noqa: F401

    parent, child = mp.Pipe()
    server = mp.Process(target=_serve, args=(a.posts, child), daemon=True)
    server.start()
    url = parent.recv()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="chatgraph-fetch-bench-") as tmp:
            work = Path(tmp)
            for plat in ("mastodon", "bluesky"):
                export = _export_file(plat, url, work)
                fetched, loaded = [], []
                for run in range(a.runs):
                    con = dbmod.connect(work / f"{plat}-fetch-{run}.duckdb")
                    t = time.perf_counter()
                    r = fetch.fetch_place(con, work / f"spool-{run}", plat, url, "hcldr", "hcldr")
                    fetched.append(time.perf_counter() - t)
                    assert r.inserted == a.posts, (plat, r.inserted)
                    con.close()
                    con = dbmod.connect(work / f"{plat}-file-{run}.duckdb")
                    t = time.perf_counter()
                    (res,) = ingest.load(con, [export], chat="hcldr")
                    loaded.append(time.perf_counter() - t)
                    assert res.inserted == a.posts, (plat, res.error, res.inserted)
                    con.close()
                    print(f"{plat} run {run + 1}: fetch+load {fetched[-1]:.2f} s ({r.pages} "
                          f"pages), file {loaded[-1]:.2f} s", flush=True)  # fmt: skip
                paired = [f / ld for f, ld in zip(fetched, loaded, strict=True)]
                rows.append((plat, r.pages, min(fetched), min(loaded), export.stat().st_size,
                             sorted(paired)[len(paired) // 2], paired))  # fmt: skip
    finally:
        parent.send("done")
        server.join(timeout=10)
    lines = [
        SECTION,
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/fetch_speed.py` on "
        f"{platform.machine()} Linux, Python {platform.python_version()}, DuckDB "
        f"{__import__('duckdb').__version__}: {a.posts:,} posts replayed from a loopback server "
        f"(its own process; pages built from ../shared/realdata), best of {a.runs} runs each, "
        "each into a fresh archive. Target: fetch+load ≤ 1.5× the load of the same posts from a file.",
        "",
        "| platform | fetch + load | pages | load from a file | file size | ratio (best) | "
        "ratio (median of runs) | each run | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for plat, pages, f, ld, size, median, paired in rows:
        ratio = f / ld
        lines.append(
            f"| {plat} | {f:.2f} s | {pages} | {ld:.2f} s | {size / 1e6:.1f} MB | {ratio:.2f}× | "
            f"{median:.2f}× | {', '.join(f'{x:.2f}' for x in paired)} | "
            f"{'met' if max(ratio, median) <= 1.5 else 'NOT met'} |"
        )
    lines += [
        "",
        "The fetched pages are kept and loaded as gzipped JSON lines, one page a line; the file is "
        'one JSON document (a Mastodon array, a Bluesky `{"posts": [...]}`), which the Bluesky '
        "reader reads whole. A run's ratio pairs its fetch with the file load that followed it; on a "
        "machine shared with other work a run's ratio can double, hence the median beside the best.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not a.no_write:
        results = HERE / "RESULTS.md"
        old = results.read_text()
        if SECTION in old:
            before, _, after = old.partition(SECTION)
            rest = after.split("\n## ", 1)
            old = before + (("## " + rest[1]) if len(rest) > 1 else "")
        results.write_text(old.rstrip("\n") + "\n\n" + text)


if __name__ == "__main__":
    main()
