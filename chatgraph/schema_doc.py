"""The archive's schema as Markdown, generated from a freshly migrated database.

Names and types come from DuckDB itself; the descriptions are written here, next to the code. A test
regenerates the document and compares it with the committed ``docs/schema.md``, so a migration that
adds a table or column fails CI until it is described here and the file regenerated::

    chatgraph schema --output docs/schema.md      # or: python -m chatgraph.schema_doc docs/schema.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from chatgraph.errors import ChatgraphError

_POST_COLUMNS = {
    "post_id": "The platform's own id: a Twitter `id_str`, a Mastodon status `uri`, a Bluesky `at://` uri.",
    "platform": "`twitter`, `mastodon` or `bluesky`; with `post_id` it identifies the post.",
    "chat_id": "The chat the post was loaded into (see `chats`).",
    "created_at": "When the post was published.",
    "author_id": "The author's account id on the platform (see `accounts`).",
    "author_handle": "The author's handle at the time of the post, without `@`.",
    "author_name": "The author's display name at the time of the post.",
    "text": "The full text; for a retweet or boost, the original's text.",
    "lang": "Language code the platform gave the post.",
    "reply_to_post_id": "The post this one replies to.",
    "reply_to_author_id": "The account this one replies to.",
    "reply_to_handle": "The handle this one replies to, without `@`.",
    "retweet_of_post_id": "For a retweet, boost or repost: the original post.",
    "quote_of_post_id": "For a quote: the quoted post.",
    "conversation_id": "The id of the conversation's first post, where the platform gives one.",
    "is_retweet": "True for a retweet, boost or repost.",
    "truncated": "True when only a shortened text was available.",
}

# table -> (what one row is, {column: description})
_INTERACTION_COLUMNS = {
    "post_id": "The post that makes it.",
    "created_at": "When that post was published.",
    "chat_id": "The chat.",
    "session_id": "The post's session, if any.",
    "question": "The post's question thread, if any.",
    "kind": "`reply`, `mention`, `retweet` or `quote`.",
    "source_id": "The author's account id.",
    "source_handle": "The author's handle.",
    "target_id": "The account id of the one replied to, mentioned, retweeted or quoted.",
    "target_handle": "That account's handle.",
}

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "posts": (
        "One row per post an export listed, stored once however often it was loaded.",
        _POST_COLUMNS,
    ),
    "referenced_posts": (
        "Originals that only came embedded in the chat's posts (the retweeted, quoted or replied-to "
        "post); same columns as `posts`, but not the chat's posts.",
        {**_POST_COLUMNS, "chat_id": "Always null: embedded originals belong to no chat."},
    ),
    "accounts": (
        "One row per account seen as an author or mentioned.",
        {
            "account_id": "The platform's account id.",
            "platform": "`twitter`, `mastodon` or `bluesky`.",
            "handle": "The latest handle seen, without `@`.",
            "display_name": "The latest display name seen.",
            "first_seen_at": "The time of the earliest post that shows the account.",
            "last_seen_at": "The time of the latest post that shows the account.",
        },
    ),
    "mentions": (
        "One row per account @-mentioned in a post's own text.",
        {
            "post_id": "The mentioning post.",
            "account_id": "The mentioned account's id, where the export gives it.",
            "handle": "The mentioned handle, without `@`.",
        },
    ),
    "hashtags": (
        "One row per hashtag a post carries.",
        {"post_id": "The post.", "tag": "The hashtag, lower-cased, without `#`."},
    ),
    "sources": (
        "One row per export file loaded.",
        {
            "source_id": "Number of the load, in order.",
            "path": "The file as given to `load` (`archive.zip!member` inside a zip).",
            "sha256": "SHA-256 of the file's bytes; the same file is never loaded twice.",
            "bytes": "Size of the file; NULL for files loaded before chatgraph recorded it.",
            "format": "The export format it was read as.",
            "chat_id": "The chat its posts were filed under.",
            "loaded_at": "When it was loaded.",
            "records": "Records read from the file.",
            "inserted": "Posts it added to the archive.",
            "duplicates": "Posts it held that the archive already had.",
            "rejected": "Records it held that could not be read (see `rejects`).",
        },
    ),
    "post_sources": (
        "Which source file(s) each post came from.",
        {
            "post_id": "The post.",
            "source_id": "The file (see `sources`).",
            "record_no": "The record's number in that file, from 1.",
        },
    ),
    "rejects": (
        "One row per record that could not be read, never dropped silently.",
        {
            "source_id": "The file (see `sources`).",
            "record_no": "The record's number in that file, from 1.",
            "reason": "Why it was rejected.",
            "raw": "The record as it was in the file.",
        },
    ),
    "chats": (
        "One row per chat: a named archive of one community's posts.",
        {
            "chat_id": "The chat's name, by default its hashtag lower-cased without `#`.",
            "hashtag": "The chat's hashtag, without `#`.",
            "timezone": "IANA time zone of its schedule; dates and years are counted in it (UTC if null).",
            "weekday": "Day of the week it meets (ISO: 1 = Monday … 7 = Sunday), if scheduled.",
            "start_time": "Local start time of a session, if scheduled.",
            "duration_minutes": "Length of a session, if scheduled.",
            "question_prefixes": "Letters that open a question post (`Q`, `T`, …).",
            "hosts": "Handles of the accounts that post the questions.",
            "created_at": "When the chat was first loaded.",
            "mastodon_instances": "Mastodon servers `fetch --chat` reads the chat's tag timeline from "
            "(`https://…`).",
            "mastodon_tag": "The hashtag `fetch --chat` asks Mastodon for, without `#` (null: `hashtag`).",
            "bluesky_tag": "The hashtag `fetch --chat` searches Bluesky for, without `#` (null: none).",
            "bluesky_service": "The Bluesky API server to search (null: `https://public.api.bsky.app`).",
        },
    ),
    "fetch_cursors": (
        "One row per chat, platform, server and hashtag `fetch` has read: how far it got, so that "
        "the next fetch asks only for newer posts. Written in the transaction that loads the "
        "fetched posts. No credentials are stored.",
        {
            "chat_id": "The chat the posts were loaded into.",
            "platform": "`mastodon` or `bluesky`.",
            "instance": "The server asked, as a URL (`https://mastodon.social`, `https://public.api.bsky.app`).",
            "tag": "The hashtag asked for, lower-cased, without `#`.",
            "newest_id": "The newest post fetched: a Mastodon status id of that server (the next fetch "
            "asks for `since_id` it), or a Bluesky `at://` uri.",
            "newest_at": "When that newest post was published (Bluesky: its sort time, `since` of the next search).",
            "source_id": "The file of the last fetch that brought posts (see `sources`).",
            "fetches": "How many fetches brought posts from there.",
            "posts": "Posts those fetches added to the archive.",
            "fetched_at": "When the last fetch that brought posts was loaded.",
        },
    ),
    "sessions": (
        "One row per sitting of a chat (a scheduled window or a dense burst of posts).",
        {
            "session_id": "The session's id.",
            "chat_id": "The chat.",
            "starts_at": "Start of the session.",
            "ends_at": "End of the session.",
            "local_date": "Its date in the chat's time zone.",
            "posts": "Posts in the session.",
            "participants": "Accounts that wrote at least one of its posts.",
        },
    ),
    "questions": (
        "One row per question post of a session (Q1, T2, …).",
        {
            "session_id": "The session.",
            "number": "The question's number.",
            "post_id": "The host's post that asked it.",
            "asked_at": "When it was asked.",
            "text": "The question's text.",
        },
    ),
    "post_threads": (
        "The question thread of every post of a chat.",
        {
            "post_id": "The post.",
            "chat_id": "The chat.",
            "session_id": "Its session; null for a post between sessions.",
            "question": "The question it answers; 0 before the first question.",
            "method": "The rule that assigned it: `question` (it opens the question), `tag` (an "
            "answer tag such as A1), `reply`, `retweet`, `quote`, `time` (the latest question "
            "before it) or `none` (in no session).",
        },
    ),
    "interactions": (
        "One row per directed interaction a post makes: reply, mention, retweet or quote.",
        _INTERACTION_COLUMNS,
    ),
    "connections": (
        "One row per unordered pair of accounts with at least one reply, mention or quote between "
        "them in a chat (retweets alone do not connect).",
        {
            "chat_id": "The chat.",
            "a_handle": "One account of the pair (the pair is stored once, a < b).",
            "b_handle": "The other account.",
            "first_seen_at": "The time of their earliest interaction.",
            "first_year": "Its year in the chat's time zone: the pair is a new connection of that year.",
            "interactions": "Replies, mentions and quotes between them, both ways.",
        },
    ),
    "person_accounts": (
        "One row per account linked to a person (`chatgraph people`): the accounts one person used "
        "across platforms. An account in no row is its own person, its person id its handle, so "
        "with no links every person-level view equals its account-level table.",
        {
            "person_id": "The person: the handle of the first account linked (or the name given "
            "with `--person`); lower-cased.",
            "platform": "The account's platform: `twitter`, `mastodon` or `bluesky`.",
            "handle": "The account's handle, lower-cased as in `interactions` and `connections` "
            "(Twitter screen name, Mastodon `user@instance`, Bluesky handle).",
            "account_id": "The account's id on its platform (Twitter user id, Mastodon acct, "
            "Bluesky DID).",
            "origin": "Where the link came from: `declared` (`people link`), `file` (`people "
            "load`), `suggested` (a suggestion accepted with `people suggest --accept`).",
            "evidence": "Why: the people file's path, or the accepted suggestion's score and "
            "evidence; null for a declared link.",
            "linked_at": "When the link was made.",
        },
    ),
    "person_interactions": (
        "View: `interactions` with each side's person. An interaction between two accounts of one "
        "person is left out (like a reply to oneself).",
        {
            **_INTERACTION_COLUMNS,
            "source_person": "The author's person (`person_accounts.person_id`, else the handle).",
            "target_person": "The other side's person.",
        },
    ),
    "person_connections": (
        "View: one row per unordered pair of people with at least one reply, mention or quote "
        "between them in a chat; the person-level `connections`. Its `first_year` counts the new "
        "connections of a year between people, so a pair who met on Twitter is not new again on "
        "Mastodon once their accounts are linked.",
        {
            "chat_id": "The chat.",
            "a_person": "One person of the pair (stored once, a < b).",
            "b_person": "The other person.",
            "first_seen_at": "The time of their earliest interaction, from any of their accounts.",
            "first_year": "Its year in the chat's time zone: the pair is a new connection of that "
            "year.",
            "interactions": "Replies, mentions and quotes between them, both ways.",
        },
    ),
}

# Tables kept out of the documentation and the Parquet export, and why.
INTERNAL: dict[str, str] = {
    "schema_migrations": "the migrations applied to this archive",
    "chat_inference": "the schedule, prefixes and hosts chatgraph inferred for each chat",
    "forgotten": "who asked to be forgotten (exporting it would undo the point)",
    "privacy_salt": "the archive's secret salt",
}


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The archive's tables and views, by name."""
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_catalog = current_database() order by table_name"
        ).fetchall()
    ]


def public_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The documented public tables this archive holds, in the order of the documentation."""
    present = set(tables(con))
    return [t for t in TABLES if t in present]


def undescribed(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and ``table.column``s of the archive that have no description here."""
    missing = [t for t in tables(con) if t not in TABLES and t not in INTERNAL]
    for table in public_tables(con):
        for column, _, _ in _columns(con, table):
            if column not in TABLES[table][1]:
                missing.append(f"{table}.{column}")
    return missing


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, bool]]:
    return [
        (name, dtype, nullable == "YES")
        for name, dtype, nullable in con.execute(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_schema = 'main' and table_name = $t order by ordinal_position",
            {"t": table},
        ).fetchall()
    ]


def generate(con: duckdb.DuckDBPyConnection | None = None) -> str:
    """The schema document of ``con`` (default: a fresh archive migrated by this code)."""
    from chatgraph import db as dbmod

    own = con is None
    con = con or dbmod.connect(":memory:")
    try:
        migrations = (
            [
                r[0]
                for r in con.execute("select name from schema_migrations order by name").fetchall()
            ]
            if "schema_migrations" in tables(con)
            else []
        )
        out = [
            "# The archive schema",
            "",
            "<!-- Generated from the database by `chatgraph schema --output docs/schema.md`;",
            "     edit the descriptions in chatgraph/schema_doc.py, not this file. -->",
            "",
            "These tables are the public contract of a chatgraph archive: `chatgraph sql`, the named",
            "queries in `queries/`, the maps and `chatgraph export` all read them. Times are",
            "`TIMESTAMPTZ` (UTC instants); dates and years are counted in the chat's time zone.",
            f"Migrations: {', '.join(f'`{m}`' for m in migrations)}.",
            "",
        ]
        names = public_tables(con) + [
            t for t in tables(con) if t not in TABLES and t not in INTERNAL
        ]
        for table in names:
            what, described = TABLES.get(table, ("(not yet described)", {}))
            out += [f"## {table}", "", what, "", "| column | type | description |", "|---|---|---|"]
            for column, dtype, nullable in _columns(con, table):
                note = described.get(column, "(not yet described)")
                null = "" if nullable else " not null"
                out.append(f"| `{column}` | {dtype}{null} | {note} |")
            out.append("")
        internal = [t for t in tables(con) if t in INTERNAL]
        if internal:
            out += ["## Internal tables", "", "Not part of the contract and not exported:", ""]
            out += [f"- `{t}`: {INTERNAL[t]}." for t in internal]
            out.append("")
        return "\n".join(out)
    finally:
        if own:
            con.close()


def write(path: Path) -> Path:
    """Write the schema document of this code's migrations to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m chatgraph.schema_doc docs/schema.md", file=sys.stderr)
        return 2
    try:
        write(Path(args[0]))
    except (OSError, ChatgraphError) as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
