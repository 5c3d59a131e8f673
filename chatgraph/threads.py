"""Question threads: find each session's question posts and give every post its question.

Question posts
    A post opens a question when its text (after leading @mentions, ``RT @x:`` and the chat's own
    hashtag) starts with a question prefix and a number: ``Q1``, ``Q1:``, ``Q1.``, ``T1 -``, ``Q 1``.
    Retweets and quotes never open one. Prefixes come from ``chats.question_prefixes``, else each
    session uses ``Q`` or ``T``, whichever its host used. Hosts come from ``chats.hosts``; else each
    session's host is the account whose prefixed posts there run in order from 1 (ties: more distinct
    numbers, then the one who posted first), so another account's "Q1 was great" is no question
    post. Deciding per session keeps guest hosts, and keeps a refresh of new sessions from changing
    old ones; the chat's hosts shown by ``chats`` are those who hosted at least a tenth of them.
    The first such post per number is the question; the host's later ones count as tagged answers.

Only the sessions holding posts that :func:`chatgraph.sessions.refresh` placed again (its temp
table ``_placed``) are threaded again, so a weekly load touches one week.

Answer assignment (``post_threads.method``), first rule that applies:
    ``question``  the post opens that question.
    ``tag``       its text starts with an answer tag: ``A1``, ``A1:``, ``a1)``, ``A1 -``, or the
                  session's question prefix (``T1:`` where questions are T): that number, even late.
    ``reply``     a reply to a post of the same session: the parent's question (through whole chains).
                  When the parent is not in the session (a reply without the hashtag that a search
                  missed) but the conversation's first post is, that post's question.
    ``retweet``   a retweet of a post of the same session: that post's question.
    ``quote``     a quote of a post of the same session: that post's question.
    ``time``      the latest question asked before the post in its session; 0 before the first.
    ``none``      the post is in no session (``session_id`` and ``question`` are null).
A retweet's text is somebody else's, so for a retweet the ``retweet`` rule comes before the (copied)
tag; a retweet of a post outside the session falls back to that tag, then to time.

The work is whole-chat SQL: regexps over the texts, window functions to pick hosts, a recursive CTE
that walks reply/retweet/quote chains down from the posts that settle their own question, and a join
of each post with the span of the question it was written under.
"""

from __future__ import annotations

import re

import duckdb
import polars as pl

from chatgraph.db import has_temp_table
from chatgraph.sessions import one

MAX_QUESTION = 30
DEFAULT_PREFIXES = ("q", "t")
# Share of question sessions an account must host to be listed as an inferred host.
HOST_SHARE = 0.1


def lead_pattern(hashtag: str | None) -> str:
    """What may precede a tag: mentions (reply prefixes), ``RT @x:``, the chat's own hashtag."""
    tag = f"|#{re.escape(hashtag.lower())}\\b[:,]?" if hashtag else ""
    return rf"^(?:\s*(?:rt\s+\.?@[\w.@-]+:?|\.?@[\w.@-]+[:,]?{tag}))*\s*"


# Only texts starting like this can have a lead to strip (saves a copy of every other text).
LEAD_START = r"^[\s@.#rR]"


def head_tag(column: str) -> str:
    """SQL: the (w, sp, n) struct of the prefix-and-number a text starts with, case ignored."""
    return (
        f"regexp_extract(case when regexp_matches({column}, '{LEAD_START}') "
        f"then regexp_replace({column}, $lead, '', 'i') else {column} end, "
        "$tagre, ['w', 'sp', 'n'], 'i')"
    )


TAG_PATTERN = r"^([a-z]+)(\s?)(\d{1,2})(?:[^a-z0-9]|$)"


def configured(con: duckdb.DuckDBPyConnection, chat_id: str) -> tuple[list[str], list[str], str]:
    """The chat's configured question prefixes and hosts (lower-cased) and its hashtag."""
    row = one(
        con,
        "select question_prefixes, hosts, hashtag from chats where chat_id = $c",
        {"c": chat_id},
    )
    if row is None:
        return [], [], chat_id
    prefixes = [p.strip().lower() for p in row[0] or [] if p and p.strip()]
    hosts = [h.strip().lstrip("@").lower() for h in row[1] or [] if h and h.strip()]
    return prefixes, hosts, row[2] or chat_id


def inferred(con: duckdb.DuckDBPyConnection, chat_id: str) -> tuple[list[str], list[str]]:
    """The question prefixes and hosts read off the chat's sessions at its last refresh."""
    row = one(
        con,
        "select question_prefixes, hosts from chat_inference where chat_id = $c",
        {"c": chat_id},
    )
    if row is None:
        return [], []
    return list(row[0] or []), list(row[1] or [])


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> None:
    """Execute with just the parameters the statement names (DuckDB rejects extra ones)."""
    used = {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", sql)}
    con.execute(sql, used or None)


def refresh(con: duckdb.DuckDBPyConnection, chat_id: str) -> None:
    """Rebuild the chat's ``questions`` and the question of each of its posts in ``post_threads``."""
    prefixes, hosts, hashtag = configured(con, chat_id)
    params = {
        "c": chat_id,
        "lead": lead_pattern(hashtag),
        "tagre": TAG_PATTERN,
        "prefixes": prefixes or list(DEFAULT_PREFIXES),
        "hosts": hosts,
    }
    if not has_temp_table(con, "_placed"):
        return  # sessions.refresh found nothing to place again
    # Sessions to thread again: those holding a post that sessions.refresh placed again.
    _run(
        con,
        """create or replace temp table _redo as
           select distinct session_id from _placed where session_id is not null""",
    )
    _run(
        con,
        """insert into post_threads (post_id, chat_id, session_id, question, method)
           select post_id, $c, null, null, 'none' from _placed where session_id is null""",
        params,
    )
    if one(con, "select count(*) from _redo")[0] == 0:
        for t in ("_redo", "_placed"):
            con.execute(f"drop table {t}")
        return
    _run(
        con,
        f"""
        create or replace temp table _tp as
        select * exclude (tag), nullif(lower(tag.w), '') as w, tag.sp <> '' as spaced,
               nullif(tag.n, '')::int as n
        from (
            select p.post_id, p.created_at, t.session_id,
                   coalesce(p.author_id, lower(p.author_handle)) as author,
                   lower(p.author_handle) as handle,
                   p.is_retweet or p.retweet_of_post_id is not null as is_retweet,
                   p.reply_to_post_id, p.retweet_of_post_id, p.quote_of_post_id,
                   case when p.reply_to_post_id is not null
                        and p.conversation_id <> p.reply_to_post_id then p.conversation_id
                   end as conversation_id,
                   {head_tag("coalesce(p.text, '')")} as tag
            from (
                select post_id, session_id from _placed where session_id is not null
                union all
                -- posts of those sessions that were not placed again (none, as sessions cut)
                select post_id, session_id from post_threads
                where chat_id = $c and session_id in (select session_id from _redo)
            ) t join posts p on p.post_id = t.post_id
        )
        """,
        params,
    )
    host_filter = "and handle in (select unnest($hosts::VARCHAR[]))" if hosts else ""
    # Each (session, account, prefix) that could be asking the questions, scored.
    _run(
        con,
        f"""
        create or replace temp table _askers as
        with cand as (
            select session_id, author, any_value(handle) over (partition by author) as handle,
                   w, n, created_at, post_id
            from _tp
            where session_id is not null and not is_retweet and quote_of_post_id is null
              and w in (select unnest($prefixes::VARCHAR[]))
              and n between 1 and {MAX_QUESTION}
              {host_filter}
        ),
        per as (
            select session_id, author, any_value(handle) as handle, w,
                   list(n order by created_at, post_id) as seq, min(created_at) as first_at
            from cand group by session_id, author, w
        )
        select *, seq[1] = 1 and seq = list_sort(seq) as ordered,
               len(list_distinct(seq)) as distinct_numbers
        from per
        """,
        params,
    )
    # The session's asker(s): every configured host, else the best-scored account.
    pick = (
        ""
        if hosts
        else """qualify row_number() over (partition by session_id order by ordered desc,
                    distinct_numbers desc, first_at, author) = 1"""
    )
    _run(
        con,
        f"""
        create or replace temp table _hosts as
        select session_id, author, handle, w from _askers {pick}
        """,
    )
    _run(
        con,
        f"""
        create or replace temp table _tq as
        select t.session_id, t.n as number, t.post_id, t.created_at as asked_at
        from _tp t join _hosts h on h.session_id = t.session_id and h.author = t.author
                                and h.w = t.w
        where not t.is_retweet and t.quote_of_post_id is null
          and t.n between 1 and {MAX_QUESTION}
        qualify row_number() over (partition by t.session_id, t.n
                                   order by t.created_at, t.post_id) = 1
        """,
    )
    # Each post's own answer (question, tag, retweet's copied tag, time) and the post it follows.
    _run(
        con,
        f"""
        create or replace temp table _ta as
        with letters as (select session_id, list_distinct(list(w)) as ws from _hosts group by all),
        tagged as (
            select t.*,
                   t.n between 1 and {MAX_QUESTION}
                   and ((t.w = 'a' and not t.spaced)
                        or list_contains(coalesce(l.ws, $prefixes::VARCHAR[]), t.w)) as tag_ok
            from _tp t left join letters l using (session_id)
            where t.session_id is not null
        ),
        own as (
            select t.post_id, t.session_id, t.created_at, t.is_retweet,
                   case when q.post_id is not null then q.number
                        when tag_ok and not t.is_retweet then t.n end as base_q,
                   case when q.post_id is not null then 'question'
                        when tag_ok and not t.is_retweet then 'tag' end as base_m,
                   case when tag_ok then t.n end as tag_q
            from tagged t left join _tq q using (post_id)
        ),
        -- Each question holds from its asking to the next one's: a hash join on the session.
        spans as (
            select session_id, number, asked_at as lo,
                   -- questions asked in the same second: the higher number holds from then on
                   lead(asked_at) over (partition by session_id order by asked_at, number) as hi
            from _tq
        ),
        timed as (
            select o.*, coalesce(q.number, 0) as time_q
            from own o left join spans q
              on q.session_id = o.session_id and o.created_at >= q.lo
             and o.created_at < coalesce(q.hi, 'infinity'::TIMESTAMPTZ)
        ),
        refs as (
            select post_id, created_at, session_id, 1 as rank, reply_to_post_id as ref from _tp
            where reply_to_post_id is not null
            union all
            select post_id, created_at, session_id, 2, conversation_id from _tp
            where conversation_id is not null
            union all
            select post_id, created_at, session_id, 3, retweet_of_post_id from _tp
            where retweet_of_post_id is not null
            union all
            select post_id, created_at, session_id, 4, quote_of_post_id from _tp
            where quote_of_post_id is not null
        ),
        links as (
            select r.post_id, arg_min(r.ref, r.rank) as link, min(r.rank) as rank
            from refs r join _tp p on p.post_id = r.ref and p.session_id = r.session_id
            -- Only earlier posts are followed, so the chains have no loops even in odd data.
            where p.created_at < r.created_at
               or (p.created_at = r.created_at and p.post_id < r.post_id)
            group by r.post_id
        )
        select t.post_id, t.session_id, t.created_at,
               case when t.base_q is null then l.link end as link,
               case when t.base_q is not null then t.base_m
                    when l.rank in (1, 2) then 'reply'
                    when l.rank = 3 then 'retweet'
                    when l.rank = 4 then 'quote'
                    when t.is_retweet and t.tag_q is not null then 'tag'
                    else 'time' end as method,
               coalesce(t.base_q, case when t.is_retweet then t.tag_q end, t.time_q) as own_q
        from timed t left join links l using (post_id)
        """,
        params,
    )
    _run(
        con,
        """delete from questions where session_id in (select session_id from _redo)
           or session_id not in (select session_id from sessions)""",
    )
    _run(
        con,
        """insert into questions
           select q.session_id, q.number, q.post_id, q.asked_at, p.text
           from _tq q join posts p using (post_id) order by q.asked_at""",
    )
    _run(
        con,
        """delete from post_threads
           where chat_id = $c and session_id in (select session_id from _redo)""",
        params,
    )
    # Walk down from the posts that settle their own question to the posts that follow them; as
    # each post follows at most one earlier post, the walk reaches every post exactly once.
    _run(
        con,
        """
        insert into post_threads (post_id, chat_id, session_id, question, method)
        with recursive walk(post_id, session_id, created_at, method, question) as (
            select post_id, session_id, created_at, method, own_q from _ta where link is null
            union all
            select c.post_id, c.session_id, c.created_at, c.method, w.question
            from _ta c join walk w on c.link = w.post_id
        )
        select post_id, $c, session_id, question, method from walk
        order by created_at, post_id
        """,
        params,
    )
    _store_inference(con, chat_id, params["lead"])
    for t in ("_redo", "_placed", "_tp", "_askers", "_hosts", "_tq", "_ta"):
        con.execute(f"drop table if exists {t}")


def _store_inference(con: duckdb.DuckDBPyConnection, chat_id: str, lead: str) -> None:
    """The prefixes and hosts of the chat's questions, most used first (read off ``questions``)."""
    row = one(
        con,
        f"""
        with q as (
            select q.session_id, lower(coalesce(p.author_handle, p.author_id)) as handle,
                   lower({head_tag("q.text")}.w) as w
            from questions q join posts p using (post_id)
            join sessions s on s.session_id = q.session_id and s.chat_id = $c
        )
        select (select list(w order by k desc, w) from (
                    select w, count(distinct session_id) as k from q group by w)),
               (select list(handle order by k desc, handle) from (
                    select handle, count(distinct session_id) as k from q group by handle
               ) where k >= {HOST_SHARE} * (select count(distinct session_id) from q))
        """,
        {"c": chat_id, "lead": lead, "tagre": TAG_PATTERN},
    )
    prefixes = [p.upper() for p in row[0] or []]
    con.execute(
        """
        insert into chat_inference (chat_id, question_prefixes, hosts, updated_at)
        values ($c, $p, $h, now())
        on conflict (chat_id) do update set
            question_prefixes = excluded.question_prefixes, hosts = excluded.hosts,
            updated_at = excluded.updated_at
        """,
        {"c": chat_id, "p": prefixes, "h": list(row[1] or [])},
    )


def table(con: duckdb.DuckDBPyConnection, session_id: str) -> pl.DataFrame:
    """One row per question of a session (0: before the first), with how its posts were assigned."""

    from chatgraph.sessions import resolve_session

    _, session_id = resolve_session(con, session_id)
    (zone,) = one(
        con,
        """select coalesce(c.timezone, 'UTC') from sessions s join chats c using (chat_id)
           where s.session_id = $s""",
        {"s": session_id},
    )
    return con.sql(
        """
        with pt as (
            select t.question, t.method, coalesce(p.author_id, lower(p.author_handle)) as author
            from post_threads t join posts p using (post_id) where t.session_id = $s
        ),
        counts as (
            select question, count(*) as posts, count(distinct author) as participants,
                   count(*) filter (where method = 'tag') as tagged,
                   count(*) filter (where method = 'reply') as replies,
                   count(*) filter (where method = 'retweet') as retweets,
                   count(*) filter (where method = 'quote') as quotes,
                   count(*) filter (where method = 'time') as by_time
            from pt group by question
        )
        select c.question, strftime(timezone($tz, q.asked_at), '%H:%M') as asked,
               coalesce(p.author_handle, p.author_id) as asked_by, c.posts, c.participants,
               c.tagged, c.replies, c.retweets, c.quotes, c.by_time, q.text
        from counts c
        left join questions q on q.session_id = $s and q.number = c.question
        left join posts p on p.post_id = q.post_id
        order by c.question
        """,
        params={"s": session_id, "tz": zone},
    ).pl()
