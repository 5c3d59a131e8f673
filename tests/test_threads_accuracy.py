"""Sessions and questions found with no configuration, scored against simulated chats' truth.

The seeds and schedules here were not used while the rules were tuned: other time zones (both
hemispheres' daylight saving time, a zone without it, a start that crosses UTC midnight), Q and T
labels, co-hosts, five-question weeks, and a conference hashtag. Each chat is written as an export,
loaded with ``ingest.load`` and nothing configured: no time zone, schedule, prefixes or hosts.
"""

from __future__ import annotations

from datetime import date

import pytest

from chatgraph import accuracy, sessions, threads

simulate = pytest.importorskip("chatgraph.simulate")

SPECS = {
    "chicago-q": dict(
        hashtag="MidwestPT", hosts=("MidwestPTchat",), timezone="America/Chicago", weekday=3,
        start="19:00", question_prefix="Q", start_date=date(2015, 2, 1), end_date=date(2016, 5, 31),
    ),
    "paris-t-cohosts": dict(
        hashtag="SanteNum", hosts=("SanteNumFR", "DrClaireM"), timezone="Europe/Paris", weekday=0,
        start="21:00", question_prefix="T", start_date=date(2017, 9, 1), end_date=date(2018, 11, 30),
    ),
    "melbourne-q5": dict(
        hashtag="AusHealthChat", hosts=("AusHealthHost",), timezone="Australia/Melbourne",
        weekday=6, start="20:00", question_prefix="Q", questions=5,
        start_date=date(2019, 1, 1), end_date=date(2020, 3, 31),
    ),
    "kolkata-t": dict(
        hashtag="IndiaMedEd", hosts=("MedEdIndia",), timezone="Asia/Kolkata", weekday=5,
        start="18:30", question_prefix="T", start_date=date(2020, 6, 1), end_date=date(2021, 8, 31),
    ),
    "denver-late-q": dict(
        hashtag="NightShiftRN", hosts=("NightShiftHost",), timezone="America/Denver", weekday=2,
        start="22:30", question_prefix="Q", start_date=date(2013, 10, 1), end_date=date(2014, 12, 20),
    ),
}  # fmt: skip
SEEDS = {"chicago-q": 4101, "paris-t-cohosts": 4202, "melbourne-q5": 4303, "kolkata-t": 4404,
         "denver-late-q": 4505}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(SPECS))
def scored(request):
    chat = simulate.generate(simulate.ChatSpec(**SPECS[request.param]), seed=SEEDS[request.param])
    con = accuracy.load_simulated(chat)
    yield request.param, chat, con, accuracy.score(con, chat)
    con.close()


def test_at_least_995_per_mille_of_posts_in_the_right_session(scored):
    name, chat, _, score = scored
    assert score.posts == len(chat.posts)
    assert score.session_share >= 0.995, (name, score)


def test_at_least_99_percent_of_posts_with_the_right_question(scored):
    name, _, _, score = scored
    assert score.question_share >= 0.99, (name, score)


def test_every_sitting_is_found_once(scored):
    name, chat, con, _ = scored
    assert con.execute("select count(*) from sessions").fetchall() == [(len(chat.sessions),)], name


def test_prefix_and_hosts_are_inferred(scored):
    name, chat, con, _ = scored
    prefixes, hosts = threads.inferred(con, chat.spec.chat_id)
    assert prefixes == [chat.spec.question_prefix], name
    assert hosts[0] == chat.spec.hosts[0].lower(), name
    assert set(hosts) <= {h.lower() for h in chat.spec.hosts}, name


def test_weekly_rhythm_is_inferred_in_utc(scored):
    name, chat, con, _ = scored
    mode, schedule = sessions.inferred_schedule(con, chat.spec.chat_id)
    assert mode == "bursts", name
    assert schedule.timezone == "UTC"
    assert schedule.duration_minutes == chat.spec.duration_minutes


def test_questions_match_the_truth_exactly(scored):
    name, chat, con, _ = scored
    found = set(con.execute("select post_id, number from questions").fetchall())
    truth = {(pid, n) for s in chat.sessions for n, pid, _ in s.questions}
    assert found == truth, name


def test_conference_days_without_configuration():
    spec = simulate.ChatSpec(
        hashtag="PathConf", kind="conference", timezone="America/Los_Angeles",
        meetings=((date(2014, 3, 1), 5), (date(2015, 3, 21), 6), (date(2016, 3, 12), 6)),
        start_date=date(2014, 1, 1), end_date=date(2016, 12, 31),
    )  # fmt: skip
    chat = simulate.generate(spec, seed=4606)
    con = accuracy.load_simulated(chat)
    score = accuracy.score(con, chat)
    assert sessions.inferred_schedule(con, "pathconf")[0] == "days"
    assert con.execute("select count(*) from sessions").fetchall() == [(17,)]
    assert con.execute("select count(*) from questions").fetchall() == [(0,)]
    assert score.session_share >= 0.99, score


def test_loading_month_by_month_equals_loading_at_once(tmp_path):
    """Each load refreshes incrementally; the result is the same as one load of everything."""
    from chatgraph import db as dbmod
    from chatgraph import ingest

    spec = simulate.ChatSpec(
        hashtag="StepChat", hosts=("StepHost",), timezone="Europe/Dublin", weekday=2,
        start="13:00", question_prefix="Q", start_date=date(2021, 1, 1), end_date=date(2021, 6, 30),
    )  # fmt: skip
    chat = simulate.generate(spec, seed=4707)
    months = sorted({p.created_at.strftime("%Y-%m") for p in chat.posts})
    order = months[:2] + months[3:] + months[2:3]  # one month arrives late
    stepwise = dbmod.connect(":memory:")
    for m in order:
        posts = [p for p in chat.posts if p.created_at.strftime("%Y-%m") == m]
        paths = simulate.write(chat, tmp_path, posts=posts, stem=f"step-{m}")
        ingest.load(stepwise, [str(p) for p in paths])
    at_once = accuracy.load_simulated(chat)

    def derived(con):
        return (
            con.execute("select * from post_threads order by post_id").fetchall(),
            con.execute(
                "select * replace (starts_at::VARCHAR as starts_at, ends_at::VARCHAR as ends_at) "
                "from sessions order by session_id"
            ).fetchall(),
            con.execute(
                "select * replace (asked_at::VARCHAR as asked_at) "
                "from questions order by session_id, number"
            ).fetchall(),
        )

    assert derived(stepwise) == derived(at_once)
    assert accuracy.score(stepwise, chat).question_share >= 0.99
