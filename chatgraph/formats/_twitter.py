"""SQL shared by the Twitter formats: v1.1 tweet structure, HTML unescaping, timestamps."""

from __future__ import annotations

import json

ENTITIES = {
    "hashtags": [{"text": "VARCHAR"}],
    "user_mentions": [{"id_str": "VARCHAR", "screen_name": "VARCHAR", "name": "VARCHAR"}],
}

_CORE = {
    "id_str": "VARCHAR",
    "created_at": "VARCHAR",
    "text": "VARCHAR",
    "full_text": "VARCHAR",
    "truncated": "VARCHAR",
    "lang": "VARCHAR",
    "in_reply_to_status_id_str": "VARCHAR",
    "in_reply_to_user_id_str": "VARCHAR",
    "in_reply_to_screen_name": "VARCHAR",
    "quoted_status_id_str": "VARCHAR",
    "user": {"id_str": "VARCHAR", "screen_name": "VARCHAR", "name": "VARCHAR"},
    "entities": ENTITIES,
    "extended_tweet": {"full_text": "VARCHAR", "entities": ENTITIES},
}

# A v1.1 tweet with the originals it embeds (a retweet's original may itself quote a tweet).
V1_TWEET = {
    **_CORE,
    "retweeted_status": {**_CORE, "quoted_status": _CORE},
    "quoted_status": _CORE,
}
V1_TWEET_TYPE = json.dumps(V1_TWEET)
ENTITIES_TYPE = json.dumps(ENTITIES)

V1_TIME = "'%a %b %d %H:%M:%S %z %Y'"


def duckdb_type(spec: str | list | dict) -> str:
    """A json_transform structure (as the dicts above) spelled as a DuckDB type."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return duckdb_type(spec[0]) + "[]"
    return "STRUCT(" + ", ".join(f'"{k}" {duckdb_type(v)}' for k, v in spec.items()) + ")"


def json_columns(structure: dict) -> str:
    """read_json's ``columns`` argument for a record of this structure."""
    return "{" + ", ".join(f"'{k}': '{duckdb_type(v)}'" for k, v in structure.items()) + "}"


def unescape(expr: str) -> str:
    """Twitter escapes only &amp; &lt; &gt; in text; undo them (&amp; last)."""
    return f"replace(replace(replace({expr}, '&lt;', '<'), '&gt;', '>'), '&amp;', '&')"


def v1_time(expr: str) -> str:
    return f"try_strptime({expr}, {V1_TIME})"


def true_ish(expr: str) -> str:
    return f"coalesce(lower(cast({expr} as VARCHAR)) in ('true', '1'), false)"


def rt_prefix_handle(text_expr: str) -> str:
    """The handle in a leading ``RT @handle:``, else NULL."""
    return f"nullif(regexp_extract({text_expr}, '^RT @(\\w+):', 1), '')"


def v1_hashtags(entities: str) -> str:
    return (
        f"list_distinct(list_transform(coalesce({entities}.hashtags, []), lambda x: lower(x.text)))"
    )


def v1_mentions(entities: str, drop_handle: str | None = None) -> str:
    keep = "lambda x: x.screen_name is not null"
    if drop_handle:
        keep = f"lambda x: x.screen_name is not null and lower(x.screen_name) is distinct from lower({drop_handle})"
    return (
        f"list_transform(list_filter(coalesce({entities}.user_mentions, []), {keep}), "
        "lambda x: {'account_id': x.id_str, 'handle': x.screen_name, 'name': x.name})"
    )


def _full(t: str) -> str:
    return f"coalesce({t}.extended_tweet.full_text, {t}.full_text, {t}.text)"


def _ents(t: str) -> str:
    return f"coalesce({t}.extended_tweet.entities, {t}.entities)"


def _cut(t: str) -> str:
    return f"({true_ish(f'{t}.truncated')} and {t}.extended_tweet.full_text is null)"


def select_list(cols: dict[str, str]) -> str:
    return ",\n       ".join(f"{expr} as {name}" for name, expr in cols.items())


def core_select(
    t: str, source: str, where: str = "true", *, listed: bool = False, carry: str = ""
) -> str:
    """SQL selecting canonical columns (plus ``record_no``) for the v1.1 tweet struct ``t``.

    ``carry``: extra columns of ``source`` passed through (``"a, b,"``).
    ``listed``: the tweet is one the export lists, so a retweet takes its text and entities from
    the embedded original. Per-row intermediates (full text, entities, the ``RT @x:`` handle) are
    computed once in an inner select: the expressions are evaluated for every row of big files.
    """
    if listed:
        rs = f"{t}.retweeted_status"
        inner = f"""
            {rs}.id_str as _rs_id,
            case when {rs}.id_str is not null then {_full(rs)} else {_full(t)} end as _full,
            case when {rs}.id_str is not null then {_ents(rs)} else {_ents(t)} end as _ents,
            case when {rs}.id_str is null then {rt_prefix_handle(_full(t))} end as _rth,
            case when {rs}.id_str is not null then {_cut(rs)} else {_cut(t)} end as _cut"""
        retweet_cols = """_rs_id as retweet_of_post_id,
               (_rs_id is not null or _rth is not null) as is_retweet,
               case when _rs_id is null then c.quoted_status_id_str end as quote_of_post_id,"""
    else:
        inner = f"""
            null::VARCHAR as _rs_id, {_full(t)} as _full, {_ents(t)} as _ents,
            {rt_prefix_handle(_full(t))} as _rth, {_cut(t)} as _cut"""
        retweet_cols = """_rth is not null as is_retweet,
               c.quoted_status_id_str as quote_of_post_id,"""
    return f"""
        select record_no, {carry}
               c.id_str as post_id,
               'twitter' as platform,
               {v1_time("c.created_at")} as created_at,
               c.user.id_str as author_id,
               c.user.screen_name as author_handle,
               c.user.name as author_name,
               {unescape("_full")} as text,
               nullif(c.lang, 'und') as lang,
               c.in_reply_to_status_id_str as reply_to_post_id,
               c.in_reply_to_user_id_str as reply_to_author_id,
               c.in_reply_to_screen_name as reply_to_handle,
               {retweet_cols}
               (_cut or (_rth is not null and _full like '%…')) as truncated,
               {v1_mentions("_ents", "_rth")} as mentions,
               {v1_hashtags("_ents")} as hashtags
        from (select record_no, {carry} {t} as c, {inner} from {source} where {where})"""


def referenced_union(t: str, record_no: str = "record_no", source: str = "tweets") -> str:
    """Rows for the originals a v1.1 tweet embeds: retweeted, quoted, and the retweeted one's quote."""
    parts = []
    for path in (
        f"{t}.retweeted_status",
        f"{t}.quoted_status",
        f"{t}.retweeted_status.quoted_status",
    ):
        body = core_select(
            path,
            f"(select {record_no} as record_no, {t} from {source})",
            f"{path}.id_str is not null",
        )
        parts.append(f"select true as referenced, * from ({body})")
    return "\nunion all by name\n".join(parts)
