"""The graph, metrics, growth and overlap commands: exact output and one-line errors."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from handmade import mention, post
from test_growth import fill, t

from chatgraph import db as dbmod
from chatgraph import interactions
from chatgraph.cli import app
from chatgraph.growth import growth


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "a.duckdb"
    con = dbmod.connect(path)
    fill(con)
    con.close()
    return path


def run(runner, *args):
    return runner.invoke(app, [*map(str, args)])


def test_growth_json_equals_the_library(runner, archive):
    result = run(runner, "growth", "--db", archive, "--chat", "hcldr", "--format", "json")
    assert result.exit_code == 0, result.output
    con = dbmod.connect(archive, read_only=True)
    assert json.loads(result.stdout) == growth(con, "hcldr").to_dicts()
    con.close()


def test_growth_csv_by_session_with_retweeters(runner, archive):
    result = run(
        runner,
        "growth",
        "--db",
        archive,
        "-c",
        "#HCLDR",
        "--by",
        "session",
        "--include-retweeters",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "session_id,local_date,year,posts,participants,active_participants,newcomers,returning,retention,new_connections,cumulative_connections,median_new_connections_per_newcomer",
        "a,2018-03-06,2018,3,3,2,3,0,1.0,1,1,1.0",
        "b,2019-03-05,2019,4,4,3,1,3,1.0,1,2,1.0",
        "c,2019-03-12,2019,3,3,3,1,2,1.0,1,3,1.0",
        "d,2021-03-02,2021,3,3,3,1,2,,3,7,2.0",
    ]


def test_growth_errors_are_one_line(runner, archive):
    result = run(runner, "growth", "--db", archive)
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: the archive holds several chats (hcldr, uscap); choose one with --chat\n"
    )
    result = run(runner, "growth", "--db", archive, "-c", "hcldr", "--by", "week")
    assert (result.exit_code, result.stderr) == (2, "Error: --by 'week': choose year or session\n")


def test_graph_files(runner, archive, tmp_path):
    out = tmp_path / "g.graphml"
    result = run(
        runner,
        "graph",
        "--db",
        archive,
        "-c",
        "hcldr",
        "--year",
        "2019",
        "--kinds",
        "reply,mention",
        "--weights",
        "reply=2",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {out}: 3 accounts, 2 edges (hcldr 2019)\n"
    g = nx.read_graphml(out)
    assert {(a, b, d["weight"], d["reply"], d["mention"]) for a, b, d in g.edges(data=True)} == {
        ("carol", "bob", 3, 1, 1),
        ("dave", "carol", 3, 1, 1),
    }
    csv_out = tmp_path / "edges.txt"
    result = run(
        runner,
        "graph",
        "--db",
        archive,
        "-c",
        "hcldr",
        "--session",
        "a",
        "--format",
        "csv",
        "-o",
        csv_out,
    )
    assert result.exit_code == 0, result.output
    assert csv_out.read_text().splitlines() == [
        "source,target,weight,first_seen,reply,mention,retweet,quote",
        "bob,alice,2,2018-03-07T01:31:00,1,1,0,0",
        "rita,alice,1,2018-03-07T01:32:00,0,0,1,0",
    ]
    gexf = tmp_path / "g.gexf"
    result = run(
        runner, "graph", "--db", archive, "-c", "hcldr", "--years", "2018-2021", "-o", gexf
    )
    assert result.exit_code == 0, result.output
    assert 'mode="dynamic"' in gexf.read_text() and 'timeformat="dateTime"' in gexf.read_text()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--years", "2019-x"],
            "Error: --years '2019-x': not a range of years; write it as 2015-2019",
        ),
        (
            ["--year", "2019", "--years", "2018-2019"],
            "Error: give either a year or a range of years, not both (--year or --years)",
        ),
        (
            ["--session", "zz"],
            "Error: no session 'zz' in the archive (latest: d, c, b); list them with chatgraph sessions",
        ),
        (
            ["--kinds", "reply,like"],
            "Error: --kinds: unknown kind 'like'; choose from reply,mention,retweet,quote",
        ),
        (
            ["--weights", "reply:2"],
            "Error: --weights: 'reply:2' is not KIND=NUMBER (e.g. reply=2,mention=1)",
        ),
        (["--format", "dot"], "Error: --format 'dot': choose gexf, graphml or csv"),
    ],
)
def test_graph_errors(runner, archive, tmp_path, args, error):
    result = run(runner, "graph", "--db", archive, "-c", "hcldr", "-o", tmp_path / "g.gexf", *args)
    assert result.exit_code == 2  # every refusal of the command line exits 2
    assert result.stderr == error + "\n"


def test_metrics(runner, archive):
    result = run(runner, "metrics", "--db", archive, "-c", "hcldr", "--show", "cores", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "year,k,handle,posts",
        "2018,1,alice,1",
        "2018,1,bob,1",
        "2019,1,bob,1",
        "2019,1,carol,2",
        "2019,1,dave,1",
        "2020,1,alice,0",
        "2020,1,zed,1",
        "2021,1,alice,0",
        "2021,1,dave,1",
        "2021,1,erin,1",
        "2021,1,rita,1",
    ]
    result = run(runner, "metrics", "--db", archive, "-c", "hcldr", "-f", "json", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert [r["handle"] for r in json.loads(result.stdout)] == ["alice", "bob"]
    result = run(runner, "metrics", "--db", archive, "-c", "hcldr", "--show", "people")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: --show 'people': choose accounts, bridges or cores\n",
    )


def test_overlap(runner, archive):
    con = dbmod.connect(archive)
    post(con, "u1", "ALICE", t(2019, 3, 1), chat="uscap")
    mention(con, "u1", "erin")
    post(con, "u2", "Erin", t(2019, 3, 1, 5), chat="uscap")
    interactions.refresh(con, "uscap")
    con.close()
    result = run(runner, "overlap", "hcldr", "USCAP", "--db", archive, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "measure,hcldr,uscap,shared",
        "accounts,7,2,2",
        "connections,7,1,1",
    ]
    result = run(
        runner, "overlap", "hcldr", "uscap", "--db", archive, "--list", "accounts", "-f", "csv"
    )
    assert result.stdout.splitlines()[0] == "handle,posts_a,posts_b,first_seen_a,first_seen_b"
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["alice", "erin"]
    result = run(runner, "overlap", "hcldr", "nope", "--db", archive)
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: no chat named 'nope' in the archive (chats: hcldr, uscap)\n",
    )
