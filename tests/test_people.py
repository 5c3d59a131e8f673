"""People: linking one person's accounts across platforms, and the measures that follow people.

The sample archive (sample_exports/) against the simulator's person-level truth
(:func:`chatgraph.simulate.model.people`): the #HCLDR hosts and the organisations people mention
moved from Twitter to Mastodon and Bluesky; the other Mastodon and Bluesky members are new people.
"""

from __future__ import annotations

import shutil

import pytest

from chatgraph import chats, ingest, people
from chatgraph import db as dbmod
from chatgraph.cli import app
from chatgraph.errors import UsageError
from chatgraph.growth import growth, overlap

HCLDR = ["@HCLDRchat", "hcldr@mastodon.social", "hcldr.bsky.social"]


@pytest.fixture(scope="module")
def truth():
    from chatgraph.simulate.model import as_people
    from chatgraph.simulate.model import people as sim_people
    from chatgraph.simulate.samples import sample_chats

    sims = sample_chats()
    seq = [sims["hcldr"], sims["hcldr-mastodon"], sims["hcldr-bluesky"]]
    person_of = sim_people(seq)
    return {
        "person_of": person_of,
        "people": as_people(seq, person_of),
        "accounts": as_people(seq, {}),
    }


@pytest.fixture
def archive(sample_db, tmp_path):
    """A copy of the sample archive a test may link and unlink in."""
    path = tmp_path / "sample.duckdb"
    shutil.copy(sample_db, path)
    con = dbmod.connect(path)
    yield con
    con.close()


def declare_truth(con, person_of) -> dict[str, list[str]]:
    """Link the accounts the simulator says are one person (those the archive holds)."""
    known = {h for (h,) in con.execute("select distinct lower(handle) from accounts").fetchall()}
    groups: dict[str, list[str]] = {}
    for key, person in sorted(person_of.items()):
        if key in known:
            groups.setdefault(person, []).append(key)
    groups = {p: sorted(ks, key=lambda k: k != p) for p, ks in groups.items() if len(ks) > 1}
    for person, keys in groups.items():
        people.link(con, keys, person=person)
    return groups


def per_year(con, **kw):
    df = growth(con, "hcldr", **kw)
    return {y: (n, c) for y, n, c in df.select("year", "newcomers", "new_connections").iter_rows()}


def counts(truth_pair):
    newcomers, connections = truth_pair
    years = sorted(set(newcomers) | set(connections))
    return {y: (len(newcomers.get(y, ())), len(connections.get(y, ()))) for y in years}


# ------------------------------------------------------------------------ the samples, linked


def test_without_links_people_are_accounts(archive, truth):
    assert people.people(archive).height == 0
    assert per_year(archive) == per_year(archive, by_account=True) == counts(truth["accounts"])
    assert (
        archive.execute(
            "select count(*) from person_connections where chat_id = 'hcldr'"
        ).fetchall()
        == archive.execute("select count(*) from connections where chat_id = 'hcldr'").fetchall()
    )


def test_linked_newcomers_and_new_connections_equal_the_person_truth(archive, truth):
    groups = declare_truth(archive, truth["person_of"])
    assert groups["hcldrchat"] == ["hcldrchat", "hcldr.bsky.social", "hcldr@mastodon.social"]
    ours = per_year(archive)
    assert ours == counts(truth["people"])
    # 2023-2024: the hosts are no newcomers on Mastodon and Bluesky, and their pairs not new again
    assert {y: ours[y] for y in (2023, 2024)} == {2023: (5, 17), 2024: (17, 63)}
    assert per_year(archive, by_account=True) == counts(truth["accounts"])
    new_2024 = {
        (a, b)
        for a, b in archive.execute(
            "select a_person, b_person from person_connections "
            "where chat_id = 'hcldr' and first_year = 2024"
        ).fetchall()
    }
    assert new_2024 == truth["people"][1][2024]


def test_incremental_load_after_linking_equals_a_rebuild(tmp_path, truth):
    from conftest import SAMPLES

    files = sorted(SAMPLES.glob("hcldr_*"))
    twitter = [f for f in files if "mastodon" not in f.name and "bluesky" not in f.name]
    later = [f for f in files if f not in twitter]
    con = dbmod.connect(tmp_path / "incremental.duckdb")
    chats.add(con, "hcldr")
    con.execute("update chats set timezone = 'America/New_York' where chat_id = 'hcldr'")
    ingest.load(con, twitter)
    # linked before the Mastodon and Bluesky accounts are loaded: refused (they are unknown) ...
    with pytest.raises(UsageError, match="unknown account 'hcldr@mastodon.social'"):
        people.link(con, HCLDR)
    ingest.load(con, later[:1])
    people.link(con, HCLDR[:2])  # ... so link what is there, then load the rest, then link it
    ingest.load(con, later[1:])
    people.link(con, ["hcldrchat", "hcldr.bsky.social"])
    rebuilt = dbmod.connect(tmp_path / "rebuilt.duckdb")
    chats.add(rebuilt, "hcldr")
    rebuilt.execute("update chats set timezone = 'America/New_York' where chat_id = 'hcldr'")
    ingest.load(rebuilt, files)
    people.link(rebuilt, HCLDR)
    for by in ("year", "session"):
        assert growth(con, "hcldr", by=by).equals(growth(rebuilt, "hcldr", by=by)), by
    sql = "select * from person_connections order by all"
    assert con.execute(sql).fetchall() == rebuilt.execute(sql).fetchall()


# (a view's rows come in no fixed order: DuckDB aggregates on both cores)
CONNECTIONS = "select * from person_connections order by all"


def test_linking_and_unlinking_round_trip(archive):
    before = (per_year(archive), archive.execute(CONNECTIONS).fetchall())
    done = people.link(archive, HCLDR)
    assert (done.person_id, done.handles) == (
        "hcldrchat",
        ["hcldr.bsky.social", "hcldr@mastodon.social", "hcldrchat"],
    )
    assert per_year(archive) != before[0]
    people.link(archive, ["@ColinHung", "colinhung@mastodon.social"], person="colin")
    removed = people.unlink(archive, ["hcldr.bsky.social", "hcldr@mastodon.social"])
    # hcldrchat is left alone: a person of one account is no link any more
    assert removed == [
        ("hcldrchat", "hcldr.bsky.social"),
        ("hcldrchat", "hcldr@mastodon.social"),
        ("hcldrchat", "hcldrchat"),
    ]
    assert people.unlink_person(archive, "colin") == [
        ("colin", "colinhung"),
        ("colin", "colinhung@mastodon.social"),
    ]
    assert people.people(archive).height == 0
    assert (
        per_year(archive),
        archive.execute(CONNECTIONS).fetchall(),
    ) == before


def test_link_merges_people_and_refuses_clashes(archive):
    people.link(archive, HCLDR[:2])
    people.link(archive, ["@ColinHung", "colinhung.bsky.social"])
    merged = people.link(archive, ["hcldr.bsky.social", "hcldrchat"])
    assert merged.handles == ["hcldr.bsky.social", "hcldr@mastodon.social", "hcldrchat"]
    both = people.link(archive, ["hcldr@mastodon.social", "colinhung"])
    assert (both.person_id, both.merged) == ("hcldrchat", ["colinhung"])
    with pytest.raises(UsageError, match="person id 'ptchloeb' is the handle of another account"):
        people.link(archive, ["chloeberg@mastodon.social", "amaraiyer"], person="ptChloeB")
    with pytest.raises(UsageError, match="two or more different accounts"):
        people.link(archive, ["@HCLDRchat", "hcldrchat"])
    with pytest.raises(UsageError, match="did you mean hcldrchat"):
        people.link(archive, ["@HCLDRchatt", "hcldr.bsky.social"])
    with pytest.raises(UsageError, match="'@ptchloeb' is linked to no person"):
        people.unlink(archive, ["@ptchloeb"])


def test_a_bluesky_did_names_its_account(archive):
    did = archive.execute(
        "select account_id from accounts where handle = 'hcldr.bsky.social'"
    ).fetchall()[0][0]
    assert people.link(archive, ["@HCLDRchat", did]).handles == ["hcldr.bsky.social", "hcldrchat"]


def test_people_files_csv_and_toml(archive, tmp_path):
    toml = tmp_path / "people.toml"
    toml.write_text(
        '[people]\nhcldr = ["@HCLDRchat", "hcldr@mastodon.social", "hcldr.bsky.social"]\n'
        'colin = ["@ColinHung", "ColinHung@mastodon.social"]\n',
        encoding="utf-8",
    )
    done = people.load_file(archive, toml)
    assert (done.people, done.accounts, done.replaced) == (2, 5, 0)
    rows = people.people(archive).select("person", "handle", "origin", "evidence").rows()
    assert rows[0] == ("colin", "colinhung", "file", str(toml))
    assert {r[0] for r in rows} == {"colin", "hcldr"}
    people.link(archive, ["nurseleaders", "nurseleaders.bsky.social"])  # declared: stays
    csv = tmp_path / "people.csv"
    csv.write_text("person,account\nhcldr,@HCLDRchat\nhcldr,hcldr.bsky.social\n", encoding="utf-8")
    again = people.load_file(archive, csv)
    assert (again.people, again.accounts, again.replaced) == (1, 2, 5)
    assert sorted(people.people(archive).select("person", "handle", "origin").rows()) == [
        ("hcldr", "hcldr.bsky.social", "file"),
        ("hcldr", "hcldrchat", "file"),
        ("nurseleaders", "nurseleaders", "declared"),
        ("nurseleaders", "nurseleaders.bsky.social", "declared"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("person,account\nx,@HCLDRchat\nx,@nobody_here\n", encoding="utf-8")
    with pytest.raises(UsageError, match="unknown account '@nobody_here'"):
        people.load_file(archive, bad)
    assert people.people(archive).height == 4  # the refused file changed nothing
    header = tmp_path / "no_header.csv"
    header.write_text("hcldr,@HCLDRchat\n", encoding="utf-8")
    with pytest.raises(UsageError, match="header person,account"):
        people.load_file(archive, header)


def test_overlap_and_map_follow_people(archive):
    from chatgraph import graphs, maps

    people.link(archive, HCLDR)
    g = graphs.build(archive, graphs.Scope("hcldr", year=2024))
    assert "hcldrchat" in g and "hcldr.bsky.social" not in g
    assert g.nodes["hcldrchat"]["accounts"] == (
        "twitter:hcldrchat bluesky:hcldr.bsky.social mastodon:hcldr@mastodon.social"
    )
    by_account = graphs.build(archive, graphs.Scope("hcldr", year=2024), by_account=True)
    assert {"hcldr.bsky.social", "hcldr@mastodon.social"} <= set(by_account)
    data = maps.map_data(archive, "hcldr", year=2024)
    node = next(n for n in data.nodes if n["id"] == "hcldrchat")
    assert (
        "accounts: @HCLDRchat (twitter), @hcldr.bsky.social (bluesky), "
        "@hcldr@mastodon.social (mastodon)" in node["t"]
    )
    assert (data.unit, data.payload()["unit"]) == ("people", "people")  # the page counts people
    assert maps.map_data(archive, "hcldr", year=2024, by_account=True).unit == "accounts"
    # uscap shares no host; with a person linked across the two chats it shares that person
    before = overlap(archive, "hcldr", "uscap").shared_accounts.height
    member = archive.execute(
        "select lower(author_handle) from posts where chat_id = 'uscap' "
        "and lower(author_handle) not in (select lower(author_handle) from posts "
        "where chat_id = 'hcldr' and author_handle is not null) order by 1 limit 1"
    ).fetchall()[0][0]
    people.link(archive, ["hcldr.bsky.social", member])
    assert overlap(archive, "hcldr", "uscap").shared_accounts.height == before + 1
    assert overlap(archive, "hcldr", "uscap", by_account=True).shared_accounts.height == before


def test_forget_a_person_forgets_all_their_accounts(archive):
    people.link(archive, ["@ColinHung", "colinhung@mastodon.social", "colinhung.bsky.social"])
    done = people.forget(archive, "colinhung.bsky.social")
    assert sorted(d.handle for d in done) == [
        "colinhung",
        "colinhung.bsky.social",
        "colinhung@mastodon.social",
    ]
    left = archive.execute(
        "select count(*) from posts where lower(author_handle) like 'colinhung%'"
    ).fetchall()
    assert left == [(0,)]
    assert people.people(archive).height == 0


# ---------------------------------------------------------------------------------- suggestions


def test_suggestions_show_evidence_and_link_nothing(archive):
    df = people.suggest(archive, "hcldr")
    assert df.select("rank", "a_handle", "b_handle").rows()[:3] == [
        (1, "colinhung.bsky.social", "colinhung@mastodon.social"),
        (2, "hcldr.bsky.social", "hcldr@mastodon.social"),
        (3, "amaraiyer", "amaraiyer@mastodon.social"),  # two people of one name: check first
    ]
    second = df.row(1, named=True)
    assert (
        second["evidence"] == "same name 'HCLDR chat'; same handle 'hcldr'; 2 shared partners of 22"
    )
    assert people.people(archive).height == 0
    done = people.accept(archive, [2])
    assert done[0].handles == ["hcldr.bsky.social", "hcldr@mastodon.social"]
    row = people.people(archive).row(0, named=True)
    assert row["origin"] == "suggested" and row["evidence"].startswith("score ")
    # an accepted pair is one person now: no longer suggested
    assert ("hcldr.bsky.social", "hcldr@mastodon.social") not in set(
        people.suggest(archive, "hcldr").select("a_handle", "b_handle").rows()
    )
    with pytest.raises(UsageError, match="no suggestion 99"):
        people.accept(archive, [99])


def test_an_announced_move_is_evidence(db):
    db.execute(
        """
        insert into accounts (account_id, platform, handle, display_name, first_seen_at) values
            ('1', 'twitter', 'jsmith', 'Jo Smith', '2022-01-01'),
            ('did:plc:jo', 'bluesky', 'jo.bsky.social', 'Jo S', '2024-01-01'),
            ('did:plc:jsm', 'bluesky', 'jsmithers.bsky.social', 'Jay Smithers', '2024-01-01');
        insert into posts (post_id, platform, chat_id, created_at, author_id, author_handle, text)
        values
            ('t1', 'twitter', 'c', '2022-01-01', '1', 'jsmith', 'A1 hello #c'),
            ('b1', 'bluesky', 'c', '2024-01-01', 'did:plc:jo', 'jo.bsky.social',
             'I moved here from the bird site, I was @jsmith there #c'),
            ('b2', 'bluesky', 'c', '2024-01-02', 'did:plc:jsm', 'jsmithers.bsky.social',
             'Find me at @jsmithers.bsky.social from now on #c');
        """
    )
    rows = {(r["a_handle"], r["b_handle"]): r for r in people.suggest(db).iter_rows(named=True)}
    assert rows[("jo.bsky.social", "jsmith")]["evidence"] == (
        "@jo.bsky.social names @jsmith in a post about moving"
    )
    assert rows[("jo.bsky.social", "jsmith")]["score"] == 0.5
    # a longer handle that starts like another is not that one named
    assert ("jsmith", "jsmithers.bsky.social") not in rows or "names" not in rows[
        ("jsmith", "jsmithers.bsky.social")
    ]["evidence"]


def suggestion_quality(con, person_of, chat="hcldr"):
    """Precision and recall of the suggestions against the simulator's truth."""
    known = dict(con.execute("select lower(handle), platform from accounts").fetchall())
    truth = set()
    keys = [k for k in person_of if k in known]
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if person_of[a] == person_of[b] and known[a] != known[b]:
                truth.add((min(a, b), max(a, b)))
    df = people.suggest(con, chat)
    got = {(r["a_handle"], r["b_handle"]) for r in df.iter_rows(named=True)}
    hits = got & truth
    return len(hits) / len(got), len(hits) / len(truth), got - truth, truth - got


def test_suggestion_precision_and_recall_on_the_samples(archive, truth, capsys):
    precision, recall, wrong, missed = suggestion_quality(archive, truth["person_of"])
    with capsys.disabled():
        print(
            f"\nsuggestions on sample_exports/: precision {precision:.2f}, recall {recall:.2f}; "
            f"wrong {sorted(wrong)}; missed {sorted(missed)}"
        )
    assert precision >= 0.6 and recall >= 0.6


# ------------------------------------------------------------------------------------------ CLI


def test_cli_link_list_unlink(runner, sample_db, tmp_path):
    path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db, path)
    db = ["--db", str(path)]
    r = runner.invoke(app, ["people", "link", *HCLDR, *db])
    assert r.exit_code == 0, r.output
    assert r.output == (
        "Linked hcldrchat: @hcldr.bsky.social, @hcldr@mastodon.social, @hcldrchat\n"
    )
    r = runner.invoke(app, ["people", "list", "--format", "csv", *db])
    assert r.exit_code == 0, r.output
    rows = [line.split(",") for line in r.output.splitlines()]
    assert rows[0] == [
        "person", "platform", "handle", "account_id", "origin", "evidence", "linked_at"
    ]  # fmt: skip
    assert [(p, pl, h, o) for p, pl, h, _, o, *_ in rows[1:]] == [
        ("hcldrchat", "twitter", "hcldrchat", "declared"),
        ("hcldrchat", "bluesky", "hcldr.bsky.social", "declared"),
        ("hcldrchat", "mastodon", "hcldr@mastodon.social", "declared"),
    ]
    r = runner.invoke(app, ["growth", "--chat", "hcldr", "--format", "csv", *db])
    assert r.output.splitlines()[-1].split(",")[5] == "18"  # 2024 newcomers: 19 accounts
    r = runner.invoke(app, ["growth", "--chat", "hcldr", "--format", "csv", "--by-account", *db])
    assert r.output.splitlines()[-1].split(",")[5] == "19"
    r = runner.invoke(app, ["people", "link", "@HCLDRchat", "@nobody_here", *db])
    assert r.exit_code == 2
    assert "Error: unknown account '@nobody_here'" in r.output
    r = runner.invoke(app, ["people", "unlink", *db])
    assert (r.exit_code, r.output.strip()) == (
        2,
        "Error: name the accounts to unlink, or --person NAME (not both)",
    )
    r = runner.invoke(app, ["people", "unlink", "--person", "hcldrchat", *db])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        "Unlinked @hcldr.bsky.social from hcldrchat",
        "Unlinked @hcldr@mastodon.social from hcldrchat",
        "Unlinked @hcldrchat from hcldrchat",
    ]


def test_cli_suggest_and_accept(runner, sample_db, tmp_path):
    path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db, path)
    db = ["--db", str(path)]
    r = runner.invoke(app, ["people", "suggest", "--chat", "hcldr", "--format", "csv", *db])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "rank,score,a_platform,a_handle,b_platform,b_handle,evidence"
    r = runner.invoke(app, ["people", "suggest", "--chat", "hcldr", "--accept", "2", *db])
    assert r.exit_code == 0, r.output
    assert r.output == "Linked hcldr.bsky.social: @hcldr.bsky.social, @hcldr@mastodon.social\n"


@pytest.mark.slow
def test_suggestion_precision_and_recall_on_simulated_movers(tmp_path, capsys):
    """Chats where most Mastodon and Bluesky newcomers moved from Twitter under new accounts."""
    from chatgraph.simulate.model import people as sim_people
    from chatgraph.simulate.samples import moved_chats, sample_chats
    from chatgraph.simulate.writers import write

    sims = moved_chats()
    assert {k: len(v.moved) for k, v in sims.items()} == {
        "hcldr": 0,
        "hcldr-mastodon": 8,
        "hcldr-bluesky": 10,
    }
    assert all(not chat.moved for chat in sample_chats().values())  # the samples have no movers
    files = []
    for name, fmt in (("hcldr", "twitter-v2"), ("hcldr-mastodon", "mastodon"),
                      ("hcldr-bluesky", "bluesky")):  # fmt: skip
        files += write(sims[name], tmp_path, [fmt], stem=name)
    con = dbmod.connect(tmp_path / "movers.duckdb")
    chats.add(con, "hcldr")
    ingest.load(con, files, chat="hcldr")
    precision, recall, wrong, missed = suggestion_quality(con, sim_people(sims.values()))
    with capsys.disabled():
        print(f"\nsuggestions on simulated movers: precision {precision:.2f}, recall {recall:.2f}")
    assert (precision, round(recall, 2)) == (1.0, 0.91)
    # an announced move is found even under a handle unlike the old one
    announced = con.execute(
        "select count(*) from posts where text like 'New here: I moved from Twitter%'"
    ).fetchall()[0][0]
    assert announced > 0
    con.close()


def test_the_report_follows_people(tmp_path, runner):
    from maparchive import fill

    from chatgraph import report

    con = dbmod.connect(tmp_path / "small.duckdb")
    fill(con)
    people.link(con, ["carol", "dave"])  # one person: their 2021 pair is no connection
    years = [2019, 2020, 2021]
    assert report.community_sizes(con, "hcldr", years).rows()[-1] == (2021, 2, 1, 1, [2])
    assert report.community_sizes(con, "hcldr", years, by_account=True).rows()[-1] == (
        2021, 4, 2, 2, [2, 2],
    )  # fmt: skip
    page = report.write_report(con, tmp_path / "r.html").path.read_text(encoding="utf-8")
    assert "3 sessions · 9 posts by 4 people · 4 connections between 4 people · made by" in page
    con.close()
    out = tmp_path / "a.html"
    r = runner.invoke(app, ["report", "--db", str(tmp_path / "small.duckdb"), "--output",
                            str(out), "--by-account"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (
        "3 sessions · 9 posts by 4 accounts · 5 connections between 5 accounts, 1 of whom never "
        "posted (only mentioned or replied to) · made by"
    ) in out.read_text(encoding="utf-8")


def test_pseudonymized_copies_keep_people_and_name_nobody(archive, tmp_path):
    from chatgraph import privacy

    people.load_file(archive, _toml(tmp_path))
    before = archive.execute(
        "select first_year, count(*) from person_connections group by 1 order by 1"
    ).fetchall()
    with privacy.pseudonymized(archive) as copy:
        rows = copy.execute("select person_id, handle, evidence from person_accounts").fetchall()
        assert rows and all(p.startswith("user-") and h.startswith("user-") for p, h, _ in rows)
        assert {e for _, _, e in rows} == {None}
        after = copy.execute(
            "select first_year, count(*) from person_connections group by 1 order by 1"
        ).fetchall()
    assert after == before


@pytest.mark.slow
def test_cli_forget_a_person(runner, sample_db, tmp_path):
    path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db, path)
    db = ["--db", str(path)]
    assert (
        runner.invoke(app, ["people", "link", "@ColinHung", "colinhung.bsky.social", *db]).exit_code
        == 0
    )
    r = runner.invoke(app, ["forget", "@colinhung.bsky.social", "--yes", *db])
    assert r.exit_code == 0, r.output
    assert [
        line.split(" in ")[0] for line in r.output.splitlines() if line.startswith("Forgot")
    ] == [
        "Forgot @colinhung",
        "Forgot @colinhung.bsky.social",
    ]


def _toml(folder):
    path = folder / "people.toml"
    path.write_text(
        '[people]\nhcldr = ["@HCLDRchat", "hcldr@mastodon.social", "hcldr.bsky.social"]\n',
        encoding="utf-8",
    )
    return path
