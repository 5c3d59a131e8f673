"""The chats, chats set, sessions and transcript commands, on a small archive file."""

from __future__ import annotations

import json

import pytest

from chatgraph import db as dbmod
from chatgraph.cli import app
from tests.chat_posts import add_chat, add_post, refresh

PEOPLE = ["ann", "ben", "cat", "dan"]


@pytest.fixture
def archive(tmp_path):
    """Two Tuesday sittings at 20:30 New York time (01:30 UTC in March before DST), no configuration."""
    path = tmp_path / "a.duckdb"
    con = dbmod.connect(path)
    add_chat(con)
    for week, utc_day in (("w1", "2024-02-28"), ("w2", "2024-03-06")):
        add_post(con, f"{week}-q1", f"{utc_day} 01:35:00+00", "host", "Q1: first?")
        add_post(con, f"{week}-q2", f"{utc_day} 02:00:00+00", "host", "Q2: second?")
        for i in range(10):
            who = PEOPLE[i % 4] if week == "w1" else ["ann", "eve", "fay", "ben"][i % 4]
            add_post(
                con, f"{week}-a{i}", f"{utc_day} 01:{36 + i * 2}:00+00", who, f"A{1 + i // 5} x"
            )
        add_post(con, f"{week}-rt", f"{utc_day} 02:10:00+00", "gus", "", retweet_of=f"{week}-q2")
    refresh(con)
    con.close()
    return str(path)


def test_chats_lists_inferred_schedule_prefixes_hosts(runner, archive):
    result = runner.invoke(app, ["chats", "--db", archive, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "chat": "testchat",
            "schedule": "Wednesdays 01:30 for 30 min UTC (inferred)",
            "prefixes": "Q (inferred)",
            "hosts": "host (inferred)",
            "posts": 26,
            "sessions": 2,
            "dates": "2024-02-28 – 2024-03-06",
        }
    ]


def test_sessions_table_as_csv(runner, archive):
    result = runner.invoke(app, ["sessions", "--db", archive, "--format", "csv"])
    assert result.exit_code == 0, result.output
    # gus only retweets: a participant but not active, so never a newcomer (5 of the 6 in w1)
    assert result.stdout == (
        "session_id,local_date,starts,posts,participants,active_participants,newcomers,questions\n"
        "testchat-2024-02-28,2024-02-28,01:35,13,6,5,5,2\n"
        "testchat-2024-03-06,2024-03-06,01:35,13,6,5,2,2\n"
    )


def test_chats_set_schedule_rebuilds_sessions_in_local_time(runner, archive):
    result = runner.invoke(
        app,
        ["chats", "set", "testchat", "--db", archive, "--timezone", "America/New_York",
         "--weekday", "Tuesday", "--start", "20:30", "--duration", "60", "--hosts", "@Host"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = runner.invoke(app, ["sessions", "--db", archive, "--format", "csv", "--year", "2024"])
    assert out.stdout.splitlines()[1:] == [
        "testchat-2024-02-27,2024-02-27,20:35,13,6,5,5,2",
        "testchat-2024-03-05,2024-03-05,20:35,13,6,5,2,2",
    ]
    listed = json.loads(runner.invoke(app, ["chats", "--db", archive, "-f", "json"]).stdout)[0]
    assert listed["schedule"] == "Tuesdays 20:30 for 60 min America/New_York (configured)"
    assert listed["hosts"] == "Host (configured)"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--timezone", "Mars/Base"], "Error: --timezone 'Mars/Base': not a known time zone; "
         "give an IANA name such as America/New_York, Europe/London or UTC"),
        (["--weekday", "funday"], "Error: --weekday 'funday': not a weekday; "
         "give a name (Tuesday, tue) or 1-7 (1 = Monday)"),
        (["--weekday", "8"], "Error: --weekday '8': not a weekday; "
         "give a name (Tuesday, tue) or 1-7 (1 = Monday)"),
        (["--start", "25:00"], "Error: --start '25:00': not a time of day; "
         "give HH:MM in 24 hours, e.g. 20:30"),
        (["--duration", "2000"], "Error: --duration 2000: give the session length in minutes, 1 to 720"),
        (["--prefixes", "Q,T1"], "Error: --prefixes 'T1': not valid here; "
         "give a comma-separated list, e.g. --prefixes Q,T"),
        ([], "Error: chats set testchat: nothing to set; give --timezone, --weekday, --start, "
         "--duration, --prefixes, --hosts, --mastodon-instance, --mastodon-tag, --bluesky-tag "
         "or --bluesky-service"),
        (["--mastodon-instance", "ftp://x"], "Error: --mastodon-instance 'ftp://x': not a server "
         "address; give one like https://mastodon.social"),
        (["--bluesky-tag", "#no tag"], "Error: --bluesky-tag '#no tag': a hashtag is letters, "
         "digits and _ (e.g. hcldr)"),
    ],
)  # fmt: skip
def test_chats_set_rejects_bad_values_with_one_line(runner, archive, args, error):
    result = runner.invoke(app, ["chats", "set", "testchat", "--db", archive, *args])
    assert (result.exit_code, result.stderr) == (2, error + "\n")
    con = dbmod.connect(archive, read_only=True)
    assert con.execute("select timezone, weekday, start_time from chats").fetchall() == [
        (None, None, None)
    ]
    con.close()


def test_chats_set_unknown_chat(runner, archive):
    result = runner.invoke(app, ["chats", "set", "nochat", "--db", archive, "--start", "20:00"])
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: no chat named 'nochat' in the archive (chats: testchat)\n",
    )


def test_chats_add_then_set_before_loading(runner, tmp_path):
    db = str(tmp_path / "b.duckdb")
    assert runner.invoke(app, ["chats", "add", "#NewChat", "--db", db]).exit_code == 0
    result = runner.invoke(
        app, ["chats", "set", "newchat", "--db", db, "--timezone", "Europe/Paris"]
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["chats", "add", "newchat", "--db", db])
    assert (again.exit_code, again.stderr) == (
        2,
        "Error: chats add newchat: that chat exists already; change it with chats set\n",
    )


def test_transcript_to_files(runner, archive, tmp_path):
    md = tmp_path / "t.md"
    result = runner.invoke(
        app, ["transcript", "testchat-2024-02-28", "--db", archive, "--output", str(md)]
    )
    assert result.exit_code == 0, result.output
    assert md.read_text().startswith("# #testchat: session testchat-2024-02-28\n")
    page = tmp_path / "t.html"
    result = runner.invoke(
        app,
        ["transcript", "testchat-2024-02-28", "--db", archive, "-f", "html", "-o", str(page)],
    )
    assert result.exit_code == 0, result.output
    assert "<h2>Q2: second?</h2>" in page.read_text()


def test_transcript_of_unknown_session(runner, archive):
    result = runner.invoke(app, ["transcript", "testchat-2020-01-01", "--db", archive])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no session 'testchat-2020-01-01' in the archive")


@pytest.mark.parametrize(
    "command",
    [["chats"], ["chats", "set"], ["chats", "add"], ["sessions"], ["threads"], ["transcript"]],
)
def test_help_has_an_example(runner, command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example: chatgraph " in result.stdout


def test_transcript_pseudonymized(runner, archive):
    result = runner.invoke(
        app, ["transcript", "testchat-2024-02-28", "--db", archive, "--pseudonymize"]
    )
    assert result.exit_code == 0, result.output
    for handle in ("@host", "@ann", "@ben", "@cat", "@dan"):
        assert handle not in result.stdout
    assert result.stdout.count("@user-") >= 10


def test_threads_table_per_question(runner, archive):
    result = runner.invoke(app, ["threads", "testchat-2024-02-28", "--db", archive, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "question,asked,asked_by,posts,participants,tagged,replies,retweets,quotes,by_time,text\n"
        "1,01:35,host,6,5,5,0,0,0,0,Q1: first?\n"
        "2,02:00,host,7,6,5,0,1,0,0,Q2: second?\n"
    )


def test_threads_of_unknown_session(runner, archive):
    result = runner.invoke(app, ["threads", "nope", "--db", archive])
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: no session 'nope' in the archive (latest: testchat-2024-03-06, testchat-2024-02-28); "
        "list them with chatgraph sessions\n",
    )


def test_a_time_zone_set_alone_is_labelled_configured(runner, archive):
    result = runner.invoke(
        app, ["chats", "set", "testchat", "--db", archive, "--timezone", "America/New_York"]
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["chats", "--db", archive, "-f", "json"]).stdout)[0]
    assert listed["schedule"] == (
        "Tuesdays 20:30 for 30 min America/New_York (inferred; time zone configured)"
    )


def test_a_near_miss_names_the_nearest_sessions(runner, archive):
    by_date = runner.invoke(app, ["transcript", "testchat-2024-03-04", "--db", archive])
    assert (by_date.exit_code, by_date.stderr) == (
        2,
        "Error: no session 'testchat-2024-03-04' in the archive (nearest: testchat-2024-02-28, "
        "testchat-2024-03-06); list them with chatgraph sessions\n",
    )
    by_spelling = runner.invoke(app, ["threads", "testchat-2024-03-0", "--db", archive])
    assert by_spelling.exit_code == 2
    assert by_spelling.stderr.startswith(
        "Error: no session 'testchat-2024-03-0' in the archive (nearest: testchat-2024-03-06, "
    )


def test_latest_session_and_a_session_id_that_names_its_chat(runner, archive, tmp_path):
    latest = runner.invoke(app, ["transcript", "latest", "--db", archive])
    assert latest.exit_code == 0, latest.output
    assert latest.stdout.splitlines()[0] == "# #testchat: session testchat-2024-03-06"
    threads = runner.invoke(app, ["threads", "latest", "--chat", "testchat", "--db", archive])
    assert threads.exit_code == 0, threads.output
    out = tmp_path / "g.csv"
    graphed = runner.invoke(
        app, ["graph", "--session", "testchat-2024-02-28", "--output", str(out), "-f", "csv",
              "--kinds", "retweet", "--db", archive],
    )  # fmt: skip
    assert graphed.exit_code == 0, graphed.output
    assert graphed.stdout.startswith(f"Wrote {out}: ")
    wrong = runner.invoke(
        app, ["graph", "--session", "testchat-2024-02-28", "--chat", "other", "--db", archive,
              "--output", str(tmp_path / "g.gexf")],
    )  # fmt: skip
    assert (wrong.exit_code, wrong.stderr) == (
        2, "Error: no chat named 'other' in the archive (chats: testchat)\n"
    )  # fmt: skip
