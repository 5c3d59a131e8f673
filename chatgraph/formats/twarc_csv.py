"""twarc-csv CSV: twarc2 tweets flattened into one row each (84 columns in twarc-csv 0.7).

twarc-csv merges retweets by default: a retweet's row carries the original's text and entities, so
it is recognised by ``referenced_tweets.retweeted.id``. When the original was missing the row keeps
the cut ``RT @x: …`` text, and ``@x`` among its mentions (dropped here: a retweet mentions nobody).
"""

from __future__ import annotations

import duckdb

from chatgraph.formats import Format, Head, NonPost, Options, Source, finish_stage
from chatgraph.formats._csvfile import col, drop_rows, read_rows
from chatgraph.formats._twitter import rt_prefix_handle, unescape

_REQUIRED = {"id", "text", "created_at", "author_id", "referenced_tweets.retweeted.id"}
# The columns read (the other ~70 are checked for shape but not kept).
USED = {
    "id", "conversation_id", "created_at", "text", "lang", "author_id", "author.id", "author.username",
    "author.name", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id",
    "referenced_tweets.quoted.id", "in_reply_to_user_id", "in_reply_to_username",
    "entities.mentions", "entities.hashtags",
}  # fmt: skip


def sniff(head: Head) -> bool:
    if head.first_json is not None:
        return False
    names = set(head.csv_header())
    return names >= _REQUIRED and ("author.username" in names or "author.id" in names)


def _header_has(*required: str, without: tuple[str, ...] = ("text",)):
    def sniff(head: Head) -> bool:
        if head.first_json is not None:
            return False
        names = set(head.csv_header())
        return set(required) <= names and not names & set(without)

    return sniff


# twarc2 csv of other twarc2 outputs (its --input-data-type users, counts, compliance, lists).
NON_POSTS = [
    NonPost(
        "a twarc-csv users file", _header_has("id", "username", "public_metrics.followers_count")
    ),
    NonPost("a twarc-csv counts file", _header_has("start", "end", "tweet_count")),
    NonPost("a twarc-csv compliance file", _header_has("id", "action", "redacted_at", "reason")),
    NonPost("a twarc-csv lists file", _header_has("id", "owner_id", "member_count")),
]


def stage(con: duckdb.DuckDBPyConnection, source: Source, options: Options) -> None:
    head = Head.read(source)
    names = set(
        read_rows(
            con, source, head, "csv_rows", keep=lambda ns: [n for n in ns if n in USED], view=True
        )
    )

    def c(name: str) -> str:
        return col(name) if name in names else "null::VARCHAR"

    # twarc-csv writes a newline inside a value as the two characters \n (and drops \r).
    text = (
        f"replace(nullif({c('text')}, ''), '\\n', chr(10))" if "text" in names else "null::VARCHAR"
    )
    rt_id = c("referenced_tweets.retweeted.id")
    finish_stage(
        con,
        f"""
        select record_no,
               coalesce(reject, case when {c("id")} is not null and {c("created_at")} is not null
                                      and try_cast({c("created_at")} as TIMESTAMPTZ) is null
                                     then 'row ' || record_no || ': created_at "' || {c("created_at")}
                                          || '" is not a time like 2021-06-26T19:56:26.000Z' end) as reject,
               raw, false as referenced,
               {c("id")} as post_id,
               'twitter' as platform,
               try_cast({c("created_at")} as TIMESTAMPTZ) as created_at,
               coalesce({c("author_id")}, {c("author.id")}) as author_id,
               {c("author.username")} as author_handle,
               {c("author.name")} as author_name,
               {unescape("_text")} as text,
               nullif({c("lang")}, 'und') as lang,
               {c("referenced_tweets.replied_to.id")} as reply_to_post_id,
               {c("in_reply_to_user_id")} as reply_to_author_id,
               -- an @-addressed tweet (no parent post) names its addressee first in its text
               case when {c("in_reply_to_user_id")} is not null then coalesce(
                   {c("in_reply_to_username")},
                   case when {c("referenced_tweets.replied_to.id")} is null
                        then nullif(regexp_extract(_text, '^@(\\w+)', 1), '') end) end as reply_to_handle,
               _rt_id as retweet_of_post_id,
               {c("referenced_tweets.quoted.id")} as quote_of_post_id,
               {c("conversation_id")} as conversation_id,
               _rt_id is not null as is_retweet,
               _unmerged as truncated,
               list_transform(
                   list_filter(coalesce(try(from_json({c("entities.mentions")}, '["VARCHAR"]')), []),
                               lambda h_: nullif(ltrim(h_, '@'), '') is not null
                                          and not (_unmerged and lower(ltrim(h_, '@')) = lower(_rt_handle))),
                   lambda h_: {{'account_id': case when lower(ltrim(h_, '@')) = lower({c("in_reply_to_username")})
                                                   then {c("in_reply_to_user_id")} end,
                               'handle': ltrim(h_, '@'), 'name': null::VARCHAR}}) as mentions,
               list_distinct(list_transform(
                   coalesce(try(from_json({c("entities.hashtags")}, '["VARCHAR"]')), []),
                   lambda h_: lower(ltrim(h_, '#')))) as hashtags
        from (
            select *, {text} as _text, {rt_id} as _rt_id,
                   {rt_id} is not null and {text} like 'RT @%' as _unmerged,
                   {rt_prefix_handle(text)} as _rt_handle
            from csv_rows
        )
        """,
    )
    drop_rows(con, "csv_rows")


FORMAT = Format(
    name="twarc-csv",
    description="twarc-csv CSV of twarc2 tweets (retweets merged)",
    sniff=sniff,
    stage=stage,
)
