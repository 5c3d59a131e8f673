"""Interactions (who replied to, mentioned, retweeted or quoted whom) and the connections they make.

Both tables are derived from the archive in SQL over a whole chat at once, and rebuilt for a chat
after every load (:func:`chatgraph.derive.refresh`), so they are never stale. Handles are lower-cased
here: they are the join key across files, formats and years.
"""

from __future__ import annotations

import duckdb

KINDS = ("reply", "mention", "retweet", "quote")
CONNECTING_KINDS = ("reply", "mention", "quote")

# The chat's posts with their author's handle, and the authors of the posts they point at.
# chat_posts is not materialized: each use reads just the posts and columns it needs from the
# table (cheaper than writing every post's twelve columns aside first).
_EDGES = r"""
with chat_posts as not materialized (
    select p.post_id, p.platform, p.created_at, p.author_id,
           lower(coalesce(p.author_handle, a.handle)) as author,
           p.is_retweet or p.retweet_of_post_id is not null as is_retweet,
           p.retweet_of_post_id, p.quote_of_post_id,
           p.reply_to_post_id, p.reply_to_author_id, lower(p.reply_to_handle) as reply_to_handle,
           case when starts_with(p.text, 'RT @')  -- the regex only where it can match
                then lower(nullif(regexp_extract(p.text, '^RT @(\w+):', 1), '')) end as rt_handle
    from posts p
    left join accounts a
      on p.author_handle is null and a.platform = p.platform and a.account_id = p.author_id
    where p.chat_id = $chat and {only}
),
wanted as (
    select retweet_of_post_id as id from chat_posts where retweet_of_post_id is not null
    union select reply_to_post_id from chat_posts where reply_to_post_id is not null
    union select quote_of_post_id from chat_posts where quote_of_post_id is not null
),
pointed as (
    select post_id, platform, author_id, author_handle, 0 as pri from posts
    where post_id in (select id from wanted)
    union all
    select post_id, platform, author_id, author_handle, 1 from referenced_posts
    where post_id in (select id from wanted)
),
post_authors as (
    select o.post_id, o.author_id, lower(coalesce(o.author_handle, a.handle)) as handle
    from (
        select post_id, arg_min(platform, pri) as platform, arg_min(author_id, pri) as author_id,
               arg_min(author_handle, pri) as author_handle
        from pointed group by post_id
    ) o
    left join accounts a
      on o.author_handle is null and a.platform = o.platform and a.account_id = o.author_id
),
id_handles as (
    select platform, account_id, lower(handle) as handle from accounts
    where handle is not null and not starts_with(account_id, '@')
),
handle_ids as (
    -- the account last seen under the handle; accounts only ever mentioned have no last_seen_at
    select platform, handle,
           arg_max(account_id, coalesce(last_seen_at, '-infinity'::TIMESTAMPTZ)) as account_id
    from (select platform, lower(handle) as handle, account_id, last_seen_at from accounts
          where handle is not null and not starts_with(account_id, '@'))
    group by platform, handle
),
raw_edges as (
    select c.post_id, c.created_at, 'retweet' as kind, c.author_id as source_id,
           c.author as source_handle, o.author_id as target_id,
           coalesce(o.handle, c.rt_handle) as target_handle, c.platform
    from chat_posts c left join post_authors o on o.post_id = c.retweet_of_post_id
    where c.is_retweet
    union all
    select c.post_id, c.created_at, 'reply', c.author_id, c.author,
           coalesce(c.reply_to_author_id, o.author_id),
           coalesce(c.reply_to_handle, ih.handle, o.handle), c.platform
    from chat_posts c
    left join post_authors o on o.post_id = c.reply_to_post_id
    left join id_handles ih on ih.platform = c.platform and ih.account_id = c.reply_to_author_id
    where not c.is_retweet
      and (c.reply_to_post_id is not null or c.reply_to_author_id is not null
           or c.reply_to_handle is not null)
    union all
    select post_id, created_at, 'mention', author_id, author, any_value(account_id), handle,
           platform
    from (
        select c.post_id, c.created_at, c.author_id, c.author, m.account_id,
               lower(m.handle) as handle, c.platform
        from chat_posts c join mentions m on m.post_id = c.post_id
        where not c.is_retweet
    )
    group by post_id, created_at, author_id, author, handle, platform
    union all
    select c.post_id, c.created_at, 'quote', c.author_id, c.author, o.author_id, o.handle,
           c.platform
    from chat_posts c join post_authors o on o.post_id = c.quote_of_post_id
    where not c.is_retweet
),
edges as (
    select e.post_id, e.created_at, e.kind, e.source_id, e.source_handle,
           coalesce(e.target_id, hi.account_id) as target_id, e.target_handle
    from raw_edges e
    left join handle_ids hi on e.target_id is null and hi.platform = e.platform
                           and hi.handle = e.target_handle
    where e.source_handle is not null and e.target_handle is not null and e.target_handle <> ''
)
select e.post_id, e.created_at, $chat as chat_id, t.session_id, t.question, e.kind,
       e.source_id, e.source_handle, e.target_id, e.target_handle
from edges e
left join post_threads t on t.chat_id = $chat and t.post_id = e.post_id  -- one row per post
where e.source_handle <> e.target_handle
  and (e.source_id is null or e.target_id is null or e.source_id <> e.target_id)
"""


def edges_sql(only: str = "true") -> str:
    """The query (parameter ``$chat``) that derives a chat's interactions from the archive;
    ``only`` restricts the posts (alias ``p``) whose interactions it derives."""
    return _EDGES.replace("{only}", only)


_INSERT = (
    "insert into interactions (post_id, created_at, chat_id, session_id, question, kind, "
    "source_id, source_handle, target_id, target_handle) "
)


def refresh(con: duckdb.DuckDBPyConnection, chat_id: str) -> None:
    """Rebuild the chat's interactions and connections from its posts, mentions and threads."""
    con.execute("delete from interactions where chat_id = $chat", {"chat": chat_id})
    con.execute(_INSERT + edges_sql(), {"chat": chat_id})
    refresh_connections(con, chat_id)


def refresh_since(
    con: duckdb.DuckDBPyConnection, chat_id: str, since: str | None, changed: str
) -> None:
    """Bring the chat's interactions up to date after a load, redoing only what it can touch.

    Redone: posts from ``since`` on (the earliest post whose session or question was placed
    again), the posts in the temp table ``changed`` (new posts, fuller copies, newly arrived
    originals), and older posts that reply to, quote or retweet one of those. Connections are
    then rebuilt from the interactions (one aggregation). Equal to :func:`refresh`'s rebuild,
    except that an old post whose target is resolved only through a later-learned account handle
    keeps its row until the next full rebuild (`chatgraph chats set` or `forget`).
    """
    params = {"chat": chat_id, "since": since}
    con.execute(
        f"""
        create or replace temp table _redo_posts as
        select post_id from posts p
        where chat_id = $chat
          and (($since::TIMESTAMPTZ is not null and created_at >= $since::TIMESTAMPTZ)
               or post_id in (select post_id from {changed})
               or reply_to_post_id in (select post_id from {changed})
               or quote_of_post_id in (select post_id from {changed})
               or retweet_of_post_id in (select post_id from {changed}))
        """,
        params,
    )
    con.execute(
        "delete from interactions where chat_id = $chat and post_id in (select post_id from _redo_posts)",
        {"chat": chat_id},
    )
    con.execute(
        _INSERT + edges_sql("p.post_id in (select post_id from _redo_posts)"), {"chat": chat_id}
    )
    con.execute("drop table _redo_posts")
    refresh_connections(con, chat_id)


def refresh_connections(con: duckdb.DuckDBPyConnection, chat_id: str) -> None:
    """Rebuild the chat's connections (unordered pairs) from its interactions."""
    con.execute("delete from connections where chat_id = $chat", {"chat": chat_id})
    con.execute(
        """
        insert into connections (chat_id, a_handle, b_handle, first_seen_at, first_year, interactions)
        select $chat, a, b, first_seen_at,
               year(timezone(coalesce((select any_value(timezone) from chats where chat_id = $chat),
                                      'UTC'), first_seen_at)),
               n
        from (
            select least(source_handle, target_handle) as a,
                   greatest(source_handle, target_handle) as b,
                   min(created_at) as first_seen_at, count(*) as n
            from interactions
            where chat_id = $chat and kind in ('reply', 'mention', 'quote')
              and created_at is not null
            group by all
        )
        """,
        {"chat": chat_id},
    )
