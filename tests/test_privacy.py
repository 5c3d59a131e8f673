"""forget: an account and every trace of it go, and later loads skip it; pseudonyms for sharing."""

from __future__ import annotations

import re

import networkx as nx
import polars as pl
import pytest
import synth
from synth import tweet

from chatgraph import privacy
from chatgraph.cli import app
from chatgraph.errors import UsageError


def chat_records() -> list[dict]:
    q1 = tweet(101, "Alice", "Q1 what helps you cope? #hcldr", minutes=0)
    return [
        q1,
        tweet(102, "bob", "A1 talking to @Alice helps #hcldr", minutes=1),
        tweet(103, "carol", "@alice agreed, and @bob too #hcldr", minutes=2, reply_to=q1),
        tweet(104, "dave", "", minutes=3, retweet_of=q1),
        tweet(105, "erin", "so true #hcldr", minutes=4, quote_of=q1),
        tweet(106, "alice", "A1 thanks @bob #hcldr", minutes=5),
        tweet(107, "bob", "A1 @carol and @alicesmith rock, mail bob@alice.com #hcldr", minutes=6),
        tweet(108, "carol", "RT @alice: Q1 what helps you cope? #hcldr", minutes=7),
        tweet(109, "alicesmith", "A1 hello @ALICE. #hcldr", minutes=8),
    ]


def traces(db, handle: str = "alice") -> dict[str, int]:
    """Rows anywhere in the archive that still name the handle."""
    word = rf"(?i)(^|[^\w@])@{handle}([^\w]|$)"
    q = {
        "posts": f"select count(*) from posts where lower(author_handle) = '{handle}' or regexp_matches(text, '{word}') or lower(reply_to_handle) = '{handle}'",
        "referenced_posts": f"select count(*) from referenced_posts where lower(author_handle) = '{handle}' or regexp_matches(text, '{word}')",
        "accounts": f"select count(*) from accounts where lower(handle) = '{handle}'",
        "mentions": f"select count(*) from mentions where lower(handle) = '{handle}'",
        "interactions": f"select count(*) from interactions where '{handle}' in (lower(source_handle), lower(target_handle))",
        "connections": f"select count(*) from connections where '{handle}' in (lower(a_handle), lower(b_handle))",
        "rejects": f"select count(*) from rejects where regexp_matches(raw, '{word}')",
    }  # fmt: skip
    return {k: db.execute(sql).fetchone()[0] for k, sql in q.items()}


NONE = dict.fromkeys(
    ["posts", "referenced_posts", "accounts", "mentions", "interactions", "connections", "rejects"],
    0,
)


@pytest.fixture
def chat(db, load, tmp_path):
    (r,) = load(synth.write_jsonl(tmp_path / "chat.jsonl", chat_records()))
    assert (r.error, r.chat_id, r.records, r.inserted) == (None, "hcldr", 9, 9)
    return db


def texts(db) -> dict[int, str]:
    return {int(k): v for k, v in db.execute("select post_id, text from posts").fetchall()}


def test_forget_removes_every_trace(chat):
    db = chat
    assert traces(db)["posts"] == 6  # 101, 106 by alice; 102, 103, 108, 109 name her
    done = privacy.forget(db, "@ALICE")
    assert (done.posts, done.retweets, done.referenced, done.accounts) == (2, 2, 1, 1)
    assert traces(db) == NONE
    assert sorted(texts(db)) == [102, 103, 105, 107, 109]
    assert texts(db)[102] == "A1 talking to @[removed] helps #hcldr"
    assert texts(db)[103] == "@[removed] agreed, and @bob too #hcldr"
    # a longer handle and an e-mail address are not the account
    assert texts(db)[107] == "A1 @carol and @alicesmith rock, mail bob@alice.com #hcldr"
    assert texts(db)[109] == "A1 hello @[removed]. #hcldr"
    assert db.execute(
        "select reply_to_post_id, reply_to_handle from posts where post_id = '103'"
    ).fetchone() == ("101", None)
    assert db.execute("select handle, platform, chat_id from forgotten").fetchall() == [
        ("alice", None, None)
    ]
    for table in ("post_sources", "hashtags", "mentions", "post_threads", "interactions"):
        orphans = db.execute(
            f"select count(*) from {table} where post_id in ('101', '104', '106', '108')"
        )
        assert orphans.fetchone()[0] == 0, table
    # the rest is intact: bob's mention of carol, alicesmith's account
    assert (
        db.execute(
            "select count(*) from mentions where handle in ('carol', 'alicesmith')"
        ).fetchone()[0]
        == 2
    )
    assert (
        db.execute("select count(*) from accounts where handle = 'alicesmith'").fetchone()[0] == 1
    )


def test_later_loads_skip_a_forgotten_account(chat, load, tmp_path):
    db = chat
    privacy.forget(db, "alice")
    old = tweet(201, "alice", "A2 I am back #hcldr", minutes=20)
    later = [
        old,
        tweet(202, "frank", "A2 welcome back @alice! #hcldr", minutes=21, reply_to=old),
        tweet(203, "frank", "", minutes=22, retweet_of=old),
        tweet(204, "frank", "A2 quiet week #hcldr", minutes=23),
        tweet(205, "gina", "quoting #hcldr", minutes=24, quote_of=old),
    ]
    (r,) = load(synth.write_jsonl(tmp_path / "later.jsonl", later))
    assert (r.error, r.records, r.inserted, r.duplicates, r.rejected) == (None, 5, 3, 0, 2)
    assert db.execute(
        "select record_no, reason, raw from rejects where source_id = $s order by record_no",
        {"s": r.source_id},
    ).fetchall() == [
        (1, privacy.FORGOTTEN_REASON, None),
        (3, privacy.RETWEET_REASON, None),
    ]
    assert texts(db)[202] == "A2 welcome back @[removed]! #hcldr"
    assert traces(db) == NONE


def test_forget_in_one_chat_keeps_the_other(db, load, tmp_path):
    load(synth.write_jsonl(tmp_path / "a.jsonl", chat_records()))
    other = [
        tweet(301, "alice", "hi @bob #other", minutes=60),
        tweet(302, "bob", "hi @alice #other", minutes=61),
    ]
    load(synth.write_jsonl(tmp_path / "b.jsonl", other))
    done = privacy.forget(db, "alice", chat="#HCLDR")
    assert (done.chat_id, done.posts, done.accounts) == ("hcldr", 2, 0)
    by_chat = db.execute(
        "select chat_id, count(*) from posts where lower(author_handle) = 'alice' group by 1"
    ).fetchall()
    assert by_chat == [("other", 1)]
    assert texts(db)[302] == "hi @alice #other"
    assert texts(db)[102] == "A1 talking to @[removed] helps #hcldr"
    assert (
        db.execute(
            "select count(*) from interactions where chat_id = 'other' and 'alice' in (source_handle, target_handle)"
        ).fetchone()[0]
        >= 1
    )


def test_forget_rejects_a_bad_handle_and_an_unknown_chat(chat):
    with pytest.raises(UsageError, match=r"^'a b' is not a handle"):
        privacy.forget(chat, "a b")
    with pytest.raises(UsageError, match=r"^no chat named 'nope'"):
        privacy.forget(chat, "alice", chat="nope")
    assert chat.execute("select count(*) from forgotten").fetchone()[0] == 0


def test_forget_command_asks_first(runner, tmp_path):
    path = synth.write_jsonl(tmp_path / "chat.jsonl", chat_records())
    db = tmp_path / "a.duckdb"
    assert runner.invoke(app, ["load", str(path), "--db", str(db)]).exit_code == 0
    no = runner.invoke(app, ["forget", "alice", "--db", str(db)], input="n\n")
    assert no.exit_code == 1
    assert "Remove @alice" in no.output
    yes = runner.invoke(app, ["forget", "@alice", "--db", str(db), "--yes"])
    assert yes.exit_code == 0, yes.output
    assert yes.output.splitlines()[0] == (
        "Forgot @alice in all chats: 2 posts, 2 retweets of them, 1 embedded original, "
        "1 account; 4 mentions removed, 1 reply unlinked, 3 texts scrubbed."
    )


# ---------------------------------------------------------------- pseudonyms


def test_pseudonym_is_stable_salted_and_case_blind():
    p = privacy.pseudonym("Alice", "ab12")
    assert p == privacy.pseudonym("@alice", "ab12")
    assert p != privacy.pseudonym("alice", "ab13")
    assert p.startswith("user-") and len(p) == 5 + privacy.DIGITS
    assert p == "user-" + __import__("hashlib").sha256(b"ab12:alice").hexdigest()[:10]


def test_pseudonym_sql_matches_python(db):
    salt = privacy.archive_salt(db)
    assert len(salt) == 64
    got = db.execute(f"select {privacy.pseudonym_sql('$h', salt)}", {"h": "@Bob"}).fetchone()[0]
    assert got == privacy.pseudonym("bob", salt)


def test_pseudonymizer_text_frame_graph():
    p = privacy.Pseudonymizer("00ff")
    bob, carol = p.handle("bob"), p.handle("carol")
    assert p.text("A1 @Bob and @carol, mail me@x.org, @bob@mastodon.social") == (
        f"A1 @{bob} and @{carol}, mail me@x.org, @{p.handle('bob@mastodon.social')}"
    )
    df = pl.DataFrame(
        {
            "post_id": ["1", "2"],
            "author_handle": ["bob", "carol"],
            "author_name": ["Bob B", None],
            "author_id": ["11", "12"],
            "text": ["hi @carol", "hey"],
            "kind": ["mention", "reply"],
        }
    )
    out = p.frame(df)
    assert out.columns == df.columns
    assert out.to_dicts()[0] == {
        "post_id": p.post_id("1"),
        "author_handle": bob,
        "author_name": bob,
        "author_id": p.account_id("11"),
        "text": f"hi @{carol}",
        "kind": "mention",
    }
    g = nx.DiGraph()
    g.add_node("bob", title="bob: hi @carol", posts=3)
    g.add_edge("bob", "carol", kind="mention", weight=2)
    h = p.graph(g)
    assert sorted(h.nodes) == sorted([bob, carol])
    assert h.nodes[bob] == {"title": f"{bob}: hi @{carol}", "posts": 3}
    assert h.edges[bob, carol] == {"kind": "mention", "weight": 2}


# ---------------------------------------------------------------- --pseudonymize on every output

PEOPLE = re.compile(r"\b(alice|bob|carol|dave|erin|alicesmith)\b", re.IGNORECASE)


def leaks(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in PEOPLE.finditer(text)})


@pytest.fixture
def shared_archive(tmp_path, runner):
    records = [r for r in chat_records() if r["id_str"] != "107"]  # 107 holds an e-mail address
    records += [synth.v1_tweet(i, users=10) for i in range(0, 1200, 20)]  # a sitting of 40 minutes
    path = synth.write_jsonl(tmp_path / "chat.jsonl", records)
    db = tmp_path / "a.duckdb"
    result = runner.invoke(app, ["load", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def test_pseudonymized_copy_names_nobody(shared_archive):
    from chatgraph import db as dbmod

    con = dbmod.connect(shared_archive, read_only=True)
    salt = privacy.archive_salt(con)
    with privacy.pseudonymized(con) as copy:
        tables = [
            r[0]
            for r in copy.execute("select table_name from information_schema.tables").fetchall()
        ]
        assert "privacy_salt" not in tables and "posts" in tables
        for table in tables:
            dump = repr(copy.execute(f'select columns(*)::VARCHAR from "{table}"').fetchall())
            assert leaks(dump) == [], table
        bob = privacy.pseudonym("bob", salt)
        assert copy.execute(
            "select author_handle, author_name, text from posts where author_handle = $b order by text",
            {"b": bob},
        ).fetchall() == [
            (bob, bob, f"A1 talking to @{privacy.pseudonym('alice', salt)} helps #hcldr"),
        ]
        path = copy.execute("select path from sources").fetchone()[0]
        assert path == privacy.pseudonym(str(shared_archive.parent / "chat.jsonl"), salt, "file")
        # the same counts as the archive itself: nothing dropped but raw rejects and the salt
        for table in ("posts", "interactions", "connections", "mentions", "accounts"):
            n = con.execute(f"select count(*) from {table}").fetchone()[0]
            assert copy.execute(f"select count(*) from {table}").fetchone()[0] == n, table
    con.close()


def test_every_output_pseudonymized(shared_archive, runner, tmp_path):
    db = str(shared_archive)
    out = tmp_path / "out"
    out.mkdir()
    session = runner.invoke(
        app, ["sql", "select session_id from sessions limit 1", "--db", db, "--format", "csv"]
    )
    session_id = session.stdout.strip().splitlines()[1]
    commands = [
        ["map", "--output", str(out / "map.html")],
        ["report", "--output", str(out / "report.html")],
        ["graph", "--output", str(out / "g.gexf")],
        ["graph", "--output", str(out / "g.csv")],
        ["transcript", session_id, "--format", "html", "--output", str(out / "t.html")],
        ["export", "--output", str(out / "parquet")],
    ]
    for args in commands:
        plain = runner.invoke(
            app, [*args, "--db", db, *(["--overwrite"] if args[0] == "export" else [])]
        )
        assert plain.exit_code == 0, (args, plain.output)
    assert "alice" in (out / "map.html").read_text().lower()  # without the option they are there
    for args in commands:
        extra = ["--overwrite"] if args[0] == "export" else []
        result = runner.invoke(app, [*args, "--db", db, "--pseudonymize", *extra])
        assert result.exit_code == 0, (args, result.output)
        assert leaks(result.output) == [], args
    from chatgraph import db as dbmod

    for f in sorted(out.rglob("*")):
        if f.is_file() and f.suffix != ".parquet":
            assert leaks(f.read_text(errors="replace")) == [], f
    con = dbmod.connect(":memory:")
    for f in sorted(out.rglob("*.parquet")):
        dump = con.execute(f"select columns(*)::VARCHAR from read_parquet('{f}')").fetchall()
        assert leaks(repr(dump)) == [], f


def test_maps_and_reports_made_after_forget_do_not_show_it(shared_archive, runner, tmp_path):
    db = str(shared_archive)
    before = tmp_path / "before.html"
    assert runner.invoke(app, ["map", "--db", db, "--output", str(before)]).exit_code == 0
    assert re.search(r"\balice\b", before.read_text(), re.IGNORECASE)
    assert runner.invoke(app, ["forget", "alice", "--db", db, "--yes"]).exit_code == 0
    out = tmp_path / "after"
    out.mkdir()
    for args in (
        ["map", "--output", str(out / "map.html")],
        ["report", "--output", str(out / "r.html")],
    ):
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == 0, result.output
    pages = [p for p in out.rglob("*.html")]
    assert len(pages) >= 3
    for page in pages:
        assert not re.search(r"\balice\b", page.read_text(), re.IGNORECASE), page


def test_a_failed_forget_changes_nothing(chat, monkeypatch):
    from chatgraph import derive

    before = synth.snapshot(chat)

    def broken(con, chat_ids, **kw):
        raise RuntimeError("derive failed")

    monkeypatch.setattr(derive, "refresh", broken)
    with pytest.raises(RuntimeError, match="derive failed"):
        privacy.forget(chat, "alice")
    assert synth.snapshot(chat) == before
    assert chat.execute("select count(*) from forgotten").fetchone()[0] == 0
    assert texts(chat)[102] == "A1 talking to @Alice helps #hcldr"


def test_an_archive_older_than_pseudonyms_says_how_to_upgrade(tmp_path, runner):
    import duckdb

    from chatgraph import db as dbmod

    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("create table schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)")
    for name, sql in dbmod.MIGRATIONS:
        if name == "003_privacy":
            break
        con.execute(sql)
        con.execute("insert into schema_migrations values ($n, now())", {"n": name})
    con.close()
    result = runner.invoke(
        app, ["graph", "--db", str(old), "--output", str(tmp_path / "g.csv"), "--pseudonymize"]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: this archive predates pseudonyms (no privacy_salt table); upgrade it by loading "
        "into it once (chatgraph load FILES --db ARCHIVE), then run the command again"
    ]


def test_derived_tables_after_forget_equal_a_rebuild(db, load, tmp_path):
    from chatgraph import derive

    records = chat_records() + [synth.v1_tweet(i, users=7) for i in range(0, 1400, 20)]
    load(synth.write_jsonl(tmp_path / "chat.jsonl", records))
    privacy.forget(db, "carol")
    derived = {
        "sessions": "select session_id, starts_at::VARCHAR, ends_at::VARCHAR, posts, participants from sessions",
        "questions": "select session_id, number, post_id from questions",
        "post_threads": "select post_id, session_id, question, method from post_threads",
        "interactions": "select post_id, kind, source_handle, target_handle from interactions",
        "connections": "select a_handle, b_handle, first_seen_at::VARCHAR, interactions from connections",
    }

    def state():
        return {k: sorted(db.execute(q).fetchall(), key=repr) for k, q in derived.items()}

    after_forget = state()
    assert after_forget["sessions"][0][3:] == (
        db.execute("select count(*), count(distinct lower(author_handle)) from posts").fetchone()
    )
    for table in derived:
        db.execute(f"delete from {table}")
    derive.refresh(db, ["hcldr"])
    assert state() == after_forget


def test_a_file_of_only_the_forgotten_account_loads_as_rejects(chat, load, tmp_path):
    privacy.forget(chat, "alice")
    only = [
        tweet(401, "alice", "A3 me again #hcldr", minutes=30),
        tweet(402, "Alice", "A4 #hcldr", minutes=31),
    ]
    (r,) = load(synth.write_jsonl(tmp_path / "only.jsonl", only))
    assert (r.error, r.chat_id, r.records, r.inserted, r.rejected) == (None, "hcldr", 2, 0, 2)
    assert traces(chat) == NONE
