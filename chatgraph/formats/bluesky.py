"""Bluesky (AT Protocol) posts: searchPosts / getPosts / getQuotes ``{posts}``, author and timeline
feeds ``{feed}``, getPostThread ``{thread}`` (walked up the parents and down the replies),
repository records ``{uri, value}`` / listRecords ``{records}``, and any of these one per line.

Identity is the ``at://`` uri; the author is the DID (``author_id``) with its handle. A feed
item's repost (``reason`` ``#reasonRepost``) is a retweet by ``reason.by`` of the post; the API
gives the repost no id of its own in every version, so its post id is the synthetic
``<post uri>#repost-by-<did>``, the same whichever feed it came from. Replies come from
``record.reply.parent`` (the replied-to author is the DID in that uri); quotes from an
``app.bsky.embed.record`` / ``recordWithMedia`` embed of a post. Mention facets carry only a DID:
its handle is the one the file shows for that DID anywhere (an author, a quoted or replied-to
post, a reposter), else the ``@handle`` the text holds at the facet's UTF-8 byte offsets, else
the DID itself. Hashtags come from ``#tag`` facets and the record's ``tags``, lower-cased. A bare
``app.bsky.feed.post`` record without its uri has no identity and is rejected.
"""

from __future__ import annotations

import json

from chatgraph.formats import Format, Head, NonPost, Options, Source, finish_stage
from chatgraph.formats._social import json_records, utc_time

_AUTHOR = {"did": "VARCHAR", "handle": "VARCHAR", "displayName": "VARCHAR"}
_REF = {"uri": "VARCHAR"}
_RECORD = {
    "$type": "VARCHAR",
    "text": "VARCHAR",
    "createdAt": "VARCHAR",
    "langs": ["VARCHAR"],
    "tags": ["VARCHAR"],
    "facets": [
        {
            "index": {"byteStart": "BIGINT", "byteEnd": "BIGINT"},
            "features": [{"$type": "VARCHAR", "did": "VARCHAR", "tag": "VARCHAR"}],
        }
    ],
    "reply": {"root": _REF, "parent": _REF},
    "embed": {"$type": "VARCHAR", "record": {"uri": "VARCHAR", "record": _REF}},
}
_VIEW_RECORD = {
    "$type": "VARCHAR",
    "uri": "VARCHAR",
    "author": _AUTHOR,
    "value": _RECORD,
    "indexedAt": "VARCHAR",
}
_POST_VIEW = {
    "uri": "VARCHAR",
    "author": _AUTHOR,
    "record": _RECORD,
    "indexedAt": "VARCHAR",
    "embed": {"$type": "VARCHAR", "record": {**_VIEW_RECORD, "record": _VIEW_RECORD}},
}
# One record of a file: a PostView, a feed item / thread node ({post, reply, reason}), or a
# repository record ({uri, value}).
ITEM_TYPE = json.dumps(
    {
        **_POST_VIEW,
        "value": _RECORD,
        "post": _POST_VIEW,
        "reply": {"root": _POST_VIEW, "parent": _POST_VIEW},
        "reason": {"$type": "VARCHAR", "by": _AUTHOR, "indexedAt": "VARCHAR"},
    }
)

_POST_URI = "'^at://[^/]+/app\\.bsky\\.feed\\.post/[^/]+$'"


def _did_of(uri: str) -> str:
    return f"nullif(regexp_extract({uri}, '^at://([^/]+)/', 1), '')"


def _post_uri(uri: str) -> str:
    return f"case when regexp_full_match({uri}, {_POST_URI}) then {uri} end"


def _columns(uri: str, author: str | None, record: str, indexed: str | None) -> dict[str, str]:
    """Columns of one post: its uri, author struct (None: the DID in the uri), record struct."""
    embed = f"{record}.embed"
    quoted = f"""case {embed}."$type" when 'app.bsky.embed.record' then {embed}.record.uri
                 when 'app.bsky.embed.recordWithMedia' then {embed}.record.record.uri end"""
    parent = f"{record}.reply.parent.uri"
    facets = f"coalesce({record}.facets, [])"
    features = (
        f"flatten(list_transform({facets}, lambda f: list_transform(coalesce(f.features, []), "
        "lambda x: {'type': x.\"$type\", 'did': x.did, 'tag': x.tag, "
        "'start': f.index.byteStart, 'end': f.index.byteEnd})))"
    )
    text = f"{record}.text"
    created = (
        f"{record}.createdAt" if indexed is None else f"coalesce({record}.createdAt, {indexed})"
    )
    return {
        "post_id": uri,
        "platform": "'bluesky'",
        "created_at": utc_time(created),
        "author_id": f"coalesce({author}.did, {_did_of(uri)})" if author else _did_of(uri),
        "author_handle": f"nullif({author}.handle, 'handle.invalid')" if author else "null",
        "author_name": f"nullif({author}.displayName, '')" if author else "null",
        "text": text,
        "lang": f"{record}.langs[1]",
        "reply_to_post_id": parent,
        "reply_to_author_id": _did_of(parent),
        "quote_of_post_id": _post_uri(quoted),
        "conversation_id": f"coalesce({record}.reply.root.uri, {uri})",
        # mention DIDs, with the handle typed in the text at the facet's byte offsets
        "mention_facets": (
            f"list_transform(list_filter({features}, lambda x: x.type = 'app.bsky.richtext.facet#mention' "
            "and x.did is not null), lambda x: {'did': x.did, 'typed': nullif(ltrim(coalesce("
            f"try(decode(encode({text})[x.start + 1:x.end])), ''), '@'), '')}})"
        ),
        "hashtags": (
            f"list_distinct(list_transform(list_concat(list_transform(list_filter({features}, "
            "lambda x: x.type = 'app.bsky.richtext.facet#tag' and x.tag is not null), lambda x: x.tag), "
            f"coalesce({record}.tags, [])), lambda t: lower(ltrim(t, '#'))))"
        ),
    }


def _view(v: str) -> dict[str, str]:
    return _columns(f"{v}.uri", f"{v}.author", f"{v}.record", f"{v}.indexedAt")


def _embedded_view(v: str) -> dict[str, str]:
    return _columns(f"{v}.uri", f"{v}.author", f"{v}.value", f"{v}.indexedAt")


def _select(cols: dict[str, str]) -> str:
    return ",\n       ".join(f"{expr} as {name}" for name, expr in cols.items())


_EXPAND = """case
    when starts_with(ltrim(j::VARCHAR), '[') then json_extract(j, '$[*]')
    when json_type(j, '$.posts') = 'ARRAY' then json_extract(j, '$.posts[*]')
    when json_type(j, '$.feed') = 'ARRAY' then json_extract(j, '$.feed[*]')
    when json_type(j, '$.records') = 'ARRAY' then json_extract(j, '$.records[*]')
    when json_type(j, '$.thread') = 'OBJECT'
        then list_transform(coalesce(json_extract(j, '$.thread..post'), []), lambda p: json_object('post', p))
    else [j] end"""


def stage(con, source: Source, options: Options) -> None:
    head = Head.read(source)
    json_records(con, source, options, head, _EXPAND, "b_records")
    con.execute(
        f"""create or replace temp table b_items as
            select record_no, ok, coalesce(item, line) as line, i,
                   coalesce(i.post.uri is not null, false) as wrapped,
                   coalesce(i.post.uri is not null and i.reason."$type" = 'app.bsky.feed.defs#reasonRepost'
                            and i.reason.by.did is not null, false) as repost
            from (select *, case when ok then try(json_transform(item, '{ITEM_TYPE}')) end as i
                  from b_records)"""
    )
    con.execute("drop table b_records")
    own = _view("i")  # a bare PostView
    post = _view("i.post")  # a feed item's or thread node's post
    rec = _columns("i.uri", None, "i.value", None)  # a repository record
    listed = {
        name: f"""case when wrapped then {post[name]} when i.record is not null then {own[name]}
                      else {rec[name]} end"""
        for name in own
    }
    # a repost: the reposter's post, with the original's text and entities
    by = "i.reason.by"
    repost_overrides = {
        "post_id": "i.post.uri || '#repost-by-' || i.reason.by.did",
        "created_at": utc_time("i.reason.indexedAt"),
        "author_id": f"{by}.did",
        "author_handle": f"nullif({by}.handle, 'handle.invalid')",
        "author_name": f"nullif({by}.displayName, '')",
        "reply_to_post_id": "null",
        "reply_to_author_id": "null",
        "quote_of_post_id": "null",
        "conversation_id": "null",
    }
    for name, expr in repost_overrides.items():
        listed[name] = f"case when repost then {expr} else {listed[name]} end"
    listed["retweet_of_post_id"] = "case when repost then i.post.uri end"
    listed["is_retweet"] = "repost"
    bare = """coalesce(json_extract_string(line, '$."$type"') = 'app.bsky.feed.post', false)"""
    parts = [
        f"""select record_no, false as referenced,
               case when not ok then 'invalid JSON (cut or corrupt line)'
                    when i is null then 'not a Bluesky post (fields of unexpected types)'
                    when {bare} then 'a bare app.bsky.feed.post record has no uri to identify it; '
                         || 'export posts with their uri (searchPosts, getPosts, getRecord, listRecords)'
                    when ({listed["post_id"]}) is null then 'not a Bluesky post (no uri)'
                    when not regexp_full_match(({listed["post_id"]}), '^at://.*') then 'not a Bluesky post (uri is not at://)'
               end as reject,
               {_select(listed)}
        from b_items"""
    ]
    # embedded originals: a repost's post, a feed item's reply parent and root, quoted posts
    embedded = [
        ("i.post", _view("i.post"), "repost"),
        ("i.reply.parent", _view("i.reply.parent"), "true"),
        ("i.reply.root", _view("i.reply.root"), "true"),
    ]
    for base in ("i", "i.post"):
        for v in (f"{base}.embed.record", f"{base}.embed.record.record"):
            embedded.append((v, _embedded_view(v), f"{v}.value.\"$type\" = 'app.bsky.feed.post'"))
    for path, cols, cond in embedded:
        parts.append(
            f"""select record_no, true as referenced, null as reject, {_select(cols)}
                from b_items where i is not null and {path}.uri is not null and {path}.author.did is not null
                  and ({cond})"""
        )
    con.execute("create or replace temp table b_rows as " + "\nunion all by name\n".join(parts))
    # every DID -> handle the file shows (authors of every kind, reposters)
    con.execute(
        """create or replace temp table b_handles as
           select did, arg_max(handle, created_at) as handle from (
               select author_id as did, author_handle as handle, created_at from b_rows
               union all
               select i.reason.by.did, nullif(i.reason.by.handle, 'handle.invalid'), null from b_items)
           where did is not null and handle is not null
           group by did"""
    )
    finish_stage(
        con,
        """
        with hm as (select coalesce((select map(list(did), list(handle)) from b_handles),
                                    map([]::VARCHAR[], []::VARCHAR[])) as m)
        select r.* replace (
                   case when reject is null then coalesce(r.author_handle, hm.m[r.author_id], r.author_id) end
                       as author_handle),
               case when reject is not null then left(line, 10000) end as raw,
               hm.m[r.reply_to_author_id] as reply_to_handle,
               list_transform(list_distinct(r.mention_facets), lambda x: {
                   'account_id': x.did,
                   'handle': coalesce(hm.m[x.did], case when regexp_full_match(x.typed, '[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+')
                                                         then x.typed end, x.did),
                   'name': null::VARCHAR}) as mentions
        from b_rows r cross join hm
        left join (select record_no, line from b_items) b using (record_no)
        """,
    )
    for t in ("b_items", "b_rows", "b_handles"):
        con.execute(f"drop table if exists {t}")


def _is_post_view(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and str(obj.get("uri", "")).startswith("at://")
        and ("record" in obj or "value" in obj or "author" in obj)
    )


def _is_bsky(obj: object) -> bool:
    if isinstance(obj, list):
        return bool(obj) and _is_bsky(obj[0])
    if not isinstance(obj, dict):
        return False
    if obj.get("$type") == "app.bsky.feed.post":
        return True
    for key in ("posts", "feed", "records"):
        items = obj.get(key)
        if isinstance(items, list):
            return bool(items) and _is_bsky(items[0])
    if isinstance(obj.get("thread"), dict):
        return "post" in obj["thread"] or str(obj["thread"].get("$type", "")).startswith(
            "app.bsky."
        )
    if isinstance(obj.get("post"), dict):
        return _is_post_view(obj["post"])
    return _is_post_view(obj)


def sniff(head: Head) -> bool:
    if head.first_json is not None:
        return _is_bsky(head.first_json)
    if head.line_json:
        return False
    t = head.text.lstrip()
    return t.startswith(("{", "[")) and '"at://did:' in t and "app.bsky.feed.post" in t


def _is_profile_list(head: Head) -> bool:
    obj = head.first_json
    if not isinstance(obj, dict):
        return False
    for key in ("actors", "follows", "followers", "repostedBy", "likes", "profiles"):
        if isinstance(obj.get(key), list):
            return True
    return "did" in obj and "handle" in obj and "uri" not in obj


FORMAT = Format(
    name="bluesky",
    description="Bluesky posts (searchPosts, getPosts, getQuotes, feeds, getPostThread, records)",
    sniff=sniff,
    stage=stage,
)
NON_POSTS = [NonPost("a list of Bluesky accounts or likes", _is_profile_list)]
