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
