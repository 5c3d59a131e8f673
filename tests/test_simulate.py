"""The simulator: deterministic, its truth consistent with DESIGN.md, its files loadable."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from conftest import REALDATA

from chatgraph import ingest, simulate
from chatgraph.simulate.render import html_escape_twitter

HALF_YEAR = simulate.ChatSpec(start_date=date(2016, 1, 1), end_date=date(2016, 6, 30))


@pytest.fixture(scope="module")
def chat() -> simulate.SimulatedChat:
    return simulate.generate(HALF_YEAR, seed=11)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_files_byte_for_byte(tmp_path):
    a = simulate.generate(HALF_YEAR, seed=5)
    b = simulate.generate(HALF_YEAR, seed=5)
    simulate.write(a, tmp_path / "a", formats=simulate.FORMATS_FOR["twitter"])
    simulate.write(b, tmp_path / "b", formats=simulate.FORMATS_FOR["twitter"])
    simulate.write(a, tmp_path / "a", formats=["twitter-v1"], stem="gz", compress=True)
    simulate.write(b, tmp_path / "b", formats=["twitter-v1"], stem="gz", compress=True)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert [p.as_dict() for p in a.posts] == [p.as_dict() for p in b.posts]
    assert a.interactions == b.interactions


def test_other_seed_other_chat():
    a = simulate.generate(HALF_YEAR, seed=5)
    c = simulate.generate(HALF_YEAR, seed=6)
    assert [p.post_id for p in a.posts] != [p.post_id for p in c.posts]


def test_tagged_answers_and_question_posts(chat):
    answer_tag = re.compile(r"^(?:@\w+ )*(?:A(\d+)(?: |: | - )|a(\d+)\) |T(\d+): )")
    tagged = 0
    for p in chat.posts:
        if p.kind == "answer" and p.answer_tag is not None:
            m = answer_tag.match(p.text)
            assert m, p.text
            assert int(next(g for g in m.groups() if g)) == p.answer_tag == p.truth_question
            tagged += 1
        if p.truth_is_question:
            assert p.author.role == "host"
            assert not p.is_retweet and p.quote_of is None
            assert re.match(rf"^T{p.truth_question}[ :.]", p.text)
    assert tagged > 300


def test_lone_posts_have_no_session_and_are_far_from_sittings(chat):
    lone = [p for p in chat.posts if p.truth_session is None]
    assert lone and all(p.kind in ("promo", "lone", "retweet") for p in lone)
    assert all(p.truth_question is None for p in lone)
    for p in lone:
        for s in chat.sessions:
            assert abs(p.created_at - s.starts_at) > timedelta(hours=4)


def test_session_posts_inside_their_window(chat):
    sessions = {s.key: s for s in chat.sessions}
    for p in chat.posts:
        if p.truth_session:
            s = sessions[p.truth_session]
            assert s.starts_at - simulate.PRE_CHAT <= p.created_at <= s.ends_at + simulate.STRAGGLE


def test_new_york_daylight_saving_moves_the_utc_start(chat):
    hours = {}
    for s in chat.sessions:
        local = s.starts_at.astimezone(HALF_YEAR.zone)
        assert local.time() == time(20, 30) and local.date() == s.local_date
        assert s.local_date.weekday() == 1
        hours[s.local_date] = s.starts_at.time()
    # DST began on 13 March 2016: 8:30pm EST = 01:30 UTC, 8:30pm EDT = 00:30 UTC (next UTC day)
    before = max(d for d in hours if d < date(2016, 3, 13))
    after = min(d for d in hours if d > date(2016, 3, 13))
    assert (after - before).days <= 14
    assert (hours[before], hours[after]) == (time(1, 30), time(0, 30))
    assert {t for d, t in hours.items() if d < date(2016, 3, 13)} == {time(1, 30)}
    assert {t for d, t in hours.items() if d > date(2016, 3, 13)} == {time(0, 30)}


def test_rules_in_order(chat):
    for p in chat.posts:
        if p.truth_session is None:
            continue
        ref = p.retweet_of or p.quote_of
        if p.truth_method == "reply":
            assert p.truth_question == p.reply_to.truth_question and p.answer_tag is None
        if p.truth_method in ("retweet", "quote"):
            assert p.truth_question == ref.truth_question
        if p.truth_method == "latest":
            asked = [
                n
                for n, _, t in next(s for s in chat.sessions if s.key == p.truth_session).questions
                if t < p.created_at
            ]
            assert p.truth_question == (max(asked) if asked else 0)


def test_the_cases_the_issue_names_occur(chat):
    by_id = chat.by_id
    late = [
        p
        for p in chat.posts
        if p.truth_method == "tag" and p.truth_question < _asked_before(chat, p)
    ]
    assert late, "a late A1 posted during Q2"
    assert any(
        p.truth_method == "reply" and p.reply_to.answer_tag == 1 and _asked_before(chat, p) >= 3
        for p in chat.posts
    ), "an untagged reply to an A1 answer, posted during Q3"
    assert any(
        p.kind == "answer" and p.answer_tag == 1 and _asked_before(chat, p) == 2 for p in late
    ), "a late A1 posted during Q2"
    assert any(
        p.is_retweet and p.retweet_of.question_number == 2 and p.truth_question == 2
        for p in chat.posts
    ), "a retweet of Q2"
    assert any(p.quote_of is not None and p.quote_of.truth_is_question for p in chat.posts)
    great = [p for p in chat.posts if p.text.startswith("T1 was great")]
    assert great and not any(p.truth_is_question for p in great)
    assert all(by_id[p.post_id] is p for p in chat.posts)


def _asked_before(chat, post) -> int:
    s = next(s for s in chat.sessions if s.key == post.truth_session)
    return max([n for n, _, t in s.questions if t < post.created_at], default=0)


def test_interactions_follow_the_definitions(chat):
    kinds = {k for _, k, _, _ in chat.interactions}
    assert kinds == {"reply", "mention", "retweet", "quote"}
    by_id = chat.by_id
    for post_id, kind, a, b in chat.interactions:
        assert a != b
        p = by_id[post_id]
        assert a == p.author_handle.lower()
        if p.is_retweet:
            assert kind == "retweet" and b == p.retweet_of.author_handle.lower()
    # a post @-addressed to an account, with no parent post, is a reply to that account
    addressed = [p for p in chat.posts if p.addressed_to is not None]
    assert addressed and all(p.reply_to is None and p.truth_method == "latest" for p in addressed)
    for p in addressed:
        target = p.addressed_to.handle.lower()
        assert {(p.post_id, "reply", p.author_handle.lower(), target)} <= chat.interactions
        assert (p.post_id, "mention", p.author_handle.lower(), target) in chat.interactions
        # a self-reply makes no interaction
    selfies = [p for p in chat.posts if p.reply_to is not None and p.reply_to.author is p.author]
    assert selfies
    assert not any(i[0] == p.post_id for p in selfies for i in chat.interactions)


def test_new_connections_are_first_sightings(chat):
    seen: set[tuple[str, str]] = set()
    for year, pairs in chat.new_connections_by_year.items():
        assert year == 2016
        assert not (pairs & seen)
        seen |= pairs
    assert seen == set(chat.connections())


def test_v1_jsonl_loads_with_exact_counts(chat, tmp_path, db):
    [path] = simulate.write(chat, tmp_path, formats=["twitter-v1"])
    [result] = ingest.load(db, [path], refresh=False)
    assert result.error is None, result.error
    assert result.inserted == len(chat.posts) and result.rejected == 0
    n, rts = db.execute("select count(*), count(*) filter (where is_retweet) from posts").fetchone()
    assert n == len(chat.posts)
    assert rts == sum(p.is_retweet for p in chat.posts)
    rows = db.execute(
        "select post_id, author_handle, text, reply_to_post_id, retweet_of_post_id, quote_of_post_id "
        "from posts"
    ).fetchall()
    truth = {
        p.post_id: (
            p.author_handle,
            p.text,
            p.reply_to_post_id,
            p.retweet_of_post_id,
            p.quote_of_post_id,
        )
        for p in chat.posts
    }
    assert {r[0]: tuple(r[1:]) for r in rows} == truth


def test_southern_and_london_time_zones():
    sydney = simulate.ChatSpec(
        hashtag="AusHealth",
        hosts=("AusHost",),
        timezone="Australia/Sydney",
        weekday=2,
        start="20:30",
        question_prefix="Q",
        start_date=date(2019, 1, 1),
        end_date=date(2019, 12, 31),
        lone_posts=False,
    )
    chat = simulate.generate(sydney, seed=3)
    hours = {s.local_date.month: s.starts_at.time() for s in chat.sessions}
    assert hours[1] == time(9, 30) and hours[7] == time(10, 30)  # AEDT +11, AEST +10
    assert all(s.local_date.weekday() == 2 for s in chat.sessions)
    assert all(p.truth_session is not None for p in chat.posts)
    questions = [p for p in chat.posts if p.truth_is_question]
    assert all(re.match(rf"^Q{p.truth_question}[ :.]", p.text) for p in questions)
    london = simulate.generate(
        simulate.ChatSpec(timezone="Europe/London", start="21:00", start_date=date(2020, 1, 1),
                          end_date=date(2020, 12, 31), hosts=("UKHost",)),
        seed=3,
    )  # fmt: skip
    hours = {s.local_date.month: s.starts_at.time() for s in london.sessions}
    assert hours[1] == time(21, 0) and hours[7] == time(20, 0)


def test_cohost_runs_some_sittings_and_five_question_sittings_occur():
    spec = simulate.ChatSpec(
        hosts=("MainHost", "CoHost"),
        cohost_share=0.3,
        start_date=date(2018, 1, 1),
        end_date=date(2018, 12, 31),
    )
    chat = simulate.generate(spec, seed=2)
    hosts = {s.host for s in chat.sessions}
    assert hosts == {"MainHost", "CoHost"}
    for s in chat.sessions:
        numbers = [n for n, _, _ in s.questions]
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) in (4, 5)
        by_id = chat.by_id
        assert {by_id[pid].author_handle for _, pid, _ in s.questions} == {s.host}
    assert {len(s.questions) for s in chat.sessions} == {4, 5}


def test_newcomers_and_participants(chat):
    participants = chat.participants()
    newcomers = chat.newcomers()
    first = chat.sessions[0].key
    assert newcomers[first] == participants[first]
    seen: set[str] = set()
    for s in chat.sessions:
        assert newcomers[s.key] == participants[s.key] - seen
        seen |= participants[s.key]
    assert chat.newcomers_by_year() == {2016: seen}
    active = chat.participants(active_only=True)
    assert all(active[k] <= participants[k] for k in participants)


def test_conference_chat_shares_members_and_has_no_questions(chat):
    spec = simulate.ChatSpec(
        hashtag="USCAP",
        hosts=(),
        kind="conference",
        timezone="America/Chicago",
        meetings=((date(2016, 3, 12), 3), (date(2017, 3, 4), 2)),
        start_date=date(2016, 1, 1),
        end_date=date(2017, 12, 31),
    )
    conf = simulate.generate(spec, seed=4, community=chat)
    assert [s.local_date for s in conf.sessions] == [
        date(2016, 3, 12), date(2016, 3, 13), date(2016, 3, 14), date(2017, 3, 4), date(2017, 3, 5)
    ]  # fmt: skip
    assert all(not s.questions for s in conf.sessions)
    assert {p.truth_question for p in conf.posts if p.truth_session} == {0}
    assert any(p.truth_session is None for p in conf.posts)
    ours = {(a.account_id, a.handle) for a in chat.accounts}
    shared = {(a.account_id, a.handle) for a in conf.accounts} & ours
    assert len(shared) >= 5
    assert all(p.hashtags[0] in ("USCAP", "uscap") for p in conf.posts if p.reply_to is None)


def _co_tags(post, own: str = "hcldr") -> list[str]:
    """The hashtags a post carries besides the chat's own (these tests' chats are #HCLDR)."""
    return [t for t in post.hashtags if t.lower() != own]


def test_some_posts_carry_co_hashtags_after_the_chats_own(chat):
    originals = [p for p in chat.posts if not p.is_retweet and p.has_hashtag]
    co = [p for p in originals if _co_tags(p)]
    assert 0.06 < len(co) / len(originals) < 0.2
    assert any(len(_co_tags(p)) == 2 for p in co) and any(p.kind == "question" for p in co)
    pool = {t.lower() for t in chat.spec.co_hashtags}
    for p in co:
        # the chat's own hashtag comes first; one or two others, distinct, from the chat's list
        assert p.hashtags[0].lower() == "hcldr" and len(p.hashtags) == 1 + len(_co_tags(p))
        assert {t.lower() for t in _co_tags(p)} <= pool
        assert len(set(_co_tags(p))) == len(_co_tags(p)) <= 2
        assert len(p.text) <= 140  # 2016: they fit the old limit
    assert all(not p.hashtags for p in chat.posts if not p.has_hashtag)
    # a retweet shows the original's hashtags, co-hashtags included
    assert any(p.is_retweet and _co_tags(p) for p in chat.posts)
    # the most used co-hashtag is the first of the list, and far behind the chat's own
    counts = {t.lower(): sum(t.lower() in map(str.lower, p.hashtags) for p in originals)
              for t in chat.spec.co_hashtags}  # fmt: skip
    assert max(counts, key=counts.__getitem__) == "hcsm" and counts["hcsm"] < len(originals) / 5


def test_search_only_leaves_out_replies_without_the_hashtag(chat, tmp_path):
    [path] = simulate.write(chat, tmp_path, ["twitter-v1"], search_only=True)
    lines = path.read_text().splitlines()
    visible = [p for p in chat.posts if p.has_hashtag]
    assert len(lines) == len(visible) < len(chat.posts)
    assert all(p.reply_to is not None for p in chat.posts if not p.has_hashtag)


def test_v1_entities_slice_the_escaped_text(chat):
    from chatgraph.simulate.render import Counts
    from chatgraph.simulate.twitter import v1_tweet

    counts = Counts(chat.posts)
    checked = 0
    for p in chat.posts:
        tweet = v1_tweet(p, counts)
        full = tweet.get("extended_tweet", {}).get("full_text", tweet["text"])
        ents = tweet.get("extended_tweet", {}).get("entities", tweet["entities"])
        if p.is_retweet and len(full) >= 140:
            continue  # compat retweets keep the entities of the uncut text
        for h in ents["hashtags"]:
            assert full[h["indices"][0] : h["indices"][1]] == "#" + h["text"]
            checked += 1
        for m in ents["user_mentions"]:
            assert full[m["indices"][0] : m["indices"][1]] == "@" + m["screen_name"]
        assert tweet["id"] == int(tweet["id_str"]) and tweet["user"]["id"] == int(
            tweet["user"]["id_str"]
        )
        if "&" in p.text:
            assert "&amp;" in full
    assert checked > 800


LATER = simulate.ChatSpec(start_date=date(2019, 1, 1), end_date=date(2019, 4, 30))


@pytest.fixture(scope="module")
def chat_2019() -> simulate.SimulatedChat:
    return simulate.generate(LATER, seed=21)


@pytest.mark.parametrize(
    "fmt", ["twitter-v1", "twitter-v1-extended", "twitter-v2", "twarc-csv", "tags", "rtweet"]
)
def test_every_twitter_format_loads_the_same_posts(chat_2019, fmt, tmp_path, db):
    chat = chat_2019
    [path] = simulate.write(chat, tmp_path, [fmt])
    [result] = ingest.load(db, [path], refresh=False)
    assert (result.format, result.error, result.rejected) == (
        fmt.removesuffix("-extended"),
        None,
        0,
    )
    assert result.inserted == len(chat.posts)
    rows = db.execute(
        "select post_id, author_handle, reply_to_post_id, reply_to_author_id, reply_to_handle, "
        "is_retweet, epoch(created_at) from posts"
    ).fetchall()
    truth = {
        p.post_id: (
            p.author_handle,
            p.reply_to_post_id,
            p.reply_to_author_id,
            p.reply_to_handle,
            p.is_retweet,
            p.created_at.timestamp(),
        )
        for p in chat.posts
    }
    assert {r[0]: tuple(r[1:]) for r in rows} == truth
    texts = dict(db.execute("select post_id, text from posts").fetchall())
    for p in chat.posts:
        if fmt == "tags" and p.is_retweet:
            # a TAGS sheet has only the cut "RT @x: ..." text of a retweet
            assert texts[p.post_id].startswith(f"RT @{p.retweet_of.author_handle}: ")
        else:
            assert texts[p.post_id] == p.text


def test_twarc_csv_and_twarc2_overlap_is_stored_once(chat_2019, tmp_path, db):
    chat = chat_2019
    first = chat.between(date(2019, 1, 1), date(2019, 2, 28))
    second = chat.between(date(2019, 2, 1), date(2019, 4, 30))
    simulate.write(chat, tmp_path, ["twitter-v2"], posts=first, stem="a")
    simulate.write(chat, tmp_path, ["twarc-csv"], posts=second, stem="b")
    results = ingest.load(
        db, [tmp_path / "a_twarc2.jsonl", tmp_path / "b_twarc.csv"], refresh=False
    )
    overlap = {p.post_id for p in first} & {p.post_id for p in second}
    assert overlap and results[1].duplicates == len(overlap)
    union = {p.post_id for p in first} | {p.post_id for p in second}
    assert db.execute("select count(*) from posts").fetchone()[0] == len(union)


def test_twarc2_pages_and_cut_retweets(chat_2019, tmp_path):
    import json

    [path] = simulate.write(chat_2019, tmp_path, ["twitter-v2"])
    pages = [json.loads(line) for line in path.read_text().splitlines()]
    assert [len(p["data"]) for p in pages[:-1]] == [100] * (len(pages) - 1)
    assert sum(len(p["data"]) for p in pages) == len(chat_2019.posts)
    assert "next_token" not in pages[-1]["meta"] and all(
        "next_token" in p["meta"] for p in pages[:-1]
    )
    by_id = chat_2019.by_id
    cut = 0
    for page in pages:
        users = {u["id"] for u in page["includes"]["users"]}
        refs = {t["id"] for t in page["includes"]["tweets"]}
        for t in page["data"]:
            assert t["author_id"] in users
            for ref in t.get("referenced_tweets", []):
                assert ref["id"] in refs
            post = by_id[t["id"]]
            if post.is_retweet and len(_rt_text(post)) > 140:
                cut += 1
                tags = [h["tag"] for h in t.get("entities", {}).get("hashtags", [])]
                assert t["text"] == html_escape_twitter(_rt_text(post)[:139] + "…")
                assert all(f"#{h}" in t["text"] for h in tags)
    assert cut > 0


def _rt_text(post) -> str:
    """The uncut, unescaped ``RT @x: …`` text (Twitter cuts it at 140 characters)."""
    return f"RT @{post.retweet_of.author_handle}: {post.text}"


def test_csv_headers_match_the_real_tools():
    from chatgraph.simulate.twitter import TAGS_COLUMNS, TWARC_CSV_COLUMNS

    assert len(TWARC_CSV_COLUMNS) == 84 and len(TAGS_COLUMNS) == 18
    real_csv = REALDATA / "twarc-csv" / "blacklivesmatter_search.csv"
    real_tags = REALDATA / "tags" / "aect19_sample.csv"
    if not (real_csv.exists() and real_tags.exists()):
        pytest.skip("realdata not present")
    assert real_csv.open().readline().rstrip("\n").split(",") == TWARC_CSV_COLUMNS
    assert real_tags.open().readline().rstrip("\n").split(",") == TAGS_COLUMNS


FEDIVERSE = dict(start_date=date(2023, 11, 1), end_date=date(2024, 2, 29), question_prefix="Q")


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_fediverse_exports_load_with_their_identities(platform, tmp_path, db):
    spec = simulate.ChatSpec(platform=platform, hosts=("hcldr",), **FEDIVERSE)
    chat = simulate.generate(spec, seed=8)
    [path] = simulate.write(chat, tmp_path, [platform])
    [result] = ingest.load(db, [path], refresh=False)
    assert (result.format, result.error, result.rejected) == (platform, None, 0)
    assert result.inserted == len(chat.posts)
    rows = db.execute(
        "select post_id, author_handle, text, reply_to_post_id, retweet_of_post_id, quote_of_post_id, "
        "epoch_us(created_at) from posts"
    ).fetchall()
    truth = {
        p.post_id: (
            p.author_handle,
            p.text,
            p.reply_to_post_id,
            p.retweet_of_post_id,
            p.quote_of_post_id,
            int(p.created_at.timestamp() * 1_000_000),
        )
        for p in chat.posts
    }
    assert {r[0]: tuple(r[1:]) for r in rows} == truth
    if platform == "bluesky":
        assert not any(p.is_retweet for p in chat.posts)
        assert all(p.post_id.startswith("at://did:plc:") for p in chat.posts)
        assert all(a.handle.endswith(".bsky.social") for a in chat.accounts if a.role != "external")
    else:
        assert sum(p.is_retweet for p in chat.posts) > 0
        assert all(p.post_id.startswith("https://") for p in chat.posts)
        assert {a.instance for a in chat.accounts} > {"mastodon.social"}


def test_bluesky_facets_are_utf8_byte_offsets(tmp_path):
    import json

    spec = simulate.ChatSpec(platform="bluesky", hosts=("hcldr",), **FEDIVERSE)
    chat = simulate.generate(spec, seed=9)
    [path] = simulate.write(chat, tmp_path, ["bluesky"])
    views = json.loads(path.read_text())["posts"]
    astral = 0
    for view in views:
        record = view["record"]
        raw = record["text"].encode("utf-8")
        astral += any(ord(c) > 0xFFFF for c in record["text"]) and bool(record.get("facets"))
        for facet in record.get("facets", []):
            piece = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
            feature = facet["features"][0]
            if feature["$type"].endswith("#tag"):
                assert piece == "#" + feature["tag"]
            elif feature["$type"].endswith("#mention"):
                assert piece.startswith("@") and feature["did"].startswith("did:plc:")
    assert astral > 0


def test_sample_exports_are_what_make_samples_writes(sample_dir, tmp_path, capsys):
    from chatgraph.simulate.__main__ import main

    assert main(["--output", str(tmp_path / "samples")]) == 0
    assert _files(tmp_path / "samples") == _files(sample_dir)
    out = capsys.readouterr().out
    assert "hcldr_2016-2018_twarc1.jsonl.gz" in out and out.rstrip().endswith("MiB")
    total = sum(len(b) for b in _files(sample_dir).values())
    assert total < 6.5 * 1024 * 1024


def test_mastodon_seen_from_two_instances_is_stored_once(tmp_path, db):
    import json

    spec = simulate.ChatSpec(platform="mastodon", hosts=("hcldr@mastodon.social",), **FEDIVERSE)
    chat = simulate.generate(spec, seed=10)
    [home] = simulate.write(chat, tmp_path, ["mastodon"], stem="home")
    [other] = simulate.write(chat, tmp_path, ["mastodon"], stem="other", instance="fosstodon.org")
    a, b = json.loads(home.read_text()), json.loads(other.read_text())
    assert [s["uri"] for s in a] == [s["uri"] for s in b]
    foreign = [
        (x, y)
        for x, y in zip(a, b, strict=True)
        if not x["account"]["acct"].endswith("fosstodon.org")
    ]
    assert foreign and all(x["id"] != y["id"] for x, y in foreign)
    assert all(x["account"]["id"] != y["account"]["id"] for x, y in foreign)
    assert {s["account"]["acct"] for s in b} >= {"hcldr@mastodon.social"}
    results = ingest.load(db, [home, other], refresh=False)
    assert [(r.inserted, r.duplicates, r.error) for r in results] == [
        (len(chat.posts), 0, None),
        (0, len(chat.posts), None),
    ]
    replies = db.execute("select count(*) from posts where reply_to_post_id is not null").fetchone()
    assert replies == (sum(p.reply_to is not None for p in chat.posts),)
    ids = dict(db.execute("select post_id, author_id from posts").fetchall())
    assert ids == {p.post_id: p.author_id for p in chat.posts}


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_fediverse_files_are_deterministic(platform, tmp_path):
    spec = simulate.ChatSpec(platform=platform, hosts=("hcldr",), **FEDIVERSE)
    for name in ("a", "b"):
        simulate.write(simulate.generate(spec, seed=12), tmp_path / name, [platform])
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_extended_mode_has_full_text_and_cut_retweets(chat_2019, tmp_path):
    import json

    [path] = simulate.write(chat_2019, tmp_path, ["twitter-v1-extended"])
    tweets = [json.loads(line) for line in path.read_text().splitlines()]
    assert all("full_text" in t and "text" not in t and "extended_tweet" not in t for t in tweets)
    by_id = chat_2019.by_id
    long_ones = [
        t for t in tweets if len(by_id[t["id_str"]].text) > 140 and "retweeted_status" not in t
    ]
    assert long_ones and all(not t["truncated"] for t in long_ones)
    cut = [t for t in tweets if "retweeted_status" in t and len(_rt_text(by_id[t["id_str"]])) > 140]
    assert cut and all(t["full_text"].endswith("…") for t in cut)
    for t in cut:
        original = by_id[t["id_str"]].retweet_of
        assert t["retweeted_status"]["full_text"] == html_escape_twitter(original.text)


def test_rtweet_csv_shape(chat_2019, tmp_path):
    import csv as csvmod

    from chatgraph.simulate.twitter import RTWEET_COLUMNS

    assert len(RTWEET_COLUMNS) == 90
    [path] = simulate.write(chat_2019, tmp_path, ["rtweet"])
    rows = list(csvmod.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0]) == RTWEET_COLUMNS and len(rows) == len(chat_2019.posts)
    by_id = chat_2019.by_id
    for row in rows:
        post = by_id[row["status_id"].removeprefix("x")]
        assert row["user_id"] == "x" + post.author_id
        assert row["is_retweet"] == ("TRUE" if post.is_retweet else "FALSE")
        if post.is_retweet:
            assert row["text"].startswith(f"RT @{post.retweet_of.author_handle}: ")
            assert row["retweet_status_id"] == "x" + post.retweet_of.post_id
            # rtweet counts the retweeted author as the first mention
            assert row["mentions_screen_name"].split(" ")[0] == post.retweet_of.author_handle


def test_personal_archive_zip_holds_the_owners_posts(chat_2019, tmp_path, db):
    import zipfile

    [path] = simulate.write(chat_2019, tmp_path, ["twitter-archive"], account="HCLDRchat")
    names = zipfile.ZipFile(path).namelist()
    assert names == ["data/account.js", "data/tweets.js"]
    tweets = zipfile.ZipFile(path).read("data/tweets.js").decode()
    assert tweets.startswith("window.YTD.tweets.part0 = [")
    assert '"retweeted_status"' not in tweets and '"user"' not in tweets
    [result] = ingest.load(db, [path], refresh=False)
    own = [p for p in chat_2019.posts if p.author_handle == "HCLDRchat"]
    assert (result.format, result.inserted, result.error) == ("twitter-archive", len(own), None)
    rows = db.execute("select post_id, is_retweet, reply_to_post_id from posts").fetchall()
    assert {r[0]: r[1:] for r in rows} == {
        p.post_id: (p.is_retweet, p.reply_to_post_id) for p in own
    }
    again = simulate.write(chat_2019, tmp_path / "again", ["twitter-archive"], account="HCLDRchat")
    assert again[0].read_bytes() == path.read_bytes()


def _without_co_tags(parts, own: str) -> list:
    out: list = []
    for part in parts:
        if part[0] == "tag" and str(part[1]).lower() != own and out and out[-1] == ("text", " "):
            out.pop()
            continue
        out.append(part)
    return out


@pytest.mark.parametrize("platform", ["twitter", "mastodon", "bluesky"])
def test_co_hashtags_change_nothing_but_the_words_they_add(platform):
    import dataclasses

    from chatgraph.simulate.text import plain

    spec = (
        HALF_YEAR
        if platform == "twitter"
        else simulate.ChatSpec(platform=platform, hosts=("hcldr",), **FEDIVERSE)
    )
    with_co = simulate.generate(spec, seed=13)
    without = simulate.generate(dataclasses.replace(spec, co_hashtag_share=0), seed=13)
    assert any(_co_tags(p) for p in with_co.posts)
    assert not any(_co_tags(p) for p in without.posts)
    # sessions, interactions, accounts, ids and times are those of a chat without co-hashtags
    assert with_co.interactions == without.interactions
    assert with_co.new_connections_by_year == without.new_connections_by_year
    assert [vars(s) for s in with_co.sessions] == [vars(s) for s in without.sessions]
    assert [(a.account_id, a.handle, a.name, a.created_at) for a in with_co.accounts] == [
        (a.account_id, a.handle, a.name, a.created_at) for a in without.accounts
    ]
    for a, b in zip(with_co.posts, without.posts, strict=True):
        da, db_ = a.as_dict(), b.as_dict()
        assert a.native == b.native
        assert {k: v for k, v in da.items() if k not in ("text", "hashtags")} == {
            k: v for k, v in db_.items() if k not in ("text", "hashtags")
        }
        # the words are the same; co-hashtags are only added after them
        assert plain(_without_co_tags(a.own_parts, "hcldr"), platform) == b.text


CO_FORMATS = ["twitter-v1", "twitter-v1-extended", "twitter-v2", "twarc-csv", "tags", "rtweet",
              "twitter-archive", "mastodon", "bluesky"]  # fmt: skip


@pytest.mark.parametrize("fmt", CO_FORMATS)
def test_every_format_carries_the_co_hashtags(fmt, chat_2019, tmp_path, db):
    """Each writer puts the co-hashtags where its format puts hashtags, and the archive reads them."""
    platform = fmt if fmt in ("mastodon", "bluesky") else "twitter"
    if platform == "twitter":
        chat = chat_2019
    else:
        spec = simulate.ChatSpec(platform=platform, hosts=("hcldr",), **FEDIVERSE)
        chat = simulate.generate(spec, seed=8)
    owner = "HCLDRchat" if platform == "twitter" else None
    [path] = simulate.write(chat, tmp_path, [fmt], account=owner)
    [result] = ingest.load(db, [path], refresh=False)
    assert (result.error, result.rejected, result.chat_id) == (None, 0, "hcldr")
    got = {
        pid: sorted(tags)
        for pid, tags in db.execute("select post_id, list(tag) from hashtags group by 1").fetchall()
    }
    shown = [p for p in chat.posts if not p.is_retweet]
    if fmt == "twitter-archive":
        shown = [p for p in shown if p.author_handle == "HCLDRchat"]
    truth = {p.post_id: sorted({t.lower() for t in p.hashtags}) for p in shown if p.hashtags}
    assert {pid: got.get(pid) for pid in truth} == truth
    assert sum(len(tags) > 1 for tags in truth.values()) >= 3
