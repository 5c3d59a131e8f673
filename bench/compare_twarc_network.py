"""Compare chatgraph's interactions with twarc-network's graph on the same twarc2 file.

twarc-network (DocNow, on PyPI) builds a user graph from twarc2 JSONL: retweet, reply and quote
edges from `referenced_tweets` whose author is included, and mention edges from every tweet's
`entities.mentions` (a retweet's too, less the leading `RT @x`). chatgraph follows DESIGN.md: a
retweet makes no mention interactions, and no interaction goes from an account to itself. So every
edge twarc-network finds between two different accounts must be ours for reply, retweet and quote,
and our mention edges must be a subset of its mention edges.

Run: .venv/bin/python bench/compare_twarc_network.py [FILE.jsonl]
(needs the bench extra: pip install -e '.[bench]')
"""

from __future__ import annotations

import sys
from pathlib import Path

from chatgraph import db as dbmod
from chatgraph import ingest

KINDS = ("reply", "retweet", "quote", "mention")
DEFAULT = (
    Path(__file__).resolve().parents[2] / "shared/realdata/twitter-v2/blacklivesmatter_search.jsonl"
)


def theirs(path: Path) -> dict[str, set[tuple[str, str]]]:
    """twarc-network's (source, target) pairs per kind, handles lower-cased."""
    from twarc_network import get_graph

    with open(path) as f:
        g = get_graph(f, "users", KINDS, False)
    pairs: dict[str, set[tuple[str, str]]] = {k: set() for k in KINDS}
    for a, b, data in g.edges(data=True):
        for kind in KINDS:
            if data.get(kind, 0) > 0:
                pairs[kind].add((a.lower(), b.lower()))
    return pairs


def ours(path: Path) -> dict[str, set[tuple[str, str]]]:
    """chatgraph's (source, target) pairs per kind after loading the file into a fresh archive."""
    con = dbmod.connect(":memory:")
    (result,) = ingest.load(con, [path], chat="compare")
    if result.error:
        raise SystemExit(result.error)
    return {
        kind: set(
            con.execute(
                "select distinct source_handle, target_handle from interactions where kind = $k",
                {"k": kind},
            ).fetchall()
        )
        for kind in KINDS
    }


def compare(path: Path) -> dict[str, dict[str, int]]:
    """Per kind: their edges, their self-loops, ours, theirs (not self) missing from ours, ours not
    theirs."""
    t, o = theirs(path), ours(path)
    out = {}
    for kind in KINDS:
        loops = {e for e in t[kind] if e[0] == e[1]}
        out[kind] = {
            "twarc_network": len(t[kind]),
            "self_loops": len(loops),
            "chatgraph": len(o[kind]),
            "shared": len(t[kind] & o[kind]),
            "theirs_not_ours": len(t[kind] - loops - o[kind]),
            "ours_not_theirs": len(o[kind] - t[kind]),
        }
    return out


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    result = compare(path)
    cols = list(next(iter(result.values())))
    print(f"{path.name}: distinct (source, target) pairs per kind")
    print(f"{'kind':<8} " + " ".join(f"{c:>15}" for c in cols))
    for kind, row in result.items():
        print(f"{kind:<8} " + " ".join(f"{row[c]:>15}" for c in cols))


if __name__ == "__main__":
    main()
