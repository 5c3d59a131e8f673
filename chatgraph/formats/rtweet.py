"""rtweet CSV, as R users write it (``rtweet::write_as_csv``, ``write.csv``, ``readr::write_csv``).

Columns by name (any order, any subset beyond ``status_id``, ``screen_name``, ``created_at`` and
``text``): ``user_id``, ``reply_to_status_id`` (older rtweet: ``in_reply_to_status_status_id``),
``reply_to_user_id``, ``reply_to_screen_name``, ``mentions_user_id`` / ``mentions_screen_name``
and ``hashtags`` (space-separated, or R's ``c("a", "b")``), ``is_retweet``, ``retweet_status_id``
and the original's ``retweet_*`` fields, ``is_quote``, ``quoted_status_id`` and ``quoted_*``,
``lang``, ``name``. ``created_at`` without a zone is UTC; epoch seconds are read too. Ids may
carry rtweet's ``x`` prefix (``prepend_ids``) and blanks may be R's ``NA``. A retweet's text is
the original's (``retweet_text``) and the retweeted author is not counted as a mention; the
retweeted and quoted originals are kept as referenced posts.
"""

from __future__ import annotations

import duckdb

from chatgraph.formats import Format, Head, Options, Source, finish_stage
from chatgraph.formats._csvfile import col, ident, read_rows, rounded_id_cases
from chatgraph.formats._social import utc_time
from chatgraph.formats._twitter import true_ish, unescape

_REQUIRED = {"status_id", "screen_name", "created_at", "text"}
ID_COLUMNS = (
    "status_id",
    "user_id",
    "reply_to_status_id",
    "in_reply_to_status_status_id",
    "reply_to_user_id",
    "retweet_status_id",
    "retweet_user_id",
    "quoted_status_id",
    "quote_status_id",
    "quoted_user_id",
)


def sniff(head: Head) -> bool:
    if head.first_json is not None:
        return False
    return set(head.csv_header()) >= _REQUIRED


def clean_id(expr: str) -> str:
    """An id as text: without rtweet's ``x`` or a spreadsheet's ``'`` prefix."""
    return f"regexp_replace({expr}, '^[x'']([0-9]+)$', '\\1')"


def r_list(expr: str) -> str:
    """A list cell: R's ``c("a", "b")`` or space-separated values; NULL/NA -> []."""
    return f"""(case
        when {expr} is null then []::VARCHAR[]
        when {expr} like 'c(%' then regexp_extract_all({expr}, '"([^"]*)"', 1)
        else list_filter(regexp_split_to_array(trim({expr}), '[\\s,]+'), lambda v: v <> '' and v <> 'NA')
    end)"""


def csv_line(order: list[str]) -> str:
    """SQL rebuilding a row of ``read_rows`` as a CSV line (for a reject's ``raw``)."""
    cells = [f"coalesce('\"' || replace({ident(n)}, '\"', '\"\"') || '\"', '')" for n in order]
    return f"concat_ws(',', {', '.join(cells)})"


def mangled_reason(names: set[str], columns: tuple[str, ...]) -> str:
    cases = rounded_id_cases(
        [(name, col(name, na=True)) for name in columns if name in names],
        "save the ids as text (rtweet::write_as_csv keeps them) and load the file without "
        "opening it in Excel",
    )
    return f"case {cases} end" if cases else "null::VARCHAR"


def stage(con: duckdb.DuckDBPyConnection, source: Source, options: Options) -> None:
    head = Head.read(source)
    order = read_rows(con, source, head, "rt_rows")
    names = set(order)

    def c(*candidates: str) -> str:
        present = [col(n, na=True) for n in candidates if n in names]
        if not present:
            return "null::VARCHAR"
        return present[0] if len(present) == 1 else f"coalesce({', '.join(present)})"

    def cid(*candidates: str) -> str:
        return clean_id(c(*candidates))

    is_rt = f"({true_ish(c('is_retweet'))} or {cid('retweet_status_id')} is not null)"
    rt_handle = c("retweet_screen_name")
    text = "nullif(\"text\", '')" if "text" in names else "null::VARCHAR"  # "NA" could be a tweet
    con.execute(
        f"""
        create or replace temp table rt_parsed as
        select record_no, reject, {mangled_reason(names, ID_COLUMNS)} as mangled,
               case when reject is not null then raw
                    when mangled is not null or {utc_time(c("created_at"))} is null or {cid("status_id")} is null
                        then left({csv_line(order)}, 10000) end as raw,
               {cid("status_id")} as status_id,
               {utc_time(c("created_at"))} as created,
               {c("created_at")} as created_raw,
               {cid("user_id")} as user_id,
               ltrim({c("screen_name")}, '@') as screen_name,
               {c("name")} as user_name,
               {text} as text,
               nullif({c("lang")}, 'und') as lang,
               {cid("reply_to_status_id", "in_reply_to_status_status_id")} as reply_to,
               {cid("reply_to_user_id", "in_reply_to_status_user_id")} as reply_to_user,
               ltrim({c("reply_to_screen_name", "in_reply_to_status_screen_name")}, '@') as reply_to_name,
               {is_rt} as is_rt,
               {cid("retweet_status_id")} as rt_id,
               {cid("retweet_user_id")} as rt_user,
               ltrim({rt_handle}, '@') as rt_name,
               {c("retweet_name")} as rt_user_name,
               {utc_time(c("retweet_created_at"))} as rt_created,
               nullif({"retweet_text" if "retweet_text" in names else "null::VARCHAR"}, '') as rt_text,
               {cid("quoted_status_id", "quote_status_id")} as quote_id,
               {cid("quoted_user_id")} as quote_user,
               ltrim({c("quoted_screen_name")}, '@') as quote_name,
               {c("quoted_name")} as quote_user_name,
               {utc_time(c("quoted_created_at"))} as quote_created,
               nullif({"quoted_text" if "quoted_text" in names else "null::VARCHAR"}, '') as quote_text,
               list_transform({r_list(c("mentions_screen_name"))}, lambda h: ltrim(h, '@')) as m_names,
               list_transform({r_list(c("mentions_user_id"))}, lambda i: {clean_id("i")}) as m_ids,
               list_transform({r_list(c("hashtags"))}, lambda t: lower(ltrim(t, '#'))) as tags
        from rt_rows
        """
    )
    mentions = """list_transform(
            list_filter(list_zip(m_names, case when len(m_ids) = len(m_names) then m_ids
                                              else list_transform(m_names, lambda n: null::VARCHAR) end),
                        lambda p: not (is_rt and lower(p[1]) is not distinct from lower(rt_name))),
            lambda p: {'account_id': p[2], 'handle': p[1], 'name': null::VARCHAR})"""
    finish_stage(
        con,
        f"""
        select record_no, false as referenced,
               coalesce(reject, mangled,
                        case when created is null and created_raw is not null
                             then 'created_at ''' || created_raw || ''' is not a date and time' end) as reject,
               raw,
               status_id as post_id, 'twitter' as platform, created as created_at,
               user_id as author_id, screen_name as author_handle, user_name as author_name,
               {unescape("case when is_rt and rt_text is not null then rt_text else text end")} as text,
               lang,
               case when not is_rt then reply_to end as reply_to_post_id,
               case when not is_rt then reply_to_user end as reply_to_author_id,
               case when not is_rt then reply_to_name end as reply_to_handle,
               rt_id as retweet_of_post_id,
               case when not is_rt then quote_id end as quote_of_post_id,
               is_rt as is_retweet,
               (is_rt and rt_text is null and text like '%…') as truncated,
               {mentions} as mentions,
               list_distinct(tags) as hashtags
        from rt_parsed
        union all by name
        select record_no, true as referenced, rt_id as post_id, 'twitter' as platform,
               rt_created as created_at, rt_user as author_id, rt_name as author_handle,
               rt_user_name as author_name, {unescape("rt_text")} as text
        from rt_parsed where reject is null and mangled is null and rt_id is not null and rt_text is not null
        union all by name
        select record_no, true as referenced, quote_id as post_id, 'twitter' as platform,
               quote_created as created_at, quote_user as author_id, quote_name as author_handle,
               quote_user_name as author_name, {unescape("quote_text")} as text
        from rt_parsed where reject is null and mangled is null and quote_id is not null and quote_text is not null
        """,
    )
    con.execute("drop table rt_parsed")
    con.execute("drop table rt_rows")


FORMAT = Format(
    name="rtweet",
    description="rtweet CSV from R (status_id, screen_name, created_at, text, …)",
    sniff=sniff,
    stage=stage,
)
