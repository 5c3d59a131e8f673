"""The sample archive (sample_exports/, every format) against the simulator's truth: interactions,
new connections per year, and the growth table's participants, newcomers and retention."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from chatgraph import db as dbmod
from chatgraph.growth import growth, overlap

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def truth():
    from chatgraph.simulate.samples import sample_chats

    return sample_chats()


@pytest.fixture(scope="module")
def archive(sample_db):
    con = dbmod.connect(sample_db, read_only=True)
    yield con
    con.close()


def rows_of(con, chat, post_ids):
    got = con.execute(
        "select post_id, kind, source_handle, target_handle from interactions where chat_id = $c",
        {"c": chat},
    ).fetchall()
    return {r for r in got if r[0] in post_ids}


def test_interactions_equal_the_truth(archive, truth):
    # The chat moved from Twitter to Mastodon to Bluesky: one archive chat, three simulated ones.
    for name in ("hcldr", "hcldr-mastodon", "hcldr-bluesky"):
        sim = truth[name]
        ours = rows_of(archive, "hcldr", {p.post_id for p in sim.posts})
        # (a TAGS sheet, 2022, keeps a quote only as a status link in its entities: found too)
        assert ours == sim.interactions, name
    uscap = truth["uscap"]
    assert rows_of(archive, "uscap", {p.post_id for p in uscap.posts}) == uscap.interactions


def test_new_connections_per_year_equal_the_truth(archive, truth):
    rows = archive.execute(
        "select first_year, a_handle, b_handle from connections where chat_id = 'hcldr'"
    ).fetchall()
    ours: dict[int, set[tuple[str, str]]] = {}
    for year, a, b in rows:
        ours.setdefault(year, set()).add((a, b))
    expected = truth["hcldr"].new_connections_by_year
    # every Twitter-era file keeps every kind (the 2022 TAGS sheet's quotes through their links);
    # from Nov 2023 the Mastodon and Bluesky chats are simulated on their own
    for year in range(2016, 2023):
        assert ours[year] == expected[year], year
    uscap = archive.execute(
        "select first_year, count(*) from connections where chat_id = 'uscap' group by all order by 1"
    ).fetchall()
    assert uscap == [(y, len(p)) for y, p in truth["uscap"].new_connections_by_year.items()]


def expected_growth(sim, include_retweeters):
    """Participants, active participants, newcomers, returning and retention per local year."""
    years = sorted({s.local_date.year for s in sim.sessions})
    year_of = {s.key: s.local_date.year for s in sim.sessions}
    everyone = sim.participants()
    active = sim.participants(active_only=True)
    counted = everyone if include_retweeters else active

    def per_year(by_session):
        out = {y: set() for y in years}
        for key, people in by_session.items():
            out[year_of[key]] |= people
        return out

    all_y, active_y, counted_y = per_year(everyone), per_year(active), per_year(counted)
    new_y = sim.newcomers_by_year(active_only=not include_retweeters)
    out = {}
    for y in years:
        new = new_y.get(y, set())
        back = new & counted_y.get(y + 1, set())
        retention = len(back) / len(new) if new and y < years[-1] else None
        out[y] = (
            len(all_y[y]),
            len(active_y[y]),
            len(new),
            len(counted_y[y]) - len(new),
            retention,
        )
    return out


@pytest.mark.parametrize("include_retweeters", [False, True])
def test_growth_equals_the_truth(archive, truth, include_retweeters):
    df = growth(archive, "hcldr", include_retweeters=include_retweeters)
    ours = {
        r[0]: r[1:]
        for r in df.select(
            "year", "participants", "active_participants", "newcomers", "returning", "retention"
        ).iter_rows()
    }
    expected = expected_growth(truth["hcldr"], include_retweeters)
    # Twitter alone until the move to Mastodon in November 2023
    for year in range(2016, 2023):
        assert ours[year] == pytest.approx(expected[year]), year


def test_the_new_connections_curve(archive, truth):
    df = growth(archive, "hcldr")
    curve = dict(df.select("year", "new_connections").iter_rows())
    expected = {y: len(p) for y, p in truth["hcldr"].new_connections_by_year.items()}
    assert {y: curve[y] for y in range(2016, 2022)} == {y: expected[y] for y in range(2016, 2022)}
    # the question behind the project: far fewer new connections after 2020
    assert max(curve[y] for y in (2021, 2022, 2023)) < min(curve[y] for y in (2017, 2018, 2019)) / 2
    assert df["cumulative_connections"].to_list()[-1] == df["new_connections"].sum()


def test_hcldr_and_uscap_share_members(archive):
    o = overlap(archive, "hcldr", "uscap")
    shared = set(o.shared_accounts["handle"])
    uscap_authors = {
        h
        for (h,) in archive.execute(
            "select distinct lower(author_handle) from posts where chat_id = 'uscap'"
        ).fetchall()
    }
    hcldr_authors = {
        h
        for (h,) in archive.execute(
            "select distinct lower(author_handle) from posts where chat_id = 'hcldr'"
        ).fetchall()
    }
    assert shared == uscap_authors & hcldr_authors and shared


def test_growth_by_session_equals_the_truth(archive, truth):
    sim = truth["hcldr"]
    df = growth(archive, "hcldr", by="session")
    df = df.with_columns(df["retention"].round(9))
    ours = {
        r[0]: r[1:]
        for r in df.select(
            "session_id",
            "participants",
            "active_participants",
            "newcomers",
            "returning",
            "retention",
        ).iter_rows()
    }
    everyone, active, new = (
        sim.participants(),
        sim.participants(active_only=True),
        sim.newcomers(active_only=True),
    )
    order = [s.key for s in sorted(sim.sessions, key=lambda s: s.starts_at)]
    later: set[str] = set()
    back: dict[str, set[str]] = {}
    for key in reversed(order):  # who takes part in a later session
        back[key] = set(later)
        later |= active[key]
    twitter = [s.key for s in sim.sessions if s.local_date.year <= 2022]
    expected = {
        key: (
            len(everyone[key]),
            len(active[key]),
            len(new[key]),
            len(active[key]) - len(new[key]),
            round(len(new[key] & back[key]) / len(new[key]), 9) if new[key] else None,
        )
        for key in twitter
    }
    assert {key: ours.get(key) for key in twitter} == expected


def test_growth_of_the_sample_chat_pinned(archive):
    """The numbers `chatgraph growth --chat hcldr` shows for sample_exports/ (the chat's time zone
    set): 2016-2023 on Twitter, Mastodon from November 2023, Bluesky in late 2024."""
    df = growth(archive, "hcldr")
    rows = [r[:7] + (None if r[7] is None else round(r[7], 4),) + r[8:] for r in df.rows()]
    assert rows == [
        # year sessions posts participants active newcomers returning retention new cumulative median
        (2016, 47, 1658, 30, 30, 30, 0, 0.4, 139, 139, 6.0),
        (2017, 43, 2025, 40, 40, 28, 12, 0.3214, 181, 320, 6.0),
        (2018, 45, 2417, 43, 43, 29, 14, 0.3103, 256, 576, 11.0),
        (2019, 42, 2433, 44, 44, 30, 14, 0.4333, 190, 766, 5.5),
        (2020, 46, 2422, 38, 38, 17, 21, 0.5294, 170, 936, 8.0),
        (2021, 43, 1603, 20, 20, 5, 15, 0.6, 53, 989, 7.0),
        (2022, 44, 1414, 10, 10, 2, 8, 0.0, 16, 1005, 5.5),
        (2023, 41, 1168, 12, 12, 7, 5, 1.0, 17, 1022, 5.0),
        (2024, 24, 734, 26, 26, 19, 7, None, 68, 1090, 4.0),
    ]


def test_the_report_counts_agree_or_say_why(archive):
    """Issue 17: the figures a reader compares on the sample archive, each with its definition."""
    from chatgraph import maps, report, sessions

    # The header: 167 accounts posted; the all-years map shows the 180 connected accounts, 164 of
    # the posters and 16 that never posted (only mentioned or replied to). 3 posters made no
    # connection.
    assert report.account_counts(archive, "hcldr") == report.AccountCounts(167, 180, 164, 16)
    whole = maps.map_data(archive, "hcldr")
    assert (len(whole.nodes), whole.never_posted) == (180, 16)
    # Communities of 2016: 36 connected accounts, 30 of them the year's active participants, the
    # growth table's 30; the other 6 never posted.
    sizes = report.community_sizes(archive, "hcldr", [2016, 2019])
    assert sizes.select("year", "accounts", "active_participants").rows() == [
        (2016, 36, 30),
        (2019, 49, 43),  # growth: 44 active in 2019, one of them with no connection that year
    ]
    by_year = growth(archive, "hcldr").filter(pl.col("year").is_in([2016, 2019]))
    assert by_year["active_participants"].to_list() == [30, 44]
    # The first session: 5 participants, 4 active (ColinHung only retweeted), so 4 newcomers
    # (it was 5: the retweeter was counted as a newcomer but not as active).
    table = sessions.table(archive, "hcldr")
    assert table.row(0) == ("hcldr-2016-01-05", date(2016, 1, 5), "20:29", 20, 5, 4, 4, 4)
    # the sessions table and growth by session agree on every session
    per_session = growth(archive, "hcldr", by="session")
    for column in ("participants", "active_participants", "newcomers"):
        assert table[column].to_list() == per_session[column].to_list(), column
    assert (table["newcomers"] <= table["active_participants"]).all()


def test_the_session_retention_line_breaks_at_gaps_on_the_samples(archive):
    """Issue 17: the pooled retention line of the report was one piece over 375 sessions, drawn
    across the sessions without a value (2021-2023) and the five-month pause of 2024."""
    import re

    from chatgraph import report

    by_session = growth(archive, "hcldr", by="session")
    dates = by_session["local_date"].to_list()
    breaks = report.pauses(dates)
    assert [d.isoformat() for d, b in zip(dates, breaks, strict=True) if b] == ["2024-09-03"]
    values = report.pooled_retention(by_session)
    pieces = report.runs(values, breaks)
    assert pieces == [(0, 236), (244, 259), (260, 279), (290, 302), (344, 361), (361, 375)]
    between = [range(a[1], b[0]) for a, b in zip(pieces, pieces[1:], strict=False)]
    assert all(values[i] is None for gap in between for i in gap)
    svg = report.plot_sessions(by_session)
    # six line pieces, each one path of one stroke (matplotlib drops collinear points)
    drawn = re.findall(r'<g id="sessions-retention-\d+">\s*<path d="([^"]*)"', svg)
    assert [d.count("M") for d in drawn] == [1] * 6
