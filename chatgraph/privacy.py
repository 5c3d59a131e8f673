"""Forgetting an account, and stable pseudonyms for sharing data.

``forget`` removes an account's posts and every trace of it in other posts (mentions, replies, the
``@handle`` in their text, retweets of its words), and records the request in ``forgotten`` so that
later loads skip it: :func:`skip_forgotten` runs inside each file's load transaction and turns the
account's records into rejects with the reason ``account asked to be forgotten`` (no raw text kept),
so the file's counts still add up: records = inserted + duplicates + rejected.

Pseudonyms are ``user-`` plus the first 10 hex digits of SHA-256(salt + ":" + lower-cased handle),
with a random 256-bit salt made once per archive (table ``privacy_salt``): stable across every output
of one archive, unguessable without the salt, and computable in SQL as well as in Python.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from chatgraph.errors import UsageError

MARKER = "@[removed]"
FORGOTTEN_REASON = "account asked to be forgotten"
RETWEET_REASON = "retweet of an account asked to be forgotten"
DIGITS = 10

_HANDLE_OK = re.compile(r"[\w.@-]{1,100}")
# An @handle in text: not part of an e-mail address or a longer word; a Mastodon @user@instance whole.
_AT_HANDLE = re.compile(r"(?<![\w@])@(\w+(?:[.-]\w+)*(?:@\w[\w-]*(?:\.[\w-]+)+)?)(?![\w@])")
# A bare word that may be a handle (graph tooltips say "alice: 3 posts"); pseudonyms are skipped.
_BARE_WORD = re.compile(r"(?<![\w@-])(?!(?:user|account|post)-[0-9a-f])\w+(?![\w@-])")


def normalise_handle(handle: str) -> str:
    """``@Bob`` → ``bob``: what the archive matches handles by."""
    return handle.strip().lstrip("@").lower()


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> Any:
    """Execute with only the parameters the statement names (DuckDB rejects extra ones)."""
    used = set(re.findall(r"\$(\w+)", sql))
    return con.execute(sql, {k: v for k, v in (params or {}).items() if k in used})


# ---------------------------------------------------------------- pseudonyms


def pseudonym(handle: str, salt: str, prefix: str = "user") -> str:
    """The stable pseudonym of a handle (or of any identifier, with another prefix)."""
    digest = hashlib.sha256(f"{salt}:{normalise_handle(handle)}".encode()).hexdigest()
    return f"{prefix}-{digest[:DIGITS]}"


def archive_salt(con: duckdb.DuckDBPyConnection) -> str:
    """The archive's secret salt (made by migration 003_privacy)."""
    try:
        row = con.execute("select salt from privacy_salt limit 1").fetchone()
    except duckdb.CatalogException:
        row = None
    if row is None:
        raise UsageError(
            "this archive predates pseudonyms (no privacy_salt table); upgrade it by loading into "
            "it once (chatgraph load FILES --db ARCHIVE), then run the command again"
        )
    return row[0]


def pseudonym_sql(expr: str, salt: str, prefix: str = "user") -> str:
    """SQL for the pseudonym of the handle ``expr`` (same value as :func:`pseudonym`)."""
    if not re.fullmatch(r"[0-9a-f]+", salt) or not re.fullmatch(r"\w+", prefix):
        raise ValueError("salt must be hex and prefix a word")
    return (
        f"case when {expr} is null then null else '{prefix}-' || "
        f"left(sha256('{salt}:' || lower(ltrim(trim({expr}), '@'))), {DIGITS}) end"
    )


HANDLE_COLUMNS = {
    "handle", "author_handle", "reply_to_handle", "source_handle", "target_handle", "a_handle",
    "b_handle", "username", "screen_name", "host", "hosts", "account", "author", "source", "target",
    "person_id", "person", "a_person", "b_person", "source_person", "target_person",
}  # fmt: skip
ACCOUNT_ID_COLUMNS = {"author_id", "reply_to_author_id", "account_id", "target_id", "user_id"}
POST_ID_COLUMNS = {
    "post_id", "reply_to_post_id", "retweet_of_post_id", "quote_of_post_id", "conversation_id",
    "newest_id",  # fetch_cursors: the newest post fetched (a Bluesky at-uri names its author's DID)
}  # fmt: skip
NAME_COLUMNS = {"author_name": "author_handle", "display_name": "handle", "name": "handle"}
TEXT_COLUMNS = {"text", "question_text", "title", "label", "tooltip", "raw"}


class Pseudonymizer:
    """Replaces handles, account and post ids, names and @handles in text with stable pseudonyms.

    Other modules call it on what they are about to write::

        p = Pseudonymizer.for_archive(con)
        df = p.frame(df)          # polars DataFrame, columns recognised by name
        g = p.graph(g)            # NetworkX graph: nodes (handles) and their attributes
        html_text = p.text(text)  # free text: every @handle
    """

    def __init__(self, salt: str) -> None:
        self.salt = salt
        self._cache: dict[tuple[str, str], str] = {}

    @classmethod
    def for_archive(cls, con: duckdb.DuckDBPyConnection) -> Pseudonymizer:
        return cls(archive_salt(con))

    def _p(self, value: str, prefix: str) -> str:
        key = (prefix, value)
        out = self._cache.get(key)
        if out is None:
            out = self._cache[key] = pseudonym(value, self.salt, prefix)
        return out

    def handle(self, handle: str | None) -> str | None:
        return None if handle is None or handle == "" else self._p(handle, "user")

    def account_id(self, account_id: str | None) -> str | None:
        if account_id is None or account_id == "":
            return None
        if account_id.startswith("@"):  # accounts known only by handle
            return self.handle(account_id)
        return self._p(account_id, "account")

    def post_id(self, post_id: str | None) -> str | None:
        return None if post_id is None or post_id == "" else self._p(post_id, "post")

    def text(self, text: str | None, known: set[str] | None = None) -> str | None:
        """Every ``@handle`` in the text replaced by ``@user-…``; bare ``known`` handles too."""
        if text is None:
            return text
        if "@" in text:
            text = _AT_HANDLE.sub(lambda m: "@" + self._p(m.group(1), "user"), text)
        if known:

            def bare(m: re.Match[str]) -> str:
                word = m.group(0)
                return self._p(word, "user") if word.lower() in known else word

            text = _BARE_WORD.sub(bare, text)
        return text

    def frame(self, df: Any, columns: dict[str, str] | None = None) -> Any:
        """A polars DataFrame with identifying columns replaced.

        ``columns`` maps a column name to its kind (handle, account_id, post_id, name, text, drop);
        without it, columns are recognised by their names in the public schema.
        """
        import polars as pl

        kinds = columns or self._column_kinds(df.columns)
        known = {
            v.lower()
            for n, k in kinds.items()
            if k == "handle" and df.schema[n] == pl.String
            for v in df[n].unique().to_list()
            if v
        }
        out = []
        for name in df.columns:
            kind = kinds.get(name)
            col = pl.col(name)
            dtype = df.schema[name]
            if kind is None:
                out.append(col)
                continue
            if kind == "drop":
                continue
            if kind == "name":
                pair = NAME_COLUMNS.get(name)
                if pair in df.columns and df.schema[pair] == pl.String:
                    out.append(self._map(pl.col(pair), df[pair], self.handle).alias(name))
                else:
                    out.append(pl.lit(None, dtype=pl.String).alias(name))
                continue
            fn = {
                "handle": self.handle,
                "account_id": self.account_id,
                "post_id": self.post_id,
                "text": lambda t: self.text(t, known),
            }[kind]
            if dtype == pl.String:
                out.append(self._map(col, df[name], fn))
            elif isinstance(dtype, pl.List) and dtype.inner == pl.String:
                out.append(col.list.eval(pl.element().map_elements(fn, return_dtype=pl.String)))
            else:
                out.append(col.cast(pl.String).map_elements(fn, return_dtype=pl.String))
        return df.select(out)

    def _map(self, expr: Any, series: Any, fn: Callable[[str], str | None]) -> Any:
        import polars as pl

        uniques = [v for v in series.unique().to_list() if v is not None]
        mapping = {v: fn(v) for v in uniques}
        return expr.replace_strict(mapping, default=None, return_dtype=pl.String)

    @staticmethod
    def _column_kinds(names: Iterable[str]) -> dict[str, str]:
        names = list(names)
        kinds: dict[str, str] = {}
        for n in names:
            if n in HANDLE_COLUMNS:
                kinds[n] = "handle"
            elif n in ACCOUNT_ID_COLUMNS:
                kinds[n] = "account_id"
            elif n in POST_ID_COLUMNS:
                kinds[n] = "post_id"
            elif n in NAME_COLUMNS:
                kinds[n] = "name"
            elif n in TEXT_COLUMNS or n.endswith("_text"):
                kinds[n] = "text"
        # interactions: source_id is the author's account (elsewhere it is the source file's id)
        if "source_handle" in names and "source_id" in names:
            kinds["source_id"] = "account_id"
        return kinds

    def graph(self, graph: Any) -> Any:
        """A copy of a NetworkX graph with handle nodes and every identifying attribute replaced."""
        import networkx as nx

        handles = {n.lower() for n in graph.nodes if isinstance(n, str)}
        relabel = {n: self.handle(n) for n in graph.nodes if isinstance(n, str)}
        out = nx.relabel_nodes(graph, relabel, copy=True)

        def scrub(attrs: dict) -> None:
            for key, value in list(attrs.items()):
                attrs[key] = self._value(key, value, handles)

        for _, attrs in out.nodes(data=True):
            scrub(attrs)
        for edge in out.edges(data=True):
            scrub(edge[-1])
        scrub(out.graph)
        return out

    def _value(self, key: str, value: Any, handles: set[str]) -> Any:
        if isinstance(value, list | tuple | set):
            return type(value)(self._value(key, v, handles) for v in value)
        if not isinstance(value, str):
            return value
        if key in HANDLE_COLUMNS or value.lower() in handles:
            return self.handle(value)
        if key in ACCOUNT_ID_COLUMNS or key == "source_id":
            return self.account_id(value)
        if key in POST_ID_COLUMNS:
            return self.post_id(value)
        if key in NAME_COLUMNS:
            return None
        return self.text(value, handles)

    def install_sql(self, con: duckdb.DuckDBPyConnection) -> None:
        """SQL functions ``pseudonym(handle)`` and ``pseudonymize_text(text)`` on this connection."""
        from duckdb.sqltypes import VARCHAR

        def handle(h: str | None) -> str | None:
            return self.handle(h)

        def text(t: str | None) -> str | None:
            return self.text(t)

        for name, fn in (("pseudonym", handle), ("pseudonymize_text", text)):
            with contextlib.suppress(duckdb.InvalidInputException):
                con.remove_function(name)
            con.create_function(name, fn, [VARCHAR], VARCHAR, null_handling="special")


@contextmanager
def pseudonymized(
    con: duckdb.DuckDBPyConnection, enabled: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The archive as an in-memory copy with every identifying value replaced (``--pseudonymize``).

    Handles, account ids, post ids and display names become pseudonyms; every ``@handle`` in
    texts too; rejected raw records are dropped and so is the list of forgotten accounts. Code that
    reads the archive (maps, reports, graphs, exports) runs unchanged on the copy, so nothing it
    writes can name anyone. Without ``enabled`` it yields ``con`` itself.
    """
    if not enabled:
        yield con
        return
    p = Pseudonymizer.for_archive(con)
    mem = duckdb.connect(":memory:")
    try:
        p.install_sql(mem)
        tables = con.execute(
            """select table_name from information_schema.tables
               where table_schema = 'main' and table_catalog = current_database()
                 and table_type = 'BASE TABLE' order by table_name"""
        ).fetchall()
        for (table,) in tables:
            if table == "privacy_salt":
                continue
            columns = con.execute(
                """select column_name, data_type from information_schema.columns
                   where table_schema = 'main' and table_catalog = current_database()
                     and table_name = $t order by ordinal_position""",
                {"t": table},
            ).fetchall()
            select, texts = _pseudonymized_columns(table, columns, p.salt)
            where = " where false" if table == "forgotten" else ""
            data = con.sql(f'select {select} from "{table}"{where}').to_arrow_table()
            mem.register("cg_data", data)
            mem.execute(f'create table "{table}" as select * from cg_data')
            mem.unregister("cg_data")
            for column in texts:
                mem.execute(
                    f'update "{table}" set "{column}" = pseudonymize_text("{column}") '
                    f"where contains(\"{column}\", '@')"
                )
        # views (the people layer's) read the copied tables, so they follow as they are; a view
        # on another view waits for it (the catalog lists them by name, not by dependency)
        pending = [
            sql
            for (sql,) in con.execute(
                "select sql from duckdb_views() where not internal and schema_name = 'main' "
                "and database_name = current_database() order by view_name"
            ).fetchall()
        ]
        while pending:
            waiting = []
            for sql in pending:
                try:
                    mem.execute(sql)
                except duckdb.CatalogException:
                    waiting.append(sql)
            if len(waiting) == len(pending):
                mem.execute(waiting[0])  # raises: a view on something that is not there
            pending = waiting
        yield mem
    finally:
        mem.close()


def _pseudonymized_columns(
    table: str, columns: list[tuple[str, str]], salt: str
) -> tuple[str, list[str]]:
    """The select list that pseudonymizes a table's columns in SQL, and its text columns."""
    kinds = Pseudonymizer._column_kinds([c for c, _ in columns])
    names = {c for c, _ in columns}
    out, texts = [], []
    for name, dtype in columns:
        kind = kinds.get(name)
        q = f'"{name}"'
        is_list = dtype.endswith("[]")
        if name in ("raw", "evidence"):  # a link's evidence quotes names and posts
            out.append(f"null::VARCHAR as {q}")
            continue
        if table == "sources" and name == "path":  # a personal archive's folder names its owner
            out.append(f"{pseudonym_sql(q, salt, 'file')} as {q}")
            continue
        if kind is None or (dtype != "VARCHAR" and not is_list):
            out.append(q)
            continue
        if kind == "text":
            out.append(q)
            texts.append(name)
            continue
        if kind == "name":
            pair = NAME_COLUMNS[name]
            value = pseudonym_sql(f'"{pair}"', salt) if pair in names else "null::VARCHAR"
            out.append(f"{value} as {q}")
            continue
        if kind == "account_id":

            def expr(x: str) -> str:
                return (
                    f"case when starts_with({x}, '@') then {pseudonym_sql(x, salt)} "
                    f"else {pseudonym_sql(x, salt, 'account')} end"
                )
        else:
            prefix = "post" if kind == "post_id" else "user"

            def expr(x: str, prefix: str = prefix) -> str:
                return pseudonym_sql(x, salt, prefix)

        value = f"list_transform({q}, lambda h_: {expr('h_')})" if is_list else expr(q)
        out.append(f"{value} as {q}")
    return ", ".join(out), texts


def pseudonymizer(con: duckdb.DuckDBPyConnection, enabled: bool = True) -> Pseudonymizer | None:
    """The archive's pseudonymizer when ``--pseudonymize`` is on, else None (callers skip it)."""
    return Pseudonymizer.for_archive(con) if enabled else None


# ---------------------------------------------------------------- forgetting


@dataclass
class Forgotten:
    """What ``forget`` removed (the summary the command prints)."""

    handle: str
    chat_id: str | None
    accounts: int = 0
    posts: int = 0
    retweets: int = 0
    referenced: int = 0
    mentions: int = 0
    replies_unlinked: int = 0
    texts_scrubbed: int = 0
    interactions: int = 0
    connections: int = 0
    rejects_scrubbed: int = 0


def _text_pattern(handles: Iterable[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(h) for h in sorted(set(handles), key=len, reverse=True))
    return re.compile(rf"(?<![\w@])@(?:{alts})(?:@\w[\w-]*(?:\.[\w-]+)+)?(?![\w@])", re.IGNORECASE)


def _re2_word(handles: Iterable[str]) -> str:
    """An RE2 pattern (for DuckDB) that finds any of the handles as a whole word, any case."""
    alts = "|".join(re.escape(h) for h in sorted(set(handles), key=len, reverse=True))
    return rf"(?i)(^|[^\w])({alts})([^\w]|$)"


def _scrub_texts(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: str,
    where: str,
    handles: list[str],
    params: dict,
) -> int:
    """Replace ``@handle`` by the marker in ``table.text`` for the rows ``where`` selects."""
    pattern = _text_pattern(handles)
    like = " or ".join(f"contains(lower(text), '@' || $h{i})" for i in range(len(handles)))
    hp = {f"h{i}": h for i, h in enumerate(handles)}
    rows = _run(
        con,
        f"select {key}, text from {table} where ({where}) and text is not null and ({like})",
        {**params, **hp},
    ).fetchall()
    changed = [(k, new) for k, old in rows if (new := pattern.sub(MARKER, old)) != old]
    if not changed:
        return 0
    _run(con, "create or replace temp table scrubbed (k VARCHAR, text VARCHAR)")
    con.executemany("insert into scrubbed values (?, ?)", [(str(k), t) for k, t in changed])
    _run(
        con, f"update {table} set text = s.text from scrubbed s where {table}.{key}::VARCHAR = s.k"
    )
    _run(con, "drop table scrubbed")
    return len(changed)


def forget(
    con: duckdb.DuckDBPyConnection,
    handle: str,
    *,
    chat: str | None = None,
    platform: str | None = None,
    refresh: bool = True,
) -> Forgotten:
    """Remove an account and every trace of it (in one chat, or all), and remember the request."""
    h = normalise_handle(handle)
    if not _HANDLE_OK.fullmatch(h):
        raise UsageError(f"{handle!r} is not a handle (letters, digits, _ . - @ only)")
    chat_id = None
    if chat is not None:
        from chatgraph.chats import resolve

        chat_id = resolve(con, chat)
    params = {"chat": chat_id, "platform": platform, "h": h}
    in_chat = "($chat::VARCHAR is null or chat_id = $chat)"
    on_platform = "($platform::VARCHAR is null or platform = $platform)"
    result = Forgotten(handle=h, chat_id=chat_id)
    con.execute("begin")
    try:
        # The account's ids (a handle is mutable: its other handles go too) and all its handles.
        _run(
            con,
            f"""
            create or replace temp table gone_ids as
            select distinct account_id from (
                select account_id from accounts where lower(handle) = $h and {on_platform}
                union all
                select author_id from posts
                where lower(author_handle) = $h and author_id is not null and {on_platform}
                union all
                select author_id from referenced_posts
                where lower(author_handle) = $h and author_id is not null and {on_platform}
            ) where not starts_with(account_id, '@')
            """,
            params,
        )
        _run(
            con,
            f"""
            create or replace temp table gone_handles as
            select distinct lower(handle) as handle from (
                select $h as handle
                union all select handle from accounts
                where account_id in (select account_id from gone_ids) and {on_platform}
                union all select author_handle from posts
                where author_id in (select account_id from gone_ids) and {on_platform}
            ) where handle is not null
            """,
            params,
        )
        handles = [r[0] for r in _run(con, "select handle from gone_handles order by 1").fetchall()]
        ids = [r[0] for r in _run(con, "select account_id from gone_ids order by 1").fetchall()]
        by_them = (
            f"(author_id in (select account_id from gone_ids) "
            f"or lower(author_handle) in (select handle from gone_handles)) and {on_platform}"
        )
        # Their posts in scope, the originals of theirs that posts in scope embed, and retweets of them.
        _run(
            con,
            f"create or replace temp table gone_posts as select post_id, chat_id from posts "
            f"where {by_them} and {in_chat}",
            params,
        )
        _run(
            con,
            f"""
            create or replace temp table gone_refs as
            select post_id from referenced_posts where {by_them}
              and ($chat::VARCHAR is null or post_id in (
                    select unnest([retweet_of_post_id, quote_of_post_id, reply_to_post_id])
                    from posts where chat_id = $chat))
            """,
            params,
        )
        result.posts = _run(con, "select count(*) from gone_posts").fetchone()[0]
        result.retweets = len(
            _run(
                con,
                rf"""
                insert into gone_posts
                select post_id, chat_id from posts
                where {in_chat} and post_id not in (select post_id from gone_posts)
                  and (is_retweet or retweet_of_post_id is not null)
                  and (retweet_of_post_id in (select post_id from gone_posts)
                       or retweet_of_post_id in (select post_id from gone_refs)
                       or lower(regexp_extract(text, '^RT @([\w.-]+):', 1))
                          in (select handle from gone_handles))
                returning 1
                """,
                params,
            ).fetchall()
        )
        result.referenced = _run(con, "select count(*) from gone_refs").fetchone()[0]
        chats_touched = {
            r[0] for r in _run(con, f"select chat_id from chats where {in_chat}", params).fetchall()
        }
        gone = "(select post_id from gone_posts union all select post_id from gone_refs)"
        for table in ("post_sources", "hashtags", "post_threads", "questions"):
            _run(con, f"delete from {table} where post_id in {gone}")
        scope_posts = f"(select post_id from posts where {in_chat})"
        result.mentions = (
            _run(
                con,
                f"""
            delete from mentions where post_id in {gone}
               or ((account_id in (select account_id from gone_ids)
                    or lower(ltrim(handle, '@')) in (select handle from gone_handles))
                   and (post_id in {scope_posts} or $chat::VARCHAR is null))
            returning 1
            """,
                params,
            )
            .fetchall()
            .__len__()
        )
        # interactions and connections are rebuilt by derive.refresh; deleting them here keeps the
        # archive clean even where no interactions module is installed, and gives the counts.
        is_them = (
            "(lower({h}) in (select handle from gone_handles) "
            "or {i} in (select account_id from gone_ids))"
        )
        result.interactions = len(
            _run(
                con,
                f"""delete from interactions where {in_chat} and (post_id in {gone}
                    or {is_them.format(h="source_handle", i="source_id")}
                    or {is_them.format(h="target_handle", i="target_id")}) returning 1""",
                params,
            ).fetchall()
        )
        result.connections = len(
            _run(
                con,
                f"""delete from connections where {in_chat}
                    and (lower(a_handle) in (select handle from gone_handles)
                         or lower(b_handle) in (select handle from gone_handles)) returning 1""",
                params,
            ).fetchall()
        )
        _run(con, f"delete from posts where post_id in {gone}")
        _run(con, f"delete from referenced_posts where post_id in {gone}")
        # Other posts that reply to them keep their place in the thread but no longer name them.
        unlink = (
            "(reply_to_author_id in (select account_id from gone_ids) "
            "or lower(reply_to_handle) in (select handle from gone_handles))"
        )
        result.replies_unlinked = len(
            _run(
                con,
                f"update posts set reply_to_author_id = null, reply_to_handle = null "
                f"where {unlink} and {in_chat} returning 1",
                params,
            ).fetchall()
        )
        _run(
            con,
            f"update referenced_posts set reply_to_author_id = null, reply_to_handle = null where {unlink}",
        )
        result.texts_scrubbed = _scrub_texts(con, "posts", "post_id", in_chat, handles, params)
        result.texts_scrubbed += _scrub_texts(
            con, "referenced_posts", "post_id", "true", handles, params
        )
        # Rejected records keep their number and reason, but not their raw text if it names them.
        result.rejects_scrubbed = len(
            _run(
                con,
                """update rejects set raw = null
                   where raw is not null and regexp_matches(raw, $re)
                     and ($chat::VARCHAR is null
                          or source_id in (select source_id from sources where chat_id = $chat))
                   returning 1""",
                {"re": _re2_word(handles), "chat": chat_id},
            ).fetchall()
        )
        remaining = _run(con, f"select count(*) from posts where {by_them}", params).fetchone()[0]
        if remaining == 0:
            result.accounts = len(
                _run(
                    con,
                    f"""delete from accounts where (account_id in (select account_id from gone_ids)
                        or lower(handle) in (select handle from gone_handles)) and {on_platform}
                        returning 1""",
                    params,
                ).fetchall()
            )
        _run(
            con,
            "insert into forgotten (handle, platform, chat_id, account_ids) values ($h, $p, $c, $ids)",
            {"h": h, "p": platform, "c": chat_id, "ids": ids},
        )
        for t in ("gone_ids", "gone_handles", "gone_posts", "gone_refs"):
            _run(con, f"drop table if exists {t}")
        if refresh and chats_touched:
            from chatgraph import derive

            # Removed posts change sittings, questions and answers already placed: clearing the
            # chats' placements makes derive.refresh rebuild them whole (as `chats set` does).
            _run(
                con,
                "delete from post_threads where chat_id in (select unnest($c::VARCHAR[]))",
                {"c": sorted(chats_touched)},
            )
            derive.refresh(con, sorted(chats_touched))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def forgotten_handles(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, str | None]]:
    """The recorded requests: (handle, platform, chat_id)."""
    return con.execute(
        "select handle, platform, chat_id from forgotten order by requested_at, handle"
    ).fetchall()


def skip_forgotten(con: duckdb.DuckDBPyConnection, chat_id: str) -> int:
    """Inside a load, before archiving: the staged records of forgotten accounts become rejects.

    Their posts (and retweets of them) are rejected without their raw text; the originals of
    theirs that other posts embed are dropped; other posts lose their mentions of them, their reply
    link to them and the ``@handle`` in their text. Returns the number of records rejected.
    """
    rows = con.execute(
        "select handle, account_ids from forgotten where chat_id is null or chat_id = $c",
        {"c": chat_id},
    ).fetchall()
    if not rows:
        return 0
    handles = sorted({r[0] for r in rows})
    ids = sorted({i for r in rows for i in (r[1] or [])})
    con.execute(
        "create or replace temp table fg_handles as select unnest($h::VARCHAR[]) as handle",
        {"h": handles},
    )
    con.execute(
        "create or replace temp table fg_ids as select unnest($i::VARCHAR[]) as account_id",
        {"i": ids},
    )
    theirs = (
        "(lower(author_handle) in (select handle from fg_handles) "
        "or author_id in (select account_id from fg_ids))"
    )
    n_theirs = len(
        con.execute(
            f"""update stage set reject = $why, raw = null
                where reject is null and not referenced and {theirs} returning 1""",
            {"why": FORGOTTEN_REASON},
        ).fetchall()
    )
    n_rts = len(
        con.execute(
            rf"""update stage set reject = $why, raw = null
                where reject is null and not referenced and (is_retweet or retweet_of_post_id is not null)
                  and (retweet_of_post_id in (select post_id from stage where referenced and {theirs})
                       or lower(regexp_extract(text, '^RT @([\w.-]+):', 1)) in (select handle from fg_handles))
                returning 1""",
            {"why": RETWEET_REASON},
        ).fetchall()
    )
    con.execute(f"delete from stage where referenced and {theirs}")
    con.execute(
        """update stage set reply_to_author_id = null, reply_to_handle = null
           where reply_to_author_id in (select account_id from fg_ids)
              or lower(reply_to_handle) in (select handle from fg_handles)"""
    )
    con.execute(
        """update stage set mentions = list_filter(mentions, lambda m:
               not (coalesce(list_contains($h::VARCHAR[], lower(ltrim(m.handle, '@'))), false)
                    or coalesce(list_contains($i::VARCHAR[], m.account_id), false)))
           where reject is null and len(mentions) > 0""",
        {"h": handles, "i": ids},
    )
    con.execute(
        "update stage set raw = null where reject is not null and raw is not null "
        "and regexp_matches(raw, $re)",
        {"re": _re2_word(handles)},
    )
    pattern = _text_pattern(handles)
    like = " or ".join(f"contains(lower(text), '@' || $h{i})" for i in range(len(handles)))
    found = con.execute(
        f"select rowid, text from stage where reject is null and text is not null and ({like})",
        {f"h{i}": h for i, h in enumerate(handles)},
    ).fetchall()
    changed = [(rid, new) for rid, old in found if (new := pattern.sub(MARKER, old)) != old]
    if changed:
        con.execute("create or replace temp table fg_text (rid BIGINT, text VARCHAR)")
        con.executemany("insert into fg_text values (?, ?)", changed)
        con.execute("update stage set text = f.text from fg_text f where stage.rowid = f.rid")
        con.execute("drop table fg_text")
    con.execute("drop table fg_handles")
    con.execute("drop table fg_ids")
    return n_theirs + n_rts
