"""chatgraph fetch against a real HTTP server on 127.0.0.1 replaying pages built from real
Mastodon and Bluesky answers: paging, cursors, retries, errors, kills. No test reaches the internet."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, realdata
from replay_server import START, Replay, bluesky_posts, mastodon_statuses

from chatgraph import db as dbmod
from chatgraph import fetch
from chatgraph.cli import app

FAST = fetch.HttpOptions(timeout=5, retries=3, backoff=0.01, max_wait=2)
FAST_ENV = {"CHATGRAPH_FETCH_BACKOFF": "0.01", "CHATGRAPH_FETCH_RETRIES": "2",
            "CHATGRAPH_FETCH_TIMEOUT": "5", "CHATGRAPH_FETCH_MAX_WAIT": "2"}  # fmt: skip


@pytest.fixture
def real() -> Path:
    return realdata("mastodon/timelines_tag_hoot.json").parent.parent


@pytest.fixture
def replay():
    with Replay() as server:
        yield server


def _ids(server: Replay) -> list[str]:
    return [s["id"] for s in server.statuses]


def _count(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def _cursors(con) -> list[tuple]:
    return con.execute(
        "select chat_id, platform, instance, tag, newest_id, newest_at, source_id, fetches, posts "
        "from fetch_cursors order by platform, instance"
    ).fetchall()


def _at(k: int) -> datetime:
    return START + timedelta(seconds=20 * k)


def _mastodon(con, server: Replay, folder: Path, **kw) -> fetch.FetchResult:
    return fetch.fetch_place(
        con, folder, "mastodon", server.url, "hcldr", "hcldr", options=FAST, **kw
    )


def _bluesky(con, server: Replay, folder: Path, **kw) -> fetch.FetchResult:
    return fetch.fetch_place(
        con, folder, "bluesky", server.url, "hcldr", "hcldr", options=FAST, **kw
    )


# ---------------------------------------------------------------- Mastodon


def test_mastodon_pages_by_link_max_id_and_loads_every_post(db, replay, real, tmp_path):
    replay.add_statuses(mastodon_statuses(real, 100))
    ids = _ids(replay)
    r = _mastodon(db, replay, tmp_path)
    assert (r.pages, r.posts, r.inserted, r.duplicates, r.rejected) == (4, 100, 100, 0, 0)
    assert replay.of("mastodon") == [
        {"limit": "40"},
        {"limit": "40", "max_id": ids[39]},
        {"limit": "40", "max_id": ids[79]},
        {"limit": "40", "max_id": ids[99]},
    ]
    assert _count(db, "posts") == 100
    assert db.execute("select count(distinct post_id) from posts").fetchone()[0] == 100
    assert _cursors(db) == [("hcldr", "mastodon", replay.url, "hcldr", ids[0], _at(99), 1, 1, 100)]
    src = db.execute(
        "select path, format, chat_id, records, inserted, duplicates, rejected from sources"
    ).fetchall()
    assert src == [(str(r.file), "mastodon", "hcldr", 100, 100, 0, 0)]
    # the spool: one gzipped JSON lines file, one line per page that held posts, nothing half-done
    assert sorted(p.name for p in r.file.parent.iterdir()) == [r.file.name]
    with gzip.open(r.file, "rt") as f:
        assert [len(json.loads(line)) for line in f] == [40, 40, 20]


def test_rerun_adds_nothing_and_next_week_adds_only_new_posts(db, replay, real, tmp_path):
    replay.add_statuses(mastodon_statuses(real, 100))
    _mastodon(db, replay, tmp_path)
    top = _ids(replay)[0]
    before = db.execute("select * from fetch_cursors").fetchall()

    again = _mastodon(db, replay, tmp_path)
    assert (again.pages, again.posts, again.file, again.loads) == (1, 0, None, [])
    assert replay.of("mastodon")[-1] == {"limit": "40", "since_id": top}
    assert (_count(db, "posts"), _count(db, "sources")) == (100, 1)
    assert db.execute("select * from fetch_cursors").fetchall() == before

    replay.add_statuses(mastodon_statuses(real, 30, first=100))  # a week's new posts
    n = len(replay.requests)
    week = _mastodon(db, replay, tmp_path)
    new_top = _ids(replay)[0]
    assert (week.posts, week.inserted, week.duplicates) == (30, 30, 0)
    assert replay.of("mastodon")[-2:] == [
        {"limit": "40", "since_id": top},
        {"limit": "40", "since_id": top, "max_id": _ids(replay)[29]},
    ]
    assert len(replay.requests) == n + 2
    assert (_count(db, "posts"), _count(db, "sources")) == (130, 2)
    assert _cursors(db) == [
        ("hcldr", "mastodon", replay.url, "hcldr", new_top, _at(129), 2, 2, 130)
    ]


def test_the_same_status_from_two_instances_is_one_post(db, real, tmp_path):
    statuses = mastodon_statuses(real, 100)
    with Replay() as a, Replay() as b:
        a.add_statuses(statuses, seq=7)
        b.add_statuses(statuses, seq=9)  # other ids for the same uris, as on another instance
        assert _ids(a) != _ids(b)
        jobs = fetch.mastodon_jobs([a.url, b.url], "#HCLDR", None)
        ra, rb = (job.run(db, tmp_path, options=FAST) for job in jobs)
        assert (ra.inserted, ra.duplicates, rb.inserted, rb.duplicates) == (100, 0, 0, 100)
        assert _count(db, "posts") == 100
        assert _count(db, "post_sources") == 200
        assert [(c[2], c[4], c[8]) for c in _cursors(db)] == sorted(
            [(a.url, _ids(a)[0], 100), (b.url, _ids(b)[0], 0)]
        )


def test_since_and_until_bound_the_posts_taken(db, replay, real, tmp_path):
    replay.add_statuses(mastodon_statuses(real, 100))
    ids = _ids(replay)
    r = _mastodon(db, replay, tmp_path, since=_at(30), until=_at(60))
    # page 1 is all after --until; page 2 reaches before --since, so paging stops there
    assert (r.pages, r.posts, r.inserted) == (2, 30, 30)
    assert db.execute("select min(created_at), max(created_at) from posts").fetchone() == (
        _at(30),
        _at(59),
    )
    assert _cursors(db)[0][4:6] == (ids[40], _at(59))


def test_retries_429_with_retry_after_then_500_then_a_cut_body(db, replay, real, tmp_path):
    replay.add_statuses(mastodon_statuses(real, 100))
    ids = _ids(replay)
    replay.fault("mastodon", 2, status=429, headers={"Retry-After": "1"})
    replay.fault("mastodon", 4, status=500)
    replay.fault("mastodon", 6, cut=True)
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        time.sleep(s)

    r = _mastodon(db, replay, tmp_path, sleep=sleep)
    assert (r.pages, r.posts, r.inserted, r.duplicates) == (4, 100, 100, 0)
    assert sleeps == [1.0, 0.01, 0.01]
    second, third, fourth = ({"limit": "40", "max_id": ids[k]} for k in (39, 79, 99))
    assert replay.of("mastodon") == [{"limit": "40"}, second, second, third, third, fourth, fourth]
    assert db.execute("select count(*), count(distinct post_id) from posts").fetchone() == (
        100,
        100,
    )


def test_rate_limit_remaining_zero_waits_for_the_reset(db, replay, real, tmp_path):
    replay.add_statuses(mastodon_statuses(real, 100))
    replay.ratelimit_remaining = 0
    sleeps: list[float] = []
    options = fetch.HttpOptions(timeout=5, retries=3, backoff=0.01, max_wait=0.2)
    r = fetch.fetch_place(db, tmp_path, "mastodon", replay.url, "hcldr", "hcldr",
                          options=options, sleep=sleeps.append)  # fmt: skip
    assert r.inserted == 100
    assert len(sleeps) == 3 and all(0 < s <= 0.2 for s in sleeps)  # before pages 2, 3 and 4


def test_interrupted_load_leaves_the_archive_and_the_next_run_loads_it(
    db, replay, real, tmp_path, monkeypatch
):
    replay.add_statuses(mastodon_statuses(real, 100))
    from chatgraph import derive

    refresh = derive.refresh

    def ctrl_c(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(derive, "refresh", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        _mastodon(db, replay, tmp_path)
    assert [_count(db, t) for t in ("posts", "sources", "fetch_cursors", "post_sources")] == [0] * 4
    spool = fetch.Spool(tmp_path, "mastodon", replay.url, "hcldr")
    state = spool.state()
    assert state["complete"] and Path(state["file"]).exists()

    monkeypatch.setattr(derive, "refresh", refresh)
    r = _mastodon(db, replay, tmp_path)
    assert [x.inserted for x in r.loads] == [100]
    assert r.posts == 0  # then asked for newer posts: none
    assert replay.of("mastodon")[-1] == {"limit": "40", "since_id": _ids(replay)[0]}
    assert (_count(db, "posts"), _count(db, "sources"), spool.state()) == (100, 1, None)


def test_killed_fetch_leaves_the_archive_and_the_rerun_resumes(runner, replay, real, tmp_path):
    replay.add_statuses(mastodon_statuses(real, 100))
    ids = _ids(replay)
    replay.fault("mastodon", 3, sleep=60)  # the kill comes while page 3 is on its way
    archive = tmp_path / "hcldr.duckdb"
    cmd = [sys.executable, "-m", "chatgraph", "fetch", "mastodon", "--instance", replay.url,
           "--tag", "hcldr", "--db", str(archive)]  # fmt: skip
    env = {**os.environ, **FAST_ENV, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while replay.counts.get("mastodon", 0) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the fetch never asked for page 3"
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    con = dbmod.connect(archive, read_only=True)
    assert [_count(con, t) for t in ("posts", "sources", "fetch_cursors", "chats")] == [0] * 4
    con.close()
    spool = fetch.Spool(fetch.default_folder(archive), "mastodon", replay.url, "hcldr")
    state = spool.state()
    assert (state["next"], state["pages"], state["posts"], state["complete"]) == (
        ids[79],
        2,
        80,
        False,
    )
    assert len(spool.partial.read_bytes().splitlines()) == 2

    result = runner.invoke(app, cmd[3:], env=FAST_ENV)
    assert result.exit_code == 0, result.output
    assert replay.of("mastodon")[3:] == [
        {"limit": "40", "max_id": ids[79]},
        {"limit": "40", "max_id": ids[99]},
    ]
    con = dbmod.connect(archive, read_only=True)
    assert con.execute("select records, inserted, duplicates from sources").fetchall() == [
        (100, 100, 0)
    ]
    assert con.execute("select count(*), count(distinct post_id) from posts").fetchone() == (
        100,
        100,
    )
    assert _cursors(con)[0][4:] == (ids[0], _at(99), 1, 1, 100)
    con.close()
    assert not spool.partial.exists() and spool.state() is None


# ---------------------------------------------------------------- Bluesky


def test_bluesky_pages_by_cursor_and_a_page_that_repeats_posts(db, replay, real, tmp_path):
    posts = bluesky_posts(real, 250)
    replay.add_posts(posts)
    replay.fault("bluesky", 2, repeat=5)  # page 2 starts 5 posts early (new posts shifted it)
    r = _bluesky(db, replay, tmp_path)
    assert (r.pages, r.posts, r.inserted, r.duplicates, r.rejected) == (3, 255, 250, 5, 0)
    q = {"q": "#hcldr", "sort": "latest", "limit": "100"}
    assert replay.of("bluesky") == [q, {**q, "cursor": "100"}, {**q, "cursor": "195"}]
    assert db.execute("select count(*), count(distinct post_id) from posts").fetchone() == (
        250,
        250,
    )
    assert _cursors(db) == [
        ("hcldr", "bluesky", replay.url, "hcldr", posts[-1]["uri"], _at(249), 1, 1, 250)
    ]
    assert db.execute("select tag, count(*) from hashtags group by tag").fetchall() == [
        ("hcldr", 250)
    ]


def test_bluesky_rerun_adds_nothing_and_next_week_adds_only_new(db, replay, real, tmp_path):
    replay.add_posts(bluesky_posts(real, 250))
    _bluesky(db, replay, tmp_path)
    before = db.execute("select * from fetch_cursors").fetchall()
    again = _bluesky(db, replay, tmp_path)
    q = {"q": "#hcldr", "sort": "latest", "limit": "100"}
    assert replay.of("bluesky")[-1] == {**q, "since": "2024-01-02T02:53:00.000Z"}
    assert (again.posts, again.file, _count(db, "sources")) == (0, None, 1)
    assert db.execute("select * from fetch_cursors").fetchall() == before

    new = bluesky_posts(real, 40, first=250)
    replay.add_posts(new)
    week = _bluesky(db, replay, tmp_path)
    assert (week.posts, week.inserted, week.duplicates) == (40, 40, 0)
    assert (_count(db, "posts"), _count(db, "sources")) == (290, 2)
    assert _cursors(db)[0][4:] == (new[-1]["uri"], _at(289), 2, 2, 290)


def test_bluesky_login_with_the_app_password_from_the_environment(runner, replay, real, tmp_path):
    replay.add_posts(bluesky_posts(real, 120))
    replay.token = "jwt-for-tests"
    replay.login = ("mod.bsky.social", "app-pass-secret-123")
    archive = tmp_path / "a.duckdb"
    args = ["fetch", "bluesky", "--tag", "hcldr", "--service", replay.url, "--db", str(archive)]

    no_password = runner.invoke(app, [*args, "--handle", "mod.bsky.social"], env=FAST_ENV)
    assert (no_password.exit_code, no_password.stderr) == (
        2,
        "Error: --handle mod.bsky.social: set the app password in the environment variable "
        "CHATGRAPH_BLUESKY_PASSWORD (it is never taken on the command line nor stored)\n",
    )
    no_login = runner.invoke(app, args, env=FAST_ENV)
    assert no_login.exit_code == 1
    assert no_login.stderr.splitlines()[-1] == (
        f"Error: {replay.url}/xrpc/app.bsky.feed.searchPosts: 403 Forbidden (This method requires "
        "an authenticated user); this service wants a login: give --handle and put an app password "
        "in CHATGRAPH_BLUESKY_PASSWORD, or use --service https://public.api.bsky.app"
    )
    env = {**FAST_ENV, "CHATGRAPH_BLUESKY_PASSWORD": "app-pass-secret-123"}
    ok = runner.invoke(app, [*args, "--handle", "mod.bsky.social"], env=env)
    assert ok.exit_code == 0, ok.output
    assert replay.of("login") == [{"identifier": "mod.bsky.social"}]
    con = dbmod.connect(archive, read_only=True)
    assert _count(con, "posts") == 120
    con.close()
    stored = [archive, *fetch.default_folder(archive).rglob("*")]
    for path in stored:
        if path.is_file():
            data = path.read_bytes()
            data = gzip.decompress(data) if path.suffix == ".gz" else data
            assert b"app-pass-secret-123" not in data and b"jwt-for-tests" not in data, path


# ---------------------------------------------------------------- errors: one line, archive unchanged


@pytest.mark.parametrize("case", ["401", "404", "503", "dns"])
def test_server_failures_are_one_line_and_leave_the_archive(runner, replay, real, tmp_path, case):
    replay.add_statuses(mastodon_statuses(real, 50))
    url = replay.url
    where = f"{url}/api/v1/timelines/tag/hcldr"
    check = f"check that --instance {url} is a Mastodon server and --tag hcldr is right"
    if case == "401":
        replay.token = "secret"
        error = (f"{where}: 401 Unauthorized (This method requires an authenticated user); this "
                 "server wants a login: put an access token in CHATGRAPH_MASTODON_TOKEN and run again")  # fmt: skip
    elif case == "404":
        replay.fault("mastodon", 1, status=404, body={"error": "Record not found"})
        error = f"{where}: 404 Not Found (Record not found); {check}"
    elif case == "503":
        for n in (2, 3, 4):
            replay.fault("mastodon", n, status=503)
        error = (f"{where}: 503 Service Unavailable (3 attempts); try again later: the pages "
                 "fetched so far are kept, and the next run goes on from there")  # fmt: skip
    else:
        url = "https://chatgraph-test.invalid"  # .invalid never resolves (RFC 6761)
        error = (f"{url}/api/v1/timelines/tag/hcldr: cannot find the server chatgraph-test.invalid "
                 f"(DNS lookup failed); check that --instance {url} is a Mastodon server and --tag "
                 "hcldr is right, and that this computer is online")  # fmt: skip
    archive = tmp_path / "a.duckdb"
    args = ["fetch", "mastodon", "--instance", url, "--tag", "hcldr", "--db", str(archive)]
    result = runner.invoke(app, args, env=FAST_ENV)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"Error: {error}"
    assert "Traceback" not in result.output
    con = dbmod.connect(archive, read_only=True)
    assert [_count(con, t) for t in ("posts", "sources", "fetch_cursors")] == [0, 0, 0]
    con.close()
    if case == "503":  # page 1 is kept; the next run goes on from page 2
        result = runner.invoke(app, args, env=FAST_ENV)
        assert result.exit_code == 0, result.output
        con = dbmod.connect(archive, read_only=True)
        assert con.execute("select records, inserted from sources").fetchall() == [(50, 50)]
        con.close()
        assert replay.of("mastodon")[-2]["max_id"] == _ids(replay)[39]


def test_bad_options_are_usage_errors(runner, tmp_path):
    archive = str(tmp_path / "a.duckdb")
    cases = [
        (["fetch", "mastodon", "--instance", "ftp://x", "--tag", "hcldr"],
         "Error: --instance 'ftp://x': not a server address; give one like https://mastodon.social"),
        (["fetch", "bluesky", "--tag", "two words"],
         "Error: --tag 'two words': a hashtag is letters, digits and _ (e.g. hcldr)"),
        (["fetch", "mastodon", "--instance", "m.example", "--tag", "x", "--since", "last week"],
         "Error: --since 'last week': not a date; give YYYY-MM-DD or an ISO time"),
        (["fetch", "--chat", "nope"], "Error: no chat named 'nope' in the archive (chats: none yet)"),
        (["fetch", "bluesky", "--tag", "x", "--since", "2024-02-01", "--until", "2024-01-01"],
         "Error: --since 2024-02-01 is not before --until 2024-01-01; swap them"),
    ]  # fmt: skip
    for args, error in cases:
        result = runner.invoke(app, [*args, "--db", archive])
        assert (result.exit_code, result.stderr) == (2, error + "\n"), args


# ---------------------------------------------------------------- the moderator's Tuesday


def test_weekly_routine_chats_set_then_fetch_chat_then_transcript_latest(runner, real, tmp_path):
    archive = str(tmp_path / "hcldr.duckdb")
    statuses = mastodon_statuses(real, 60)
    with Replay() as a, Replay() as b:
        a.add_statuses(statuses, seq=7)
        b.add_statuses(statuses[30:], seq=9)
        a.add_posts(bluesky_posts(real, 40))
        assert runner.invoke(app, ["chats", "add", "hcldr", "--db", archive]).exit_code == 0
        none = runner.invoke(app, ["fetch", "--chat", "hcldr", "--db", archive])
        assert (none.exit_code, none.stderr) == (2, (
            "Error: chat hcldr has no places to fetch from; say where it lives, e.g. chatgraph "
            "chats set hcldr --mastodon-instance https://mastodon.social --bluesky-tag hcldr\n"))  # fmt: skip
        set_ = runner.invoke(app, ["chats", "set", "hcldr", "--mastodon-instance", a.url,
                                   "--mastodon-instance", b.url, "--bluesky-tag", "#HCLDR",
                                   "--bluesky-service", a.url, "--db", archive])  # fmt: skip
        assert set_.exit_code == 0, set_.output
        assert "Chat hcldr updated\n" in set_.output.replace("  ", "")
        con = dbmod.connect(archive, read_only=True)
        assert con.execute(
            "select mastodon_instances, mastodon_tag, bluesky_tag, bluesky_service from chats"
        ).fetchall() == [([a.url, b.url], None, "hcldr", a.url)]
        con.close()

        week1 = runner.invoke(app, ["fetch", "--chat", "hcldr", "--db", archive, "-f", "csv"],
                              env=FAST_ENV)  # fmt: skip
        assert week1.exit_code == 0, week1.output
        rows = [line.split(",")[:9] for line in week1.stdout.splitlines()[1:]]
        assert rows == [
            ["mastodon", a.url, "hcldr", "hcldr", "3", "60", "60", "0", "0"],
            ["mastodon", b.url, "hcldr", "hcldr", "2", "30", "0", "30", "0"],
            ["bluesky", a.url, "hcldr", "hcldr", "1", "40", "40", "0", "0"],
        ]
        again = runner.invoke(app, ["fetch", "--db", archive, "-f", "csv"], env=FAST_ENV)
        assert again.exit_code == 0, again.output
        assert [line.split(",")[5:] for line in again.stdout.splitlines()[1:]] == [
            ["0", "0", "0", "0", "(nothing new)"]
        ] * 3

        latest = runner.invoke(app, ["transcript", "latest", "--chat", "hcldr", "--db", archive])
        assert latest.exit_code == 0, latest.output
        con = dbmod.connect(archive, read_only=True)
        last = con.execute(
            "select session_id from sessions order by starts_at desc limit 1"
        ).fetchone()[0]
        assert _count(con, "posts") == 100
        con.close()
        assert latest.stdout.startswith(f"# #hcldr: session {last}\n")


def test_link_header_and_retry_after_parsing():
    link = ('<https://m.example/api/v1/timelines/tag/x?limit=40&max_id=111>; rel="next", '
            '<https://m.example/api/v1/timelines/tag/x?limit=40&min_id=222>; rel="prev"')  # fmt: skip
    assert fetch._link_param(link, "next", "max_id") == "111"
    assert fetch._link_param(link, "prev", "min_id") == "222"
    assert fetch._link_param(None, "next", "max_id") is None
    import httpx

    now = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    assert fetch._retry_after(httpx.Headers({"Retry-After": "7"}), now) == 7.0
    assert (
        fetch._retry_after(httpx.Headers({"Retry-After": "Mon, 01 Jan 2024 00:00:30 GMT"}), now)
        == 30.0
    )
    reset = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2024-01-01T00:01:00.000Z"}
    assert fetch._retry_after(httpx.Headers(reset), now) == 60.0
    assert fetch._retry_after(httpx.Headers({"X-RateLimit-Remaining": "5"}), now) is None


def test_cursors_are_exported_per_chat_and_pseudonymized(db, replay, real, tmp_path):
    from chatgraph import privacy

    posts = bluesky_posts(real, 30)
    replay.add_posts(posts)
    _bluesky(db, replay, tmp_path)
    with privacy.pseudonymized(db) as copy:
        (newest,) = copy.execute("select newest_id from fetch_cursors").fetchone()
    assert newest != posts[-1]["uri"] and "did:plc" not in newest


def test_ctrl_c_mid_fetch_is_one_line_and_the_rerun_resumes(
    runner, replay, real, tmp_path, monkeypatch
):
    replay.add_statuses(mastodon_statuses(real, 100))
    ids = _ids(replay)
    pages = fetch.mastodon_pages

    def interrupted(*a, **kw):
        for n, page in enumerate(pages(*a, **kw)):
            if n == 2:
                raise KeyboardInterrupt
            yield page

    monkeypatch.setattr(fetch, "mastodon_pages", interrupted)
    archive = tmp_path / "hcldr.duckdb"
    args = ["fetch", "mastodon", "--instance", replay.url, "--tag", "hcldr", "--db", str(archive)]
    result = runner.invoke(app, args, env=FAST_ENV)
    # (rich ends the progress display with a newline when stderr is not a terminal)
    assert (result.exit_code, result.stderr.lstrip("\n")) == (130, (
        f"Interrupted: the archive is as it was; the pages fetched so far are kept in "
        f"{fetch.default_folder(archive)}/, and running the same command again goes on from there\n"))  # fmt: skip
    con = dbmod.connect(archive, read_only=True)
    assert [_count(con, t) for t in ("posts", "sources", "fetch_cursors")] == [0, 0, 0]
    con.close()

    monkeypatch.setattr(fetch, "mastodon_pages", pages)
    result = runner.invoke(app, [*args, "-f", "csv"], env=FAST_ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split(",")[4:9] == ["4", "100", "100", "0", "0"]
    assert replay.of("mastodon")[3:] == [{"limit": "40", "max_id": ids[79]},
                                         {"limit": "40", "max_id": ids[99]}]  # fmt: skip


def test_mastodon_token_from_the_environment_is_sent_and_not_stored(runner, replay, real, tmp_path):
    replay.add_statuses(mastodon_statuses(real, 50))
    replay.token = "token-for-tests-456"
    archive = tmp_path / "a.duckdb"
    env = {**FAST_ENV, "CHATGRAPH_MASTODON_TOKEN": "token-for-tests-456"}
    args = ["fetch", "mastodon", "--instance", replay.url, "--tag", "hcldr", "--db", str(archive)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    con = dbmod.connect(archive, read_only=True)
    assert _count(con, "posts") == 50
    con.close()
    assert b"token-for-tests-456" not in archive.read_bytes()
