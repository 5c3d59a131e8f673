"""The chat report and the demo: exact tables, relative links, inline SVG, nothing from outside,
every hostile name escaped."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from maparchive import EVIL, fill
from synth import write_v1

from chatgraph import demo, report
from chatgraph.cli import app
from chatgraph.errors import ChatgraphError

EVIL_HTML = "&lt;img src=x onerror=window.__pwned=1&gt;"
SESSIONS = ["hcldr-2019-03-05", "hcldr-2020-04-07", "hcldr-2021-06-01"]


@pytest.fixture
def archive(db):
    return fill(db)


@pytest.fixture
def written(archive, tmp_path):
    result = report.write_report(archive, tmp_path / "out" / "report.html")
    return result, result.path.read_text(encoding="utf-8")


def map_nodes(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', text, re.S)
    assert m
    return len(json.loads(m.group(1))["nodes"])


def test_report_files_and_relative_links(written, tmp_path):
    result, page = written
    assets = tmp_path / "out" / "report_files"
    assert result.assets == assets
    assert result.transcripts == 3
    assert result.years == [2019, 2020, 2021]
    assert [p.name for p in result.maps] == ["map-2021.html", "map-all-years.html"]
    links = re.findall(r'<a href="(report_files/transcripts/[^"]+)">([^<]+)</a>', page)
    assert links == [(f"report_files/transcripts/{s}.html", s) for s in SESSIONS]
    for href, _ in links:
        assert (tmp_path / "out" / href).is_file()
    assert re.findall(r'<iframe src="([^"]+)"', page) == ["report_files/map-2021.html"]
    assert map_nodes(assets / "map-2021.html") == 4  # alice-bob (reply), carol-dave (quote)
    assert map_nodes(assets / "map-all-years.html") == 5
    assert '<a href="report_files/map-all-years.html">all years with a year control</a>' in page


def test_nothing_from_outside_anywhere(written, tmp_path):
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(files) == 1 + 3 + 2
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), path
        assert "<link" not in text and "@import" not in text, path


def test_hostile_text_is_escaped_everywhere(written, tmp_path):
    _, page = written
    for path in (tmp_path / "out").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<img" not in text, path
        assert "<script>window" not in text, path
        assert "<b>Brown" not in text and "<b>bold" not in text, path
    # the report shows the hostile handle as text, in the contributors and core tables
    assert page.count(f"@{EVIL_HTML}") == 2
    assert '<td>@<span class="who">' not in page
    row = re.search(r"<tr><td>2020</td><td>(.*?)</td></tr>", page)
    assert row and row.group(1) == (
        f'<span class="who">@Alice</span> (2), <span class="who">@{EVIL_HTML}</span> (1)'
    )
    transcript = tmp_path / "out" / "report_files" / "transcripts" / f"{SESSIONS[1]}.html"
    text = transcript.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=&quot;window.__pwned=3&quot;&gt;A1" in text


def test_plots_are_inline_svg(written):
    _, page = written
    labels = re.findall(r'<svg role="img" aria-label="([^"]+)" class="plot"', page)
    assert labels == [
        "Active participants per year, newcomers and returning",
        "Retention per year",
        "New connections per year",
        "Participants, newcomers, new connections and retention per session",
    ]
    assert "xmlns" not in page and "<?xml" not in page and "<metadata" not in page
    assert page.count("</svg>") == 4
    # text stays text (readable, searchable) and ids differ between the plots
    assert "Retention: newcomers who take part again the next year" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    refs = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', page)
    assert refs and all((a or b) in ids for a, b in refs)


def test_svg_escapes_text():
    fig, (ax,) = report._figure()
    ax.set_title("<script>alert(1)</script> & co")
    text = report.svg(fig, "t", 'say "hi" <b>')
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    assert 'aria-label="say &quot;hi&quot; &lt;b&gt;"' in text
    assert "<script>" not in text


def test_tables(archive, written):
    assert report.top_contributors(archive, "hcldr").rows() == [
        (2019, "bob", 2),
        (2019, "alice", 1),
        (2020, "alice", 2),
        (2020, EVIL.lower(), 1),
        (2021, "alice", 1),
        (2021, "dave", 1),
    ]
    sizes = report.community_sizes(archive, "hcldr", [2019, 2020, 2021])
    # 2021: alice-bob and carol-dave are two separate pairs. Connected accounts are more than the
    # year's active participants: carol never posted (bob mentioned her), in 2020 bob and dave
    # were only mentioned or replied to, and in 2021 bob only retweeted.
    assert sizes.rows() == [
        (2019, 3, 2, 1, [3]),
        (2020, 4, 2, 1, [4]),
        (2021, 4, 2, 2, [2, 2]),
    ]
    _, page = written
    assert (
        "<tr><td>2021</td><td class=n>4</td><td class=n>2</td><td class=n>2</td><td>2, 2</td></tr>"
    ) in page
    assert (
        "<th>year</th><th class=n>connected accounts</th><th class=n>of them active participants"
        "</th><th class=n>communities</th><th>sizes</th>"
    ) in page
    assert (
        '<tr><td>2021</td><td class=n>1</td><td class=n>4</td><td><span class="who">@Alice</span>, '
        '<span class="who">@Bob</span>, <span class="who">@Dave</span>, '
        '<span class="who">@Carol</span></td></tr>'
    ) in page
    assert "<h1>#hcldr: how the community grew, 2019–2021</h1>" in page
    # 4 accounts posted; the 5 connected ones include carol, who was only mentioned
    assert (
        '<p class="meta">3 sessions · 9 posts by 4 accounts · 5 connections between 5 accounts, '
        "1 of whom never posted (only mentioned or replied to) · made by"
    ) in page
    assert report.account_counts(archive, "hcldr") == report.AccountCounts(4, 5, 4, 1)


def test_report_cli(archive, runner, tmp_path):
    path = tmp_path / "a.duckdb"
    archive.execute(f"attach '{path}' as f")
    archive.execute("copy from database memory to f")
    archive.execute("detach f")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "--db", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out} (3 transcripts and 2 maps in " in result.output
    assert (tmp_path / "r_files" / "map-2021.html").is_file()
    bad = runner.invoke(app, ["report", "--db", str(path), "--chat", "nope", "--output", str(out)])
    assert bad.exit_code == 2
    assert "Error: no chat named 'nope' in the archive (chats: hcldr)" in bad.output


def test_report_cli_pseudonymized(archive, runner, tmp_path):
    path = tmp_path / "a.duckdb"
    archive.execute(f"attach '{path}' as f")
    archive.execute("copy from database memory to f")
    archive.execute("detach f")
    out = tmp_path / "p.html"
    result = runner.invoke(
        app, ["report", "--db", str(path), "--pseudonymize", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    files = [out, *sorted((tmp_path / "p_files").rglob("*.html"))]
    assert len(files) == 1 + 2 + 3
    for f in files:
        text = f.read_text(encoding="utf-8")
        for name in ("@Alice", "@alice", "Alice Adams", "@Bob", "Carol", "Dave", "pwned=1"):
            assert name not in text, (f, name)
    assert '<span class="who">@user-' in out.read_text(encoding="utf-8")


def test_report_of_an_empty_chat(db, tmp_path):
    db.execute("insert into chats (chat_id, hashtag) values ('quiet', 'quiet')")
    with pytest.raises(ChatgraphError) as e:
        report.write_report(db, tmp_path / "r.html")
    assert str(e.value) == "chat 'quiet' has no posts yet; load some exports first"


def test_report_of_a_chat_without_interactions_or_sessions(db, tmp_path):
    db.execute("insert into chats (chat_id, hashtag) values ('quiet', 'quiet')")
    db.execute(
        "insert into posts (post_id, platform, chat_id, created_at, author_id, author_handle, text) "
        "values ('1', 'twitter', 'quiet', '2020-01-01 12:00:00+00', 'a', 'Ann', 'hello <b>')"
    )
    result = report.write_report(db, tmp_path / "r.html")
    assert (result.transcripts, result.maps, result.years) == (0, [], [2020])
    page = result.path.read_text(encoding="utf-8")
    assert (
        '<section id="map"><h2>Connection map</h2>\n<p>No interactions yet, so no map.</p>' in page
    )
    assert "<iframe" not in page
    assert page.count("</svg>") == 3  # no per-session plot without sessions
    assert '<tr><td>2020</td><td><span class="who">@ann</span> (1)</td></tr>' in page


def test_safe_name():
    assert report.safe_name("hcldr-2019-03-05") == "hcldr-2019-03-05"
    assert report.safe_name("../a b/<c>") == "_a_b__c_"
    assert report.safe_name("..") == "_"


def test_demo_on_a_small_samples_folder(tmp_path):
    samples = tmp_path / "samples"
    samples.mkdir()
    write_v1(samples / "chat.jsonl", 120, users=8)
    (samples / "README.md").write_text("# not an export\n", encoding="utf-8")
    assert [p.name for p in demo.sample_files(samples)] == ["chat.jsonl"]
    steps: list[str] = []
    out = tmp_path / "out"
    first = demo.run(out, samples=samples, step=steps.append)
    again = demo.run(out, samples=samples)  # afresh: nothing is a duplicate the second time
    for result in (first, again):
        assert result.loaded.select("file", "chat", "records", "inserted", "duplicates").rows() == [
            ("chat.jsonl", "hcldr", 120, 120, 0)
        ]
    assert steps[0] == "loading 1 sample exports"
    whats = [(c, w) for c, w, _ in first.outputs]
    assert whats[0] == ("hcldr", "graph (GEXF, Gephi timeline)")
    assert ("hcldr", "report") in whats
    for _, _, path in first.outputs:
        assert path.exists(), path
    assert first.growth["hcldr"].columns == demo.GROWTH_SHOWN
    with pytest.raises(ChatgraphError) as e:
        demo.sample_files(tmp_path / "missing")
    assert str(e.value).endswith(
        "make them with: python -m chatgraph.simulate --output " + str(tmp_path / "missing")
    )


def test_demo_help(runner):
    result = runner.invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    assert "Example: chatgraph demo --output out/" in result.output


def retention_pieces(svg: str) -> list[list[tuple[str, float, float]]]:
    """The per-session retention line as drawn: per piece, its path's (command, x, y) points."""
    pieces = []
    for _, body in re.findall(r'<g id="sessions-retention-(\d+)">(.*?)</g>', svg, re.S):
        d = re.search(r' d="([^"]*)"', body)
        assert d
        points = re.findall(r"([ML]) ([\d.]+) ([\d.]+)", d.group(1))
        pieces.append([(c, float(x), float(y)) for c, x, y in points])
    return pieces


def test_session_retention_line_breaks_at_gaps(monkeypatch):
    # Weekly sessions, pooled over the last 2: session 2's window (sessions 1 and 2) has no
    # newcomers, so no value; a 20-week pause before session 5 and another before session 6.
    monkeypatch.setattr(report, "ROLLING", 2)
    start = date(2020, 1, 7)
    weeks = [0, 1, 2, 3, 4, 24, 44, 45]
    by_session = pl.DataFrame(
        {
            "local_date": [start + timedelta(weeks=w) for w in weeks],
            "active_participants": [3] * 8,
            "newcomers": [2, 0, 0, 1, 1, 1, 1, 0],
            "new_connections": [1] * 8,
            "retention": [0.5, None, None, 1.0, 0.0, 1.0, 0.0, None],
        }
    )
    values = report.pooled_retention(by_session, 2)
    assert values == [50.0, 50.0, None, 100.0, 50.0, 50.0, 50.0, 0.0]
    breaks = report.pauses(by_session["local_date"].to_list())
    assert breaks == [False, False, False, False, False, True, True, False]
    assert report.runs(values, breaks) == [(0, 2), (3, 5), (5, 6), (6, 8)]
    svg = report.plot_sessions(by_session)
    pieces = retention_pieces(svg)
    # four pieces, none across session 2 or a pause: no segment joins two pieces
    assert [[c for c, _, _ in p] for p in pieces] == [["M", "L"], ["M", "L"], ["M"], ["M", "L"]]
    xs = [[x for _, x, _ in p] for p in pieces]
    assert all(a[-1] < b[0] for a, b in zip(xs, xs[1:], strict=False))
    y50, y100, y0 = pieces[0][0][2], pieces[1][0][2], pieces[3][1][2]
    assert [[y for _, _, y in p] for p in pieces] == [[y50, y50], [y100, y50], [y50], [y50, y0]]
    assert y100 < y50 < y0 and y50 - y100 == pytest.approx(y0 - y50)
    # the lone value is a dot
    lone = re.search(r'<g id="sessions-retention-3">(.*?)</g>', svg, re.S)
    assert lone and "<use " in lone.group(1)
