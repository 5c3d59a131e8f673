"""How a chat's community grows: participants, newcomers, returning members, retention and new
connections per year or per session; and what two chats share.

Words as in DESIGN.md. A participant of a session wrote at least one of its posts; an active one
wrote one that is not a retweet. Newcomers, returning members and retention count active
participants only, unless ``include_retweeters`` (then accounts that only retweet count too).
Years are the chat's local years (the session's local date). When the chat has no sessions with
posts yet, a year's participants are simply the authors of its posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb
import polars as pl

from chatgraph import people
from chatgraph.errors import UsageError
from chatgraph.graphs import chat_timezone

By = Literal["year", "session"]

# One row per post taking part: its year, session (if any) and author.
_SESSION_POSTS = """
select year(s.local_date) as year, s.session_id, s.starts_at, s.local_date, p.post_id,
       lower(coalesce(p.author_handle, a.handle)) as handle, p.is_retweet
from posts p
join (select post_id, any_value(session_id) as session_id from post_threads
      where chat_id = $chat and session_id is not null group by post_id) t on t.post_id = p.post_id
join sessions s on s.chat_id = $chat and s.session_id = t.session_id
left join accounts a on p.author_handle is null and a.platform = p.platform and a.account_id = p.author_id
where p.chat_id = $chat
"""

_YEAR_POSTS = """
select year(timezone($tz, p.created_at)) as year, null::VARCHAR as session_id,
       null::TIMESTAMPTZ as starts_at, null::DATE as local_date, p.post_id,
       lower(coalesce(p.author_handle, a.handle)) as handle, p.is_retweet
from posts p
left join accounts a on p.author_handle is null and a.platform = p.platform and a.account_id = p.author_id
where p.chat_id = $chat and p.created_at is not null
"""

# Pairs with the session of the post that first connected them (a post of no session: null).
# {interactions}: the table, or the people layer's view with persons for handles.
_PAIRS = """
select least(source_handle, target_handle) as a, greatest(source_handle, target_handle) as b,
       min(created_at) as first_seen_at, arg_min_null(session_id, created_at) as session_id
from {interactions}
where chat_id = $chat and kind in ('reply', 'mention', 'quote') and created_at is not null
group by all
"""


def _frame(con: duckdb.DuckDBPyConnection, query: str, params: dict) -> pl.DataFrame:
    return con.sql(query, params=params).pl()


def _has_session_posts(con: duckdb.DuckDBPyConnection, chat: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from post_threads t join sessions s "
            "on s.chat_id = t.chat_id and s.session_id = t.session_id where t.chat_id = $chat",
            {"chat": chat},
        ).fetchall()[0][0]
    )


def growth(
    con: duckdb.DuckDBPyConnection,
    chat: str,
    by: By | str = "year",
    include_retweeters: bool = False,
    by_account: bool = False,
) -> pl.DataFrame:
    """The chat's growth table, one row per year (every year from the first to the last) or per
    session (in order).

    Columns: ``sessions`` (years only), ``posts``, ``participants``, ``active_participants``,
    ``newcomers``, ``returning``, ``retention`` (share of the newcomers who take part again: in the
    next year, or for sessions in any later session; null where there is no next one),
    ``new_connections``, ``cumulative_connections`` and ``median_new_connections_per_newcomer``
    (over the newcomers, counting the new connections each one is part of).
    """
    if by not in ("year", "session"):
        raise UsageError(f"--by {by!r}: choose year or session")
    tz = chat_timezone(con, chat)
    with_sessions = _has_session_posts(con, chat)
    if by == "session" and not with_sessions:
        raise UsageError(
            f"chat {chat!r} has no sessions with posts yet; see them with chatgraph sessions "
            f"--chat {chat}, or use --by year"
        )
    source = _SESSION_POSTS if with_sessions else _YEAR_POSTS
    params = {"chat": chat} if with_sessions else {"chat": chat, "tz": tz}
    con.execute(f"create or replace temp table growth_posts as {source}", params)
    per_person = not by_account and people.has_people(con)
    if per_person:
        people.person_of(con, "growth_posts", "handle")
    interactions = (
        "(select * replace (source_person as source_handle, target_person as target_handle) "
        "from person_interactions)"
        if per_person
        else "interactions"
    )
    con.execute(
        f"create or replace temp table growth_pairs as {_PAIRS.format(interactions=interactions)}",
        {"chat": chat},
    )
    try:
        if by == "year":
            return _by_year(con, chat, tz, include_retweeters)
        return _by_session(con, chat, include_retweeters)
    finally:
        con.execute("drop table if exists growth_posts")
        con.execute("drop table if exists growth_pairs")


def _by_year(con: duckdb.DuckDBPyConnection, chat: str, tz: str, retweeters: bool) -> pl.DataFrame:
    return _frame(
        con,
        """
        with counted as (  -- the (year, account) participations that count for newcomers
            select distinct year, handle from growth_posts
            where handle is not null and ($retweeters or not is_retweet)
        ),
        firsts as (select handle, min(year) as first_year from counted group by handle),
        pairs as (
            select a, b, year(timezone($tz, first_seen_at)) as year from growth_pairs
        ),
        span as (
            select unnest(range(min(y)::BIGINT, max(y)::BIGINT + 1)) as year from (
                select year as y from growth_posts union all select year from pairs
            )
        ),
        last_year as (select max(year) as y from growth_posts),
        per_year as (
            select year, count(distinct session_id) as sessions, count(*) as posts,
                   count(distinct handle) as participants,
                   count(distinct handle) filter (where not is_retweet) as active_participants
            from growth_posts group by year
        ),
        newcomer_rows as (
            select c.year, c.handle, c.year = f.first_year as is_new,
                   nxt.handle is not null as back_next_year
            from counted c join firsts f using (handle)
            left join counted nxt on nxt.handle = c.handle and nxt.year = c.year + 1
        ),
        links as (
            select year, handle, count(*) as links
            from (select year, a as handle from pairs union all select year, b from pairs)
            group by all
        ),
        newcomer_links as (
            select n.year, n.handle, coalesce(l.links, 0) as links
            from newcomer_rows n left join links l using (year, handle) where n.is_new
        ),
        per_newcomers as (
            select year, count(*) filter (where is_new) as newcomers,
                   count(*) filter (where not is_new) as returning,
                   count(*) filter (where is_new and back_next_year) as retained
            from newcomer_rows group by year
        ),
        per_pairs as (select year, count(*) as new_connections from pairs group by year),
        medians as (
            select year, median(links)::DOUBLE as median_links from newcomer_links group by year
        )
        select s.year::BIGINT as year,
               coalesce(y.sessions, 0) as sessions,
               coalesce(y.posts, 0) as posts,
               coalesce(y.participants, 0) as participants,
               coalesce(y.active_participants, 0) as active_participants,
               coalesce(n.newcomers, 0) as newcomers,
               coalesce(n.returning, 0) as returning,
               case when s.year < (select y from last_year) and coalesce(n.newcomers, 0) > 0
                    then n.retained / n.newcomers end as retention,
               coalesce(c.new_connections, 0) as new_connections,
               sum(coalesce(c.new_connections, 0)) over (order by s.year)::BIGINT
                   as cumulative_connections,
               m.median_links as median_new_connections_per_newcomer
        from span s
        left join per_year y using (year)
        left join per_newcomers n using (year)
        left join per_pairs c using (year)
        left join medians m using (year)
        order by s.year
        """,
        {"tz": tz, "retweeters": retweeters},
    )


def _by_session(con: duckdb.DuckDBPyConnection, chat: str, retweeters: bool) -> pl.DataFrame:
    return _frame(
        con,
        """
        with sessions_in_order as (
            select session_id, starts_at, ends_at, local_date,
                   row_number() over (order by starts_at, session_id) as n
            from sessions where chat_id = $chat
        ),
        counted as (
            select distinct o.n, g.handle from growth_posts g join sessions_in_order o using (session_id)
            where g.handle is not null and ($retweeters or not g.is_retweet)
        ),
        firsts as (select handle, min(n) as first_n, max(n) as last_n from counted group by handle),
        per_session as (
            select session_id, count(*) as posts, count(distinct handle) as participants,
                   count(distinct handle) filter (where not is_retweet) as active_participants
            from growth_posts group by session_id
        ),
        newcomer_rows as (
            select c.n, c.handle, c.n = f.first_n as is_new, f.last_n > c.n as back_later
            from counted c join firsts f using (handle)
        ),
        pairs as (
            select p.a, p.b, p.first_seen_at, o.n from growth_pairs p
            left join sessions_in_order o using (session_id)
        ),
        links as (
            select n, handle, count(*) as links
            from (select n, a as handle from pairs union all select n, b from pairs)
            where n is not null group by all
        ),
        newcomer_links as (
            select r.n, r.handle, coalesce(l.links, 0) as links
            from newcomer_rows r left join links l using (n, handle) where r.is_new
        ),
        cumulative as (
            select o.n, count(g.a) as connections
            from sessions_in_order o left join growth_pairs g on g.first_seen_at <= o.ends_at
            group by o.n
        ),
        per_newcomers as (
            select n, count(*) filter (where is_new) as newcomers,
                   count(*) filter (where not is_new) as returning,
                   count(*) filter (where is_new and back_later) as retained
            from newcomer_rows group by n
        ),
        per_pairs as (select n, count(*) as new_connections from pairs where n is not null group by n),
        medians as (select n, median(links)::DOUBLE as median_links from newcomer_links group by n)
        select o.session_id, o.local_date, year(o.local_date)::BIGINT as year,
               coalesce(s.posts, 0) as posts,
               coalesce(s.participants, 0) as participants,
               coalesce(s.active_participants, 0) as active_participants,
               coalesce(r.newcomers, 0) as newcomers,
               coalesce(r.returning, 0) as returning,
               case when o.n < (select max(n) from sessions_in_order) and coalesce(r.newcomers, 0) > 0
                    then r.retained / r.newcomers end as retention,
               coalesce(c.new_connections, 0) as new_connections,
               u.connections as cumulative_connections,
               m.median_links as median_new_connections_per_newcomer
        from sessions_in_order o
        left join per_session s using (session_id)
        left join per_newcomers r using (n)
        left join per_pairs c using (n)
        left join medians m using (n)
        left join cumulative u using (n)
        order by o.n
        """,
        {"chat": chat, "retweeters": retweeters},
    )


def active_by_year(
    con: duckdb.DuckDBPyConnection,
    chat: str,
    include_retweeters: bool = False,
    by_account: bool = False,
) -> dict[int, set[str]]:
    """The people (person ids; lower-cased handles with ``by_account``) :func:`growth` counts as a
    year's active participants (with ``include_retweeters``: its participants)."""
    with_sessions = _has_session_posts(con, chat)
    source = _SESSION_POSTS if with_sessions else _YEAR_POSTS
    params: dict = {"chat": chat}
    if not with_sessions:
        params["tz"] = chat_timezone(con, chat)
    params["retweeters"] = include_retweeters
    rows = con.execute(
        f"select distinct year, handle from ({source}) "
        "where handle is not null and ($retweeters or not is_retweet)",
        params,
    ).fetchall()
    person_of: dict[str, str] = {}
    if not by_account:
        person_of = {
            h: p for p, accounts in people.handles_by_person(con).items() for _, h in accounts
        }
    out: dict[int, set[str]] = {}
    for year, handle in rows:
        out.setdefault(int(year), set()).add(person_of.get(handle, handle))
    return out


# ------------------------------------------------------------------------------------------ overlap


@dataclass
class Overlap:
    """What two chats share: accounts (authors of posts) and connections (the same pair)."""

    chat_a: str
    chat_b: str
    accounts_a: int
    accounts_b: int
    connections_a: int
    connections_b: int
    shared_accounts: pl.DataFrame  # handle, posts_a, posts_b, first_seen_a, first_seen_b
    shared_connections: (
        pl.DataFrame
    )  # a_handle, b_handle, first_seen_a, first_seen_b, interactions_a, interactions_b

    def summary(self) -> pl.DataFrame:
        """One row per measure: count in each chat and shared."""
        return pl.DataFrame(
            {
                "measure": ["accounts", "connections"],
                self.chat_a: [self.accounts_a, self.connections_a],
                self.chat_b: [self.accounts_b, self.connections_b],
                "shared": [self.shared_accounts.height, self.shared_connections.height],
            }
        )


def overlap(
    con: duckdb.DuckDBPyConnection, chat_a: str, chat_b: str, by_account: bool = False
) -> Overlap:
    """Accounts that posted in both chats, and connections (pairs) made in both. People, not
    accounts, unless ``by_account``: a person who posted in one chat from Twitter and in the other
    from Mastodon is shared (their ``handle`` is the person id)."""
    if chat_a == chat_b:
        raise UsageError(f"overlap needs two different chats, got {chat_a!r} twice")
    params = {"a": chat_a, "b": chat_b}
    per_person = not by_account and people.has_people(con)
    who = (
        "coalesce(pa.person_id, lower(coalesce(p.author_handle, ac.handle)))"
        if per_person
        else "lower(coalesce(p.author_handle, ac.handle))"
    )
    people_join = (
        "left join person_accounts pa on pa.handle = lower(coalesce(p.author_handle, ac.handle))"
        if per_person
        else ""
    )
    connections = (
        "(select chat_id, a_person as a_handle, b_person as b_handle, first_seen_at, first_year, "
        "interactions from person_connections)"
        if per_person
        else "connections"
    )
    authors = f"""
        select * from (
        select p.chat_id, {who} as handle, count(*) as posts,
               min(p.created_at) as first_seen_at
        from posts p
        left join accounts ac
          on p.author_handle is null and ac.platform = p.platform and ac.account_id = p.author_id
        {people_join}
        where p.chat_id in ($a, $b)
        group by all
        ) where handle is not null
    """
    counts = dict(
        con.execute(
            f"select chat_id, count(*) from ({authors}) group by chat_id", params
        ).fetchall()
    )
    conn_counts = dict(
        con.execute(
            f"select chat_id, count(*) from {connections} where chat_id in ($a, $b) group by chat_id",
            params,
        ).fetchall()
    )
    shared_accounts = _frame(
        con,
        f"""
        with x as ({authors})
        select a.handle, a.posts as posts_a, b.posts as posts_b,
               a.first_seen_at as first_seen_a, b.first_seen_at as first_seen_b
        from x a join x b on a.handle = b.handle and a.chat_id = $a and b.chat_id = $b
        order by a.handle
        """,
        params,
    )
    shared_connections = _frame(
        con,
        f"""
        select a.a_handle, a.b_handle, a.first_seen_at as first_seen_a, b.first_seen_at as first_seen_b,
               a.interactions as interactions_a, b.interactions as interactions_b
        from {connections} a join {connections} b
          on a.a_handle = b.a_handle and a.b_handle = b.b_handle and a.chat_id = $a and b.chat_id = $b
        order by a.a_handle, a.b_handle
        """,
        params,
    )
    return Overlap(
        chat_a=chat_a,
        chat_b=chat_b,
        accounts_a=counts.get(chat_a, 0),
        accounts_b=counts.get(chat_b, 0),
        connections_a=conn_counts.get(chat_a, 0),
        connections_b=conn_counts.get(chat_b, 0),
        shared_accounts=shared_accounts,
        shared_connections=shared_connections,
    )
