"""Twitter API v1.1 tweets: twarc1 / stream JSONL, REST extended mode, and REST containers."""

from __future__ import annotations

from chatgraph.formats import (
    Format,
    Head,
    Options,
    Source,
    finish_stage,
    json_items_relation,
    lines_relation,
)
from chatgraph.formats._twitter import V1_TWEET_TYPE, referenced_union, select_list, tweet_columns


def _is_v1_tweet(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and ("text" in obj or "full_text" in obj)
        and "created_at" in obj
        and ("user" in obj or "id_str" in obj)
        and isinstance(obj.get("created_at"), str)
        and not obj.get("created_at", "").startswith(("19", "20"))
    )


def sniff(head: Head) -> bool:
    obj = head.first_json
    if isinstance(obj, dict) and isinstance(obj.get("statuses"), list):
        return True
    if isinstance(obj, list):
        return bool(obj) and _is_v1_tweet(obj[0])
    if _is_v1_tweet(obj):
        return "user" in obj
    if obj is None:
        # a pretty-printed document larger than the head: look at its shape
        t = head.text.lstrip()
        return (t.startswith("{") and '"statuses"' in t[:2000] and '"id_str"' in t) or (
            t.startswith("[") and '"id_str"' in t and '"screen_name"' in t and '"in_reply_to_status_id_str"' in t
        )
    return False


def stage(con, source: Source, options: Options) -> None:
    head = Head.read(source)
    if head.line_json and isinstance(head.first_json, dict) and "statuses" not in head.first_json:
        # fast path: one tweet per line, parsed once
        parsed = f"""
            select record_no, line, try(json_transform(line, '{V1_TWEET_TYPE}')) as t
            from {lines_relation(source)}"""
    else:
        parsed = f"""
            select record_no, coalesce(item, line) as line,
                   case when ok then try(json_transform(item, '{V1_TWEET_TYPE}')) end as t
            from {json_items_relation(source, options, head, ("statuses",))}"""
    con.execute(f"create or replace temp table tweets as {parsed}")
    cols = tweet_columns("t")
    finish_stage(
        con,
        f"""
        select record_no,
               case when t is null then
                        case when json_valid(line) then 'not a tweet object (fields of unexpected types)'
                             else 'invalid JSON (cut or corrupt line)' end
                    when t.id_str is null and json_exists(line, '$.delete') then 'stream notice (delete), not a post'
                    when t.id_str is null and json_exists(line, '$.limit') then 'stream notice (limit), not a post'
                    when t.id_str is null then 'no id_str (a numeric id alone loses precision)'
               end as reject,
               case when t is null or t.id_str is null then left(line, 10000) end as raw,
               false as referenced,
               {select_list(cols)}
        from tweets
        union all by name
        {referenced_union("t")}
        """,
    )
    con.execute("drop table tweets")


FORMAT = Format(
    name="twitter-v1",
    description="Twitter API v1.1 tweets (twarc1 JSONL, stream, REST search/lookup)",
    sniff=sniff,
    stage=stage,
)
