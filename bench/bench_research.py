"""Time every named query and the Parquet export on a big archive, as ratios against a baseline.

The baseline is one full pass over the posts joined to their threads (what most queries must read at
least once), measured in the same run. A query far above it has a join gone quadratic.

    .venv/bin/python bench/bench_research.py bench/work/big.duckdb
    .venv/bin/python bench/bench_research.py --load bench/work/v1_300k.jsonl bench/work/big.duckdb
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatgraph import db as dbmod  # noqa: E402
from chatgraph import export, ingest, queries  # noqa: E402

BASELINE = """
    select count(*), count(distinct p.author_id), epoch(max(p.created_at))
    from posts p join post_threads t on t.post_id = p.post_id
"""


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--load", nargs="*", default=[], help="exports to load into it first")
    args = parser.parse_args()
    if args.load:
        con = dbmod.connect(args.archive)
        ingest.load(con, args.load)
        con.close()
    con = queries.open_read_only(args.archive)
    rows = con.execute("select chat_id from posts group by 1 order by count(*) desc").fetchall()
    chats = [r[0] for r in rows]
    if not chats:
        print(f"{args.archive}: no posts; pass --load FILES", file=sys.stderr)
        return 1
    values = {"chat": chats[0], "other_chat": chats[-1]}
    (posts,) = con.execute("select count(*) from posts").fetchone()
    base = min(seconds(lambda: con.execute(BASELINE).fetchall()) for _ in range(3))
    print(f"{posts} posts; baseline {base:.3f} s\n")
    print(f"| {'step':30} | seconds | x baseline |")
    print(f"|{'-' * 32}|---------|------------|")
    for q in queries.find():
        params = {k: v for k, v in values.items() if k in q.param_names}
        took = seconds(lambda q=q, params=params: queries.run(con, q, params))
        print(f"| {q.name:30} | {took:7.3f} | {took / base:10.1f} |")
    con.close()
    out = Path(tempfile.mkdtemp(prefix="chatgraph-export-"))
    try:
        con = dbmod.connect(args.archive, read_only=True)
        took = seconds(lambda: export.export(con, out / "parquet"))
        con.close()
        print(f"| {'export (all tables)':30} | {took:7.3f} | {took / base:10.1f} |")
    finally:
        shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
