"""The bad input matrix: each broken input with its exact outcome.

Either one clear error line naming the file, the reason and the fix (exit 1, nothing stored from
that file), or counted rejects naming record and reason while the valid records around them load.
Never a traceback.
"""

from __future__ import annotations

import gzip
import json
import random
import zipfile
from pathlib import Path

import pytest
import synth

from chatgraph import formats
from chatgraph.cli import app

SUPPORTED = ", ".join(formats.format_names())
NOT_AN_EXPORT = "not a chat export chatgraph can read; supported formats: {} (use --as NAME if the file is one of them)"
GZ_CUT = (
    "the gzip file is cut short (it ends before the end of its compressed stream); nothing was "
    "loaded from it. Fetch or compress it again, or keep the part before the damage with: "
    "gunzip -c FILE.gz > FILE"
)
INVALID_JSON = "invalid JSON (cut or corrupt line)"
FIGURES = {"bad_inputs": 0}


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work in tmp_path so that file names in messages are short and exact."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(runner, *args: str):
    FIGURES["bad_inputs"] += 1
    result = runner.invoke(app, ["load", *args, "--db", "a.duckdb", "--format", "csv"])
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def rows(result) -> list[str]:
    return result.stdout.strip().splitlines()[1:]


def archive(query: str, params: dict | None = None) -> list[tuple]:
    from chatgraph import db as dbmod

    con = dbmod.connect("a.duckdb")
    try:
        return con.execute(query, params or {}).fetchall()
    finally:
        con.close()


def posts() -> int:
    return archive("select count(*) from posts")[0][0]


def rejects() -> list[tuple]:
    return archive("select record_no, reason from rejects order by source_id, record_no")


def lines(n: int = 30, first: int = 0) -> list[str]:
    return synth.v1_lines(n, first)


# ---------------------------------------------------------------- files that are not exports


def test_random_bytes(here, runner):
    Path("noise.bin").write_bytes(random.Random(8).randbytes(5000))
    r = load(runner, "noise.bin")
    assert r.exit_code == 1
    assert rows(r) == ['noise.bin,"","",0,0,0,0,error']
    assert r.stderr.splitlines() == [f"Error: noise.bin: {NOT_AN_EXPORT.format(SUPPORTED)}"]
    assert archive("select count(*) from sources") == [(0,)]


def test_empty_and_blank_files(here, runner):
    Path("empty.jsonl").write_text("")
    Path("blank.jsonl").write_text("\n  \n\n")
    r = load(runner, "empty.jsonl", "blank.jsonl")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"Error: empty.jsonl: the file is empty; supported formats: {SUPPORTED}",
        f"Error: blank.jsonl: the file is empty; supported formats: {SUPPORTED}",
    ]


def test_a_file_of_accounts_is_named_as_such(here, runner):
    page = {"data": [{"id": "12", "username": "alice", "name": "Alice"}], "__twarc": {}}
    synth.write_jsonl(Path("users.jsonl"), [page])
    r = load(runner, "users.jsonl")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"Error: users.jsonl: this is a twarc2 users file, which holds no posts; supported formats: {SUPPORTED}"
    ]


# ---------------------------------------------------------------- compressed and zipped


def test_cut_gz_big_and_small(here, runner):
    data = "".join(line + "\n" for line in lines(3000)).encode()
    packed = gzip.compress(data)
    Path("cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])  # cut after the head is read
    Path("stub.jsonl.gz").write_bytes(packed[:300])  # cut inside the first bytes
    r = load(runner, "cut.jsonl.gz", "stub.jsonl.gz")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"Error: cut.jsonl.gz: {GZ_CUT}",
        f"Error: stub.jsonl.gz: {GZ_CUT}",
    ]
    assert posts() == 0


def test_corrupt_gz(here, runner):
    Path("junk.gz").write_bytes(b"\x1f\x8b\x07" + random.Random(2).randbytes(3000))
    r = load(runner, "junk.gz")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "Error: junk.gz: the gzip file is damaged (Unknown compression method); nothing was loaded "
        "from it. Fetch or compress it again, or keep the part before the damage with: "
        "gunzip -c FILE.gz > FILE"
    ]


def test_good_gz_with_bom_loads(here, runner):
    data = "\ufeff" + "".join(line + "\n" for line in lines(30))
    Path("bom.jsonl.gz").write_bytes(gzip.compress(data.encode()))
    r = load(runner, "bom.jsonl.gz", "--chat", "hcldr")
    assert (r.exit_code, rows(r)) == (0, ["bom.jsonl.gz,twitter-v1,hcldr,30,30,0,0,loaded"])


def test_zips_without_exports(here, runner):
    with zipfile.ZipFile("notes.zip", "w") as z:
        z.writestr("README.txt", "hello\n")
        z.writestr("notes.md", "# notes\n")
    with zipfile.ZipFile("one.zip", "w") as z:
        z.writestr("README.txt", "hello\n")
    zipfile.ZipFile("empty.zip", "w").close()
    Path("cut.zip").write_bytes(Path("notes.zip").read_bytes()[:60])
    r = load(runner, "notes.zip", "one.zip", "empty.zip", "cut.zip")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "Error: notes.zip: the zip holds no chat exports (2 files, none in a supported format)",
        f"Error: one.zip!README.txt: {NOT_AN_EXPORT.format(SUPPORTED)}",
        "Error: empty.zip: the zip file holds no files",
        "Error: cut.zip: damaged or cut zip file (its table of contents is missing); download or zip it again",
    ]
    assert archive("select count(*) from sources") == [(0,)]


# ---------------------------------------------------------------- encodings


def test_utf8_bom_loads_fine(here, runner):
    Path("bom.jsonl").write_bytes(b"\xef\xbb\xbf" + "".join(x + "\n" for x in lines(30)).encode())
    synth.write_tags(Path("plain.csv"), [synth.v1_tweet(i) for i in range(100, 110)])
    Path("bom.csv").write_bytes(b"\xef\xbb\xbf" + Path("plain.csv").read_bytes())
    Path("plain.csv").unlink()
    r = load(runner, "bom.jsonl", "bom.csv", "--chat", "hcldr")
    assert r.exit_code == 0, r.stderr
    assert rows(r) == [
        "bom.jsonl,twitter-v1,hcldr,30,30,0,0,loaded",
        "bom.csv,tags,hcldr,10,10,0,0,loaded",
    ]
    assert r.stderr == ""
    # the first record's text is intact (no stray BOM anywhere)
    assert archive("select count(*) from posts where text like '%\ufeff%'") == [(0,)]


def test_latin1_csv_rejects_the_rows_it_cannot_read_and_says_the_fix(here, runner):
    tweets = [synth.v1_tweet(i) for i in range(10)]
    tweets[3]["text"] = "A1 café au lait #hcldr"
    tweets[6]["text"] = "A2 naïve idea #hcldr"
    synth.write_tags(Path("latin1.csv"), tweets, encoding="latin-1")
    r = load(runner, "latin1.csv", "--chat", "hcldr")
    assert r.exit_code == 0
    assert rows(r) == ["latin1.csv,tags,hcldr,10,8,0,2,loaded"]
    assert rejects() == [
        (4, "row 4 is not valid UTF-8; save the file as UTF-8"),
        (7, "row 7 is not valid UTF-8; save the file as UTF-8"),
    ]
    assert r.stderr.splitlines() == [
        "latin1.csv: 2 of 10 records rejected: row 4 is not valid UTF-8; save the file as UTF-8 "
        "(record 4); row 7 is not valid UTF-8; save the file as UTF-8 (record 7). List them: "
        'chatgraph sql "select record_no, reason, raw from rejects where source_id = 1"'
    ]


# ---------------------------------------------------------------- broken records


def test_json_lines_cut_in_half_first_middle_last(here, runner):
    good = lines(30)
    cut = list(good)
    for i in (0, 14, 29):
        cut[i] = cut[i][: len(cut[i]) // 2]
    Path("cut.jsonl").write_text("".join(x + "\n" for x in cut))
    r = load(runner, "cut.jsonl", "--chat", "hcldr")
    assert (r.exit_code, rows(r)) == (0, ["cut.jsonl,twitter-v1,hcldr,30,27,0,3,loaded"])
    assert rejects() == [(1, INVALID_JSON), (15, INVALID_JSON), (30, INVALID_JSON)]
    assert r.stderr.splitlines() == [
        f"cut.jsonl: 3 of 30 records rejected: {INVALID_JSON} (3 records: 1, 15, 30). List them: "
        'chatgraph sql "select record_no, reason, raw from rejects where source_id = 1"'
    ]
    assert archive("select raw from rejects where record_no = 15") == [(cut[14],)]


def test_json_line_cut_in_half_other_json_formats(here, runner):
    for fmt in ("twitter-v2", "mastodon"):
        records: list = [synth.record(fmt, i) for i in range(10)]
        whole = json.dumps(records[4])
        records[4] = whole[: len(whole) // 2]
        synth.write_records(fmt, Path(f"{fmt}.jsonl"), records)
    r = load(runner, "twitter-v2.jsonl", "mastodon.jsonl", "--chat", "hcldr")
    assert r.exit_code == 0, r.stderr
    assert rows(r) == [
        "twitter-v2.jsonl,twitter-v2,hcldr,10,9,0,1,loaded",
        "mastodon.jsonl,mastodon,hcldr,10,9,0,1,loaded",
    ]
    assert [n for n, _ in rejects()] == [5, 5]
    assert all("JSON" in reason for _, reason in rejects())


def test_records_missing_required_fields(here, runner):
    recs = [synth.v1_tweet(i) for i in range(8)]
    del recs[1]["id_str"], recs[1]["id"]
    del recs[2]["created_at"]
    del recs[3]["user"]
    recs[4]["id_str"] = None
    recs[5]["created_at"] = "yesterday"
    recs[6]["user"] = {"name": "no handle, no id"}
    synth.write_jsonl(Path("missing.jsonl"), recs)
    r = load(runner, "missing.jsonl", "--chat", "hcldr")
    assert (r.exit_code, rows(r)) == (0, ["missing.jsonl,twitter-v1,hcldr,8,2,0,6,loaded"])
    assert rejects() == [
        (2, "no id_str (a numeric id alone loses precision)"),
        (3, "no readable created_at"),
        (4, "no author"),
        (5, "no id_str (a numeric id alone loses precision)"),
        (6, "no readable created_at"),
        (7, "no author"),
    ]
    assert archive("select post_id from posts order by 1") == [
        (str(synth.BASE_ID),), (str(synth.BASE_ID + 7),)
    ]  # fmt: skip


def test_unquoted_csv_with_commas_and_newlines(here, runner):
    out = ["id,author,created_at,text"]
    for i in range(8):
        text = {3: "A3 apples, pears, plums #hcldr", 5: "A5 first line\nsecond line #hcldr"}.get(
            i, f"A{i} plain answer #hcldr"
        )
        out.append(f"{1300000000000000000 + i},user{i},2020-09-02 01:0{i}:00,{text}")
    Path("unquoted.csv").write_text("\n".join(out) + "\n")
    mapping = "id=id,author=author,created_at=created_at,text=text"
    r = load(runner, "unquoted.csv", "--chat", "hcldr", "--columns", mapping)
    # the newline splits row 6 in two: its first half loads cut short, its second half is a reject
    assert (r.exit_code, rows(r)) == (0, ["unquoted.csv,generic-csv,hcldr,9,7,0,2,loaded"])
    assert rejects() == [
        (4, "row 4 has 5 fields, not 4: an unquoted comma, or the row was edited by hand"),
        (7, "row 7 has 1 fields, not 4: the row is cut or was edited by hand"),
    ]
    assert archive("select text from posts where post_id = '1300000000000000005'") == [
        ("A5 first line",)
    ]


def test_lone_carriage_return_in_csv(here, runner):
    out = ["id,author,created_at,text"]
    out += [f"{1300000000000000000 + i},user{i},2020-09-02 01:0{i}:00,A{i} x\ry #hcldr" if i == 2
            else f"{1300000000000000000 + i},user{i},2020-09-02 01:0{i}:00,A{i} x #hcldr"
            for i in range(5)]  # fmt: skip
    Path("cr.csv").write_text("\n".join(out) + "\n", newline="")
    mapping = "id=id,author=author,created_at=created_at,text=text"
    r = load(runner, "cr.csv", "--chat", "hcldr", "--columns", mapping)
    assert (r.exit_code, rows(r)) == (0, ["cr.csv,generic-csv,hcldr,6,5,0,1,loaded"])
    assert rejects() == [(4, "row 4 has 1 fields, not 4: the row is cut or was edited by hand")]


def test_excel_mangled_ids_in_every_csv_format(here, runner):
    tags = [synth.tags_row(synth.v1_tweet(i)) for i in range(6)]
    tags[2][0] = "1.26426E+18"  # id_str
    tags[4][9] = "1.26426E+18"  # from_user_id_str
    Path("tags.csv").write_text(synth.csv_text([synth.TAGS_HEADER] + tags))
    twarc = [synth.record("twarc-csv", i) for i in range(10, 16)]
    twarc[1]["id"] = "1.26426E+18"
    twarc[3]["author_id"] = "1.26426e+18"
    synth.write_records("twarc-csv", Path("twarc.csv"), twarc)
    rtweet = [synth.record("rtweet", i) for i in range(20, 26)]
    rtweet[5]["status_id"] = "1.26426E+18"
    synth.write_records("rtweet", Path("rtweet.csv"), rtweet)
    r = load(runner, "tags.csv", "twarc.csv", "rtweet.csv", "--chat", "hcldr")
    assert r.exit_code == 0, r.stderr
    assert rows(r) == [
        "tags.csv,tags,hcldr,6,4,0,2,loaded",
        "twarc.csv,twarc-csv,hcldr,6,4,0,2,loaded",
        "rtweet.csv,rtweet,hcldr,6,5,0,1,loaded",
    ]
    lost = " lost precision: a spreadsheet turned the id into a number; "
    tags_fix = (
        "download the TAGS sheet again as CSV (File > Download > Comma-separated values) and load "
        "it without opening it in Excel, or import it with the id columns set to Text"
    )
    fix = "export the ids as text and load the file without opening it in Excel"
    rtweet_fix = "save the ids as text (rtweet::write_as_csv keeps them) and load the file without opening it in Excel"
    assert rejects() == [
        (3, f"id_str 1.26426E+18{lost}{tags_fix}"),
        (5, f"from_user_id_str 1.26426E+18{lost}{tags_fix}"),
        (2, f"post id 1.26426E+18{lost}{fix}"),
        (4, f"author id 1.26426e+18{lost}{fix}"),
        (6, f"status_id 1.26426E+18{lost}{rtweet_fix}"),
    ]
    assert archive(
        "select count(*) from posts where post_id like '%E+%' or author_id like '%e+%'"
    ) == [(0,)]


def test_enormous_single_line(here, runner):
    good = lines(3)
    with open("huge.jsonl", "w") as f:
        f.write(good[0] + "\n")
        f.write('{"text": "' + "x" * 50_000_000 + "\n")  # 50 MB, never closed
        f.write(good[2] + "\n")
    r = load(runner, "huge.jsonl", "--chat", "hcldr")
    assert (r.exit_code, rows(r)) == (0, ["huge.jsonl,twitter-v1,hcldr,3,2,0,1,loaded"])
    assert rejects() == [(2, INVALID_JSON)]
    # the raw text kept for a reject is bounded
    assert archive("select length(raw) <= 10000 from rejects") == [(True,)]


def test_folder_with_good_and_bad_files(here, runner):
    folder = Path("exports")
    folder.mkdir()
    Path(folder / "a_good.jsonl").write_text("".join(x + "\n" for x in lines(10)))
    Path(folder / "b_noise.bin").write_bytes(random.Random(3).randbytes(300))
    cut = lines(20, first=10)
    cut[4] = cut[4][:50]
    Path(folder / "c_cut.jsonl").write_text("".join(x + "\n" for x in cut))
    Path(folder / "d_empty.json").write_text("")
    synth.write_tags(folder / "e_tags.csv", [synth.v1_tweet(i) for i in range(30, 35)])
    Path(folder / ".hidden.jsonl").write_text("not loaded\n")
    Path(folder / "f_gone.jsonl.gz").write_bytes(gzip.compress(lines(3)[0].encode())[:-12])
    r = load(runner, "exports", "--chat", "hcldr")
    # Files in a folder that are no export are named in one line; a broken export is an error.
    assert r.exit_code == 1
    assert rows(r) == [
        "exports/a_good.jsonl,twitter-v1,hcldr,10,10,0,0,loaded",
        "exports/c_cut.jsonl,twitter-v1,hcldr,20,19,0,1,loaded",
        "exports/e_tags.csv,tags,hcldr,5,5,0,0,loaded",
        'exports/f_gone.jsonl.gz,"","",0,0,0,0,error',
    ]
    assert r.stderr.splitlines() == [
        "Skipped 2 files found in folders that are not chat exports: exports/b_noise.bin, "
        "exports/d_empty.json (load one by name to see why)",
        f"Error: {formats.gzip_damaged('exports/f_gone.jsonl.gz', EOFError())}",
        f"exports/c_cut.jsonl: 1 of 20 records rejected: {INVALID_JSON} (record 5). List them: "
        'chatgraph sql "select record_no, reason, raw from rejects where source_id = 2"',
    ]
    assert posts() == 34
    # the same folder again: the good files are already loaded, the bad one still says why
    Path(folder / "f_gone.jsonl.gz").unlink()
    again = load(runner, "exports", "--chat", "hcldr")
    assert again.exit_code == 0  # every export loaded
    assert [row.rsplit(",", 1)[1] for row in rows(again)] == [
        "already loaded as source 1", "already loaded as source 2", "already loaded as source 3",
    ]  # fmt: skip
    assert again.stderr.splitlines()[0].startswith("Skipped 2 files found in folders")
    assert posts() == 34
    # named directly, a non-export is still an error that says why
    named = load(runner, "exports/b_noise.bin", "--chat", "hcldr")
    assert named.exit_code == 1
    assert named.stderr.splitlines() == [
        f"Error: exports/b_noise.bin: {NOT_AN_EXPORT.format(SUPPORTED)}"
    ]


def test_a_folder_holding_the_archive_and_its_outputs_loads_the_exports_only(here, runner):
    folder = Path("chat")
    folder.mkdir()
    Path(folder / "week1.jsonl").write_text("".join(x + "\n" for x in lines(10)))
    db = ["--db", "chat/chat.duckdb"]
    assert runner.invoke(app, ["load", "chat", *db]).exit_code == 0
    written = [
        ["map", "--output", "chat/map.html", *db],
        ["graph", "--output", "chat/graph.gexf", *db],
        ["graph", "--output", "chat/graph.graphml", "--format", "graphml", *db],
        ["report", "--output", "chat/report.html", *db],
        ["export", "--output", "chat/parquet", *db],
    ]
    for args in written:
        made = runner.invoke(app, args)
        assert made.exit_code == 0, (args, made.output)
    Path(folder / "week2.jsonl").write_text("".join(x + "\n" for x in lines(5, first=10)))
    Path(folder / "notes.txt").write_text("who hosts next week?\n")
    r = runner.invoke(app, ["load", "chat", *db, "-f", "csv"])
    assert r.exit_code == 0, r.output
    assert rows(r) == [
        "chat/week1.jsonl,twitter-v1,hcldr,0,0,0,0,already loaded as source 1",
        "chat/week2.jsonl,twitter-v1,hcldr,5,5,0,0,loaded",
    ]
    assert r.stderr.splitlines() == [
        "Skipped 1 file found in folders that is not a chat export: chat/notes.txt "
        "(load one by name to see why)"
    ]


def test_strict_stops_at_the_first_bad_record(here, runner):
    good = lines(10)
    good[6] = good[6][:40]
    Path("cut.jsonl").write_text("".join(x + "\n" for x in good))
    r = load(runner, "cut.jsonl", "--chat", "hcldr", "--strict")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"Error: cut.jsonl: record 7: {INVALID_JSON} (--strict stops at the first bad record)"
    ]
    assert posts() == 0


def test_bad_input_figures(capsys):
    with capsys.disabled():
        print(f"\nbad input figures: {FIGURES}")
