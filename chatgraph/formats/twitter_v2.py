"""Twitter API v2 as twarc2 writes it: response pages, filter-stream lines and ``twarc2 flatten`` output.

Every shape is turned into the same per-line document ``{data: [tweet], includes: {users, tweets}}``
in SQL: a page already is one, a stream line holds one tweet in ``data``, and a flattened tweet
carries its author, the user it replies to and its referenced tweets inline. Handles and retweeted
originals are then looked up per line, the way twarc2 wrote them: by id in that line's ``includes``.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import replace

import duckdb

from chatgraph.formats import (
    MAX_RECORD_BYTES,
    RAW_KEEP,
    Format,
    Head,
    NonPost,
    Options,
    Source,
    drop_numbered,
    finish_stage,
    json_items_relation,
    read_numbered,
)
from chatgraph.formats._twitter import json_columns, rt_prefix_handle, unescape

_USER = {"id": "VARCHAR", "username": "VARCHAR", "name": "VARCHAR"}
_FIELDS = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "author_id": "VARCHAR",
    "created_at": "VARCHAR",
    "conversation_id": "VARCHAR",
    "in_reply_to_user_id": "VARCHAR",
    "lang": "VARCHAR",
    "entities": {
        "mentions": [{"id": "VARCHAR", "username": "VARCHAR", "name": "VARCHAR"}],
        "hashtags": [{"tag": "VARCHAR"}],
    },
    "author": _USER,
    "in_reply_to_user": _USER,
}
# An included (or, in flattened output, inline) tweet: its own references are ids only.
_REF = {**_FIELDS, "type": "VARCHAR", "referenced_tweets": [{"type": "VARCHAR", "id": "VARCHAR"}]}
# A listed tweet: in flattened output its referenced tweets are whole tweets.
_TWEET = {**_FIELDS, "referenced_tweets": [_REF]}
_INCLUDES = {"users": [_USER], "tweets": [_REF]}
PAGE_TYPE = json.dumps({"data": [_TWEET], "includes": _INCLUDES})
STREAM_TYPE = json.dumps({"data": _TWEET, "includes": _INCLUDES})
TWEET_TYPE = json.dumps(_TWEET)


PAGE_BYTES = 16 << 20  # the largest page read the fast way
PAGE_COLUMNS = json_columns({"data": [_TWEET], "includes": _INCLUDES})


def _tweet_like(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and "id" in obj
        and "text" in obj
        and ("author_id" in obj or "created_at" in obj)
    )


def _data_items(obj: object) -> list:
    if isinstance(obj, dict):
        data = obj.get("data")
        if isinstance(data, list):
            return data
        if isinstance(data, dict):
            return [data]
    return []


def sniff(head: Head) -> bool:
    obj = head.first_json
    if isinstance(obj, list) and obj:
        obj = obj[0]
    if isinstance(obj, dict):
        if "data" in obj:
            items = _data_items(obj)
            # a withheld tweet may come without text: look at a few
            return (not items and ("__twarc" in obj or "meta" in obj)) or any(
                _tweet_like(i) or (isinstance(i, dict) and "id" in i and "author_id" in i)
                for i in items[:5]
            )
        if _tweet_like(obj):
            # twarc2 flatten: a v2 tweet (author_id, no v1.1 user object), its author inline
            return "user" not in obj and "author_id" in obj
        # a page that found nothing: only errors or meta
        return "__twarc" in obj and ("errors" in obj or "meta" in obj)
    if obj is None:
        # a first line longer than the head: recognise a page by its opening
        t = head.text.lstrip()
        return (
            t.startswith("{")
            and '"data"' in t[:200]
            and '"author_id"' in t
            and '"conversation_id"' in t
        )
    return False


def _first_items(head: Head) -> list:
    obj = head.first_json
    if isinstance(obj, list) and obj:
        obj = obj[0]
    return _data_items(obj)


def _is_users(head: Head) -> bool:
    items = _first_items(head)
    return (
        bool(items)
        and isinstance(items[0], dict)
        and "username" in items[0]
        and "text" not in items[0]
    )


def _is_counts(head: Head) -> bool:
    items = _first_items(head)
    return (
        bool(items)
        and isinstance(items[0], dict)
        and "tweet_count" in items[0]
        and "start" in items[0]
    )


NON_POSTS = [
    NonPost(what="a twarc2 users file", sniff=_is_users),
    NonPost(what="a twarc2 counts file", sniff=_is_counts),
]


def _select_list(cols: dict[str, str]) -> str:
    return ",\n               ".join(f"{expr} as {name}" for name, expr in cols.items())


def _ids_by_kind(keys: str, rows: str, tweet: str) -> str:
    """SQL: per ``keys`` of ``rows``, the ids its tweet ``tweet`` retweets, replies to and quotes."""
    return f"""
        select {keys},
               min(q.id) filter (where q.type = 'retweeted') as rt_id,
               min(q.id) filter (where q.type = 'replied_to') as reply_id,
               min(q.id) filter (where q.type = 'quoted') as quote_id
        from (select {keys}, unnest({tweet}.referenced_tweets) as q from {rows})
        group by {keys}"""


def _named_mentions(
    con: duckdb.DuckDBPyConnection, table: str, keys: list[str], source: str
) -> None:
    """``table``: ``keys`` and ``mentions`` for each row of ``source`` (``keys``, ``item_no``, ``ms``
    the mention entities, ``drop_h`` a handle to leave out) that mentions anybody.

    Pages give a mention's username (and lately its id), never its name: both come from the users of
    the same line, by handle, in one join over all the mentions (a per-row lookup copies a map of
    the page's users into every row). Their order is not kept: a post's mentions are a set.
    """
    k = ", ".join(f"s.{c}" for c in keys)
    con.execute(
        f"""
        create or replace temp table {table} as
        select {k}, list({{'account_id': coalesce(s.m.id, u.id), 'handle': s.m.username,
                           'name': coalesce(s.m.name, u.name)}}) as mentions
        from (select *, unnest(ms) as m from ({source}) where len(ms) > 0) s
        left join v2_handle_ids u on u.item_no = s.item_no and u.handle = lower(s.m.username)
        where s.m.username is not null and lower(s.m.username) is distinct from lower(s.drop_h)
        group by {k}
        """
    )


def _hashtags(hashtags: str) -> str:
    # ingest keeps each tag once per post
    return f"list_transform(coalesce({hashtags}, []), lambda h_: lower(h_.tag))"


def _columns(t: str, author: str, reply_user: str, mentions: str) -> dict[str, str]:
    """Canonical columns of one v2 tweet struct as it says of itself, with its looked-up users
    (and its mentions, named from them: see :func:`_named_mentions`)."""
    reply_mention = f"list_filter(coalesce({t}.entities.mentions, []), lambda m_: m_.id = {t}.in_reply_to_user_id)[1]"
    return {
        "post_id": f"{t}.id",
        "platform": "'twitter'",
        "created_at": f"try_cast({t}.created_at as TIMESTAMPTZ)",
        "author_id": f"coalesce({t}.author_id, {t}.author.id)",
        "author_handle": f"coalesce({author}.username, {t}.author.username)",
        "author_name": f"coalesce({author}.name, {t}.author.name)",
        "text": unescape(f"{t}.text"),
        "lang": f"nullif({t}.lang, 'und')",
        "reply_to_post_id": "reply_id",
        "reply_to_author_id": f"{t}.in_reply_to_user_id",
        "reply_to_handle": (
            f"case when {t}.in_reply_to_user_id is not null then "
            f"coalesce({reply_user}.username, {t}.in_reply_to_user.username, {reply_mention}.username) end"
        ),
        "retweet_of_post_id": "rt_id",
        "quote_of_post_id": "quote_id",
        "conversation_id": f"{t}.conversation_id",
        "is_retweet": "(rt_id is not null)",
        # an original that is not in the file leaves only the cut "RT @x: …" text
        "truncated": "(rt_id is not null)",
        "mentions": f"coalesce({mentions}, [])",
        "hashtags": _hashtags(f"{t}.entities.hashtags"),
    }


def listed_columns() -> dict[str, str]:
    """A listed tweet (``t``): a retweet whose original is in the file (``o``) takes its text and
    entities (its mentions are ``vm``'s, chosen the same way)."""
    cols = _columns("t", "au", "ru", "vm.mentions")
    has_orig = "(o.id is not null)"
    cols["created_at"] = "ts"
    cols["text"] = unescape(f"case when {has_orig} then o.text else t.text end")
    cols["hashtags"] = _hashtags(
        f"case when {has_orig} then o.entities.hashtags else t.entities.hashtags end"
    )
    cols["truncated"] = f"({cols['is_retweet']} and not {has_orig})"
    return cols


# Items that give one rejected record: not JSON, not twarc2, or twarc2 with unexpected types.
_UNREADABLE = "(kind in ('bad', 'other') or (kind in ('page', 'stream', 'flat') and data is null))"


def _lines_fit(source: Source, limit: int) -> bool:
    """Whether every line of the file is shorter than ``limit`` bytes.

    A line that long holds a whole aligned block of ``limit // 2`` bytes without a newline, so one
    pass over the blocks answers it (a small file cannot hold such a line at all).
    """
    block = limit // 2
    if source.compression != "gzip" and source.path.stat().st_size < limit:
        return True
    opener = gzip.open if source.compression == "gzip" else open
    try:
        with opener(source.path, "rb") as f:
            while chunk := f.read(block):
                if len(chunk) == block and b"\n" not in chunk:
                    return False
    except (OSError, EOFError):
        return False  # a damaged gzip: the general reader says what is wrong
    return True


def _items_sql(source: Source, options: Options, head: Head, max_bytes: int) -> str:
    """``(item_no, json, raw)``: one JSON value per line (NULL where a line does not parse), or per
    element of a document that is not JSON lines; ``raw`` only where the value is unreadable."""
    if head.line_json:
        # DuckDB's reader splits and checks the lines once; a cut line comes back NULL in its place.
        return f"""(
            select row_number() over () as item_no, json, null::VARCHAR as raw
            from read_ndjson_objects({source.sql_path()}, ignore_errors=true,
                                     compression='{source.duckdb_compression}',
                                     maximum_object_size={max_bytes}))"""
    return f"""(
        select record_no as item_no, case when ok then item::JSON end as json,
               case when not ok then left(line, {RAW_KEEP}) end as raw
        from {json_items_relation(source, options, head)})"""


def _read_docs(con: duckdb.DuckDBPyConnection, items: str, safe: bool, table: str) -> None:
    """``table``: each item as ``{data: [tweet], includes: {users, tweets}}`` whatever its shape."""

    def transform(type_: str) -> str:
        expr = f"json_transform(json, '{type_}')"
        return f"try({expr})" if safe else expr

    con.execute(
        f"""
        create or replace temp table {table} as
        select *, case when {_UNREADABLE} then 1 else coalesce(len(data), 0) end as n from (
        with typed as (
            select item_no, json, raw, page,
                   case when json is null then 'bad'
                        when page.data is not null then 'page'
                        when json_type(json, '$.data') = 'OBJECT' then 'stream'
                        -- a page that found nothing; a data value of another shape is unreadable
                        when coalesce(json_type(json, '$.data') = 'ARRAY'
                                      and json_array_length(json, '$.data') = 0,
                                      not json_exists(json, '$.data')
                                      and (json_exists(json, '$.errors')
                                           or json_exists(json, '$.meta'))) then 'empty'
                        when json_exists(json, '$.id') and json_exists(json, '$.text') then 'flat'
                        else 'other' end as kind
            from (select *, {transform(PAGE_TYPE)} as page from {items})),
        shaped as (
            select item_no, kind, page,
                   case kind when 'stream' then {transform(STREAM_TYPE)} end as stream,
                   case kind when 'flat' then {transform(TWEET_TYPE)} end as flat,
                   case when kind in ('bad', 'other') then coalesce(raw, left(json::VARCHAR, {RAW_KEEP})) end as raw
            from typed)
        select item_no, null::BIGINT as line_no, kind, raw,
               case kind
                   when 'page' then page.data
                   when 'stream' then [stream.data]
                   when 'flat' then [flat]
               end as data,
               case kind
                   when 'page' then page.includes.users
                   when 'stream' then stream.includes.users
                   when 'flat' then list_concat(
                       [flat.author, flat.in_reply_to_user],
                       list_transform(flat.referenced_tweets, lambda ref_: ref_.author))
               end as users,
               case kind
                   when 'page' then page.includes.tweets
                   when 'stream' then stream.includes.tweets
                   when 'flat' then list_filter(flat.referenced_tweets, lambda ref_: ref_.text is not null)
               end as tweets
        from shaped)
        """
    )


def _locate_bad_lines(con: duckdb.DuckDBPyConnection, source: Source, table: str) -> None:
    """Give unreadable lines their line number in the file (blank lines included), and their text
    where DuckDB could not parse them. Reads the file only when there are such lines."""
    wanted = {
        r[0]: r[1]
        for r in con.execute(
            f"select item_no, kind = 'bad' from {table} where {_UNREADABLE}"
        ).fetchall()
    }
    if not wanted:
        return
    opener = gzip.open if source.compression == "gzip" else open
    found: list[tuple[int, int, str | None]] = []
    last = max(wanted)
    n = 0
    try:
        with opener(source.path, "rb") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue  # DuckDB's line reader skips blank lines
                n += 1
                if n in wanted:
                    raw = line[:RAW_KEEP].decode("utf-8", errors="replace").rstrip("\r\n")
                    found.append((n, line_no, raw if wanted[n] else None))
                if n >= last:
                    break
    except (OSError, EOFError):
        pass  # a cut gzip: keep what was read
    if found:
        con.execute(
            "create or replace temp table v2_lines (item_no BIGINT, line_no BIGINT, raw VARCHAR)"
        )
        con.executemany("insert into v2_lines values (?, ?, ?)", found)
        con.execute(
            f"""update {table} set line_no = l.line_no, raw = coalesce({table}.raw, l.raw)
               from v2_lines l where {table}.item_no = l.item_no"""
        )
        con.execute("drop table v2_lines")


def stage(con: duckdb.DuckDBPyConnection, source: Source, options: Options) -> None:
    head = Head.read(source)
    if not head.line_json and "\n" not in head.text.strip():
        # JSON lines whose first line (a big page) is longer than the head
        head = replace(head, line_json=True)
    unit = "line" if head.line_json else "item"
    first = head.first_json
    pages = head.line_json and (
        first is None or isinstance(first, dict) and isinstance(first.get("data"), list)
    )
    fit = True
    if pages:
        # Response pages: DuckDB's JSON reader parses them straight into the typed columns, without
        # holding each page's text (a page of 100 tweets is ~0.4 MB). Lines that are no page (a cut
        # line, an errors-only page, a stream line) come back without data, numbered in place; only
        # they are read again the general way (1.1 GB of pages: 3.1 GB peak before, 1.3 GB now).
        try:
            read_numbered(
                con,
                "v2_pages",
                "item_no",
                f"""
                select data, includes, len(data) as n
                from read_json({source.sql_path()}, columns={PAGE_COLUMNS}, format='newline_delimited',
                               ignore_errors=true, compression='{source.duckdb_compression}',
                               maximum_object_size={PAGE_BYTES})
                """,
            )
        except duckdb.InvalidInputException as e:
            if "maximum_object_size" not in str(e):
                raise
            pages = fit = False  # a line too long for the fast reader: the general way
    if not pages:
        # DuckDB's JSON buffers grow with the object size limit (300k flattened tweets, 2.2 GB:
        # 0.6 GB peak at 16 MB, 2.3 GB at 1 GB): keep it small unless some line needs more.
        fit = fit and head.line_json and _lines_fit(source, PAGE_BYTES)
    items = _items_sql(source, options, head, PAGE_BYTES if fit else MAX_RECORD_BYTES)
    if pages:
        again = con.execute("select count(*) from v2_pages where data is null").fetchone()[0]
        items = (
            f"(select * from {items} where item_no in (select item_no from v2_pages where data is null))"
            if again
            else "(select null::BIGINT as item_no, null::JSON as json, null::VARCHAR as raw where false)"
        )
    docs = "v2_other" if pages else "v2_docs"
    try:
        _read_docs(con, items, safe=False, table=docs)
    except duckdb.ConversionException:
        # some record has a field of an unexpected type: convert each under try() (slower)
        _read_docs(con, items, safe=True, table=docs)
    if head.line_json:
        _locate_bad_lines(con, source, docs)
    if pages:
        # a view, not a copy: the pages are the bulk of the file
        con.execute(
            """
            create or replace temp view v2_docs as
            select * from v2_other
            union all by name
            select item_no, 'page' as kind, data, includes.users as users, includes.tweets as tweets, n
            from v2_pages where data is not null
            """
        )
    # Record numbers run through the file: each item's first is the count of records before it
    # (a sum over the items' sizes, not a sort of the tweets).
    con.execute(
        """
        create or replace temp table v2_off as
        select item_no, sum(n) over (order by item_no rows between unbounded preceding and current row) - n as base
        from v2_docs
        """
    )
    con.execute(
        f"""
        create or replace temp table v2_tweets as
        select o.base + d.idx as record_no, d.item_no, d.line_no, d.kind, d.t, d.raw,
               try_cast(d.t.created_at as TIMESTAMPTZ) as ts
        from (
            select item_no, null::BIGINT as line_no, kind, unnest(data) as t,
                   generate_subscripts(data, 1) as idx, null::VARCHAR as raw
            from v2_docs where n > 0 and data is not null
            union all
            -- a line that is no page, stream line or tweet counts as one (rejected) record
            select item_no, line_no, kind, null, 1, raw from v2_docs where {_UNREADABLE}
        ) d
        join v2_off o using (item_no)
        """
    )
    # The ids each tweet refers to, by kind (a narrow table: unnesting beats three list filters).
    con.execute(
        f"""
        create or replace temp table v2_tweet_refs as
        {_ids_by_kind("record_no", "(select record_no, t from v2_tweets where t is not null)", "t")}
        """
    )
    con.execute(
        """
        create or replace temp table v2_users as
        select item_no, u.id, arg_max(u.username, u.username is not null) as username,
               arg_max(u.name, u.name is not null) as name
        from (select item_no, unnest(users) as u from v2_docs where users is not null)
        where u.id is not null
        group by item_no, u.id
        """
    )
    con.execute(
        """
        create or replace temp table v2_handle_ids as
        select item_no, lower(username) as handle, min(id) as id, min(name) as name
        from v2_users where username is not null group by all
        """
    )
    # Included tweets, once per line: the narrow (line, position) of each id's first copy picks
    # them (grouping the whole tweet structures would cost ten times more).
    con.execute(
        """
        create or replace temp table v2_refs_all as
        select item_no, unnest(tweets) as r, generate_subscripts(tweets, 1) as idx
        from v2_docs where tweets is not null
        """
    )
    con.execute(
        f"""
        create or replace temp table v2_refs as
        with firsts as (
            select item_no, min(idx) as idx from v2_refs_all where r.id is not null
            group by item_no, r.id
        ),
        ids as ({_ids_by_kind("item_no, idx", "v2_refs_all", "r")})
        select a.item_no, a.r, ids.rt_id, ids.reply_id, ids.quote_id
        from v2_refs_all a
        semi join firsts f on f.item_no = a.item_no and f.idx = a.idx
        left join ids on ids.item_no = a.item_no and ids.idx = a.idx
        """
    )
    con.execute("drop table v2_refs_all")
    _named_mentions(
        con,
        "v2_listed_mentions",
        ["record_no"],
        f"""
        select x.record_no, x.item_no,
               case when o.id is not null then o.ms else x.t.entities.mentions end as ms,
               case when xr.rt_id is not null and o.id is null
                    then {rt_prefix_handle("x.t.text")} end as drop_h
        from v2_tweets x
        left join v2_tweet_refs xr using (record_no)
        left join (select item_no, r.id as id, r.entities.mentions as ms from v2_refs) o
               on o.item_no = x.item_no and o.id = xr.rt_id
        where x.t is not null
        """,
    )
    _named_mentions(
        con,
        "v2_ref_mentions",
        ["item_no", "id"],
        "select item_no, r.id as id, r.entities.mentions as ms, null::VARCHAR as drop_h from v2_refs",
    )
    # what follows reads the tweets, users and originals just made: free the documents
    con.execute(f"drop {'view' if pages else 'table'} v2_docs")
    if pages:
        con.execute("drop table v2_other")
        drop_numbered(con, "v2_pages")
    listed = listed_columns()
    ref_cols = _columns("r", "au", "ru", "rm.mentions")
    ref_cols["truncated"] = f"(({ref_cols['is_retweet']}) and r.text like 'RT @%')"
    finish_stage(
        con,
        f"""
        select x.record_no,
               case when x.kind = 'bad' then '{unit} ' || coalesce(x.line_no, x.item_no) || ' is not valid JSON: the line is cut '
                         || 'short or corrupt (an interrupted download or stream); fetch it again or delete it'
                    when x.kind = 'other' then '{unit} ' || coalesce(x.line_no, x.item_no)
                         || ' is neither a twarc2 response page nor a tweet'
                    when t is null then '{unit} ' || coalesce(x.line_no, x.item_no)
                         || ': a twarc2 record whose fields have unexpected types'
                    when t.id is not null and ts is null then
                         'tweet ' || t.id || coalesce(' has an unreadable created_at "' || t.created_at || '"',
                                                      ' has no created_at')
               end as reject,
               case when t is null then x.raw
                    when t.id is not null and ts is null then left(to_json(t)::VARCHAR, {RAW_KEEP}) end as raw,
               false as referenced,
               {_select_list(listed)}
        from v2_tweets x
        left join v2_tweet_refs xr using (record_no)
        left join v2_users au on au.item_no = x.item_no and au.id = t.author_id
        left join v2_users ru on ru.item_no = x.item_no and ru.id = t.in_reply_to_user_id
        left join (select item_no, r.* from v2_refs) o
               on o.item_no = x.item_no and o.id = xr.rt_id
        left join v2_listed_mentions vm on vm.record_no = x.record_no
        union all by name
        -- an included tweet is filed under the first record that references it
        select coalesce(n.record_no, f.record_no) as record_no,
               null as reject, null as raw, true as referenced,
               {_select_list(ref_cols)}
        from v2_refs g
        left join (
            select item_no, q.id as ref_id, min(record_no) as record_no
            from (select item_no, record_no, unnest(t.referenced_tweets) as q from v2_tweets where t is not null)
            group by all
        ) n on n.item_no = g.item_no and n.ref_id = r.id
        left join (select item_no, min(record_no) as record_no from v2_tweets group by all) f
               on f.item_no = g.item_no
        left join v2_users au on au.item_no = g.item_no and au.id = r.author_id
        left join v2_users ru on ru.item_no = g.item_no and ru.id = r.in_reply_to_user_id
        left join v2_ref_mentions rm on rm.item_no = g.item_no and rm.id = r.id
        """,
    )
    for t in ("v2_off", "v2_tweets", "v2_tweet_refs", "v2_users", "v2_handle_ids", "v2_refs",
              "v2_listed_mentions", "v2_ref_mentions"):  # fmt: skip
        con.execute(f"drop table {t}")


FORMAT = Format(
    name="twitter-v2",
    description="Twitter API v2 as twarc2 writes it (response pages, stream lines, twarc2 flatten)",
    sniff=sniff,
    stage=stage,
)
