"""Hostile input end to end: markup in texts, names, handles and chat names is escaped in every HTML
output; file names with quotes load; names cannot steer SQL or where files are written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import synth
from synth import tweet

from chatgraph import db as dbmod
from chatgraph import ingest, privacy
from chatgraph.cli import app
from chatgraph.errors import UsageError

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "</textarea><iframe src=javascript:alert(4)>",
]


@pytest.fixture
def hostile_archive(tmp_path, runner):
    """A chat whose texts, display names and (generic CSV) handles are markup."""
    records = [synth.v1_tweet(i, users=10) for i in range(0, 900, 15)]
    for k, bad in enumerate(HOSTILE):
        t = records[5 + k]
        t["text"] = f"A1 {bad} &amp; more #hcldr"
        t["user"]["name"] = bad
    path = synth.write_jsonl(tmp_path / "hostile.jsonl", records)
    csv = tmp_path / "hostile.csv"
    rows = [["id", "author", "created_at", "text"]]
    for k, bad in enumerate(HOSTILE):
        when = synth.START.strftime("%Y-%m-%dT%H:%M:") + f"{10 + k}Z"
        rows.append([str(1_400_000_000_000_000_000 + k), bad, when, f"A2 {bad} #hcldr"])
    csv.write_text(synth.csv_text(rows))
    db = tmp_path / "a.duckdb"
    for args in (
        [str(path)],
        [str(csv), "--columns", "id=id,author=author,created_at=created_at,text=text"],
    ):
        result = runner.invoke(app, ["load", *args, "--db", str(db), "--chat", "hcldr"])
        assert result.exit_code == 0, result.output
    return db


def raw_markup(text: str) -> list[str]:
    return [bad for bad in HOSTILE if bad in text]


# a tag with an event handler, an image, or a frame of javascript: none of the outputs makes one
INJECTED = re.compile(r"<\w+[^<>]*\son\w+\s*=|<img\b|<iframe[^<>]*javascript:", re.IGNORECASE)


def test_markup_is_escaped_in_every_html_output(hostile_archive, runner, tmp_path):
    db = str(hostile_archive)
    con = dbmod.connect(hostile_archive, read_only=True)
    session_id = con.execute(
        "select session_id from sessions order by posts desc limit 1"
    ).fetchone()[0]
    stored = con.execute(
        "select count(*) from posts where text like '%<script>alert(1)%'"
    ).fetchone()[0]
    con.close()
    assert stored == 2  # the archive keeps the text as written; only the outputs escape it
    out = tmp_path / "out"
    for extra in ([], ["--pseudonymize"]):
        for args in (
            ["map", "--output", str(out / f"map{len(extra)}.html")],
            ["report", "--output", str(out / f"report{len(extra)}.html")],
            ["transcript", session_id, "-f", "html", "-o", str(out / f"t{len(extra)}.html")],
        ):
            result = runner.invoke(app, [*args, "--db", db, *extra])
            assert result.exit_code == 0, (args, result.output)
    pages = sorted(p for p in out.rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert raw_markup(text) == [], page
        assert not INJECTED.search(text), (page, INJECTED.search(text))
    transcript = (out / "t0.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in transcript


def test_file_names_with_quotes_and_spaces_load(tmp_path):
    folder = tmp_path / 'it\'s a "chat"'
    folder.mkdir()
    synth.write_v1(folder / "o'brien; drop table posts.jsonl", 12)
    con = dbmod.connect(":memory:")
    (r,) = ingest.load(con, [folder], chat="hcldr")
    assert (r.error, r.inserted) == (None, 12)
    assert (
        con.execute("select path from sources")
        .fetchone()[0]
        .endswith("o'brien; drop table posts.jsonl")
    )


def test_a_chat_name_cannot_write_outside_the_report_folder(tmp_path, runner):
    db = tmp_path / "a.duckdb"
    path = synth.write_v1(tmp_path / "c.jsonl", 300, users=10)
    assert (
        runner.invoke(app, ["load", str(path), "--db", str(db), "--chat", "../../pwn"]).exit_code
        == 0
    )
    out = tmp_path / "deep" / "er"
    out.mkdir(parents=True)
    result = runner.invoke(app, ["report", "--db", str(db), "--output", str(out / "r.html")])
    assert result.exit_code == 0, result.output
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".html"]
    assert written and all(out in p.parents for p in written)


def test_forget_binds_the_handle(db, load, tmp_path):
    load(synth.write_jsonl(tmp_path / "c.jsonl", [
        tweet(1, "a_c", "A1 hi @abc #hcldr"), tweet(2, "abc", "A1 hi @a_c #hcldr", minutes=1),
        tweet(3, "aXc", "A1 hi @a_c and @abc #hcldr", minutes=2),
    ]), chat="hcldr")  # fmt: skip
    for handle in ("x' or '1'='1", "%", "a%c", "a c", ""):
        with pytest.raises(UsageError):
            privacy.forget(db, handle)
    done = privacy.forget(db, "a_c")  # "_" is a letter here, not a LIKE wildcard
    assert (done.posts, done.accounts) == (1, 1)
    assert db.execute("select author_handle, text from posts order by post_id").fetchall() == [
        ("abc", "A1 hi @[removed] #hcldr"),
        ("aXc", "A1 hi @[removed] and @abc #hcldr"),
    ]


def test_pseudonym_sql_refuses_to_paste_anything_but_hex():
    with pytest.raises(ValueError):
        privacy.pseudonym_sql("h", "abc'; drop table posts; --")
    assert "drop" not in privacy.pseudonym_sql("h", "00ff")


def test_sql_is_read_only_even_for_the_privacy_tables(tmp_path, runner):
    db = tmp_path / "a.duckdb"
    path = synth.write_v1(tmp_path / "c.jsonl", 20)
    assert (
        runner.invoke(app, ["load", str(path), "--db", str(db), "--chat", "hcldr"]).exit_code == 0
    )
    for statement in (
        "delete from forgotten",
        "insert into forgotten (handle) values ('x')",
        "update privacy_salt set salt = 'x'",
        "drop table privacy_salt",
    ):
        result = runner.invoke(app, ["sql", statement, "--db", str(db)])
        assert result.exit_code != 0, statement
        assert "Traceback" not in result.output
        assert result.stderr.startswith("Error: "), result.stderr
    con = dbmod.connect(db, read_only=True)
    assert con.execute("select count(*), min(length(salt)) from privacy_salt").fetchone() == (1, 64)
    con.close()


def test_the_salt_stays_out_of_exports(tmp_path, runner):
    db = tmp_path / "a.duckdb"
    path = synth.write_v1(tmp_path / "c.jsonl", 20)
    assert (
        runner.invoke(app, ["load", str(path), "--db", str(db), "--chat", "hcldr"]).exit_code == 0
    )
    con = dbmod.connect(db, read_only=True)
    salt = con.execute("select salt from privacy_salt").fetchone()[0]
    con.close()
    for extra in ([], ["--pseudonymize"]):
        out = tmp_path / f"export{len(extra)}"
        result = runner.invoke(app, ["export", "--db", str(db), "--output", str(out), *extra])
        assert result.exit_code == 0, result.output
        assert not any("privacy_salt" in str(p) for p in out.rglob("*")), sorted(out.rglob("*"))
        assert not any(salt.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())


def test_no_html_output_without_escaping_helpers():
    """Every module that writes HTML escapes through html.escape or its JSON-for-script helper."""
    root = Path(__file__).resolve().parent.parent / "chatgraph"
    for name in ("maps.py", "report.py", "transcripts.py"):
        source = (root / name).read_text(encoding="utf-8")
        assert "escape(" in source or "json_for_script" in source, name
