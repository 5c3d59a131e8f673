"""SQL shared by the non-Twitter-API formats: timestamps in any zone, HTML to text, JSON records."""

from __future__ import annotations

import gzip
import json

from chatgraph.formats import MAX_RECORD_BYTES, Head, Options, Source, lines_relation, sql_string

# A timestamp string that names its own offset (Z, +00:00, +0100, UTC, GMT) at the end.
_HAS_ZONE = r"(Z|z|[+-]\d\d(:?\d\d)?|\s*UTC|\s*GMT)$"


def utc_time(expr: str) -> str:
    """SQL turning a timestamp string into TIMESTAMPTZ; a string without a zone is UTC.

    Accepts ISO 8601 with or without ``T``, fractions and zone; Twitter v1.1's
    ``Wed Apr 16 02:38:15 +0000 2014``; and epoch seconds (R's POSIXct as a number).
    """
    s = f"trim({expr})"
    return f"""(case
        when {s} is null or {s} = '' then null
        when regexp_full_match({s}, '\\d{{9,11}}(\\.\\d+)?') then to_timestamp(cast({s} as DOUBLE))
        when regexp_full_match({s}, '[A-Z][a-z]{{2}} [A-Z][a-z]{{2}} \\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{{4}} \\d{{4}}')
            then try_strptime({s}, '%a %b %d %H:%M:%S %z %Y')
        when regexp_matches({s}, '{_HAS_ZONE}') then try_cast({s} as TIMESTAMPTZ)
        else timezone('UTC', try_cast({s} as TIMESTAMP))
    end)"""


def unescape_html(expr: str) -> str:
    """SQL decoding HTML character references: numeric (``&#39;``, ``&#x1F600;``) and the named ones
    Mastodon writes; ``&amp;`` last so that an escaped reference stays literal text."""
    numeric = f"""(case when strpos({expr}, '&#') = 0 then {expr} else array_to_string(list_transform(
        string_split({expr}, '&#'),
        lambda p, i: case
            when i = 1 then p
            when regexp_matches(p, '^[0-9]{{1,7}};')
                then coalesce(try(chr(cast(regexp_extract(p, '^([0-9]{{1,7}});', 1) as INTEGER))),
                              '&#' || regexp_extract(p, '^([0-9]{{1,7}};)', 1))
                     || substr(p, strpos(p, ';') + 1)
            when regexp_matches(p, '^[xX][0-9a-fA-F]{{1,6}};')
                then coalesce(try(chr(cast('0x' || regexp_extract(p, '^[xX]([0-9a-fA-F]{{1,6}});', 1) as INTEGER))),
                              '&#' || regexp_extract(p, '^([xX][0-9a-fA-F]{{1,6}};)', 1))
                     || substr(p, strpos(p, ';') + 1)
            else '&#' || p end), '') end)"""
    named = numeric
    for entity, char in (
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&apos;", "'"),
        ("&nbsp;", " "),
    ):
        named = f"replace({named}, '{entity}', {sql_string(char)})"
    return f"replace({named}, '&amp;', '&')"


def html_to_text(expr: str) -> str:
    """SQL for Mastodon ``content`` HTML as plain text.

    Paragraphs become blank-line separated, ``<br>`` a newline; tags go (a link's hidden
    ``invisible`` spans are kept, so a shortened link reads as its full URL); the
    ``quote-inline`` paragraph (a quote's fallback "RE: link") is dropped, the quote being
    ``quote_of_post_id``; entities are decoded.
    """
    s = f"regexp_replace({expr}, '<p class=\"quote-inline\">.*?</p>', '', 'gs')"
    s = f"regexp_replace({s}, '<br\\s*/?>', chr(10), 'gi')"
    s = f"regexp_replace({s}, '</p>\\s*<p[^>]*>', chr(10) || chr(10), 'gi')"
    s = f"regexp_replace({s}, '<[^>]*>', '', 'g')"
    return f"trim({unescape_html(s)})"


def host_of(url: str) -> str:
    return f"nullif(regexp_extract({url}, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#@]+)', 1), '')"


def _first_line_is_json(source: Source, limit: int = 64 * 1024 * 1024) -> bool:
    """Whether the file's first line, longer than the sniffing head, is a JSON value of its own."""
    opener = gzip.open if source.compression == "gzip" else open
    try:
        with opener(source.path, "rb") as f:
            line = f.readline(limit)
        if len(line) >= limit and not line.endswith(b"\n"):
            return False
        json.loads(line)
    except (OSError, EOFError, ValueError):
        return False
    return True


def _ends_with(source: Source, options: Options, tail: bytes) -> bool:
    path = source.plain_path(options.workdir)
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 4096))
        return f.read().rstrip().endswith(tail)


def _whole(source: Source, options: Options) -> str:
    plain = sql_string(str(source.plain_path(options.workdir)))
    return f"(select 1 as record_no, content as line from read_text({plain}))"


def json_records(
    con, source: Source, options: Options, head: Head, expand: str, table: str
) -> None:
    """Create temp table ``table``: each JSON record of the file as ``(record_no, ok, item, line)``.

    ``expand`` is a SQL expression over ``j`` (one JSON value: a line of JSON lines, or the
    whole document) giving the list of records it holds. A file that is not one JSON document
    is read as JSON lines (a first line longer than the sniffing head looks like neither).
    Invalid JSON gives one record with ``ok`` false and its text in ``line``, so that it is
    rejected with its number rather than dropped; ``line`` is NULL for a valid record (a line or
    document is not repeated for every record it holds: that would not fit in memory).
    """

    def lines(rel: str) -> None:
        con.execute(
            f"""
            create or replace temp table {table}_lines as
            select line_no, ok, case when not ok then line end as line,
                   case when not ok then [null::JSON] else {expand} end as elems
            from (select line_no, ok, line, case when ok then line::JSON end as j
                  from (select record_no as line_no, line, json_valid(line) as ok from {rel}))
            """
        )

    if head.line_json or (head.first_json is None and _first_line_is_json(source)):
        lines(lines_relation(source))
    elif (
        head.text.lstrip().startswith("[") and not head.whole and _ends_with(source, options, b"]")
    ):
        # a large array document: DuckDB streams its elements (a whole-document parse would not fit);
        # a cut one (no closing bracket) is read whole below and rejected as one invalid record
        plain = sql_string(str(source.plain_path(options.workdir)))
        lines(
            f"""(select row_number() over () as record_no, json::VARCHAR as line
                 from read_json_objects({plain}, format='array', maximum_object_size={MAX_RECORD_BYTES}))"""
        )
    else:
        lines(_whole(source, options))
    # each line's first record number from a running count over the lines (small columns only)
    con.execute(
        f"""
        create or replace temp table {table} as
        with offsets as (
            select line_no, sum(n) over (order by line_no) - n as before
            from (select line_no, len(elems) as n from {table}_lines))
        select before + k as record_no, ok, cast(e as VARCHAR) as item, line
        from (select line_no, ok, line, unnest(elems) as e, generate_subscripts(elems, 1) as k
              from {table}_lines)
        join offsets using (line_no)
        """
    )
    con.execute(f"drop table {table}_lines")
