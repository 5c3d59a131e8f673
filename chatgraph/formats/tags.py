"""TAGS Archive sheet CSV (Martin Hawksey's Twitter Archiving Google Sheet), 18 columns.

The sheet keeps v1.1 search results flat: the handle in ``from_user``, the time in ``created_at``
(``time`` is a spreadsheet rendering that drifts with daylight saving time, so it is ignored), and
mentions and hashtags only inside ``entities_str`` (v1.1 ``entities`` as JSON). A retweet is only
visible as ``RT @x: …`` text. Sheets that went through R have ``NA`` in empty cells; sheets opened
in Excel may have ids turned into numbers such as ``1.26426E+18``, which cannot be recovered.
"""

from __future__ import annotations

import duckdb

from chatgraph.formats import Format, Head, Options, Source, finish_stage
from chatgraph.formats._csvfile import col, drop_rows, ident, read_rows, rounded_id_cases
from chatgraph.formats._twitter import (
    ENTITIES_TYPE,
    rt_prefix_handle,
    unescape,
    v1_hashtags,
    v1_mentions,
    v1_time,
)

_REQUIRED = {"id_str", "from_user", "text", "created_at", "entities_str"}
ID_COLUMNS = ("id_str", "from_user_id_str", "in_reply_to_status_id_str", "in_reply_to_user_id_str")


def sniff(head: Head) -> bool:
    if head.first_json is not None:
        return False
    names = set(head.csv_header())
    return names >= _REQUIRED and ("from_user_id_str" in names or "status_url" in names)


def _mangled_id_reason(names: set[str]) -> str:
    """The first id column that a spreadsheet turned into a rounded number, as a reject reason."""
    cases = rounded_id_cases(
        [(name, col(name, na=True)) for name in ID_COLUMNS if name in names],
        "download the TAGS sheet again as CSV (File > Download > Comma-separated values) and load "
        "it without opening it in Excel, or import it with the id columns set to Text",
    )
    return f"case {cases} end" if cases else "null::VARCHAR"


def stage(con: duckdb.DuckDBPyConnection, source: Source, options: Options) -> None:
    head = Head.read(source)
    order = read_rows(con, source, head, "csv_rows", view=True)
    names = set(order)

    def c(name: str) -> str:
        return col(name, na=True) if name in names else "null::VARCHAR"

    # Text is kept as written ("NA" could be a tweet); only a blank cell is missing.
    text = "nullif(\"text\", '')"
    finish_stage(
        con,
        f"""
        select record_no, coalesce(reject, _mangled, _bad_time) as reject,
               case when reject is null and coalesce(_mangled, _bad_time) is not null
                    then left(_line, 10000) else raw end as raw,
               false as referenced,
               {c("id_str")} as post_id,
               'twitter' as platform,
               {v1_time(c("created_at"))} as created_at,
               {c("from_user_id_str")} as author_id,
               {c("from_user")} as author_handle,
               {unescape(text)} as text,
               {c("in_reply_to_status_id_str")} as reply_to_post_id,
               {c("in_reply_to_user_id_str")} as reply_to_author_id,
               {c("in_reply_to_screen_name")} as reply_to_handle,
               _rt_handle is not null as is_retweet,
               -- TAGS has no quote columns: a tweet (not a retweet) whose entities link a status
               -- (twitter.com/<user>/status/<id>) quotes it, as Twitter rendered quotes
               case when _rt_handle is null then nullif(regexp_extract({c("entities_str")},
                    '"expanded_url"\\s*:\\s*"https?://(?:mobile\\.|www\\.)?(?:twitter|x)\\.com/\\w+/status(?:es)?/(\\d+)', 1), '')
               end as quote_of_post_id,
               -- a cut retweet ends in "…"; a long tweet in compat mode in "… https://t.co/…"
               (_rt_handle is not null and {text} like '%…')
                   or regexp_matches({text}, '…\\s*https://t\\.co/\\w+$') as truncated,
               {v1_mentions("_ents", "_rt_handle")} as mentions,
               {v1_hashtags("_ents")} as hashtags
        from (
            select *,
                   {_mangled_id_reason(names)} as _mangled,
                   case when {c("created_at")} is not null and {v1_time(c("created_at"))} is null
                        then 'row ' || record_no || ': created_at "' || {c("created_at")} || '" is not '
                             || 'Twitter''s time format (like Tue Jan 21 23:07:15 +0000 2020); download the '
                             || 'sheet again as CSV and load it without opening it in a spreadsheet' end
                       as _bad_time,
                   try(json_transform({c("entities_str")}, '{ENTITIES_TYPE}')) as _ents,
                   {rt_prefix_handle(text)} as _rt_handle,
                   concat_ws(',', {", ".join(f"coalesce({ident(n)}, '')" for n in order)}) as _line
            from csv_rows
        )
        """,
    )
    drop_rows(con, "csv_rows")


FORMAT = Format(
    name="tags",
    description="TAGS Archive sheet CSV (Twitter Archiving Google Sheet)",
    sniff=sniff,
    stage=stage,
)
