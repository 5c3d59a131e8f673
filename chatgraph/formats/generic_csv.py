"""Any CSV of posts, read through an explicit column mapping: ``load --columns
id=tweet_id,author=user,created_at=date,text=body[,reply_to=...]``.

Required keys: ``id``, ``author`` (the handle), ``created_at``, ``text``. Optional: ``reply_to``
(parent post id), ``reply_to_author`` (handle), ``retweet_of``, ``quote_of``, ``lang``,
``author_id``, ``author_name``, ``mentions`` and ``hashtags`` (handles / tags separated by spaces,
commas or semicolons, with or without ``@`` / ``#``), ``platform`` (a column naming the platform
of each row; default ``twitter``). Never sniffed: giving ``--columns`` selects this format.

Without a ``hashtags`` or ``mentions`` column, they are read from the text, as the platforms do:
``#tag`` (not all digits) and ``@handle`` (``@name@instance`` and ``@name.bsky.social`` whole)
where the sign starts a word, so ``a@b.org`` and ``&#39;`` are neither.
"""

from __future__ import annotations

import duckdb

from chatgraph.errors import ChatgraphError
from chatgraph.formats import Format, Head, Options, Source, finish_stage
from chatgraph.formats._csvfile import col, ident, read_rows, rounded_id_cases
from chatgraph.formats._social import utc_time
from chatgraph.formats.rtweet import clean_id, csv_line

REQUIRED = ("id", "author", "created_at", "text")
OPTIONAL = (
    "reply_to",
    "reply_to_author",
    "retweet_of",
    "quote_of",
    "lang",
    "author_id",
    "author_name",
    "mentions",
    "hashtags",
    "platform",
)
EXAMPLE = "--columns id=tweet_id,author=user,created_at=date,text=body"


def sniff(head: Head) -> bool:
    return False


def resolve_mapping(
    label: str, mapping: dict[str, str] | None, header: list[str]
) -> dict[str, str]:
    """The mapping with each key's column as the header spells it; one error line naming every
    problem (unknown keys, missing required keys, columns the file does not have)."""
    if not mapping:
        raise ChatgraphError(
            f"{label}: generic-csv needs a column mapping: {EXAMPLE} "
            f"(required: {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)})"
        )
    problems = []
    unknown = [k for k in mapping if k not in REQUIRED and k not in OPTIONAL]
    if unknown:
        problems.append(
            f"unknown mapping key(s) {', '.join(unknown)} (known: {', '.join(REQUIRED + OPTIONAL)})"
        )
    missing = [k for k in REQUIRED if k not in mapping]
    if missing:
        problems.append(f"--columns lacks the required {', '.join(missing)}")
    by_lower: dict[str, list[str]] = {}
    for name in header:
        by_lower.setdefault(name.lower(), []).append(name)
    resolved, absent = {}, []
    for key, column in mapping.items():
        if key in unknown:
            continue
        if column in header:
            resolved[key] = column
        elif len(by_lower.get(column.lower(), [])) == 1:
            resolved[key] = by_lower[column.lower()][0]
        else:
            absent.append(f"{key}={column}")
    if absent:
        shown = ", ".join(header[:30]) + (", …" if len(header) > 30 else "")
        problems.append(f"the file has no column {', '.join(absent)} (its columns: {shown})")
    if problems:
        raise ChatgraphError(f"{label}: " + "; ".join(problems))
    return resolved


# RE2 has no lookbehind: group 1 is what precedes the sign (start, or a character no word ends in).
HASHTAG_IN_TEXT = r"(^|[^\w&#/@])#(\w*[^\W\d]\w*)"
MENTION_IN_TEXT = r"(^|[^\w@.&/#])@(\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?)"


def _from_text(text: str, pattern: str) -> str:
    return f"regexp_extract_all(coalesce({text}, ''), '{pattern}', 2)"


def _list(expr: str, strip: str) -> str:
    return (
        f"list_filter(list_transform(regexp_split_to_array(coalesce({expr}, ''), '[\\s,;]+'), "
        f"lambda v: ltrim(v, '{strip}')), lambda v: v <> '')"
    )


def stage(con: duckdb.DuckDBPyConnection, source: Source, options: Options) -> None:
    head = Head.read(source)
    if not options.columns:
        resolve_mapping(source.label, None, [])
    order = read_rows(con, source, head, "generic_rows")
    m = resolve_mapping(source.label, options.columns, order)

    def c(key: str) -> str:
        return col(m[key]) if key in m else "null::VARCHAR"

    def cid(key: str) -> str:
        return clean_id(c(key))

    id_checks = rounded_id_cases(
        [
            (f"{k} column {m[k]}:", c(k))
            for k in ("id", "reply_to", "retweet_of", "quote_of", "author_id")
            if k in m
        ],
        "save the ids as text",
    )
    text = f"nullif({ident(m['text'])}, '')"  # the text as written, spaces kept
    con.execute(
        f"""
        create or replace temp table generic_parsed as
        select record_no, reject, raw,
               case {id_checks}
                    when {c("created_at")} is not null and {utc_time(c("created_at"))} is null
                        then '{m["created_at"]} ''' || {c("created_at")} || ''' is not a date and time (write it as '
                             || '2020-09-02 01:09:00, ISO 8601 with a zone, or epoch seconds)'
               end as bad,
               {cid("id")} as post_id,
               coalesce(lower({c("platform")}), 'twitter') as platform,
               {utc_time(c("created_at"))} as created_at,
               {cid("author_id")} as author_id,
               ltrim({c("author")}, '@') as author_handle,
               {c("author_name")} as author_name,
               {text} as text,
               {c("lang")} as lang,
               {cid("reply_to")} as reply_to_post_id,
               ltrim({c("reply_to_author")}, '@') as reply_to_handle,
               {cid("retweet_of")} as retweet_of_post_id,
               {cid("quote_of")} as quote_of_post_id,
               {_list(c("mentions"), "@") if "mentions" in m else _from_text(text, MENTION_IN_TEXT)}
                   as mention_handles,
               list_distinct(list_transform(
                   {_list(c("hashtags"), "#") if "hashtags" in m else _from_text(text, HASHTAG_IN_TEXT)},
                   lambda t: lower(t))) as hashtags
        from generic_rows
        """
    )
    finish_stage(
        con,
        f"""
        select * exclude (bad, mention_handles) replace (
                   coalesce(reject, bad) as reject,
                   case when reject is null and bad is not null then left(r.line, 10000) else raw end as raw),
               false as referenced,
               (retweet_of_post_id is not null or coalesce(text like 'RT @%', false)) as is_retweet,
               list_transform(mention_handles,
                              lambda h: {{'account_id': null::VARCHAR, 'handle': h, 'name': null::VARCHAR}})
                   as mentions
        from generic_parsed
        left join (select record_no, {csv_line(order)} as line from generic_rows
                   where record_no in (select record_no from generic_parsed where bad is not null)) r
            using (record_no)
        """,
    )
    con.execute("drop table generic_parsed")
    con.execute("drop table generic_rows")


FORMAT = Format(
    name="generic-csv",
    description="any CSV of posts, with --columns id=...,author=...,created_at=...,text=...",
    sniff=sniff,
    stage=stage,
)
