from conftest import realdata


def counts(db):
    return db.execute(
        "select count(*), count(*) filter (where is_retweet), count(*) filter (where truncated) from posts"
    ).fetchone()


def test_streaming_lines_with_extended_tweets(db, load):
    (r,) = load(realdata("twitter-v1/streaming_lines.json"), chat="t")
    assert (r.error, r.format, r.records, r.inserted, r.duplicates, r.rejected) == (
        None,
        "twitter-v1",
        72,
        71,
        1,
        0,
    )
    # every tweet is `truncated` in compat mode but carries extended_tweet.full_text: none stays cut
    assert counts(db) == (71, 1, 0)  # one old-style "RT @x:" without retweeted_status
    assert (
        db.execute("select count(*) from posts where reply_to_post_id is not null").fetchone()[0]
        == 32
    )  # 33 reply records, one listed twice


def test_rest_search_container(db, load):
    (r,) = load(realdata("twitter-v1/get_search_raw.json"), chat="t")
    assert (r.records, r.inserted, r.rejected) == (100, 100, 0)
    total, rts, cut = counts(db)
    assert (total, rts) == (100, 74)
    # a retweet's text is its original's, not the cut "RT @x: …"
    assert (
        db.execute("select count(*) from posts where is_retweet and text like 'RT @%'").fetchone()[
            0
        ]
        == 0
    )


def test_same_file_twice_changes_nothing(db, load):
    path = realdata("twitter-v1/get_replies.json")
    load(path, chat="t")
    tables = [
        "posts",
        "referenced_posts",
        "accounts",
        "mentions",
        "hashtags",
        "sources",
        "post_sources",
    ]
    before = {t: db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    (again,) = load(path, chat="t")
    assert again.skipped == "already loaded as source 1"
    assert {t: db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables} == before


def test_a_file_of_the_same_size_is_told_apart_by_its_hash(db, load, tmp_path):
    import synth

    a = synth.write_v1(tmp_path / "a.jsonl", 30)
    b = tmp_path / "b.jsonl"
    # the same posts, one text a letter longer and one language a letter shorter: the same size
    b.write_bytes(
        a.read_bytes()
        .replace(b'"text": "', b'"text": "X', 1)
        .replace(b'"lang": "en"', b'"lang": "e"', 1)
    )
    assert a.stat().st_size == b.stat().st_size and a.read_bytes() != b.read_bytes()
    (ra,) = load(a, chat="t")
    (rb,) = load(b, chat="t")
    assert (ra.inserted, rb.skipped, rb.duplicates) == (30, None, 30)
    assert db.execute("select source_id, bytes from sources order by 1").fetchall() == [
        (1, a.stat().st_size),
        (2, b.stat().st_size),
    ]
    (again,) = load(a, chat="t")
    assert again.skipped == "already loaded as source 1"
    # an archive from before sizes were recorded still knows the file by its hash
    db.execute("update sources set bytes = null")
    (again,) = load(a, chat="t")
    assert again.skipped == "already loaded as source 1"


def test_retweet_original_text_beats_a_later_rt_prefixed_copy(db, load, sample_dir):
    (v2,) = load(sample_dir / "hcldr_2019-2021_twarc2.jsonl.gz")
    (archive,) = load(sample_dir / "hcldr_2020_HCLDRchat_twitter-archive.zip")
    assert (v2.inserted, archive.inserted, archive.duplicates) == (5852, 0, 204)
    # the archive's copies of retweets read "RT @x: ..." and are longer, but the original's text stays
    assert db.execute(
        "select count(*) from posts where is_retweet and text like 'RT @%'"
    ).fetchone() == (0,)


def test_folder_walk_skips_markdown_notes(tmp_path):
    from chatgraph.ingest import expand_paths

    (tmp_path / "README.md").write_text("# notes")
    (tmp_path / ".hidden.jsonl").write_text("{}")
    (tmp_path / "a.jsonl").write_text("{}")
    assert expand_paths([tmp_path]) == [tmp_path / "a.jsonl"]


def test_a_load_leaves_the_memory_limit_as_it_was(tmp_path):
    import synth

    from chatgraph import db as dbmod
    from chatgraph import ingest

    con = dbmod.connect(tmp_path / "a.duckdb")

    def limit():
        return con.execute("select current_setting('memory_limit')").fetchone()[0]

    default = limit()
    (r,) = ingest.load(con, [synth.write_v1(tmp_path / "a.jsonl", 20)], chat="t")
    assert (r.error, r.inserted, limit()) == (None, 20, default)
    con.execute("set memory_limit = '3GB'")
    chosen = limit()
    (r,) = ingest.load(con, [synth.write_v1(tmp_path / "b.jsonl", 20, first=20)], chat="t")
    assert (r.error, r.inserted, limit()) == (None, 20, chosen)
    assert chosen != default
    con.close()
