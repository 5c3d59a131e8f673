"""Sessions: split a chat's posts into its sittings, by its schedule or by the bursts of its posts.

Three ways, chosen per chat (the way used is kept in ``chat_inference.mode``):

``schedule``
    The chat has a start time in ``chats`` (``chatgraph chats set CHAT --start 20:30``). A sitting is
    the window from ``PRE_GRACE_MINUTES`` before the local start to ``POST_GRACE_MINUTES`` after its
    end (start plus ``duration_minutes``, else ``DEFAULT_DURATION``), on the chat's
    ``weekday`` (ISO: 1 = Monday … 7 = Sunday; none set = every day), in the chat's ``timezone``
    (UTC when none is set). Local wall time is used, so daylight saving time is honoured: 8:30pm in
    New York is 00:30 UTC in July and 01:30 UTC in December. Every window holding a post is a session.
``bursts``
    No start time: posts closer than ``BURST_GAP_MINUTES`` to the previous one form a burst; a burst
    with at least ``MIN_POSTS`` posts by at least ``MIN_PARTICIPANTS`` accounts is a session, and the
    lone posts between sittings (promotions, the odd post on another day) belong to no session.
``days``
    Conference hashtags: when the bursts show no weekly rhythm and no questions, every day holding
    at least ``MIN_DAY_POSTS`` posts by ``MIN_DAY_PARTICIPANTS`` accounts is one session. Days are cut
    at the chat's quietest hour (its local night) rather than at midnight, so that a meeting day stays
    whole even while the time zone is unknown.

Whatever the way, the weekly schedule is inferred from the sessions (modal weekday, local start
rounded down to the quarter hour, modal duration) and stored in ``chat_inference`` so that
``chatgraph chats`` can show it next to what was configured.

A session's ``session_id`` is ``<chat>-<local date>`` (``hcldr-2023-10-31``; a second sitting on the
same local date gets ``-2``), ``local_date`` is the date in the chat's time zone on which the sitting
got going (for bursts: the date of its 10th-percentile post, so pre-chat chatter before midnight does
not move it), and ``starts_at``/``ends_at`` are its first and last post. Each of the chat's posts gets a
row in ``post_threads`` with its ``session_id`` (null outside sessions); :mod:`chatgraph.threads` then
fills in the question.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import time

import duckdb
import polars as pl

from chatgraph.errors import ChatgraphError, UsageError

PRE_GRACE_MINUTES = 30  # pre-chat greetings before the scheduled start
POST_GRACE_MINUTES = 60  # late answers and stragglers after the scheduled end
DEFAULT_DURATION = 60
BURST_GAP_MINUTES = 60
MIN_POSTS = 10
MIN_PARTICIPANTS = 3
# A conference day is a session from this many posts by this many accounts (#USCAP 2010: 7 posts).
MIN_DAY_POSTS = 3
MIN_DAY_PARTICIPANTS = 2
# A chat has a weekly rhythm when at least this many sessions share the modal weekday (and share).
WEEKLY_MIN_SESSIONS = 3
WEEKLY_SHARE = 0.5
# Posts that open question 1 look like this (case ignored, after leading mentions).
FIRST_QUESTION_RE = r"^\s*(?:\.?@[\w.@-]+[:,]?\s+)*(?:q|t)\s?1(?:[^a-z0-9]|$)"

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> tuple | None:
    """The first row of a query, read to its end (DuckDB 2 keeps a half-read result open)."""
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None


_DATE_IN_ID = re.compile(r"(\d{4}-\d{2}-\d{2})$")


def resolve_session(
    con: duckdb.DuckDBPyConnection, session_id: str, chat: str | None = None
) -> tuple[str, str]:
    """``(chat_id, session_id)`` of a session named by its id (which names its chat), or by
    ``latest``: the most recent session of ``chat`` (or of the archive's only chat).

    A near miss names the sessions nearest to it: by date when the id ends in one
    (``hcldr-2019-01-23`` -> the sittings around 23 January 2019), else by spelling.
    """
    from chatgraph import chats

    wanted = session_id.strip()
    if wanted.lower() == "latest":
        chat_id = chats.resolve(con, chat)
        row = one(
            con,
            "select session_id from sessions where chat_id = $c order by starts_at desc limit 1",
            {"c": chat_id},
        )
        if row is None:
            raise UsageError(f"chat {chat_id!r} has no sessions yet; load its posts first")
        return chat_id, row[0]
    row = one(con, "select chat_id from sessions where session_id = $s", {"s": wanted})
    if row is not None:
        if chat is not None and chats.resolve(con, chat) != row[0]:
            raise UsageError(
                f"session {wanted!r} is a session of {row[0]!r}, not of {chat!r}; "
                "leave out --chat (the id names its chat)"
            )
        return row[0], wanted
    raise UsageError(
        f"no session {wanted!r} in the archive ({_nearest_sessions(con, wanted, chat)}); "
        "list them with chatgraph sessions"
    )


def _nearest_sessions(con: duckdb.DuckDBPyConnection, wanted: str, chat: str | None) -> str:
    date = _DATE_IN_ID.search(wanted)
    prefix = wanted[: date.start()].rstrip("-").lower() if date else ""
    chat_id = (chat or prefix).strip().lstrip("#").lower() or None
    known = one(con, "select count(*) from sessions where chat_id = $c", {"c": chat_id})[0]
    where = "where chat_id = $c" if known else ""
    params = {"c": chat_id} if known else {}
    if date:
        try:
            rows = con.execute(
                f"""
                select session_id from sessions {where}
                order by abs(datediff('day', local_date, $d::DATE)), local_date limit 3
                """,
                {**params, "d": date.group(1)},
            ).fetchall()
            names = sorted(r[0] for r in rows)
            if names:
                return "nearest: " + ", ".join(names)
        except duckdb.ConversionException:
            pass  # not a real date (2019-02-30): fall back to the spelling
    ids = [r[0] for r in con.execute(f"select session_id from sessions {where}", params).fetchall()]
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
    if close:
        return "nearest: " + ", ".join(close)
    latest = con.execute(
        f"select session_id from sessions {where} order by starts_at desc limit 3", params
    ).fetchall()
    return "latest: " + ", ".join(r[0] for r in latest) if latest else "no sessions yet"


@dataclass(frozen=True)
class Schedule:
    """A chat's weekly schedule; any part may be unknown (None)."""

    timezone: str | None = None
    weekday: int | None = None  # ISO: 1 = Monday … 7 = Sunday
    start_time: time | None = None
    duration_minutes: int | None = None

    def describe(self) -> str:
        if self.start_time is None:
            return ""
        day = WEEKDAYS[self.weekday - 1] + "s" if self.weekday else "daily"
        dur = f" for {self.duration_minutes} min" if self.duration_minutes else ""
        return f"{day} {self.start_time:%H:%M}{dur} {self.timezone or 'UTC'}"


def configured_schedule(con: duckdb.DuckDBPyConnection, chat_id: str) -> Schedule:
    row = one(
        con,
        "select timezone, weekday, start_time, duration_minutes from chats where chat_id = $c",
        {"c": chat_id},
    )
    if row is None:
        raise UsageError(f"no chat named {chat_id!r} in the archive; load its posts first")
    return Schedule(*row)


def inferred_schedule(con: duckdb.DuckDBPyConnection, chat_id: str) -> tuple[str | None, Schedule]:
    """The way sessions were found (schedule, bursts, days) and the schedule read off them."""
    row = one(
        con,
        """select mode, timezone, weekday, start_time, duration_minutes
           from chat_inference where chat_id = $c""",
        {"c": chat_id},
    )
    if row is None:
        return None, Schedule()
    return row[0], Schedule(*row[1:])


def refresh(con: duckdb.DuckDBPyConnection, chat_id: str) -> None:
    """Bring the chat's sessions and each post's session (``post_threads.session_id``) up to date.

    Incremental where it can be: only the posts from the last sitting boundary before the earliest
    new post are placed again; their ``post_threads`` rows are removed and the placement is left in
    the temp table ``_placed`` (post_id, session_id, created_at) for
    :func:`chatgraph.threads.refresh`, which always follows, to write them with their questions. A first load, a changed
    configuration (``chats set`` clears the chat's rows), removed posts or a conference hashtag
    (one session per day) rebuild the whole chat. Whether a chat without a schedule is split into
    bursts or into days is decided on a rebuild; a chat in bursts stays in bursts until the next.
    """
    conf = configured_schedule(con, chat_id)
    tz = conf.timezone or "UTC"
    since = _changes(con, chat_id)
    if since is _UNCHANGED:
        return
    mode_before, _ = inferred_schedule(con, chat_id)
    mode_now = "schedule" if conf.start_time is not None else mode_before
    cut = None
    if since is not None and mode_before == mode_now and mode_now in ("schedule", "bursts"):
        cut = _cut(con, chat_id, since, mode_now)
    _select_posts(con, chat_id, tz, cut)
    _bursts(con, tz)
    if conf.start_time is not None:
        mode = "schedule"
        duration = conf.duration_minutes or DEFAULT_DURATION
        _schedule_windows(con, chat_id, conf, duration, tz)
    elif cut is not None:
        mode = "bursts"
        _burst_sessions(con, chat_id, cut)
    elif _looks_like_conference(con):
        mode = "days"
        _day_sessions(con, chat_id, tz)
    else:
        mode = "bursts"
        _burst_sessions(con, chat_id, None)
    _store(con, chat_id, cut)
    _infer(con, chat_id, mode, tz, cut)
    for t in ("_chat_posts", "_bursts", "_burst_stats", "_post_session"):
        con.execute(f"drop table if exists {t}")


_UNCHANGED = object()


def _changes(con: duckdb.DuckDBPyConnection, chat_id: str):
    """The time of the earliest post not yet placed; None to rebuild all; _UNCHANGED for nothing."""
    n_new, since, n_known, n_rows = one(
        con,
        """
        select count(*) filter (where t.post_id is null),
               min(p.created_at) filter (where t.post_id is null)::VARCHAR,
               count(t.post_id),
               (select count(*) from post_threads where chat_id = $c)
        from posts p left join post_threads t on t.post_id = p.post_id and t.chat_id = $c
        where p.chat_id = $c and p.created_at is not null
        """,
        {"c": chat_id},
    )
    if n_rows != n_known or n_known == 0:
        return None  # posts removed, or nothing placed yet
    if n_new == 0:
        return _UNCHANGED
    return since


def _cut(con: duckdb.DuckDBPyConnection, chat_id: str, since, mode: str):
    """Where to start placing posts again so that no sitting straddles the cut (None: rebuild)."""
    if mode == "schedule":
        # Windows are shorter than a day: sittings from the day before the first new post on.
        return one(
            con,
            """select least($since::TIMESTAMPTZ - interval 1 day,
                            min(starts_at) filter (
                                where ends_at >= $since::TIMESTAMPTZ - interval 1 day))::VARCHAR
               from sessions where chat_id = $c""",
            {"c": chat_id, "since": since},
        )[0]
    # Bursts: the first post after the last long gap before the earliest new post.
    return one(
        con,
        f"""
        with recent as (
            select created_at, created_at - lag(created_at) over (order by created_at) as gap
            from posts
            where chat_id = $c and created_at between $since::TIMESTAMPTZ - interval 60 day
                                                  and $since::TIMESTAMPTZ
        )
        select max(created_at)::VARCHAR from recent
        where gap > interval {BURST_GAP_MINUTES} minute
        """,
        {"c": chat_id, "since": since},
    )[0]


def _select_posts(con: duckdb.DuckDBPyConnection, chat_id: str, tz: str, cut) -> None:
    """The posts to place: the chat's posts from ``cut`` on (all when None).

    Whether a post opens question 1 is only needed to tell a conference hashtag on a rebuild.
    """
    try:
        con.execute("select timezone($tz, TIMESTAMPTZ '2020-01-01 00:00:00+00')", {"tz": tz})
    except duckdb.Error as e:
        raise ChatgraphError(
            f"chat {chat_id}: time zone {tz!r} is not known; "
            f"fix it with chatgraph chats set {chat_id} --timezone America/New_York"
        ) from e
    q1 = (
        "false"
        if cut is not None
        else f"""not (is_retweet or retweet_of_post_id is not null)
                 and regexp_matches(text, '{FIRST_QUESTION_RE}', 'i')"""
    )
    con.execute(
        f"""create or replace temp table _chat_posts as
           select post_id, created_at, coalesce(author_id, lower(author_handle)) as author,
                  {q1} as q1
           from posts
           where chat_id = $c and created_at is not null
             and ($cut::TIMESTAMPTZ is null or created_at >= $cut::TIMESTAMPTZ)""",
        {"c": chat_id, "cut": cut},
    )


def _bursts(con: duckdb.DuckDBPyConnection, tz: str) -> None:
    """Gap-separated bursts of the posts, and each burst's size, spread and first question."""
    # A burst starts at a time more than the gap after the time before it (the bursts numbered in
    # order); each post takes the latest start at or before it. Only the times are sorted, not
    # every post with its columns, and no running sum is needed. Posts at the same time: only the
    # first can start a burst (the others follow it by 0), so the starts are distinct times.
    con.execute(
        f"""
        create or replace temp table _bursts as
        with times as (
            select created_at, lag(created_at) over (order by created_at) as prev
            from _chat_posts
        ),
        starts as (
            select created_at, row_number() over (order by created_at) as burst from times
            where prev is null or prev < created_at - interval {BURST_GAP_MINUTES} minute
        )
        select p.post_id, p.created_at, p.author, p.q1, s.burst
        from _chat_posts p asof join starts s on p.created_at >= s.created_at
        """
    )
    con.execute(
        f"""
        create or replace temp table _burst_stats as
        select burst, count(*) as posts, count(distinct author) as participants,
               bool_or(q1) as has_q1, min(created_at) as t0,
               timezone($tz, quantile_disc(created_at, 0.1)) as p10,
               timezone($tz, quantile_disc(created_at, 0.9)) as p90,
               count(*) >= {MIN_POSTS} and count(distinct author) >= {MIN_PARTICIPANTS} as kept
        from _bursts
        group by burst
        """,
        {"tz": tz},
    )


def _burst_sessions(con: duckdb.DuckDBPyConnection, chat_id: str, cut) -> None:
    # A later sitting on a local date that already has one (before the cut) is numbered after it.
    con.execute(
        """
        create or replace temp table _post_session as
        with dated as (select burst, p10::date as local_date, t0 from _burst_stats where kept),
        earlier as (
            select local_date, count(*) as n from sessions
            where chat_id = $c and $cut::TIMESTAMPTZ is not null and starts_at < $cut::TIMESTAMPTZ
            group by local_date
        ),
        numbered as (
            select d.burst, d.local_date,
                   row_number() over (partition by d.local_date order by d.t0)
                   + coalesce(e.n, 0) as k
            from dated d left join earlier e using (local_date)
        ),
        named as (  -- the id is spelled once per burst, not once per post
            select burst, local_date,
                   $c || '-' || strftime(local_date, '%Y-%m-%d')
                   || case when k > 1 then '-' || k else '' end as session_id
            from numbered
        )
        select b.post_id, b.created_at, b.author, n.session_id, n.local_date
        from _bursts b left join named n using (burst)
        """,
        {"c": chat_id, "cut": cut},
    )


def _day_sessions(con: duckdb.DuckDBPyConnection, chat_id: str, tz: str) -> None:
    """One session per meeting day; days are cut at the chat's quietest hour, not at midnight.

    Without a configured time zone, a conference in Chicago runs from 13:30 to 02:30 UTC: cutting at
    the hour with the fewest posts around it (the local night) keeps each meeting day whole.
    """
    cut = one(
        con,
        """
        with k as (
            select h.range as hr, count(c.post_id) as n
            from range(24) h
            left join _chat_posts c on hour(timezone($tz, c.created_at)) = h.range
            group by h.range
        )
        select a.hr
        from k a join k b on b.hr in ((a.hr + 23) % 24, a.hr, (a.hr + 1) % 24)
        group by a.hr
        order by sum(b.n), least(abs(a.hr - 4), 24 - abs(a.hr - 4)), a.hr
        limit 1
        """,
        {"tz": tz},
    )[0]
    con.execute(
        f"""
        create or replace temp table _post_session as
        with dated as (
            select post_id, created_at, author,
                   (timezone($tz, created_at) - to_hours($cut))::date as local_date
            from _chat_posts
        ),
        days as (
            select local_date from dated group by all
            having count(*) >= {MIN_DAY_POSTS} and count(distinct author) >= {MIN_DAY_PARTICIPANTS}
        )
        select c.post_id, c.created_at, c.author,
               $c || '-' || strftime(d.local_date, '%Y-%m-%d') as session_id, d.local_date
        from dated c left join days d using (local_date)
        """,
        {"c": chat_id, "cut": cut, "tz": tz},
    )


def _schedule_windows(
    con: duckdb.DuckDBPyConnection, chat_id: str, conf: Schedule, duration: int, tz: str
) -> None:
    """Each post's sitting: the local date whose window (with grace) holds its local time."""
    span = PRE_GRACE_MINUTES + duration + POST_GRACE_MINUTES
    if span >= 24 * 60:
        raise ChatgraphError(
            f"chat {chat_id}: a {duration}-minute session plus grace spans a whole day; "
            f"fix it with chatgraph chats set {chat_id} --duration 60"
        )
    # Shift local time so that a window opens at local midnight: its date is the sitting's date.
    con.execute(
        f"""
        create or replace temp table _post_session as
        with shifted as (
            select post_id, created_at, author,
                   timezone($tz, created_at) - to_minutes($start_min)
                   + interval {PRE_GRACE_MINUTES} minute as s
            from _chat_posts
        ),
        placed as (
            select *, s - s::date::timestamp < interval {span} minute
                      and ($weekday::INTEGER is null or isodow(s::date) = $weekday) as inside
            from shifted
        )
        select post_id, created_at, author,
               case when inside then $c || '-' || strftime(s::date, '%Y-%m-%d') end as session_id,
               case when inside then s::date end as local_date
        from placed
        """,
        {
            "c": chat_id,
            "start_min": conf.start_time.hour * 60 + conf.start_time.minute,
            "weekday": conf.weekday,
            "tz": tz,
        },
    )


def _looks_like_conference(con: duckdb.DuckDBPyConnection) -> bool:
    """No weekly rhythm and no questions: a conference hashtag, one session per meeting day."""
    n, top, with_q = one(
        con,
        """
        with b as (select isodow(p10) as dow, has_q1 from _burst_stats where kept)
        select count(*), coalesce(max(k), 0), count(*) filter (where has_q1)
        from b left join (select dow, count(*) as k from b group by dow) using (dow)
        """,
    )
    if n == 0:
        return False
    weekly = top >= WEEKLY_MIN_SESSIONS and top >= WEEKLY_SHARE * n
    return not weekly and with_q < 0.5 * n


def _store(con: duckdb.DuckDBPyConnection, chat_id: str, cut) -> None:
    """Replace the sessions from the cut on; the placed posts' rows are left to threads."""
    params = {"c": chat_id, "cut": cut}
    con.execute(
        """delete from sessions where chat_id = $c
           and ($cut::TIMESTAMPTZ is null or starts_at >= $cut::TIMESTAMPTZ)""",
        params,
    )
    con.execute(
        """
        insert into sessions (session_id, chat_id, starts_at, ends_at, local_date, posts, participants)
        select session_id, $c, min(created_at), max(created_at), any_value(local_date),
               count(*), count(distinct author)
        from _post_session where session_id is not null
        group by session_id
        order by min(created_at)
        """,
        {"c": chat_id},
    )
    if cut is None:
        con.execute("delete from post_threads where chat_id = $c", {"c": chat_id})
    else:
        con.execute(
            """delete from post_threads where chat_id = $c
               and post_id in (select post_id from _chat_posts)""",
            {"c": chat_id},
        )
    # The placed posts go to threads.refresh in a temp table: it writes their rows once, whole.
    con.execute(
        "create or replace temp table _placed as select post_id, session_id, created_at from _post_session"
    )


def _infer(con: duckdb.DuckDBPyConnection, chat_id: str, mode: str, tz: str, cut) -> None:
    """Read the weekly schedule off the sessions: modal weekday, start and duration.

    After an incremental refresh the new sittings update it only when there are a few of them.
    """
    row = one(
        con,
        """
        with s as (
            select time_bucket(interval 15 minute,
                               timezone($tz, quantile_disc(created_at, 0.1))) as start_at,
                   timezone($tz, quantile_disc(created_at, 0.9)) as p90
            from _post_session where session_id is not null
            group by session_id
        )
        select count(*), mode(isodow(start_at)), mode(start_at::time),
               mode(ceil(extract(epoch from p90 - start_at) / 60 / 15) * 15)::int
        from s
        """,
        {"tz": tz},
    )
    n, weekday, start, duration = row
    if cut is not None and n < WEEKLY_MIN_SESSIONS:
        con.execute(
            "update chat_inference set mode = $m, timezone = $tz where chat_id = $c",
            {"c": chat_id, "m": mode, "tz": tz},
        )
        return
    if mode == "days":
        weekday = start = duration = None
    con.execute(
        """
        insert into chat_inference
            (chat_id, mode, timezone, weekday, start_time, duration_minutes, updated_at)
        values ($c, $m, $tz, $w, $s, $d, now())
        on conflict (chat_id) do update set
            mode = excluded.mode, timezone = excluded.timezone, weekday = excluded.weekday,
            start_time = excluded.start_time, duration_minutes = excluded.duration_minutes,
            updated_at = excluded.updated_at
        """,
        {"c": chat_id, "m": mode, "tz": tz, "w": weekday, "s": start, "d": duration},
    )


def table(con: duckdb.DuckDBPyConnection, chat_id: str, year: int | None = None) -> pl.DataFrame:
    """One row per session: local date and start, posts, participants, active participants (wrote a
    post that is not a retweet), newcomers and questions found.

    A newcomer is an active participant in the first session of this chat in which they were
    active, as in :func:`chatgraph.growth.growth` by session: an account that only retweeted so far
    is not yet a newcomer, so a session never has more newcomers than active participants."""
    tz = configured_schedule(con, chat_id).timezone or "UTC"
    rel = con.sql(
        """
        with pt as (
            select t.session_id, coalesce(p.author_id, lower(p.author_handle)) as author,
                   p.is_retweet or p.retweet_of_post_id is not null as is_retweet
            from post_threads t join posts p using (post_id)
            where t.chat_id = $c and t.session_id is not null
        ),
        s as (select * from sessions where chat_id = $c),
        firsts as (
            select author, arg_min(session_id, starts_at) as first_session
            from pt join s using (session_id) where not is_retweet group by author
        ),
        per as (
            select session_id,
                   count(distinct author) filter (where not is_retweet) as active,
                   count(distinct author) filter (
                       where not is_retweet
                         and author in (select author from firsts f
                                        where f.first_session = pt.session_id)
                   ) as newcomers
            from pt group by session_id
        ),
        q as (select session_id, count(*) as questions from questions group by session_id)
        select s.session_id, s.local_date,
               strftime(timezone($tz, s.starts_at), '%H:%M') as starts,
               s.posts, s.participants, coalesce(per.active, 0) as active_participants,
               coalesce(per.newcomers, 0) as newcomers, coalesce(q.questions, 0) as questions
        from s left join per using (session_id) left join q using (session_id)
        where $year::INTEGER is null or year(s.local_date) = $year
        order by s.starts_at
        """,
        params={"c": chat_id, "tz": tz, "year": year},
    )
    return rel.pl()
