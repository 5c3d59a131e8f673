"""Twitter v2 (twarc2 pages, stream lines, flatten), twarc-csv and TAGS exports: exact loads of real files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import realdata

from chatgraph import db as dbmod
from chatgraph import ingest
from chatgraph.formats import Head, Source, detect, format_names

# twarc-csv 0.7.2's columns, in its order (FORMATS.md §3).
TWARC_CSV_COLUMNS = [
    "id",
    "conversation_id",
    "referenced_tweets.replied_to.id",
    "referenced_tweets.retweeted.id",
    "referenced_tweets.quoted.id",
    "author_id",
    "in_reply_to_user_id",
    "in_reply_to_username",
    "retweeted_user_id",
    "retweeted_username",
    "quoted_user_id",
    "quoted_username",
    "created_at",
    "text",
    "lang",
    "source",
    "public_metrics.impression_count",
    "public_metrics.reply_count",
    "public_metrics.retweet_count",
    "public_metrics.quote_count",
    "public_metrics.like_count",
    "public_metrics.bookmark_count",
    "reply_settings",
    "edit_history_tweet_ids",
    "edit_controls.edits_remaining",
    "edit_controls.editable_until",
    "edit_controls.is_edit_eligible",
    "possibly_sensitive",
    "withheld.scope",
    "withheld.copyright",
    "withheld.country_codes",
    "entities.annotations",
    "entities.cashtags",
    "entities.hashtags",
    "entities.mentions",
    "entities.urls",
    "context_annotations",
    "attachments.media",
    "attachments.media_keys",
    "attachments.poll.duration_minutes",
    "attachments.poll.end_datetime",
    "attachments.poll.id",
    "attachments.poll.options",
    "attachments.poll.voting_status",
    "attachments.poll_ids",
    "author.id",
    "author.created_at",
    "author.username",
    "author.name",
    "author.description",
    "author.entities.description.cashtags",
    "author.entities.description.hashtags",
    "author.entities.description.mentions",
    "author.entities.description.urls",
    "author.entities.url.urls",
    "author.url",
    "author.location",
    "author.pinned_tweet_id",
    "author.profile_image_url",
    "author.protected",
    "author.public_metrics.followers_count",
    "author.public_metrics.following_count",
    "author.public_metrics.listed_count",
    "author.public_metrics.tweet_count",
    "author.verified",
    "author.verified_type",
    "author.withheld.scope",
    "author.withheld.copyright",
    "author.withheld.country_codes",
    "geo.coordinates.coordinates",
    "geo.coordinates.type",
    "geo.country",
    "geo.country_code",
    "geo.full_name",
    "geo.geo.bbox",
    "geo.geo.type",
    "geo.id",
    "geo.name",
    "geo.place_id",
    "geo.place_type",
    "matching_rules",
    "__twarc.retrieved_at",
    "__twarc.url",
    "__twarc.version",
]

TAGS_COLUMNS = [
    "id_str",
    "from_user",
    "text",
    "created_at",
    "time",
    "geo_coordinates",
    "user_lang",
    "in_reply_to_user_id_str",
    "in_reply_to_screen_name",
    "from_user_id_str",
    "in_reply_to_status_id_str",
    "source",
    "profile_image_url",
    "user_followers_count",
    "user_friends_count",
    "user_location",
    "status_url",
    "entities_str",
]


def v2(name: str) -> Path:
    return realdata(f"twitter-v2/{name}")


def supported() -> str:
    return ", ".join(format_names())


def archive(*paths, **kw):
    """A fresh in-memory archive with ``paths`` loaded; returns (connection, results)."""
    con = dbmod.connect(":memory:")
    results = ingest.load(con, [str(p) for p in paths], refresh=False, **kw)
    return con, results


def summary(r) -> tuple:
    return (r.error, r.format, r.records, r.inserted, r.duplicates, r.rejected)


def counts(con) -> tuple:
    return con.execute(
        "select count(*), count(*) filter (where is_retweet), count(*) filter (where truncated) from posts"
    ).fetchone()


def post(con, post_id: str) -> dict:
    cur = con.execute(
        "select * exclude (created_at), epoch(created_at)::BIGINT as epoch from posts where post_id = $id",
        {"id": post_id},
    )
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None, post_id
    out = dict(zip(names, row, strict=True))
    out["hashtags"] = sorted(
        r[0]
        for r in con.execute(
            "select tag from hashtags where post_id = $id", {"id": post_id}
        ).fetchall()
    )
    out["mentions"] = sorted(
        con.execute(
            "select handle, account_id from mentions where post_id = $id", {"id": post_id}
        ).fetchall()
    )
    return out


def table_rows(con, sql: str) -> list[tuple]:
    return sorted(tuple(str(v) for v in r) for r in con.execute(sql).fetchall())


def snapshot(con) -> dict:
    return {
        "posts": table_rows(con, "select * exclude (created_at), epoch(created_at) from posts"),
        "referenced": table_rows(
            con, "select * exclude (created_at), epoch(created_at) from referenced_posts"
        ),
        "mentions": table_rows(con, "select * from mentions"),
        "hashtags": table_rows(con, "select * from hashtags"),
        "accounts": table_rows(
            con, "select account_id, platform, handle, display_name from accounts"
        ),
    }


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("rel", "name"),
    [
        (
            "twitter-v2/blacklivesmatter_search.jsonl",
            "twitter-v2",
        ),  # first line (a page) is longer than the head
        ("twitter-v2/streaming_output_with_error.jsonl", "twitter-v2"),
        ("twitter-v2/flat.jsonl", "twitter-v2"),
        ("twitter-v2/two_tweets.jsonl", "twitter-v2"),
        ("twarc-csv/blacklivesmatter_search.csv", "twarc-csv"),
        ("tags/aect19_sample.csv", "tags"),
        ("twitter-v1/streaming_lines.json", "twitter-v1"),
        ("twitter-v1/get_search_raw.json", "twitter-v1"),
        ("twitter-v1/original_format_examples.json", "twitter-v1"),
    ],
)
def test_sniffed_from_the_first_bytes(rel, name):
    path = realdata(rel)
    source = Source(path, str(path))
    assert detect(source, Head.read(source)).name == name


# ---------------------------------------------------------------- twarc2 JSONL


def test_search_pages_and_their_twarc_csv_give_500_posts_once():
    con, (jsonl, table) = archive(
        v2("blacklivesmatter_search.jsonl"), realdata("twarc-csv/blacklivesmatter_search.csv")
    )
    assert summary(jsonl) == (None, "twitter-v2", 500, 500, 0, 0)
    # every CSV row is a copy of a page's tweet; the dominant hashtag names the chat
    assert summary(table) == (None, "twarc-csv", 500, 0, 500, 0)
    assert jsonl.chat_id == table.chat_id == "blacklivesmatter"
    assert counts(con) == (500, 367, 0)
    assert con.execute(
        "select count(reply_to_post_id), count(reply_to_author_id), count(reply_to_handle), count(quote_of_post_id), "
        "count(distinct conversation_id) from posts"
    ).fetchone() == (35, 40, 40, 18, 491)
    # includes.tweets: 291 on the five pages, 203 distinct originals
    assert con.execute("select count(*) from referenced_posts").fetchone() == (203,)
    assert con.execute(
        "select count(*), sum(records), sum(inserted), sum(duplicates) from sources"
    ).fetchone() == (2, 1000, 500, 500)
    assert con.execute("select count(*) from rejects").fetchone() == (0,)


def test_the_csv_and_the_pages_describe_every_post_alike():
    pages, _ = archive(v2("blacklivesmatter_search.jsonl"), chat="blm")
    table, _ = archive(realdata("twarc-csv/blacklivesmatter_search.csv"), chat="blm")
    listed = "where post_id in (select post_id from posts)"
    for sql in (
        "select * exclude (created_at), epoch(created_at) from posts",
        f"select post_id, handle from mentions {listed}",
        f"select * from hashtags {listed}",
    ):
        assert table_rows(pages, sql) == table_rows(table, sql), sql
    # the CSV has no mention ids except the replied-to user's
    assert table_rows(table, "select count(*) from mentions where account_id is not null") == [
        ("26",)
    ]
    assert table_rows(
        pages, f"select count(*) from mentions {listed} and account_id is not null"
    ) == [("374",)]


def test_reply_retweet_quote_and_addressed_fields():
    con, _ = archive(v2("blacklivesmatter_search.jsonl"), chat="blm")
    reply = post(con, "1408876788839763968")
    assert {k: reply[k] for k in ("author_handle", "reply_to_post_id", "reply_to_author_id", "reply_to_handle",
                                  "quote_of_post_id", "conversation_id", "is_retweet", "truncated")} == {
        "author_handle": "IngColombo",
        "reply_to_post_id": "1408848277550911489",
        "reply_to_author_id": "76027332",
        "reply_to_handle": "FlaDems",
        "quote_of_post_id": "1408654908576894978",
        "conversation_id": "1408848277550911489",
        "is_retweet": False,
        "truncated": False,
    }  # fmt: skip
    assert reply["mentions"] == [("FlaDems", "76027332")]
    assert reply["hashtags"] == sorted(
        ["democracy", "democrats", "democratic", "azzurri", "amakhosi4life", "blacklivesmatter", "blackpinkdisband",
         "covid19", "dus2606", "deltavariant", "euro2020", "f1", "genshinimpact", "jokowiwajibdihukumprokes", "jungwon"]
    )  # fmt: skip

    rt = post(con, "1408876829491015681")
    assert (rt["author_handle"], rt["is_retweet"], rt["retweet_of_post_id"], rt["truncated"]) == (
        "unionist_trade",
        True,
        "1408678886733451268",
        False,
    )
    # the original's whole text, unescaped (&amp; -> &), not the cut "RT @MbuyiseniNdlozi: …"
    assert rt["text"] == (
        "Yesterday George Floyd’s murderer was sentenced to 22 years. \n\nFACT: without the GLOBAL #icantbreathe & "
        "#BlackLivesMatter protests, which took place DURING the pandemic, justice would have never been served. "
        "For, many blacks die of USA & European police brutality with impunity! https://t.co/MydH3NIgiC"
    )
    assert rt["hashtags"] == [
        "blacklivesmatter",
        "icantbreathe",
    ]  # the cut RT's own entities lack #BlackLivesMatter
    assert rt["mentions"] == []  # the retweeted author is not a mention
    assert rt["epoch"] == 1624737386  # 2021-06-26T19:56:26.000Z
    original = con.execute(
        "select author_handle, text from referenced_posts where post_id = '1408678886733451268'"
    ).fetchone()
    assert original == ("MbuyiseniNdlozi", rt["text"])

    # @-addressed: in_reply_to_user_id but no replied_to
    addressed = post(con, "1408875258824716292")
    assert (
        addressed["reply_to_post_id"],
        addressed["reply_to_author_id"],
        addressed["reply_to_handle"],
    ) == (None, "1349149096909668363", "POTUS")
    assert addressed["mentions"] == [
        ("ClimateChangeUS", "46048042"),
        ("POTUS", "1349149096909668363"),
    ]
    assert addressed["hashtags"] == ["blacklivesmatter", "elimination", "golf"]


def test_brexit_and_kpop_give_200_posts():
    con, results = archive(v2("brexit.jsonl"), v2("kpop.jsonl"), chat="t")
    assert [summary(r) for r in results] == [
        (None, "twitter-v2", 100, 100, 0, 0),
        (None, "twitter-v2", 100, 100, 0, 0),
    ]
    assert counts(con) == (200, 145, 0)  # 67 + 78 retweets, all originals included
    assert con.execute("select count(*) from referenced_posts").fetchone() == (80,)


def test_cut_stream_line_is_record_8():
    con, (r,) = archive(v2("streaming_output_with_error.jsonl"), chat="t")
    assert summary(r) == (None, "twitter-v2", 8, 7, 0, 1)
    assert counts(con) == (7, 0, 0)
    assert con.execute("select source_id, record_no, reason, raw from rejects").fetchall() == [
        (
            1,
            8,
            "line 8 is not valid JSON: the line is cut short or corrupt (an interrupted download or stream); "
            "fetch it again or delete it",
            '{"data": {"author_id": "1021159080151404544"',
        )
    ]
    assert con.execute(
        "select count(*) from posts where reply_to_post_id is not null"
    ).fetchone() == (3,)


def test_cut_stream_line_fails_the_file_under_strict():
    con, (r,) = archive(v2("streaming_output_with_error.jsonl"), chat="t", strict=True)
    assert r.error == (
        f"{v2('streaming_output_with_error.jsonl')}: record 8: line 8 is not valid JSON: the line is cut short or "
        "corrupt (an interrupted download or stream); fetch it again or delete it (--strict stops at the first bad record)"
    )
    assert counts(con) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("users.jsonl", "this is a twarc2 users file, which holds no posts"),
        ("counts.jsonl", "this is a twarc2 counts file, which holds no posts"),
        ("empty.json", "the file is empty"),
    ],
)
def test_files_without_posts_get_one_clear_line(name, what):
    path = v2(name)
    con, (r,) = archive(path)
    assert r.error == f"{path}: {what}; supported formats: {supported()}"
    assert r.error.startswith(
        f"{path}: {what}; supported formats: twitter-v2, twitter-v1, twarc-csv, tags"
    )
    for table in ("posts", "referenced_posts", "sources", "rejects", "accounts"):
        assert con.execute(f"select count(*) from {table}").fetchone() == (0,), table


def test_cli_load_of_a_users_file_says_what_it_is(runner, tmp_path):
    from chatgraph.cli import app

    path = v2("users.jsonl")
    result = runner.invoke(app, ["load", str(path), "--db", str(tmp_path / "a.duckdb")])
    assert result.exit_code == 1, result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert error_lines == [
        f"Error: {path}: this is a twarc2 users file, which holds no posts; supported formats: {supported()}"
    ]


def test_flattened_and_paged_copies_of_100_tweets_are_the_same_posts():
    flat, (rf,) = archive(v2("flat.jsonl"), chat="t")
    paged, (rp,) = archive(v2("noflat.jsonl"), chat="t")
    assert summary(rf) == (None, "twitter-v2", 100, 100, 0, 0)
    assert summary(rp) == (None, "twitter-v2", 100, 100, 0, 0)
    a, b = snapshot(flat), snapshot(paged)
    assert {k: len(v) for k, v in a.items()} == {
        "posts": 100,
        "referenced": 66,
        "mentions": 102,
        "hashtags": 26,
        "accounts": 178,
    }
    assert a == b
    assert counts(flat) == (100, 47, 0)
    both, (r1, r2) = archive(v2("flat.jsonl"), v2("noflat.jsonl"), chat="t")
    assert (r1.inserted, r2.inserted, r2.duplicates) == (100, 0, 100)
    assert counts(both) == (100, 47, 0)


def test_retweets_whose_original_is_missing_keep_the_cut_text():
    con, (r,) = archive(v2("withheld.jsonl"), chat="t")
    assert summary(r) == (None, "twitter-v2", 215, 215, 0, 0)  # page-level errors[] are not records
    assert counts(con) == (215, 83, 38)  # 38 retweets' originals "Could not find tweet"
    rt = post(con, "1404365783690616832")
    assert (rt["is_retweet"], rt["truncated"], rt["retweet_of_post_id"]) == (
        True,
        True,
        "1404360795954331652",
    )
    assert rt["text"] == (
        "RT @climatemorgan: The CEO of @AstraZeneca: The #ClimateEmergency is a public health emergency, "
        "for which there is no #vaccine and no one i…"
    )
    assert [m[0] for m in rt["mentions"]] == ["AstraZeneca"]  # not the RT prefix's climatemorgan
    assert rt["hashtags"] == ["climateemergency", "vaccine"]
    # authors missing from includes.users keep their id
    assert con.execute(
        "select count(*) from posts where author_handle is null and author_id is not null"
    ).fetchone() == (6,)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for row in rows:
            w.writerow(row)
    return path


def test_fuller_copy_wins_whichever_file_comes_first(tmp_path):
    # a stream line whose retweeted original is not included, and twarc-csv's merged row of the same retweet
    line = {
        "data": {
            "id": "1500000000000000002",
            "author_id": "22",
            "created_at": "2022-03-01T01:31:00.000Z",
            "text": "RT @ann: Q1 What brought you to #hcldr? Tell us how you first found the chat and what ma…",
            "referenced_tweets": [{"type": "retweeted", "id": "1500000000000000001"}],
            "entities": {"mentions": [{"start": 3, "end": 7, "username": "ann", "id": "11"}],
                         "hashtags": [{"start": 32, "end": 38, "tag": "hcldr"}]},
        },
        "includes": {"users": [{"id": "22", "username": "bob", "name": "Bob"}]},
        "errors": [{"value": "1500000000000000001", "detail": "Could not find tweet"}],
        "matching_rules": [{"id": "1", "tag": "hcldr"}],
    }  # fmt: skip
    stream = tmp_path / "stream.jsonl"
    stream.write_text(json.dumps(line) + "\n", encoding="utf-8")
    full = "Q1 What brought you to #hcldr? Tell us how you first found the chat and what made you stay. #HCLDR"
    table = _write_csv(
        tmp_path / "merged.csv",
        TWARC_CSV_COLUMNS,
        [
            {
                "id": "1500000000000000002", "conversation_id": "1500000000000000002",
                "referenced_tweets.retweeted.id": "1500000000000000001", "author_id": "22",
                "retweeted_user_id": "11", "retweeted_username": "ann", "created_at": "2022-03-01T01:31:00.000Z",
                "text": full, "entities.hashtags": '["#hcldr", "#HCLDR"]', "author.id": "22",
                "author.username": "bob", "author.name": "Bob",
            }
        ],
    )  # fmt: skip
    for order in ((stream, table), (table, stream)):
        con, results = archive(*order, chat="hcldr")
        assert [r.inserted for r in results] == [1, 0]
        p = post(con, "1500000000000000002")
        assert (p["text"], p["truncated"], p["is_retweet"], p["retweet_of_post_id"]) == (
            full,
            False,
            True,
            "1500000000000000001",
        )
        assert p["hashtags"] == ["hcldr"]
        assert p["mentions"] == []
    cut, _ = archive(stream, chat="hcldr")
    assert post(cut, "1500000000000000002")["truncated"] is True
    assert post(cut, "1500000000000000002")["mentions"] == []  # the RT prefix's @ann is dropped


# ---------------------------------------------------------------- twarc-csv


def test_twarc_csv_alone():
    con, (r,) = archive(realdata("twarc-csv/blacklivesmatter_search.csv"))
    assert summary(r) == (None, "twarc-csv", 500, 500, 0, 0)
    assert r.chat_id == "blacklivesmatter"
    assert counts(con) == (500, 367, 0)
    # "\n" written as two characters comes back as a newline
    assert con.execute(
        "select count(*) filter (where text like '%' || chr(10) || '%'), count(*) filter (where text like '%\\n%') from posts"
    ).fetchone() == (352, 0)
    rt = post(con, "1408876829491015681")
    assert rt["text"].startswith(
        "Yesterday George Floyd’s murderer was sentenced to 22 years. \n\nFACT: without the GLOBAL #icantbreathe & "
    )
    assert (rt["retweet_of_post_id"], rt["hashtags"], rt["mentions"]) == (
        "1408678886733451268",
        ["blacklivesmatter", "icantbreathe"],
        [],
    )
    reply = post(con, "1408876788839763968")
    assert (reply["reply_to_post_id"], reply["reply_to_handle"], reply["mentions"]) == (
        "1408848277550911489",
        "FlaDems",
        [("FlaDems", "76027332")],
    )
    addressed = post(
        con, "1408875258824716292"
    )  # no in_reply_to_username without a parent: the leading @
    assert (
        addressed["reply_to_post_id"],
        addressed["reply_to_author_id"],
        addressed["reply_to_handle"],
    ) == (None, "1349149096909668363", "POTUS")


def test_malformed_csv_rows_are_rejects_with_their_row_numbers(tmp_path):
    def row(i: int, text: str, created_at: str = "2022-05-03T00:30:00.000Z") -> list[str]:
        values = dict.fromkeys(TWARC_CSV_COLUMNS, "")
        values.update({"id": f"16000000000000000{i:02d}", "author_id": "7", "author.username": "host",
                       "created_at": created_at, "text": text,
                       "entities.hashtags": '["#solvePT"]'})  # fmt: skip
        return [values[c] for c in TWARC_CSV_COLUMNS]

    path = tmp_path / "broken.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(TWARC_CSV_COLUMNS)
        w.writerow(row(1, "Q1 first #solvePT"))
        w.writerow(
            row(2, "A1 a quoted, comma and a\nreal newline #solvePT")
        )  # one CSV row over two lines
        w.writerow(row(3, "cut short")[:40])
        w.writerow(row(4, "A1 fine #solvePT"))
        w.writerow(row(5, "extra") + ["surplus"])
        w.writerow(row(6, "A1 Excel's date #solvePT", created_at="03/05/2022 00:30"))
        f.write('1600000000000000007,"an unclosed quote\n')
    con, (r,) = archive(path)
    assert summary(r) == (None, "twarc-csv", 7, 3, 0, 4)
    assert con.execute("select record_no, reason from rejects order by record_no").fetchall() == [
        (3, "row 3 has 40 fields, not 84: the row is cut or was edited by hand"),
        (5, "row 5 has 85 fields, not 84: an unquoted comma, or the row was edited by hand"),
        (6, 'row 6: created_at "03/05/2022 00:30" is not a time like 2021-06-26T19:56:26.000Z'),
        (7, "row 7 has a quoted field that is not closed (a cut file or a stray quote); the rest of the file was read into it"),
    ]  # fmt: skip
    assert con.execute("select raw from rejects where record_no = 7").fetchone() == (
        '1600000000000000007,"an unclosed quote\n',
    )
    assert sorted(con.execute("select post_id, record_no from post_sources").fetchall()) == [
        ("1600000000000000001", 1), ("1600000000000000002", 2), ("1600000000000000004", 4),
    ]  # fmt: skip
    assert (
        post(con, "1600000000000000002")["text"]
        == "A1 a quoted, comma and a\nreal newline #solvePT"
    )


# ---------------------------------------------------------------- TAGS


def test_tags_sample_gives_10_posts():
    con, (r,) = archive(realdata("tags/aect19_sample.csv"))
    assert summary(r) == (None, "tags", 10, 10, 0, 0)
    assert r.chat_id == "aect19"
    assert counts(con) == (10, 8, 9)  # 7 retweets cut with "…", 2 long tweets cut in compat mode
    rt = post(con, "1248064163211096064")
    assert {k: rt[k] for k in ("author_id", "author_handle", "is_retweet", "truncated", "retweet_of_post_id", "epoch")} == {
        "author_id": "1245077697686130689", "author_handle": "Patrick81040643", "is_retweet": True,
        "truncated": False, "retweet_of_post_id": None, "epoch": 1586396659,  # Thu Apr 09 01:44:19 +0000 2020
    }  # fmt: skip
    assert (
        rt["text"]
        == "RT @dtpthanh: Look like sisters? @YamChaivisit #aect19 https://t.co/Kr50LjJ0vI"
    )
    assert rt["mentions"] == [("YamChaivisit", "2896012002")]  # the RT prefix's dtpthanh is dropped
    assert rt["hashtags"] == ["aect19"]
    own = post(con, "1225122317849657345")
    assert (
        own["author_handle"],
        own["is_retweet"],
        own["truncated"],
        own["lang"],
        own["reply_to_post_id"],
    ) == ("tadousay", False, True, None, None)
    assert own["mentions"] == [("AECTTechTrends", "804807943"), ("gsa_aect", "922536306437181440")]
    assert con.execute(
        "select count(*) from posts where text = 'NA' or author_id = 'NA'"
    ).fetchone() == (0,)


def test_tags_single_row():
    con, (r,) = archive(realdata("tags/aect19_one.csv"))
    assert summary(r) == (None, "tags", 1, 1, 0, 0)
    p = post(con, "1219758386436165633")
    assert (p["author_handle"], p["is_retweet"], p["truncated"], p["hashtags"], p["mentions"]) == (
        "gsa_aect",
        True,
        True,
        ["aect19"],
        [],
    )


def test_tags_ids_rounded_by_excel_are_rejects_that_say_how_to_fix_it(tmp_path):
    ents = '{"hashtags":[{"text":"hcldr","indices":[0,6]}],"user_mentions":[]}'
    rows = [
        {"id_str": "1.26426E+18", "from_user": "ann", "text": "#hcldr Q1 hello", "created_at": "Tue May 12 00:30:05 +0000 2020",
         "from_user_id_str": "1.2345E+17", "entities_str": ents},
        {"id_str": "1260000000000000001", "from_user": "bob", "text": "#hcldr A1 hi &amp; hello",
         "created_at": "Tue May 12 00:31:00 +0000 2020", "from_user_id_str": "222", "in_reply_to_user_id_str": "NA",
         "in_reply_to_status_id_str": "NA", "entities_str": ents},
        {"id_str": "1260000000000000002", "from_user": "cat", "text": "#hcldr A1 me too",
         "created_at": "Tue May 12 00:32:00 +0000 2020", "from_user_id_str": "333",
         "in_reply_to_status_id_str": "1.26E+18", "entities_str": ents},
        {"id_str": "1260000000000000003", "from_user": "dan", "text": "#hcldr A1 late",
         "created_at": "12/05/2020 00:33", "from_user_id_str": "444", "entities_str": ents},
    ]  # fmt: skip
    path = _write_csv(tmp_path / "excel.csv", TAGS_COLUMNS, rows)
    con, (r,) = archive(path)
    assert summary(r) == (None, "tags", 4, 1, 0, 3)
    fix = (
        "lost precision: a spreadsheet turned the id into a number; download the TAGS sheet again as CSV "
        "(File > Download > Comma-separated values) and load it without opening it in Excel, or import it "
        "with the id columns set to Text"
    )
    assert con.execute("select record_no, reason from rejects order by record_no").fetchall() == [
        (1, f"id_str 1.26426E+18 {fix}"),
        (3, f"in_reply_to_status_id_str 1.26E+18 {fix}"),
        (4, 'row 4: created_at "12/05/2020 00:33" is not Twitter\'s time format (like Tue Jan 21 23:07:15 '
            "+0000 2020); download the sheet again as CSV and load it without opening it in a spreadsheet"),
    ]  # fmt: skip
    p = post(con, "1260000000000000001")
    assert (p["text"], p["reply_to_post_id"], p["reply_to_author_id"], p["hashtags"]) == (
        "#hcldr A1 hi & hello",
        None,
        None,
        ["hcldr"],
    )


def test_lines_that_are_not_tweets(tmp_path):
    tweet = {
        "id": "1700000000000000001",
        "text": "Q1 hello #hcldr",
        "author_id": "5",
        "created_at": "2023-01-03T01:30:00.000Z",
    }
    lines = [
        json.dumps({"data": tweet, "includes": {"users": [{"id": "5", "username": "host"}]}, "matching_rules": []}),
        json.dumps({"errors": [{"detail": "Could not find tweet"}], "meta": {"result_count": 0}, "__twarc": {}}),
        "",  # a blank line: skipped, but line numbers stay those of the file
        json.dumps({"hello": "world"}),
        json.dumps({"data": [{**tweet, "id": "1700000000000000002", "text": "A1 &lt;3 #hcldr"},
                             {"id": "1700000000000000003", "text": "A1 when?", "author_id": "6",
                              "created_at": "03/01/2023 01:31"}]}),
        '{"data": [{"id": "17',
    ]  # fmt: skip
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con, (r,) = archive(path, chat="hcldr")
    # an errors-only page holds no records; the other two lines are one rejected record each
    assert summary(r) == (None, "twitter-v2", 5, 2, 0, 3)
    assert con.execute("select record_no, reason, left(raw, 50) from rejects order by record_no").fetchall() == [
        (2, "line 4 is neither a twarc2 response page nor a tweet", '{"hello": "world"}'),
        (4, 'tweet 1700000000000000003 has an unreadable created_at "03/01/2023 01:31"',
            '{"id":"1700000000000000003","text":"A1 when?","aut'),
        (5, "line 6 is not valid JSON: the line is cut short or corrupt (an interrupted download or stream); "
            "fetch it again or delete it", '{"data": [{"id": "17'),
    ]  # fmt: skip
    assert post(con, "1700000000000000002")["text"] == "A1 <3 #hcldr"
    assert post(con, "1700000000000000002")["author_handle"] is None  # no includes on that line


def test_csv_first_then_pages_completes_mention_ids():
    con, (table, pages) = archive(
        realdata("twarc-csv/blacklivesmatter_search.csv"), v2("blacklivesmatter_search.jsonl")
    )
    assert (table.inserted, pages.inserted, pages.duplicates) == (500, 0, 500)
    assert counts(con) == (500, 367, 0)
    listed = "from mentions where post_id in (select post_id from posts)"
    assert con.execute(f"select count(*), count(account_id) {listed}").fetchone() == (374, 374)


def test_gzipped_pages_and_csv_and_a_pretty_printed_page(tmp_path):
    import gzip

    paths = []
    for rel in (
        "twitter-v2/blacklivesmatter_search.jsonl",
        "twarc-csv/blacklivesmatter_search.csv",
    ):
        target = tmp_path / (Path(rel).name + ".gz")
        target.write_bytes(gzip.compress(realdata(rel).read_bytes()))
        paths.append(target)
    page = json.loads(v2("two_tweets.jsonl").read_text(encoding="utf-8").splitlines()[0])
    pretty = tmp_path / "page.json"
    pretty.write_text(json.dumps(page, indent=2), encoding="utf-8")
    con, results = archive(*paths, pretty, chat="t")
    assert [summary(r) for r in results] == [
        (None, "twitter-v2", 500, 500, 0, 0),
        (None, "twarc-csv", 500, 0, 500, 0),
        (None, "twitter-v2", 1, 1, 0, 0),
    ]
    p = post(con, "1394735776701816833")
    assert (p["author_handle"], p["is_retweet"], p["text"], p["hashtags"]) == (
        "LachiVeronica",
        True,
        "#POIUYTREWQ",
        ["poiuytrewq"],
    )


@pytest.mark.parametrize(
    "rel",
    [
        "twitter-v2/withheld.jsonl",
        "twarc-csv/blacklivesmatter_search.csv",
        "tags/aect19_sample.csv",
    ],
)
def test_loading_a_file_again_changes_nothing(rel, tmp_path):
    path = realdata(rel)
    con, (first,) = archive(path, chat="t")
    assert first.error is None
    tables = [
        "posts",
        "referenced_posts",
        "accounts",
        "mentions",
        "hashtags",
        "sources",
        "post_sources",
        "rejects",
    ]
    before = {t: table_rows(con, f"select columns(*)::VARCHAR from {t}") for t in tables}
    copy = tmp_path / path.name  # the same bytes under another name are the same source
    copy.write_bytes(path.read_bytes())
    for again in (path, copy):
        (r,) = ingest.load(con, [str(again)], chat="t", refresh=False)
        assert r.skipped == "already loaded as source 1"
    assert {t: table_rows(con, f"select columns(*)::VARCHAR from {t}") for t in tables} == before
    assert con.execute("select count(*) from sources").fetchone() == (1,)


@pytest.mark.parametrize(
    ("header", "what"),
    [
        ("id,created_at,username,name,description,public_metrics.followers_count,__twarc.version",
         "a twarc-csv users file"),
        ("start,end,tweet_count,__twarc.retrieved_at,__twarc.url,__twarc.version", "a twarc-csv counts file"),
    ],
)  # fmt: skip
def test_twarc_csv_of_users_or_counts_is_named(header, what, tmp_path):
    path = tmp_path / "out.csv"
    n = len(header.split(","))
    path.write_text(header + "\n" + ",".join(["1"] * n) + "\n", encoding="utf-8")
    con, (r,) = archive(path)
    assert (
        r.error == f"{path}: this is {what}, which holds no posts; supported formats: {supported()}"
    )
    assert con.execute("select count(*) from sources").fetchone() == (0,)


def test_a_page_longer_than_the_fast_readers_limit_still_loads(tmp_path):
    from chatgraph.formats.twitter_v2 import PAGE_BYTES

    def page(i: int, text: str) -> str:
        tweet = {
            "id": f"180000000000000000{i}",
            "text": text,
            "author_id": "5",
            "created_at": "2023-01-03T01:30:00.000Z",
        }
        return json.dumps(
            {"data": [tweet], "includes": {"users": [{"id": "5", "username": "host"}]}}
        )

    path = tmp_path / "pages.jsonl"
    path.write_text(
        "\n".join([page(1, "Q1 #hcldr"), page(2, "A1 " + "x" * PAGE_BYTES), page(3, "A2 #hcldr")])
        + "\n"
    )
    con, (r,) = archive(path, chat="hcldr")
    assert summary(r) == (None, "twitter-v2", 3, 3, 0, 0)
    assert con.execute("select post_id, author_handle, length(text) from posts order by post_id").fetchall() == [
        ("1800000000000000001", "host", 9), ("1800000000000000002", "host", PAGE_BYTES + 3), ("1800000000000000003", "host", 9),
    ]  # fmt: skip


def test_pages_mixed_with_other_lines(tmp_path):
    # the first line is a page, so pages are read the fast way and only the other lines again
    page = v2("two_tweets.jsonl").read_text(encoding="utf-8").splitlines()[0]
    stream = v2("streaming_output_with_error.jsonl").read_text(encoding="utf-8").splitlines()[0]
    lines = [
        page,
        stream,
        "",
        '{"data": "str"}',
        '{"errors": [{"detail": "x"}], "__twarc": {}}',
        '{"data": [{"id": "17',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con, (r,) = archive(path, chat="t")
    assert summary(r) == (None, "twitter-v2", 4, 2, 0, 2)
    assert table_rows(con, "select post_id, author_handle from posts") == [
        ("1377650090978992134", "blackheart_265"), ("1394735776701816833", "LachiVeronica"),
    ]  # fmt: skip
    assert con.execute("select record_no, reason from rejects order by record_no").fetchall() == [
        (3, "line 4 is neither a twarc2 response page nor a tweet"),
        (4, "line 6 is not valid JSON: the line is cut short or corrupt (an interrupted download or stream); "
            "fetch it again or delete it"),
    ]  # fmt: skip
