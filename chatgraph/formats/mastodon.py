"""Mastodon REST API statuses: timelines (arrays), ``{ancestors, descendants}`` contexts, one
status per line, or a single Status.

Identity is the status ``uri`` (the same post has other ids on other instances). The account is
named by its absolute ``acct`` (``user@instance``; a local account's instance comes from its
``url``), lower-cased as ``author_id``. ``in_reply_to_id`` is a local id of the instance queried:
the parent resolves to its ``uri`` when the parent is in the file, or when its author is local to
that instance and the file shows the instance's uri scheme (every local status's ``uri`` is its
account's ``uri`` + ``/statuses/`` + its id) — so a context dump's replies to the status it was
fetched for resolve although that status is not in the dump. Otherwise ``reply_to_post_id`` stays
NULL and the reply keeps its target account. A reblog is a retweet: the wrapper is the post, with
the original's text and entities, and the original is kept as a referenced post.
"""

from __future__ import annotations

import json

from chatgraph.formats import Format, Head, NonPost, Options, Source, finish_stage
from chatgraph.formats._social import host_of, html_to_text, json_records, utc_time

_ACCOUNT = {
    "id": "VARCHAR",
    "username": "VARCHAR",
    "acct": "VARCHAR",
    "url": "VARCHAR",
    "uri": "VARCHAR",
    "display_name": "VARCHAR",
}
_CORE = {
    "id": "VARCHAR",
    "uri": "VARCHAR",
    "created_at": "VARCHAR",
    "in_reply_to_id": "VARCHAR",
    "in_reply_to_account_id": "VARCHAR",
    "language": "VARCHAR",
    "content": "VARCHAR",
    "account": _ACCOUNT,
    "mentions": [{"id": "VARCHAR", "username": "VARCHAR", "acct": "VARCHAR", "url": "VARCHAR"}],
    "tags": [{"name": "VARCHAR"}],
}
# Mastodon 4.5+: quote = {state, quoted_status | quoted_status_id}; forks put a Status there.
_QUOTE = {**_CORE, "state": "VARCHAR", "quoted_status_id": "VARCHAR", "quoted_status": _CORE}
_WITH_QUOTE = {**_CORE, "quote": _QUOTE}
STATUS_TYPE = json.dumps({**_WITH_QUOTE, "reblog": _WITH_QUOTE})

# Every status object of a record: the listed one and the originals it embeds.
_EMBEDDED = (
    "s.reblog",
    "s.quote.quoted_status",
    "s.quote",
    "s.reblog.quote.quoted_status",
    "s.reblog.quote",
)


def _absolute(acct: str, url: str) -> str:
    """``user@instance``: acct as given when it has an instance, else with its url's host."""
    a = f"ltrim({acct}, '@')"
    return (
        f"(case when {a} like '%@%' then {a} else {a} || coalesce('@' || {host_of(url)}, '') end)"
    )


def _status_columns(p: str) -> dict[str, str]:
    """Columns of one status struct ``p`` as it says of itself (local ids not yet resolved)."""
    quotes = p in ("s", "s.reblog")  # an embedded quoted status carries no quote of its own here
    acct = _absolute(f"{p}.account.acct", f"{p}.account.url")
    return {
        "local_id": f"{p}.id",
        "post_id": f"{p}.uri",
        "platform": "'mastodon'",
        "created_at": utc_time(f"{p}.created_at"),
        "author_id": f"lower({acct})",
        "author_handle": acct,
        "author_name": f"nullif({p}.account.display_name, '')",
        "account_local_id": f"{p}.account.id",
        "account_uri": f"{p}.account.uri",
        "is_local": f"(ltrim({p}.account.acct, '@') not like '%@%')",
        "text": html_to_text(f"{p}.content"),
        "lang": f"{p}.language",
        "in_reply_to_id": f"{p}.in_reply_to_id",
        "in_reply_to_account_id": f"{p}.in_reply_to_account_id",
        "quote_uri": f"coalesce({p}.quote.quoted_status.uri, {p}.quote.uri)" if quotes else "null",
        "quote_local_id": (
            f"coalesce({p}.quote.quoted_status.id, {p}.quote.quoted_status_id, {p}.quote.id)"
            if quotes
            else "null"
        ),
        "mention_accounts": (
            f"list_transform(coalesce({p}.mentions, []), lambda m: {{'local_id': m.id, "
            f"'handle': {_absolute('m.acct', 'm.url')}}})"
        ),
        "mentions": (
            f"list_transform(list_filter(coalesce({p}.mentions, []), lambda m: m.acct is not null), "
            f"lambda m: {{'account_id': lower({_absolute('m.acct', 'm.url')}), "
            f"'handle': {_absolute('m.acct', 'm.url')}, 'name': null::VARCHAR}})"
        ),
        "hashtags": f"list_transform(coalesce({p}.tags, []), lambda t: lower(ltrim(t.name, '#')))",
    }


def _select(cols: dict[str, str]) -> str:
    return ",\n       ".join(f"{expr} as {name}" for name, expr in cols.items())


def _expand() -> str:
    return """case
        when starts_with(ltrim(j::VARCHAR), '[') then json_extract(j, '$[*]')
        when json_type(j, '$.descendants') = 'ARRAY' or json_type(j, '$.ancestors') = 'ARRAY'
            then list_concat(coalesce(json_extract(j, '$.ancestors[*]'), []),
                             coalesce(json_extract(j, '$.descendants[*]'), []))
        else [j] end"""


def stage(con, source: Source, options: Options) -> None:
    head = Head.read(source)
    json_records(con, source, options, head, _expand(), "m_items")
    con.execute(
        f"""create or replace temp table m_records as
            select record_no, ok, coalesce(item, line) as line,
                   case when ok then try(json_transform(item, '{STATUS_TYPE}')) end as s
            from m_items"""
    )
    con.execute("drop table m_items")
    listed = _status_columns("s")
    rb = _status_columns("s.reblog")
    for name in ("text", "mentions", "hashtags"):
        listed[name] = f"case when s.reblog.uri is not null then {rb[name]} else {listed[name]} end"
    listed["retweet_of_post_id"] = "s.reblog.uri"
    listed["is_retweet"] = "(s.reblog.uri is not null)"
    # every status object of the file, listed or embedded, with its local ids
    parts = [
        f"select record_no, false as referenced, {_select(listed)} from m_records where s.uri is not null"
    ]
    for path in _EMBEDDED:
        cols = _status_columns(path)
        parts.append(
            f"select record_no, true as referenced, {_select(cols)} from m_records "
            f"where {path}.uri is not null and {path}.account.acct is not null"
        )
    con.execute("create or replace temp table m_statuses as " + "\nunion all by name\n".join(parts))
    # local ids of the instance queried -> uri / absolute acct / account uri
    con.execute(
        """
        create or replace temp table m_local_statuses as
        select local_id, any_value(post_id) as uri from m_statuses where local_id is not null group by local_id;
        create or replace temp table m_local_accounts as
        select local_id, arg_max(handle, pri) as handle, max(account_uri) filter (where is_local) as local_uri
        from (select account_local_id as local_id, author_handle as handle, account_uri, is_local, 1 as pri
              from m_statuses
              union all
              select m.local_id, m.handle, null, false, 0
              from (select unnest(mention_accounts) as m from m_statuses))
        where local_id is not null and handle is not null
        group by local_id;
        """
    )
    # the instance's uri scheme, as its own local statuses in this file show it
    scheme_ok = con.execute(
        """select count(*) > 0 and count(*) filter (where post_id <> account_uri || '/statuses/' || local_id) = 0
           from m_statuses where is_local and account_uri is not null and local_id is not null"""
    ).fetchone()[0]
    derive = "la.local_uri || '/statuses/' || st.in_reply_to_id" if scheme_ok else "null"
    finish_stage(
        con,
        f"""
        select record_no,
               case when not ok then 'invalid JSON (cut or corrupt line)'
                    when s is null then 'not a Mastodon status (fields of unexpected types)'
                    when s.uri is null then 'not a Mastodon status (no uri)'
               end as reject,
               case when s is null or s.uri is null then left(line, 10000) end as raw,
               false as referenced
        from m_records where s is null or s.uri is null
        union all by name
        select st.*,
               case when st.in_reply_to_id is not null then coalesce(ls.uri, {derive}) end
                   as reply_to_post_id,
               lower(la.handle) as reply_to_author_id,
               la.handle as reply_to_handle,
               coalesce(st.quote_uri, lq.uri) as quote_of_post_id
        from m_statuses st
        left join m_local_statuses ls on ls.local_id = st.in_reply_to_id
        left join m_local_accounts la on la.local_id = st.in_reply_to_account_id
        left join m_local_statuses lq on lq.local_id = st.quote_local_id
        """,
    )
    for t in ("m_records", "m_statuses", "m_local_statuses", "m_local_accounts"):
        con.execute(f"drop table if exists {t}")


def _is_status(obj: object) -> bool:
    return isinstance(obj, dict) and "uri" in obj and "account" in obj and "content" in obj


def sniff(head: Head) -> bool:
    obj = head.first_json
    if isinstance(obj, list):
        return bool(obj) and _is_status(obj[0])
    if isinstance(obj, dict):
        if isinstance(obj.get("descendants"), list) and isinstance(obj.get("ancestors"), list):
            return True
        return _is_status(obj)
    if obj is None and not head.line_json:
        t = head.text.lstrip()
        return t.startswith(("[", "{")) and all(
            f'"{k}"' in t for k in ("uri", "account", "content", "in_reply_to_account_id", "reblog")
        )
    return False


def _is_account_list(head: Head) -> bool:
    obj = head.first_json
    first = obj[0] if isinstance(obj, list) and obj else obj
    return (
        isinstance(first, dict)
        and "acct" in first
        and "username" in first
        and "followers_count" in first
        and "content" not in first
    )


FORMAT = Format(
    name="mastodon",
    description="Mastodon API statuses (timelines, context, JSON lines, one Status)",
    sniff=sniff,
    stage=stage,
)
NON_POSTS = [NonPost("a list of Mastodon accounts", _is_account_list)]
