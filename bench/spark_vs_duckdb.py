"""Spark (local mode) against DuckDB on the same archive: growth of every chat and the
connections of every chat recomputed from the interactions, at 300k and 3M posts.

Run by hand: .venv/bin/python bench/spark_vs_duckdb.py [--work DIR] [--skip-3m] [--cores 2]
The archives are bench/run.py's: one chat of 300,000 posts (make_exports.write_v1, seed 100), and
ten such chats (seeds 100..109) in one archive of 3,000,000 posts, loaded through chatgraph and
exported with ``export --partition``. DuckDB reads the .duckdb archive, Spark the Parquet export.
Each engine runs in its own process; time is the job alone (after imports and, for Spark, after
the session started, which is reported apart); memory is the peak RSS of the process and its
children (Spark's JVM), sampled every 50 ms. Figures are printed as ratios from one run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
CONNECTIONS_SQL = """
select chat_id, least(source_handle, target_handle) as a, greatest(source_handle, target_handle) as b,
       min(created_at) as first_seen_at, count(*) as n
from interactions
where kind in ('reply', 'mention', 'quote') and created_at is not null
group by all
"""


def child(engine: str, source: str, cores: int) -> dict:
    """One engine's job, in this process; prints its figures as JSON."""
    out: dict = {}
    if engine == "duckdb":
        from chatgraph import db as dbmod
        from chatgraph.growth import growth

        t0 = time.perf_counter()
        con = dbmod.connect(source, read_only=True)
        con.execute(f"set threads = {cores}")
        chats = [r[0] for r in con.execute("select chat_id from chats order by 1").fetchall()]
        years = sum(growth(con, c).height for c in chats)
        pairs = con.execute(f"select count(*) from ({CONNECTIONS_SQL})").fetchall()[0][0]
        con.close()
    else:
        from chatgraph import spark as sparkmod

        s0 = time.perf_counter()
        spark = sparkmod.session(f"local[{cores}]", "chatgraph-bench")
        out["startup"] = time.perf_counter() - s0
        t0 = time.perf_counter()
        export = sparkmod.read_export(spark, source)
        chats = sparkmod.chats(export)
        years = sum(sparkmod.growth_table(export, c).height for c in chats)
        pairs = sparkmod.connections(export).count()
        spark.stop()
    out.update(seconds=time.perf_counter() - t0, chats=len(chats), years=years, pairs=pairs)
    return out


def measured(args: list[str]) -> dict:
    """Run a child process; its JSON result plus the peak RSS of its process tree."""
    import psutil

    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        p = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                rss = p.memory_info().rss + sum(
                    c.memory_info().rss for c in p.children(recursive=True)
                )
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{args[2:]} failed with exit code {proc.returncode}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_mb"] = peak / 2**20
    return result


def build(work: Path, n_chats: int, posts: int) -> tuple[Path, Path]:
    """The archive of ``n_chats`` chats of ``posts`` posts, and its partitioned export."""
    from make_exports import write_v1

    from chatgraph import db as dbmod
    from chatgraph import export, ingest

    db = work / f"spark_{n_chats}x{posts}.duckdb"
    out = work / f"spark_{n_chats}x{posts}_parquet"
    if db.exists() and (out / "_schema.json").exists():
        return db, out
    db.unlink(missing_ok=True)
    con = dbmod.connect(db)
    t0 = time.perf_counter()
    for i in range(n_chats):
        f = work / f"v1_chat{i}.jsonl"
        if not f.exists():
            write_v1(f, posts, seed=100 + i)
        (r,) = ingest.load(con, [f], chat=f"chat{i}")
        if r.error:
            raise SystemExit(r.error)
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    export.export_partitioned(con, out, overwrite=True)
    print(
        f"built {db.name}: load {loaded:.1f} s, export --partition {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    con.close()
    return db, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--skip-3m", action="store_true")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "SOURCE"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], a.child[1], a.cores)))
        return
    a.work.mkdir(parents=True, exist_ok=True)
    sizes = [(1, 300_000)] + ([] if a.skip_3m else [(10, 300_000)])
    rows = []
    for n_chats, posts in sizes:
        db, out = build(a.work, n_chats, posts)
        me = [sys.executable, __file__, "--cores", str(a.cores), "--child"]
        duck = measured([*me, "duckdb", str(db)])
        spark = measured([*me, "spark", str(out)])
        assert (duck["years"], duck["pairs"]) == (spark["years"], spark["pairs"]), (duck, spark)
        rows.append((n_chats * posts, duck, spark))
        print(
            f"{n_chats * posts:>9,} posts, {duck['chats']} chats, {duck['years']} growth rows, "
            f"{duck['pairs']:,} connections | DuckDB {duck['seconds']:.2f} s, "
            f"{duck['peak_mb']:.0f} MB | Spark {spark['seconds']:.2f} s "
            f"(+{spark['startup']:.1f} s start), {spark['peak_mb']:.0f} MB | Spark/DuckDB: "
            f"time {spark['seconds'] / duck['seconds']:.1f}x, "
            f"memory {spark['peak_mb'] / duck['peak_mb']:.1f}x",
            flush=True,
        )
    if len(rows) == 2:
        (_, d1, s1), (_, d2, s2) = rows
        print(
            f"300k -> 3M (10x posts): DuckDB time {d2['seconds'] / d1['seconds']:.1f}x, "
            f"memory {d2['peak_mb'] / d1['peak_mb']:.1f}x | Spark time "
            f"{s2['seconds'] / s1['seconds']:.1f}x, memory {s2['peak_mb'] / s1['peak_mb']:.1f}x"
        )


if __name__ == "__main__":
    main()
