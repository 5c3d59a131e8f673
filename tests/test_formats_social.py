"""Mastodon, Bluesky, Twitter personal archive, rtweet CSV and generic CSV: exact rows from real and
hand-written exports."""

from __future__ import annotations

from conftest import DATA, realdata

MS = "https://mastodon.social/users/"
LH = "http://localhost:3000/ap/users/"
ADMIN, TEST, TEST2 = "117020565693913441", "117020565966271181", "117020566092212359"


def one(db, sql, params=None):
    return db.execute(sql, params or {}).fetchone()


def rows(db, sql, params=None):
    return db.execute(sql, params or {}).fetchall()


def ok(result, fmt, records, inserted, duplicates=0, rejected=0):
    assert result.error is None, result.error
    assert (result.format, result.records, result.inserted, result.duplicates, result.rejected) == (
        fmt,
        records,
        inserted,
        duplicates,
        rejected,
    )


# ---------------------------------------------------------------- Mastodon


def test_mastodon_context_thread_of_59_replies_all_resolve(db, load):
    (r,) = load(realdata("mastodon/rstats_thread_context.json"), chat="rstats")
    ok(r, "mastodon", 59, 59)
    root = MS + "austinkocher/statuses/109294719267373593"  # the status the context was fetched for
    assert one(
        db,
        """select count(*), count(reply_to_post_id),
                  count(*) filter (where reply_to_post_id in (select post_id from posts)),
                  count(*) filter (where reply_to_post_id = $root)
           from posts""",
        {"root": root},
    ) == (59, 59, 16, 43)
    # every reply names its target account, as an absolute acct
    assert one(
        db, "select count(*) from posts where reply_to_handle is null or reply_to_author_id is null"
    ) == (0,)
    assert rows(
        db, "select reply_to_handle, count(*) from posts group by 1 order by 2 desc, 1 limit 3"
    ) == [
        ("austinkocher@mastodon.social", 44),
        ("OliKockova@toot.whatever.cz", 3),
        ("bschillace@mastodon.social", 3),
    ]
    assert one(db, "select count(*), count(distinct handle) from mentions") == (184, 15)
    assert rows(db, "select tag from hashtags order by tag") == [
        ("imagemagick",),
        ("patreon",),
        ("supportmastodon",),
    ]
    # acct without an instance gets the account url's host; remote acct keeps its own (WebFinger) domain
    assert one(
        db,
        "select author_id, author_handle from posts where post_id = $p",
        {"p": "https://social.unextro.net/users/ondra/statuses/109295956031904573"},
    ) == ("ondra@unextro.net", "ondra@unextro.net")
    assert one(
        db,
        "select author_id, author_handle, author_name from posts where post_id = $p",
        {"p": MS + "austinkocher/statuses/109294767623508949"},
    ) == ("austinkocher@mastodon.social", "austinkocher@mastodon.social", "Austin Kocher, PhD 🌎")


def test_mastodon_thread_text_is_plain(db, load):
    load(realdata("mastodon/rstats_thread_context.json"), chat="rstats")
    (text,) = one(
        db,
        "select text from posts where post_id = $p",
        {"p": MS + "austinkocher/statuses/109294767623508949"},
    )
    assert text.startswith(
        "The best way to keep this development going and to get features added is to support the team. "
        "I #SupportMastodon at $10 a month"
    )
    assert "<" not in text and "&#" not in text
    assert one(
        db,
        "select count(*) from posts where text like '%&amp;%' or text like '%&#39;%' or text like '%</%'",
    ) == (0,)
    assert one(db, "select count(*) from posts where text like '%It''s amazing to wake up%'") == (
        1,
    )


def test_mastodon_py_statuses_reply_mention_reblog_quote(db, load):
    (r,) = load(realdata("mastodon/posted_statuses.jsonl"), chat="hoot")
    ok(r, "mastodon", 11, 10, duplicates=1)  # line 8 repeats line 6
    assert r.referenced == 2  # the reblogged original and the quoted status
    got = {
        pid.removeprefix(LH): rest
        for pid, *rest in rows(
            db,
            """select post_id, author_handle, text, reply_to_post_id, reply_to_handle,
                      retweet_of_post_id, quote_of_post_id, is_retweet from posts""",
        )
    }
    t1 = f"{TEST}/statuses/"
    assert got[f"{ADMIN}/statuses/117020583258292382"] == [
        "admin@localhost:3000",
        "@mastodonpy_test_2 same!",
        f"{LH}{TEST2}/statuses/117020583245459824",
        "mastodonpy_test_2@localhost:3000",
        None,
        None,
        False,
    ]
    assert got[f"{t1}117020574393907247"] == [
        "mastodonpy_test@localhost:3000",
        "Reply!",
        f"{LH}{t1}117020574386452629",
        "mastodonpy_test@localhost:3000",
        None,
        None,
        False,
    ]  # a self-reply
    assert got[f"{t1}117020586027094262/activity"] == [
        "mastodonpy_test@localhost:3000",
        "Toot!",
        None,
        None,
        f"{LH}{t1}117020586019094258",
        None,
        True,
    ]
    quote = got[f"{t1}117020582925004921"]
    assert quote[3:] == [None, None, f"{LH}{t1}117020582917124092", False]
    assert "RE:" not in quote[1] and "http" not in quote[1]
    assert got[f"{TEST2}/statuses/117020593741189701"][1] == "#hoot (hashtag toot)"
    assert rows(db, "select post_id, account_id, handle from mentions") == [
        (
            f"{LH}{ADMIN}/statuses/117020583258292382",
            "mastodonpy_test_2@localhost:3000",
            "mastodonpy_test_2@localhost:3000",
        )
    ]
    assert rows(db, "select tag from hashtags") == [("hoot",)]
    assert sorted(rows(db, "select post_id from referenced_posts")) == [
        (f"{LH}{t1}117020582917124092",),
        (f"{LH}{t1}117020586019094258",),
    ]


def test_mastodon_tag_timeline_and_empty_context(db, load):
    (r,) = load(realdata("mastodon/timelines_tag_hoot.json"))
    ok(r, "mastodon", 1, 1)
    assert r.chat_id == "hoot"  # the dominant hashtag names the chat
    (r,) = load(realdata("mastodon/status_context.json"), chat="hoot")
    assert r.format == "mastodon"
    assert r.error.endswith("status_context.json: the mastodon file holds no posts")


def test_mastodon_documentation_status(db, load):
    (r,) = load(realdata("mastodon/Status_example.json"), chat="docs")
    ok(r, "mastodon", 1, 1)
    assert one(
        db,
        """select post_id, created_at = '2019-12-08 03:48:33.901+00'::TIMESTAMPTZ, author_id, author_handle,
                  author_name, text, lang, reply_to_post_id, quote_of_post_id, is_retweet from posts""",
    ) == (
        MS + "Gargron/statuses/103270115826048975",
        True,
        "gargron@mastodon.social",
        "Gargron@mastodon.social",
        "Eugen",
        '"I lost my inheritance with one wrong digit on my sort code"\n\n'
        "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code",
        "en",
        None,
        None,
        False,
    )


def test_mastodon_public_timeline_loads_20(db, load):
    (r,) = load(realdata("mastodon/public_timeline.json"), chat="public")
    ok(r, "mastodon", 20, 20)
    assert one(db, "select count(*), count(distinct platform) from posts") == (20, 1)
    assert one(db, "select count(*) from posts where author_handle not like '%@%'") == (0,)


def test_mastodon_same_post_from_two_instances_is_stored_once(db, load):
    (r,) = load(DATA / "mastodon_two_instances.jsonl")
    ok(r, "mastodon", 2, 1, duplicates=1)
    assert r.chat_id == "rstats"
    assert rows(db, "select post_id, author_id, author_handle, text from posts") == [
        (
            MS + "useR_conf/statuses/109982270370425411",
            "user_conf@mastodon.social",
            "useR_conf@mastodon.social",
            "Slides from today's #rstats meetup are up & running, thanks @jen!",
        )
    ]
    assert rows(db, "select account_id, handle from mentions") == [
        ("jen@fosstodon.org", "jen@fosstodon.org")
    ]
    assert rows(db, "select account_id, platform, handle from accounts order by 1") == [
        ("jen@fosstodon.org", "mastodon", "jen@fosstodon.org"),
        ("user_conf@mastodon.social", "mastodon", "useR_conf@mastodon.social"),
    ]


# ---------------------------------------------------------------- Bluesky

BSKYR = "at://did:plc:5c2r73erhng4bszmxlfdtscf/app.bsky.feed.post/3lc5c5qv72r2w"
ANA, BEN = "did:plc:ana4x7kq2mhv3tjwz5yb6cde", "did:plc:benq9r2s7uxw4ylt3kz8abcd"
CAI, DEE = "did:plc:cai7m3n4p5q6r7s8t9u2vwxy", "did:plc:dee2k8j7h6g5f4d3s2a9zxcv"


def at(did, rkey):
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def test_bluesky_get_post_thread_and_get_posts_are_the_same_post(db, load):
    thread, posts = load(
        realdata("bluesky/getPostThread.json"), realdata("bluesky/getPosts.json"), chat="rstats"
    )
    ok(thread, "bluesky", 1, 1)
    ok(posts, "bluesky", 1, 0, duplicates=1)
    uri = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s"
    assert one(
        db,
        """select post_id, platform, created_at = '2023-09-19 11:32:54.574+00'::TIMESTAMPTZ, author_id,
                  author_handle, author_name, lang, reply_to_post_id, quote_of_post_id, conversation_id from posts""",
    ) == (uri, "bluesky", True, "did:plc:ic6zqvuw5ulmfpjiwnhsr2ns", "soubhikbarari.bsky.social",
          "Soubhik Barari", "en", None, None, uri)  # fmt: skip
    assert one(db, "select text from posts")[0].startswith(
        "Excited to be a speaker for the \n@rstatsai conf"
    )
    # "#rstats #rgov" are in the text but the client made no tag or mention facets for them
    assert one(db, "select (select count(*) from hashtags), (select count(*) from mentions)") == (
        0,
        0,
    )


def test_bluesky_get_quotes_mentions_from_facets_and_quotes(db, load):
    (r,) = load(realdata("bluesky/getQuotes.json"))
    ok(r, "bluesky", 2, 2)
    assert r.chat_id == "rstats" and r.referenced == 1
    assert rows(db, "select post_id, author_handle, quote_of_post_id, created_at::VARCHAR from posts order by 1") == [
        ("at://did:plc:3ixxligsafp4u6ghljcoetnm/app.bsky.feed.post/3lc6isqcp6u2y", "randvegan.bsky.social",
         BSKYR, "2024-11-30 16:20:25.023354+00"),
        ("at://did:plc:wpe35pganb6d4pg4ekmfy6u5/app.bsky.feed.post/3lc5d6zspys2c", "chriskenny.bsky.social",
         BSKYR, "2024-11-30 05:07:15.799+00"),
    ]  # fmt: skip
    # facets carry DIDs only; the handles come from the authors elsewhere in the file
    assert rows(db, "select post_id[-13:], account_id, handle from mentions order by 1, 2") == [
        ("3lc5c5qv72r2w", "did:plc:5c2r73erhng4bszmxlfdtscf", "bskyr.bsky.social"),
        ("3lc5d6zspys2c", "did:plc:5c2r73erhng4bszmxlfdtscf", "bskyr.bsky.social"),
        ("3lc6isqcp6u2y", "did:plc:5c2r73erhng4bszmxlfdtscf", "bskyr.bsky.social"),
        ("3lc6isqcp6u2y", "did:plc:wpe35pganb6d4pg4ekmfy6u5", "chriskenny.bsky.social"),
    ]
    assert rows(db, "select post_id[-13:], tag from hashtags order by 1") == [
        ("3lc5d6zspys2c", "rstats"),
        ("3lc6isqcp6u2y", "rstats"),
    ]
    # the quoted post is kept as a referenced original with its author
    assert rows(
        db, "select post_id, author_id, author_handle, created_at::VARCHAR from referenced_posts"
    ) == [
        (
            BSKYR,
            "did:plc:5c2r73erhng4bszmxlfdtscf",
            "bskyr.bsky.social",
            "2024-11-30 04:48:39.966715+00",
        )
    ]


def test_bluesky_thread_view_with_embedded_media_quote(db, load):
    (r,) = load(realdata("bluesky/thread_view_post_with_embed_media.json"), chat="sdk")
    ok(r, "bluesky", 1, 1)
    marshal = "did:plc:kvwvcn5iqfooopmyzvb4qzba"
    assert one(db, "select post_id, author_handle, text, quote_of_post_id from posts") == (
        at(marshal, "3kaheyt6vpc22"), "test.marshal.dev", "", at(marshal, "3kahesw26il2z"))  # fmt: skip
    assert rows(db, "select post_id, text from referenced_posts") == [
        (at(marshal, "3kahesw26il2z"), "test")
    ]


def test_bluesky_repository_records_with_and_without_zone(db, load):
    a, b = load(
        realdata("bluesky/post_record.json"),
        realdata("bluesky/extended_post_record.json"),
        chat="sdk",
    )
    ok(a, "bluesky", 1, 1)
    ok(b, "bluesky", 1, 1)
    marshal = "did:plc:kvwvcn5iqfooopmyzvb4qzba"
    # no handle anywhere in these files: the DID stands in; a createdAt without a zone is UTC
    assert rows(
        db,
        "select post_id, author_id, author_handle, text, lang, created_at::VARCHAR from posts order by 1",
    ) == [
        (
            at(marshal, "3k2yihcrp6f2c"),
            marshal,
            marshal,
            "new text114",
            None,
            "2024-02-22 19:58:13.903293+00",
        ),
        (
            at(marshal, "3k2yinh52ne2x"),
            marshal,
            marshal,
            "regress test",
            "en",
            "2023-07-21 01:33:51.481951+00",
        ),
    ]


def test_bluesky_recursive_thread_replies_and_mentions(db, load):
    (r,) = load(DATA / "bluesky_thread.json")
    ok(r, "bluesky", 6, 6)  # the parent chain, the focus post, nested replies; not the notFoundPost
    assert r.chat_id == "edchat"
    root = at(ANA, "3kroot00001")
    assert rows(
        db,
        """select post_id[-11:], author_handle, reply_to_post_id[-11:], reply_to_author_id, reply_to_handle,
                  conversation_id = $root from posts order by created_at""",
        {"root": root},
    ) == [
        ("3kroot00001", "ana.bsky.social", None, None, None, True),
        ("3kmid000002", "ben.example.com", "3kroot00001", ANA, "ana.bsky.social", True),
        ("3kfocus0003", "cai.bsky.social", "3kmid000002", BEN, "ben.example.com", True),
        ("3kreply0004", "ana.bsky.social", "3kfocus0003", CAI, "cai.bsky.social", True),
        ("3kreply0005", "ben.example.com", "3kreply0004", ANA, "ana.bsky.social", True),
        ("3kreply0006", "cai.bsky.social", "3kfocus0003", CAI, "cai.bsky.social", True),
    ]
    # dee never posts here: the handle is the one typed at the facet's UTF-8 byte offsets (after an emoji)
    assert rows(db, "select post_id[-11:], account_id, handle from mentions order by 1, 3") == [
        ("3kfocus0003", BEN, "ben.example.com"),
        ("3kfocus0003", DEE, "dee.bsky.social"),
        ("3kmid000002", ANA, "ana.bsky.social"),
        ("3kreply0004", CAI, "cai.bsky.social"),
    ]
    assert rows(db, "select post_id[-11:], tag from hashtags order by 1") == [
        ("3kmid000002", "edchat"),
        ("3kroot00001", "edchat"),
    ]
    assert one(
        db,
        "select created_at::VARCHAR from posts where post_id = $p",
        {"p": at(CAI, "3kfocus0003")},
    ) == ("2024-03-05 20:03:10.5+00",)


def test_bluesky_feed_repost_reply_and_quote(db, load):
    thread, feed = load(DATA / "bluesky_thread.json", DATA / "bluesky_feed.json")
    ok(feed, "bluesky", 3, 2, duplicates=1)  # the reply item is already in from the thread
    assert (
        feed.referenced == 3
    )  # the reposted post, the reply's parent and root (also the quoted post)
    repost = at(BEN, "3kreply0005") + "#repost-by-" + CAI
    assert one(
        db,
        """select author_id, author_handle, created_at::VARCHAR, text, retweet_of_post_id, is_retweet,
                  reply_to_post_id, conversation_id from posts where post_id = $p""",
        {"p": repost},
    ) == (CAI, "cai.bsky.social", "2024-03-05 20:08:00+00", "Summers off is a myth", at(BEN, "3kreply0005"),
          True, None, None)  # fmt: skip
    # a createdAt without a zone is UTC; the quote points at the quoted post's uri
    assert one(
        db,
        "select created_at::VARCHAR, quote_of_post_id from posts where post_id = $p",
        {"p": at(CAI, "3kown000008")},
    ) == ("2024-03-05 20:07:00.25+00", at(ANA, "3kroot00001"))
    assert sorted(rows(db, "select post_id[-11:] from referenced_posts")) == [
        ("3kfocus0003",),
        ("3kreply0005",),
        ("3kroot00001",),
    ]


def test_bluesky_bare_record_without_uri_is_rejected(db, load):
    (r,) = load(DATA / "bluesky_records.jsonl")
    ok(r, "bluesky", 2, 1, rejected=1)
    assert rows(db, "select record_no, reason from rejects") == [
        (2, "a bare app.bsky.feed.post record has no uri to identify it; "
            "export posts with their uri (searchPosts, getPosts, getRecord, listRecords)"),
    ]  # fmt: skip
    assert rows(db, "select tag from hashtags order by 1") == [("edchat",), ("lurk",)]


# ---------------------------------------------------------------- Twitter personal archive

ARCHIVE = DATA / "twitter_archive" / "data"


def test_archive_tweet_js_with_account_option(db, load):
    (r,) = load(realdata("twitter-archive/tweet.js"), account="@LumenInferius")
    ok(r, "twitter-archive", 22, 22)
    assert r.chat_id == "gamedev"  # the hashtag most of its tweets carry
    assert one(
        db,
        """select count(*), count(distinct author_handle), min(author_handle), count(author_id),
                  count(reply_to_post_id), count(*) filter (where is_retweet) from posts""",
    ) == (22, 1, "LumenInferius", 0, 9, 0)
    assert one(
        db,
        """select created_at::VARCHAR, text, reply_to_post_id, reply_to_author_id, reply_to_handle
           from posts where post_id = '1172453173195431938'""",
    ) == ("2019-09-13 10:13:14+00", "@_ARandom_ The symbiote @pascalsuun", "1172452133771390976", "4364907047",
          "_ARandom_")  # fmt: skip
    assert rows(
        db,
        "select account_id, handle from mentions where post_id = '1172453173195431938' order by 2",
    ) == [
        ("4364907047", "_ARandom_"),
        ("975831548254736387", "pascalsuun"),
    ]
    assert one(db, "select count(*), count(distinct tag) from hashtags") == (58, 9)


def test_archive_without_owner_asks_for_account(db, load):
    path = realdata("twitter-archive/tweet.js")
    (r,) = load(path)
    assert r.error == (
        f"{path}: a Twitter archive's tweets do not name their author; give the archive owner's handle "
        "with --account HANDLE (or load the whole archive .zip, whose account.js names it)"
    )
    assert one(db, "select count(*) from posts") == (0,)


def test_archive_folder_reads_account_js_beside_tweets(db, load):
    (r,) = load(ARCHIVE / "tweets.js")
    ok(r, "twitter-archive", 4, 4)
    assert r.chat_id == "hcldr"
    assert rows(
        db,
        """select post_id, author_id, author_handle, author_name, text, reply_to_post_id, reply_to_author_id,
                  reply_to_handle, retweet_of_post_id, is_retweet, truncated from posts order by post_id""",
    ) == [
        ("1587269420112248832", "2871430125", "NurseJoan", "Joan Okafor RN",
         "A1 listening to patients & families first #HCLDR", None, None, None, None, False, False),
        # a retweet in an archive is only its "RT @x:" text: no original to point at
        ("1587270011466932225", "2871430125", "NurseJoan", "Joan Okafor RN",
         "RT @colleen_young: T2 what does trust look like? #hcldr", None, None, None, None, True, False),
        # @-addressed: a reply target account, no parent post
        ("1587270515366412288", "2871430125", "NurseJoan", "Joan Okafor RN",
         "@colleen_young A2 it looks like time #HCLDR", None, "20146577", "colleen_young", None, False, False),
        ("1587271199079542784", "2871430125", "NurseJoan", "Joan Okafor RN",
         "@DrSamPatel agreed, and it takes <5 minutes #HCLDR", "1587270902231171073", "377101938", "DrSamPatel",
         None, False, False),
    ]  # fmt: skip
    # the retweeted author is not a mention of the retweet
    assert rows(db, "select post_id, handle from mentions order by 1") == [
        ("1587270515366412288", "colleen_young"),
        ("1587271199079542784", "DrSamPatel"),
    ]


def test_archive_zip_loads_tweets_with_owner_and_skips_other_files(db, load, tmp_path):
    import zipfile

    path = tmp_path / "twitter-2022-11-20-abc123.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("account.js", "tweets.js", "like.js", "follower.js"):
            zf.write(ARCHIVE / name, f"data/{name}")
        zf.writestr(
            "data/tweets_media/1587269420112248832-FgXq.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"
        )
        zf.writestr("Your archive.html", "<html><body>Your archive</body></html>")
        zf.writestr("assets/js/main.js", "window.__THAR_CONFIG = {};")
    (r,) = load(path)
    ok(r, "twitter-archive", 4, 4)
    assert r.path == f"{path}!data/tweets.js"
    assert rows(db, "select distinct author_id, author_handle from posts") == [
        ("2871430125", "NurseJoan")
    ]
    assert rows(db, "select path, format from sources") == [
        (f"{path}!data/tweets.js", "twitter-archive")
    ]


def test_archive_zip_without_tweets(db, load, tmp_path):
    import zipfile

    path = tmp_path / "likes-only.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("account.js", "like.js"):
            zf.write(ARCHIVE / name, f"data/{name}")
    (r,) = load(path)
    assert r.error == f"{path}: this Twitter archive holds no tweets.js / tweet.js, so no posts"


def test_archive_other_ytd_file_is_named(db, load):
    (r,) = load(ARCHIVE / "like.js")
    assert r.error.startswith(
        f"{ARCHIVE / 'like.js'}: this is a Twitter archive data file other than tweets.js "
        "(likes, followers, account, …), which holds no posts; supported formats: "
    )


# ---------------------------------------------------------------- rtweet CSV


def test_rtweet_write_as_csv(db, load):
    (r,) = load(DATA / "rtweet_hcldr.csv")
    ok(r, "rtweet", 5, 5)
    assert r.chat_id == "hcldr" and r.referenced == 2
    # rtweet's "x" id prefix is gone; created_at without a zone is UTC
    assert rows(
        db,
        """select post_id, created_at::VARCHAR, author_id, author_handle, author_name, text, lang,
                  reply_to_post_id, reply_to_author_id, reply_to_handle, retweet_of_post_id, quote_of_post_id,
                  is_retweet from posts order by created_at""",
    ) == [
        ("1186810385309360128", "2019-10-23 00:30:12+00", "233012365", "hcldr", "#hcldr",
         "T1 What does patient trust look like in 2019? #hcldr", "en", None, None, None, None, None, False),
        ("1186811076388024320", "2019-10-23 00:32:57+00", "20146577", "colleen_young", "Colleen Young",
         "@hcldr A1 being believed the first time & every time #hcldr #ptexp", "en",
         "1186810385309360128", "233012365", "hcldr", None, None, False),
        ("1186811302876278784", "2019-10-23 00:33:51+00", "377101938", "DrSamPatel", "Dr. Sam Patel",
         "@hcldr A1 being believed the first time & every time #hcldr #ptexp", "en",
         None, None, None, "1186811076388024320", None, True),
        ("1186812500153004034", "2019-10-23 00:38:37+00", "2871430125", "NurseJoan", "Joan Okafor RN",
         "A1 this, from a nurse's side of the bed https://t.co/Qm2vZx81Lk #hcldr", "en",
         None, None, None, None, "1186810385309360128", False),
        ("1186813011329851392", "2019-10-23 00:40:39+00", "377101938", "DrSamPatel", "Dr. Sam Patel",
         "@colleen_young @NurseJoan A1 and follow-through. Trust is built in small moments #hcldr", None,
         "1186811076388024320", "20146577", "colleen_young", None, None, False),
    ]  # fmt: skip
    # the retweeted author (first in rtweet's mentions_screen_name) is not a mention of the retweet
    assert rows(db, "select post_id, account_id, handle from mentions order by 1, 3") == [
        ("1186811076388024320", "233012365", "hcldr"),
        ("1186811302876278784", "233012365", "hcldr"),
        ("1186813011329851392", "2871430125", "NurseJoan"),
        ("1186813011329851392", "20146577", "colleen_young"),
    ]
    assert rows(db, "select tag, count(*) from hashtags group by 1 order by 1") == [
        ("hcldr", 5),
        ("ptexp", 2),
    ]
    assert rows(
        db,
        "select post_id, created_at::VARCHAR, author_id, author_handle from referenced_posts order by 1",
    ) == [
        ("1186810385309360128", "2019-10-23 00:30:12+00", "233012365", "hcldr"),
        ("1186811076388024320", "2019-10-23 00:32:57+00", "20146577", "colleen_young"),
    ]


def test_rtweet_old_columns_epoch_seconds_r_lists_and_excel_ids(db, load):
    (r,) = load(DATA / "rtweet_old_solvept.csv")
    ok(r, "rtweet", 3, 2, rejected=1)
    assert r.chat_id == "solvept"
    assert rows(
        db,
        """select post_id, created_at::VARCHAR, author_handle, reply_to_post_id, reply_to_author_id,
                  reply_to_handle from posts order by 1""",
    ) == [
        ("692834562041200640", "2016-01-28 00:00:12+00", "solvePT", None, None, None),
        (
            "692835312754917376",
            "2016-01-28 00:03:11+00",
            "ptjess",
            "692834562041200640",
            "2394521870",
            "solvePT",
        ),
    ]
    assert rows(db, "select account_id, handle from mentions order by 2") == [
        ("27489219", "APTAtweets"),
        ("2394521870", "solvePT"),
    ]
    assert rows(db, "select record_no, reason, raw from rejects") == [
        (3, "status_id 6.92836E+17 lost precision: a spreadsheet turned the id into a number; save the ids as "
            "text (rtweet::write_as_csv keeps them) and load the file without opening it in Excel",
         '"ptjess","1510377193","1.45394E+09","6.92836E+17","A1 and awareness #solvePT","0","0","FALSE","NA",'
         '"FALSE","NA","NA","NA","NA","en","Twitter for Android","NA","NA","NA","NA","NA","NA","NA","NA","NA",'
         '"solvePT","NA","NA","NA","NA","NA","NA","NA","NA","NA"'),
    ]  # fmt: skip


# ---------------------------------------------------------------- generic CSV with --columns

HCSM_COLUMNS = {
    "id": "Tweet ID",
    "author": "Username",
    "created_at": "Date (UTC)",
    "text": "Tweet Text",
    "reply_to": "In Reply To",
    "reply_to_author": "Reply To User",
    "lang": "language",  # header names match without regard to case
    "mentions": "Mentions",
    "hashtags": "Hashtags",
}


def test_generic_csv_with_column_mapping(db, load):
    (r,) = load(DATA / "generic_hcsm.csv", columns=HCSM_COLUMNS)
    ok(r, "generic-csv", 5, 3, rejected=2)
    assert r.chat_id == "hcsm"
    assert rows(
        db,
        """select post_id, platform, created_at::VARCHAR, author_handle, text, reply_to_post_id, reply_to_handle,
                  lang, is_retweet from posts order by 1""",
    ) == [
        ("1300929212543225856", "twitter", "2020-09-02 01:00:05+00", "hcsm",
         "Q1 Welcome to #hcsm! How has telehealth changed your practice?", None, None, "en", False),
        ("1300930107217604608", "twitter", "2020-09-02 01:03:38+00", "DrLisaM",
         "A1 I see patients I never could before, esp. rural ones #hcsm", "1300929212543225856", "hcsm", "en", False),
        ("1300930611238776832", "twitter", "2020-09-02 01:05:38+00", "pt_advocate",
         '@DrLisaM A1 yes, and the "no-show" rate dropped for us\n#hcsm #telehealth', "1300930107217604608",
         "DrLisaM", "en", False),
    ]  # fmt: skip
    assert rows(db, "select post_id, handle from mentions order by 2") == [
        ("1300930611238776832", "DrLisaM"),
        ("1300930611238776832", "hcsm"),
    ]
    assert rows(db, "select tag, count(*) from hashtags group by 1 order by 1") == [
        ("hcsm", 3),
        ("telehealth", 1),
    ]
    assert rows(db, "select record_no, reason from rejects order by 1") == [
        (4, "id column Tweet ID: 1.30093E+18 lost precision: a spreadsheet turned the id into a number; "
            "save the ids as text"),
        (5, "Date (UTC) 'Sept 2 2020 9:09pm' is not a date and time (write it as 2020-09-02 01:09:00, "
            "ISO 8601 with a zone, or epoch seconds)"),
    ]  # fmt: skip


def test_generic_csv_without_tag_columns_reads_them_from_the_text(db, load):
    """A spreadsheet with only id, author, date and text: hashtags and @mentions come from the
    text, so the chat is found and the graph is not empty."""
    columns = {k: v for k, v in HCSM_COLUMNS.items() if k not in ("mentions", "hashtags")}
    (r,) = load(DATA / "generic_hcsm.csv", columns=columns)
    ok(r, "generic-csv", 5, 3, rejected=2)
    assert r.chat_id == "hcsm"
    assert rows(db, "select post_id, handle from mentions order by 2") == [
        ("1300930611238776832", "DrLisaM"),
    ]
    assert rows(db, "select tag, count(*) from hashtags group by 1 order by 1") == [
        ("hcsm", 3),
        ("telehealth", 1),
    ]
    assert rows(db, "select kind, source_handle, target_handle from interactions order by all") == [
        ("mention", "pt_advocate", "drlisam"),
        ("reply", "drlisam", "hcsm"),
        ("reply", "pt_advocate", "drlisam"),
    ]


def test_generic_csv_text_patterns(db, load, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "ID,User,Date,Tweet\n"
        '1,ann,2024-03-05 20:31:00+00,"A1 more #HCLDR time @DrBob! mail a@b.org &#39;ok #2024 #x_1"\n'
        '2,bob,2024-03-05 20:33:00+00,"@ann cc @carol@mastodon.social, @dave.bsky.social. #hcldr"\n'
    )
    (r,) = load(
        sheet, columns={"id": "ID", "author": "User", "created_at": "Date", "text": "Tweet"}
    )
    ok(r, "generic-csv", 2, 2)
    assert rows(db, "select post_id, tag from hashtags order by all") == [
        ("1", "hcldr"), ("1", "x_1"), ("2", "hcldr"),
    ]  # fmt: skip
    assert rows(db, "select post_id, handle from mentions order by all") == [
        ("1", "DrBob"), ("2", "ann"), ("2", "carol@mastodon.social"), ("2", "dave.bsky.social"),
    ]  # fmt: skip


def test_generic_csv_mapping_errors_are_one_line(db, load):
    path = DATA / "generic_hcsm.csv"
    (r,) = load(
        path,
        columns={"id": "Tweet ID", "author": "user", "text": "Tweet Text", "reply_to": "Parent"},
    )
    assert r.error == (
        f"{path}: --columns lacks the required created_at; the file has no column author=user, "
        "reply_to=Parent (its columns: Tweet ID, Username, Date (UTC), Tweet Text, In Reply To, Reply To User, "
        "Language, Mentions, Hashtags, Likes)"
    )
    (r,) = load(path, format="generic-csv")
    assert r.error == (
        f"{path}: generic-csv needs a column mapping: --columns id=tweet_id,author=user,created_at=date,text=body "
        "(required: id, author, created_at, text; optional: reply_to, reply_to_author, retweet_of, quote_of, "
        "lang, author_id, author_name, mentions, hashtags, platform)"
    )
    assert one(db, "select count(*) from sources") == (0,)


def test_generic_csv_is_never_sniffed(db, load):
    (r,) = load(DATA / "generic_hcsm.csv")
    assert r.format is None and "not a chat export chatgraph can read" in r.error


def test_cli_generic_csv_missing_mapping_is_one_error_line(runner, tmp_path):
    from chatgraph.cli import app

    path = DATA / "generic_hcsm.csv"
    result = runner.invoke(
        app,
        [
            "load",
            str(path),
            "--db",
            str(tmp_path / "a.duckdb"),
            "--columns",
            "id=Tweet ID,text=Tweet Text",
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {path}: --columns lacks the required author, created_at"
    )
    result = runner.invoke(
        app,
        [
            "load", str(path), "--db", str(tmp_path / "a.duckdb"), "--format", "json",
            "--columns", ",".join(f"{k}={v}" for k, v in HCSM_COLUMNS.items()),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"inserted":3' in result.stdout.replace(" ", "")


def test_json_lines_longer_than_the_sniffing_head(db, load, tmp_path):
    import json

    feed = json.loads((DATA / "bluesky_feed.json").read_text())
    own = feed["feed"][0]
    path = tmp_path / "feed_pages.jsonl"
    with open(path, "w") as f:
        for page in range(2):
            items = []
            for k in range(200):
                item = json.loads(json.dumps(own))
                item["post"]["uri"] += f"p{page}k{k}"
                items.append(item)
            f.write(json.dumps({"feed": items, "cursor": str(page)}) + "\n")
    assert len(path.read_text().splitlines()[0]) > 256 * 1024  # the head holds no whole line
    (r,) = load(path)
    ok(r, "bluesky", 400, 400)
    assert one(
        db,
        "select count(distinct post_id), count(*) filter (where quote_of_post_id is not null) from posts",
    ) == (400, 400)


def test_cut_mastodon_array_is_one_clear_error(db, load, tmp_path):
    text = realdata("mastodon/public_timeline.json").read_text()
    path = tmp_path / "public_timeline_cut.json"
    path.write_text(text[: len(text) // 2])
    (r,) = load(path, chat="public")
    assert r.error == (
        f"{path}: none of its 1 records could be read as mastodon (record 1: invalid JSON (cut or corrupt line)); "
        "check the file is a complete export"
    )


def test_account_lists_are_named_not_loaded(db, load, tmp_path):
    import json

    accounts = tmp_path / "followers.json"
    accounts.write_text(
        json.dumps(
            [
                {
                    "id": "1",
                    "username": "Gargron",
                    "acct": "Gargron",
                    "display_name": "Eugen",
                    "url": "https://mastodon.social/@Gargron",
                    "followers_count": 322930,
                }
            ]
        )  # fmt: skip
    )
    profiles = tmp_path / "follows.json"
    profiles.write_text(
        json.dumps(
            {
                "subject": {"did": ANA, "handle": "ana.bsky.social"},
                "follows": [{"did": BEN, "handle": "ben.example.com"}],
                "cursor": "x",
            }
        )  # fmt: skip
    )
    a, b = load(accounts, profiles)
    assert a.error.startswith(
        f"{accounts}: this is a list of Mastodon accounts, which holds no posts; "
    )
    assert b.error.startswith(
        f"{profiles}: this is a list of Bluesky accounts or likes, which holds no posts; "
    )
