"""Open an archive and keep its schema current with named migrations."""

from __future__ import annotations

import functools
import os
import re
import time
from pathlib import Path

import duckdb

from chatgraph.errors import ArchiveBusy, ChatgraphError

DEFAULT_DB = "chatgraph.duckdb"

# Columns shared by `posts` and `referenced_posts` (DESIGN.md's public schema plus a few extras).
POST_COLUMNS = """
    post_id            VARCHAR NOT NULL,
    platform           VARCHAR NOT NULL,
    chat_id            VARCHAR,
    created_at         TIMESTAMPTZ,
    author_id          VARCHAR,
    author_handle      VARCHAR,
    author_name        VARCHAR,
    text               VARCHAR,
    lang               VARCHAR,
    reply_to_post_id   VARCHAR,
    reply_to_author_id VARCHAR,
    reply_to_handle    VARCHAR,
    retweet_of_post_id VARCHAR,
    quote_of_post_id   VARCHAR,
    conversation_id    VARCHAR,
    is_retweet         BOOLEAN NOT NULL DEFAULT false,
    truncated          BOOLEAN NOT NULL DEFAULT false
"""

# Each migration runs once, in order, inside the transaction that records it.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_archive",
        f"""
        create sequence source_ids start 1;
        create table sources (
            source_id  INTEGER PRIMARY KEY DEFAULT nextval('source_ids'),
            path       VARCHAR NOT NULL,
            sha256     VARCHAR NOT NULL,
            format     VARCHAR NOT NULL,
            chat_id    VARCHAR,
            loaded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            records    BIGINT NOT NULL,
            inserted   BIGINT NOT NULL,
            duplicates BIGINT NOT NULL,
            rejected   BIGINT NOT NULL
        );
        create table posts ({POST_COLUMNS});
        create table referenced_posts ({POST_COLUMNS});
        create table post_sources (post_id VARCHAR NOT NULL, source_id INTEGER NOT NULL, record_no BIGINT);
        create table accounts (
            account_id    VARCHAR NOT NULL,
            platform      VARCHAR NOT NULL,
            handle        VARCHAR,
            display_name  VARCHAR,
            first_seen_at TIMESTAMPTZ,
            last_seen_at  TIMESTAMPTZ
        );
        create table mentions (post_id VARCHAR NOT NULL, account_id VARCHAR, handle VARCHAR NOT NULL);
        create table hashtags (post_id VARCHAR NOT NULL, tag VARCHAR NOT NULL);
        create table rejects (source_id INTEGER NOT NULL, record_no BIGINT, reason VARCHAR NOT NULL, raw VARCHAR);
        create table chats (
            chat_id           VARCHAR PRIMARY KEY,
            hashtag           VARCHAR,
            timezone          VARCHAR,
            weekday           INTEGER,
            start_time        TIME,
            duration_minutes  INTEGER,
            question_prefixes VARCHAR[],
            hosts             VARCHAR[],
            created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        create table sessions (
            session_id   VARCHAR NOT NULL,
            chat_id      VARCHAR NOT NULL,
            starts_at    TIMESTAMPTZ NOT NULL,
            ends_at      TIMESTAMPTZ NOT NULL,
            local_date   DATE NOT NULL,
            posts        BIGINT NOT NULL,
            participants BIGINT NOT NULL
        );
        create table questions (
            session_id VARCHAR NOT NULL,
            number     INTEGER NOT NULL,
            post_id    VARCHAR NOT NULL,
            asked_at   TIMESTAMPTZ NOT NULL,
            text       VARCHAR
        );
        create table post_threads (
            post_id    VARCHAR NOT NULL,
            chat_id    VARCHAR NOT NULL,
            session_id VARCHAR,
            question   INTEGER,
            method     VARCHAR
        );
        create table interactions (
            post_id       VARCHAR NOT NULL,
            created_at    TIMESTAMPTZ,
            chat_id       VARCHAR NOT NULL,
            session_id    VARCHAR,
            question      INTEGER,
            kind          VARCHAR NOT NULL,
            source_id     VARCHAR,
            source_handle VARCHAR NOT NULL,
            target_id     VARCHAR,
            target_handle VARCHAR NOT NULL
        );
        create table connections (
            chat_id       VARCHAR NOT NULL,
            a_handle      VARCHAR NOT NULL,
            b_handle      VARCHAR NOT NULL,
            first_seen_at TIMESTAMPTZ NOT NULL,
            first_year    INTEGER NOT NULL,
            interactions  BIGINT NOT NULL
        );
        """,
    ),
    (
        # What sessions/threads read off the posts when chats leaves it unset (shown by `chats`).
        "002_chat_inference",
        """
        create table chat_inference (
            chat_id           VARCHAR PRIMARY KEY,
            mode              VARCHAR,
            timezone          VARCHAR,
            weekday           INTEGER,
            start_time        TIME,
            duration_minutes  INTEGER,
            question_prefixes VARCHAR[],
            hosts             VARCHAR[],
            updated_at        TIMESTAMPTZ
        );
        """,
    ),
    (
        "003_privacy",
        """
        create table forgotten (
            handle       VARCHAR NOT NULL,
            platform     VARCHAR,
            chat_id      VARCHAR,
            requested_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            account_ids  VARCHAR[]
        );
        create table privacy_salt (salt VARCHAR NOT NULL);
        insert into privacy_salt
        select replace(gen_random_uuid()::VARCHAR, '-', '') || replace(gen_random_uuid()::VARCHAR, '-', '');
        """,
    ),
    (
        # A file's size says, before its hash is known, whether it can be one already loaded.
        "004_source_bytes",
        "alter table sources add column bytes BIGINT;",
    ),
    (
        # `fetch`: where a chat lives on Mastodon and Bluesky, and how far each place was read.
        "005_fetch",
        """
        alter table chats add column mastodon_instances VARCHAR[];
        alter table chats add column mastodon_tag VARCHAR;
        alter table chats add column bluesky_tag VARCHAR;
        alter table chats add column bluesky_service VARCHAR;
        create table fetch_cursors (
            chat_id    VARCHAR NOT NULL,
            platform   VARCHAR NOT NULL,
            instance   VARCHAR NOT NULL,
            tag        VARCHAR NOT NULL,
            newest_id  VARCHAR,
            newest_at  TIMESTAMPTZ,
            source_id  INTEGER,
            fetches    INTEGER NOT NULL,
            posts      BIGINT NOT NULL,
            fetched_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (chat_id, platform, instance, tag)
        );
        """,
    ),
    (
        # One person's accounts across platforms (issue 16). An account in no row is its own
        # person, named by its handle, so with no links the person-level views equal the
        # account-level tables. Views, not tables: a load or a link is reflected at once.
        "006_people",
        """
        create table person_accounts (
            person_id  VARCHAR NOT NULL,
            platform   VARCHAR NOT NULL,
            handle     VARCHAR NOT NULL,
            account_id VARCHAR,
            origin     VARCHAR NOT NULL,
            evidence   VARCHAR,
            linked_at  TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        create view person_interactions as
        select * from (
            select i.post_id, i.created_at, i.chat_id, i.session_id, i.question, i.kind,
                   i.source_id, i.source_handle, i.target_id, i.target_handle,
                   coalesce(s.person_id, i.source_handle) as source_person,
                   coalesce(t.person_id, i.target_handle) as target_person
            from interactions i
            left join person_accounts s on s.handle = i.source_handle
            left join person_accounts t on t.handle = i.target_handle
        ) where source_person <> target_person;
        create view person_connections as
        select p.chat_id, p.a_person, p.b_person, p.first_seen_at,
               year(timezone(coalesce(c.timezone, 'UTC'), p.first_seen_at))::INTEGER as first_year,
               p.interactions
        from (
            select chat_id, least(source_person, target_person) as a_person,
                   greatest(source_person, target_person) as b_person,
                   min(created_at) as first_seen_at, count(*) as interactions
            from person_interactions
            where kind in ('reply', 'mention', 'quote') and created_at is not null
            group by all
        ) p
        left join chats c using (chat_id);
        """,
    ),
]


def default_db_path() -> Path:
    return Path(os.environ.get("CHATGRAPH_DB") or DEFAULT_DB)


_LOCK_RE = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = 30.0,
) -> duckdb.DuckDBPyConnection:
    """Open (and migrate) an archive. ``":memory:"`` gives a fresh in-memory one.

    A second writer waits up to ``wait_seconds`` for the first to finish, then fails with one line.
    """
    target = str(path if path is not None else default_db_path())
    if target != ":memory:":
        if read_only and not Path(target).exists():
            raise ChatgraphError(
                f"{target}: no archive here; load some exports first (chatgraph load FILES --db {target})"
            )
        if not read_only:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(target, read_only=read_only)
            break
        except duckdb.IOException as e:
            m = _LOCK_RE.search(str(e))
            if not m:
                raise ChatgraphError(f"{target}: cannot open the archive: {e}") from e
            if time.monotonic() >= deadline:
                raise ArchiveBusy(
                    f"{target}: the archive is in use by another process (PID {m.group(2)}); "
                    "wait for it to finish and run the command again"
                ) from e
            time.sleep(0.2)
    if not read_only:
        migrate(con)
    return con


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    con.execute(
        "create table if not exists schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    return [
        r[0] for r in con.execute("select name from schema_migrations order by name").fetchall()
    ]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied now."""
    done = set(applied_migrations(con))
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        con.execute("begin")
        try:
            con.execute(sql)
            con.execute("insert into schema_migrations (name) values ($name)", {"name": name})
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        applied.append(name)
    return applied


def has_temp_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether this connection has the temp table ``name`` (one step of a refresh left it)."""
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where table_name = $n and temporary", {"n": name}
        ).fetchone()[0]
    )


@functools.cache
def _default_memory_limit() -> str:
    with duckdb.connect() as fresh:
        return fresh.execute("select current_setting('memory_limit')").fetchone()[0]


def release_cache(con: duckdb.DuckDBPyConnection) -> None:
    """Let DuckDB drop its cache of the archive's blocks (they are on disk, and in the OS's cache).

    Called after each file a load commits, so that loading many files holds about one file's
    memory rather than the archive's: the cache grew 24 MB per 300k posts, and dropping it took
    the peak of a 3M-post load from 925 MB to 827 MB. Lowering the memory limit makes DuckDB evict
    what is not in use, and RESET puts the default back. A limit somebody chose is left alone (it
    reads back only to one decimal, so it could not be put back exactly).
    """
    if (
        con.execute("select current_setting('memory_limit')").fetchone()[0]
        != _default_memory_limit()
    ):
        return
    try:
        con.execute("set memory_limit = '32MB'")
    except duckdb.Error:
        pass  # something holds more than that: leave the cache be
    finally:
        con.execute("reset memory_limit")
