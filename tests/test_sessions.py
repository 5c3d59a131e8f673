"""Sessions: schedule windows with DST and grace, bursts with lone posts, conference days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatgraph import sessions
from tests.chat_posts import add_chat, add_post, refresh, thread_of

PEOPLE = ["ann", "ben", "cat", "dan", "eve"]


def burst(db, prefix: str, first: str, n: int = 12, step_minutes: int = 4) -> None:
    """``n`` posts ``step_minutes`` apart from ``first`` (UTC, 'YYYY-MM-DD HH:MM'), by five people."""
    t0 = datetime.fromisoformat(first).replace(tzinfo=UTC)
    for i in range(n):
        add_post(db, f"{prefix}{i}", t0 + timedelta(minutes=i * step_minutes), PEOPLE[i % 5], "hi")


def session_rows(db):
    return db.execute(
        """select session_id, local_date::VARCHAR, strftime(starts_at, '%Y-%m-%d %H:%M'),
                  strftime(ends_at, '%Y-%m-%d %H:%M'), posts, participants
           from sessions order by starts_at"""
    ).fetchall()


def test_new_york_window_honours_dst(db):
    add_chat(
        db, timezone="America/New_York", weekday=2, start_time=time(20, 30), duration_minutes=60
    )
    # Summer: Tuesday 2 July 2024 20:30 EDT is 00:30 UTC on Wednesday.
    add_post(db, "s_pre", "2024-07-03 00:05:00+00", "ann", "early")  # 20:05 local, in the grace
    add_post(db, "s_in", "2024-07-03 00:40:00+00", "ben", "A1 yes")
    add_post(db, "s_late", "2024-07-03 02:25:00+00", "cat", "late")  # 22:25, 55 min after the end
    add_post(db, "s_out", "2024-07-03 02:35:00+00", "dan", "too late")  # 22:35
    add_post(db, "s_early", "2024-07-02 23:55:00+00", "eve", "too early")  # 19:55
    # Winter: Tuesday 3 December 2024 20:30 EST is 01:30 UTC on Wednesday.
    add_post(db, "w_before", "2024-12-04 00:40:00+00", "ann", "19:40 local")
    add_post(db, "w_in", "2024-12-04 01:40:00+00", "ben", "20:40 local")
    # A Monday at the same local time is no sitting.
    add_post(db, "monday", "2024-12-03 01:40:00+00", "cat", "wrong day")
    refresh(db)
    got = {k: v[0] for k, v in thread_of(db).items()}
    assert got == {
        "s_pre": "testchat-2024-07-02",
        "s_in": "testchat-2024-07-02",
        "s_late": "testchat-2024-07-02",
        "s_out": None,
        "s_early": None,
        "w_before": None,
        "w_in": "testchat-2024-12-03",
        "monday": None,
    }
    assert session_rows(db) == [
        ("testchat-2024-07-02", "2024-07-02", "2024-07-03 00:05", "2024-07-03 02:25", 3, 3),
        ("testchat-2024-12-03", "2024-12-03", "2024-12-04 01:40", "2024-12-04 01:40", 1, 1),
    ]
    mode, _ = sessions.inferred_schedule(db, "testchat")
    assert mode == "schedule"


def test_window_across_midnight_takes_the_start_date(db):
    add_chat(db, timezone="Europe/London", start_time=time(23, 30), duration_minutes=60)
    add_post(db, "a", "2024-01-10 23:45:00+00", "ann", "x")
    add_post(db, "b", "2024-01-11 00:50:00+00", "ben", "y")
    refresh(db)
    assert {k: v[0] for k, v in thread_of(db).items()} == {
        "a": "testchat-2024-01-10",
        "b": "testchat-2024-01-10",
    }


def test_bursts_make_sessions_and_lone_posts_none(db):
    add_chat(db, timezone="America/New_York")
    burst(db, "w1-", "2024-03-06 01:30")  # Tuesday 5 March 20:30 EST
    burst(db, "w2-", "2024-03-13 00:30")  # Tuesday 12 March 20:30 EDT (DST began 10 March)
    burst(db, "w3-", "2024-03-20 00:30")
    add_post(db, "promo", "2024-03-18 15:00:00+00", "ann", "Join us Tuesday!")
    add_post(db, "promo_rt", "2024-03-18 15:30:00+00", "ben", "", retweet_of="promo")
    burst(db, "small-", "2024-03-16 12:00", n=9)  # too few posts for a sitting
    refresh(db)
    assert session_rows(db) == [
        ("testchat-2024-03-05", "2024-03-05", "2024-03-06 01:30", "2024-03-06 02:14", 12, 5),
        ("testchat-2024-03-12", "2024-03-12", "2024-03-13 00:30", "2024-03-13 01:14", 12, 5),
        ("testchat-2024-03-19", "2024-03-19", "2024-03-20 00:30", "2024-03-20 01:14", 12, 5),
    ]
    got = thread_of(db)
    assert got["promo"] == (None, None, "none")
    assert got["promo_rt"] == (None, None, "none")
    assert got["small-0"] == (None, None, "none")
    mode, sched = sessions.inferred_schedule(db, "testchat")
    assert mode == "bursts"
    assert sched == sessions.Schedule("America/New_York", 2, time(20, 30), 45)
    assert sched.describe() == "Tuesdays 20:30 for 45 min America/New_York"


def test_a_long_gap_splits_a_day_into_two_numbered_sessions(db):
    add_chat(db)
    burst(db, "a", "2024-05-01 09:00")
    burst(db, "b", "2024-05-01 15:00")
    add_post(db, "qa", "2024-05-01 09:05:30+00", "host", "Q1: first sitting")
    add_post(db, "qb", "2024-05-01 15:05:30+00", "host", "Q1: second sitting")
    refresh(db)
    assert [r[0] for r in session_rows(db)] == ["testchat-2024-05-01", "testchat-2024-05-01-2"]


def test_gaps_shorter_than_an_hour_keep_one_burst(db):
    add_chat(db)
    burst(db, "a", "2024-05-01 09:00", n=12, step_minutes=55)
    refresh(db)
    assert session_rows(db) == [
        ("testchat-2024-05-01", "2024-05-01", "2024-05-01 09:00", "2024-05-01 19:05", 12, 5)
    ]


def test_conference_hashtag_gets_one_session_per_meeting_day(db):
    add_chat(db)  # no time zone: days are cut at the quiet hours, not at UTC midnight
    # Three meeting days in Los Angeles, 08:00-20:00 PDT (15:00-03:00 UTC), no questions.
    for day in (16, 17, 18):
        burst(db, f"d{day}-", f"2024-03-{day} 15:00", n=49, step_minutes=15)
    add_post(db, "stray", "2024-04-20 18:00:00+00", "ann", "see you next year")
    refresh(db)
    assert session_rows(db) == [
        ("testchat-2024-03-16", "2024-03-16", "2024-03-16 15:00", "2024-03-17 03:00", 49, 5),
        ("testchat-2024-03-17", "2024-03-17", "2024-03-17 15:00", "2024-03-18 03:00", 49, 5),
        ("testchat-2024-03-18", "2024-03-18", "2024-03-18 15:00", "2024-03-19 03:00", 49, 5),
    ]
    assert thread_of(db)["stray"] == (None, None, "none")
    assert sessions.inferred_schedule(db, "testchat")[0] == "days"


def test_refresh_replaces_sessions_when_posts_arrive(db):
    add_chat(db)
    burst(db, "a", "2024-05-01 09:00", n=8)
    refresh(db)
    assert session_rows(db) == []
    burst(db, "b", "2024-05-01 09:35", n=4)
    refresh(db)
    assert session_rows(db) == [
        ("testchat-2024-05-01", "2024-05-01", "2024-05-01 09:00", "2024-05-01 09:47", 12, 5)
    ]
    assert db.execute("select count(*) from post_threads").fetchone() == (12,)


def _derived(db):
    return (
        sorted(db.execute("select * from post_threads").fetchall()),
        sorted(
            db.execute(
                "select session_id, local_date, posts, participants from sessions"
            ).fetchall()
        ),
        sorted(db.execute("select session_id, number, post_id from questions").fetchall()),
    )


def _rebuilt(db):
    db.execute("delete from post_threads")
    refresh(db)
    return _derived(db)


def test_refresh_after_each_load_equals_a_rebuild(db):
    """Loads in time order, out of order, and a late straggler: incremental equals a rebuild."""
    add_chat(db)
    weeks = ["2024-03-05", "2024-03-12", "2024-03-19", "2024-03-26"]

    def sitting(week: str, tag: str) -> None:
        for i in range(12):
            add_post(
                db,
                f"{week}-{tag}{i}",
                f"{week} 20:{i * 4:02d}:00+00",
                PEOPLE[i % 5],
                f"A{i % 3 + 1} x",
            )
        for n in (1, 2):
            add_post(
                db, f"{week}-{tag}q{n}", f"{week} 20:{n * 15 + 1:02d}:30+00", "host", f"Q{n}: y"
            )

    sitting(weeks[0], "a")
    refresh(db)
    sitting(weeks[1], "a")
    refresh(db)
    sitting(weeks[3], "a")
    refresh(db)
    sitting(weeks[2], "a")  # an older week loaded late
    add_post(
        db,
        "straggler",
        "2024-03-26 21:20:00+00",
        "eve",
        "@ann late reply",
        reply_to=f"{weeks[3]}-a1",
    )
    refresh(db)
    add_post(db, "lone", "2024-03-28 09:00:00+00", "ann", "promo")
    refresh(db)
    got = _derived(db)
    assert len(got[1]) == 4
    assert ("straggler", "testchat", "testchat-2024-03-26", 2, "reply") in got[0]
    assert got == _rebuilt(db)


def test_refresh_with_nothing_new_changes_nothing(db):
    add_chat(db)
    burst(db, "a", "2024-05-01 09:00")
    refresh(db)
    before = _derived(db)
    refresh(db)
    assert _derived(db) == before


@st.composite
def _chat_history(draw):
    """Posts over four weeks (bursts, lone posts, tags, questions, replies) in load batches."""
    n = draw(st.integers(5, 60))
    posts = []
    for i in range(n):
        week = draw(st.integers(0, 3))
        minute = draw(st.sampled_from([0, 5, 10, 20, 40, 70, 200, 3000]))
        second = draw(st.integers(0, 59))
        who = draw(st.sampled_from(["host", "ann", "ben", "cat"]))
        text = draw(
            st.sampled_from(["Q1: a", "Q2: b", "A1 x", "a2) y", "T1 z", "hello", "@ann A3"])
        )
        parent = draw(st.none() | st.integers(0, max(i - 1, 0))) if i else None
        posts.append((f"p{i:03d}", week, minute, second, who, text, parent))
    batches = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return posts, batches


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=_chat_history(), scheduled=st.booleans())
def test_incremental_refresh_equals_rebuild_for_any_load_order(db, history, scheduled):
    posts, batches = history
    db.execute(
        "delete from posts; delete from chats; delete from post_threads; delete from sessions"
    )
    db.execute("delete from questions; delete from chat_inference")
    if scheduled:
        add_chat(db, timezone="Europe/London", start_time=time(20, 0))
    else:
        add_chat(db)
    base = datetime(2024, 3, 5, 20, 0, tzinfo=UTC)
    for batch in range(4):
        for (pid, week, minute, second, who, text, parent), b in zip(posts, batches, strict=True):
            if b == batch:
                at = base + timedelta(weeks=week, minutes=minute, seconds=second)
                add_post(
                    db, pid, at, who, text, reply_to=None if parent is None else f"p{parent:03d}"
                )
        refresh(db)
    assert _derived(db) == _rebuilt(db)
