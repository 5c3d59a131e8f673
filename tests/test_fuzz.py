"""Mutated records through every format's parser and ingest: a parsed post or a reject with a reason.

Each example writes 24 valid records of one format, mutates one to eight of them (keys dropped,
values of the wrong type, cut strings, control and astral characters, huge numbers; for JSON lines
also a line cut anywhere), loads the file, and checks that nothing is lost or invented: every record
number is a stored post or a reject with a reason, records = inserted + duplicates + rejected, and
every untouched record is in the archive. Deterministic (derandomized); more examples with
``CHATGRAPH_FUZZ_EXAMPLES=500``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import synth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatgraph import db as dbmod
from chatgraph import formats, ingest

EXAMPLES = int(os.environ.get("CHATGRAPH_FUZZ_EXAMPLES", "8"))
RECORDS = 24
FIGURES = {"files": 0, "records": 0, "mutated": 0, "rejected": 0, "posts_lost": 0}

NASTY_TEXT = [
    "", " ", "\x00", "\x00\x01\x02\x1b[31m", "\u202eevil", "\u200b", "😀" * 3, "𝕳𝖈𝖑𝖉𝖗",
    "a\nb\r\nc", '"quoted", with, commas', "'", "\\", "NA", "null", "NaN", "1.26426E+18",
    "Wed Apr 16 02:38:15 +0000 2014", "2021-06-26T19:56:26.000Z", "9999-12-31T23:59:59Z",
    "0000-00-00", "<script>alert(1)</script>", "@" * 50, "#" * 50, "x" * 5000, "é" * 10,
]  # fmt: skip
HUGE = [0, -1, 2**63, -(2**63) - 1, 10**30, 1.5e308, 1e-300, 2**53 + 1]


def paths_of(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a nested structure of dicts and lists."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append(prefix + (k,))
            out.extend(paths_of(v, prefix + (k,)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.append(prefix + (i,))
            out.extend(paths_of(v, prefix + (i,)))
    return out


def replacement(draw, old: Any, csv: bool) -> Any:
    kinds = ["text", "huge", "truncate", "inject"] if csv else [
        "text", "huge", "truncate", "inject", "none", "bool", "list", "dict", "stringify",
    ]  # fmt: skip
    kind = draw(st.sampled_from(kinds))
    if kind == "text":
        return draw(st.sampled_from(NASTY_TEXT) | st.text(max_size=40))
    if kind == "huge":
        value = draw(st.sampled_from(HUGE))
        return str(value) if csv else value
    if kind == "truncate":
        s = old if isinstance(old, str) else json.dumps(old)
        return s[: draw(st.integers(0, max(len(s) - 1, 0)))]
    if kind == "inject":
        s = old if isinstance(old, str) else json.dumps(old)
        at = draw(st.integers(0, len(s)))
        return s[:at] + draw(st.sampled_from(NASTY_TEXT)) + s[at:]
    if kind == "none":
        return None
    if kind == "bool":
        return draw(st.booleans())
    if kind == "list":
        return [old, old]
    if kind == "dict":
        return {"value": old}
    return json.dumps(old)  # "stringify": a nested value as a string of JSON


@st.composite
def mutated(draw, fmt: str) -> tuple[list, set[int]]:
    records: list = [synth.record(fmt, i) for i in range(RECORDS)]
    touched = draw(st.sets(st.integers(0, RECORDS - 1), min_size=1, max_size=8))
    csv = fmt in synth.CSV_FORMATS
    for i in sorted(touched):
        rec = records[i]
        if fmt in synth.JSON_LINES and draw(st.integers(0, 5)) == 0:
            line = json.dumps(rec)
            records[i] = line[: draw(st.integers(1, len(line) - 1))]  # a line cut anywhere
            continue
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(paths_of(rec)))
            parent = rec
            for key in path[:-1]:
                parent = parent[key]
            if csv:
                parent[path[-1]] = replacement(draw, parent[path[-1]], csv=True)
            elif draw(st.booleans()) and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement(draw, parent[path[-1]], csv=False)
            if not paths_of(rec):
                break
    return records, touched


def post_id_of(fmt: str, rec: dict) -> str:
    if fmt == "twitter-v1":
        return rec["id_str"]
    if fmt == "twitter-v2":
        return rec["data"][0]["id"]
    if fmt in ("mastodon", "bluesky"):
        return rec["uri"]
    if fmt == "twitter-archive":
        return rec["tweet"]["id_str"]
    if fmt == "rtweet":
        return rec["status_id"].lstrip("x")
    if fmt == "tags":
        return rec["id_str"]
    return rec["id"]


def check(fmt: str, records: list, touched: set[int], tmp_path) -> None:
    path, kw = synth.write_records(fmt, tmp_path / f"fuzz-{FIGURES['files']}", records)
    con = dbmod.connect(":memory:")
    try:
        # derive.refresh on every third file: the parsers are the target, and it costs time
        (r,) = ingest.load(con, [path], refresh=FIGURES["files"] % 3 == 0, **kw)
        assert r.error is None, r.error
        assert r.format == fmt
        assert r.records == RECORDS, (r.records, r.inserted, r.rejected)
        assert r.records == r.inserted + r.duplicates + r.rejected
        stored = {
            n for (n,) in con.execute(
                "select record_no from post_sources where source_id = $s", {"s": r.source_id}
            ).fetchall()
        }  # fmt: skip
        rejects = con.execute(
            "select record_no, reason from rejects where source_id = $s", {"s": r.source_id}
        ).fetchall()
        assert all(reason and reason.strip() for _, reason in rejects), rejects
        rejected = {n for n, _ in rejects}
        assert len(rejected) == len(rejects) == r.rejected, rejects
        assert stored | rejected == set(range(1, RECORDS + 1)), (stored, rejects)
        assert not stored & rejected
        ids = {p for (p,) in con.execute("select post_id from posts").fetchall()}
        fresh = [synth.record(fmt, i) for i in range(RECORDS)]
        lost = [
            i for i in range(RECORDS) if i not in touched and post_id_of(fmt, fresh[i]) not in ids
        ]
        FIGURES["files"] += 1
        FIGURES["records"] += RECORDS
        FIGURES["mutated"] += len(touched)
        FIGURES["rejected"] += r.rejected
        FIGURES["posts_lost"] += len(lost)
        assert not lost, f"untouched records {lost} were not stored"
    finally:
        con.close()


FORMATS = [f for f in synth.FORMAT_RECORDS if f in formats.format_names()]


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_records_are_parsed_or_rejected_with_a_reason(fmt, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"fuzz-{fmt}")

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(mutated(fmt))
    def run(case):
        records, touched = case
        check(fmt, records, touched, tmp)

    run()


def test_every_format_is_fuzzed():
    """A new format needs a valid record in tests/synth.py (record, write_records, FORMAT_RECORDS)."""
    assert sorted(set(formats.format_names()) - set(synth.FORMAT_RECORDS)) == []


def test_fuzz_figures(capsys):
    """Runs last in this module: the figures for the reliability report."""
    with capsys.disabled():
        print(f"\nfuzz figures: {FIGURES}")
