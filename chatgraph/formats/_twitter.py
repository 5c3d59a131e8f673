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
    return f"list_distinct(list_transform(coalesce({entities}.hashtags, []), lambda x: lower(x.text)))"


def v1_mentions(entities: str, drop_handle: str | None = None) -> str:
    keep = "lambda x: x.screen_name is not null"
    if drop_handle:
        keep = f"lambda x: x.screen_name is not null and lower(x.screen_name) is distinct from lower({drop_handle})"
    return (
        f"list_transform(list_filter(coalesce({entities}.user_mentions, []), {keep}), "
        "lambda x: {'account_id': x.id_str, 'handle': x.screen_name, 'name': x.name})"
    )


def core_columns(t: str) -> dict[str, str]:
    """Canonical columns of one v1.1 tweet struct ``t``, as it says of itself (no retweet lookups)."""
    full = f"coalesce({t}.extended_tweet.full_text, {t}.full_text, {t}.text)"
    ents = f"coalesce({t}.extended_tweet.entities, {t}.entities)"
    text = unescape(full)
    rt_handle = rt_prefix_handle(full)
    return {
        "post_id": f"{t}.id_str",
        "platform": "'twitter'",
        "created_at": v1_time(f"{t}.created_at"),
        "author_id": f"{t}.user.id_str",
        "author_handle": f"{t}.user.screen_name",
        "author_name": f"{t}.user.name",
        "text": text,
        "lang": f"nullif({t}.lang, 'und')",
        "reply_to_post_id": f"{t}.in_reply_to_status_id_str",
        "reply_to_author_id": f"{t}.in_reply_to_user_id_str",
        "reply_to_handle": f"{t}.in_reply_to_screen_name",
        "quote_of_post_id": f"{t}.quoted_status_id_str",
        "is_retweet": f"({rt_handle} is not null)",
        "truncated": (
            f"(({true_ish(f'{t}.truncated')} and {t}.extended_tweet.full_text is null)"
            f" or ({rt_handle} is not null and {full} like '%…'))"
        ),
        "mentions": v1_mentions(ents, rt_handle),
        "hashtags": v1_hashtags(ents),
    }


def tweet_columns(t: str) -> dict[str, str]:
    """Columns of a listed v1.1 tweet: a retweet takes its text and entities from the original."""
    cols = core_columns(t)
    rs = f"{t}.retweeted_status"
    orig = core_columns(rs)
    has_rs = f"({rs}.id_str is not null)"
    for name in ("text", "mentions", "hashtags", "truncated"):
        cols[name] = f"case when {has_rs} then {orig[name]} else {cols[name]} end"
    cols["retweet_of_post_id"] = f"{rs}.id_str"
    cols["is_retweet"] = f"({has_rs} or {cols['is_retweet']})"
    cols["quote_of_post_id"] = f"case when {has_rs} then null else {cols['quote_of_post_id']} end"
    return cols


def select_list(cols: dict[str, str]) -> str:
    return ",\n       ".join(f"{expr} as {name}" for name, expr in cols.items())


def referenced_union(t: str, record_no: str = "record_no", source: str = "tweets") -> str:
    """Rows for the originals a v1.1 tweet embeds: retweeted, quoted, and the retweeted one's quote."""
    parts = []
    for path in (f"{t}.retweeted_status", f"{t}.quoted_status", f"{t}.retweeted_status.quoted_status"):
        cols = core_columns(path)
        parts.append(
            f"select {record_no} as record_no, true as referenced, {select_list(cols)} "
            f"from {source} where {path}.id_str is not null"
        )
    return "\nunion all by name\n".join(parts)
