"""Twitter API v1.1 tweets: twarc1 / stream JSONL, REST extended mode, and REST containers."""

from __future__ import annotations

import duckdb

from chatgraph import formats
from chatgraph.formats import (
    LINE_BYTES,
    MAX_RECORD_BYTES,
    Format,
    Head,
    Options,
    Source,
    attach_raw_lines,
    finish_stage,
    json_items_relation,
)
from chatgraph.formats._twitter import (
    V1_TWEET,
    V1_TWEET_TYPE,
    core_select,
    json_columns,
    referenced_union,
)


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
            t.startswith("[")
            and '"id_str"' in t
            and '"screen_name"' in t
            and '"in_reply_to_status_id_str"' in t
        )
    return False


def stage(con, source: Source, options: Options) -> None:
    head = Head.read(source)
    formats.drop_numbered(con, "tweets")  # a table or a view, as an earlier failed file left it
    if head.line_json and isinstance(head.first_json, dict) and "statuses" not in head.first_json:
        # Fast path, one tweet per line: DuckDB's JSON reader splits and parses the lines once; a
        # line that does not parse comes back NULL in its place, so record numbers stay exact.
        def parsed(safe: bool, max_bytes: int) -> str:
            transform = f"json_transform(json, '{V1_TWEET_TYPE}')"
            return f"""
            select json is null as unparsable,
                   {f"try({transform})" if safe else transform} as t, null::VARCHAR as line
            from read_ndjson_objects({source.sql_path()}, ignore_errors=true,
                                     compression='{source.duckdb_compression}',
                                     maximum_object_size={max_bytes})"""

        # Fastest: DuckDB's read_json straight into the staged columns (one parse, no JSON
        # strings or whole tweet structures kept in between); a malformed line comes back as a
        # row of NULLs in its place. When a record has a field of an unexpected type it fails the
        # whole read: then every line is read as JSON text and parsed under try(). The readers'
        # memory grows with their record size limit: a tweet-sized limit first, the large one
        # only for a file with an enormous line.
        attempts = [("direct", LINE_BYTES), ("transform", LINE_BYTES), ("try", LINE_BYTES)]
        while attempts:
            how, max_bytes = attempts.pop(0)
            try:
                if how == "direct":
                    _stage_direct(con, source, max_bytes)
                else:
                    formats.read_numbered(
                        con, "tweets", "record_no", parsed(how == "try", max_bytes)
                    )
                break
            except duckdb.InvalidInputException as e:
                if "maximum_object_size" in str(e) and max_bytes != MAX_RECORD_BYTES:
                    attempts = [(how, MAX_RECORD_BYTES)] + [
                        (h, MAX_RECORD_BYTES) for h, _ in attempts
                    ]
                elif how == "try" or "maximum_object_size" in str(e):
                    raise
            except duckdb.ConversionException:
                if how == "try":
                    raise
    else:
        how = "items"
        con.execute(f"""create or replace temp table tweets as
            select record_no, not ok as unparsable,
                   case when ok then try(json_transform(item, '{V1_TWEET_TYPE}')) end as t,
                   coalesce(item, line) as line
            from {json_items_relation(source, options, head, ("statuses",))}""")
    if how != "direct":
        _stage_tweets(con)
    attach_raw_lines(con, source)
    # The direct reader cannot tell a cut line from a notice: read it off the raw line.
    con.execute(
        f"""update stage set reject = case
                when raw is null or not json_valid(raw) then 'invalid JSON (cut or corrupt line)'
                when json_exists(raw, '$.delete') then 'stream notice (delete), not a post'
                when json_exists(raw, '$.limit') then 'stream notice (limit), not a post'
                else reject end
            where reject = '{_NO_ID}' and not referenced"""
    )
    formats.drop_numbered(con, "tweets")


_NO_ID = "no id_str (a numeric id alone loses precision)"


def _stage_tweets(con) -> None:
    """Stage the parsed tweets of the view ``tweets`` and the originals they embed."""
    finish_stage(
        con,
        f"""
        select * replace (
                   case when t is null then
                            case when unparsable then 'invalid JSON (cut or corrupt line)'
                                 else 'not a tweet object (fields of unexpected types)' end
                        when t.id_str is null and json_exists(line, '$.delete') then 'stream notice (delete), not a post'
                        when t.id_str is null and json_exists(line, '$.limit') then 'stream notice (limit), not a post'
                        when t.id_str is null then '{_NO_ID}'
                   end as reject),
               false as referenced
        from ({core_select("t", "tweets", listed=True, carry="t, unparsable, line, null as reject,")})
        union all by name
        {referenced_union("t")}
        """,
    )


def _stage_direct(con, source: Source, max_bytes: int) -> None:
    """Stage the listed tweets in the statement that reads the file, carrying along only the
    originals they embed, which are then staged from those rows. (Keeping every tweet's whole
    structure in a table and staging from it took 1.43 s against 1.30 s, 2.5 s against 2.3 s of
    CPU, for 300k tweets.)"""
    pack = ", ".join(f'"{k}" := "{k}"' for k in V1_TWEET)
    read = f"""(
        select null::BIGINT as record_no, struct_pack({pack}) as t,
               retweeted_status as _rs, quoted_status as _qs
        from read_json({source.sql_path()}, format='newline_delimited', columns={json_columns(V1_TWEET)},
                       ignore_errors=true, compression='{source.duckdb_compression}',
                       maximum_object_size={max_bytes}))"""
    finish_stage(
        con,
        f"""select *, case when post_id is null then '{_NO_ID}' end as reject, false as referenced
            from ({core_select("t", read, listed=True, carry="_rs, _qs,")})""",
        carry=("_rs", "_qs"),
    )
    # The table keeps the file's order (DuckDB preserves insertion order): row ids number it.
    con.execute("update stage set record_no = rowid + 1")
    embedding = """(select record_no, struct_pack(retweeted_status := _rs, quoted_status := _qs) as t
                    from stage where _rs is not null or _qs is not null)"""
    # (through a table of their own, added once the carried columns are gone: an insert reading
    # the table it writes copies its input first, and each row inserted fills the carried
    # structures' hundred fields. 60k originals: 0.38 s CPU that way, 0.17 s + 0.07 s this way)
    con.execute(
        f"create or replace temp table v1_originals as {referenced_union('t', source=embedding)}"
    )
    con.execute("alter table stage drop column _rs")
    con.execute("alter table stage drop column _qs")
    con.execute("insert into stage by name select * from v1_originals")
    con.execute("drop table v1_originals")


FORMAT = Format(
    name="twitter-v1",
    description="Twitter API v1.1 tweets (twarc1 JSONL, stream, REST search/lookup)",
    sniff=sniff,
    stage=stage,
)
