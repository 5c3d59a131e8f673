"""Named research queries: every file in queries/ runs and returns rows; parameters and errors."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import research_archive

from chatgraph import db as dbmod
from chatgraph import queries
from chatgraph.cli import app
from chatgraph.errors import ChatgraphError, UsageError

# The columns each query returns; a new query file needs an entry here.
EXPECTED_COLUMNS = {
    "bridge_accounts": ["handle", "partners", "partner_pairs", "open_pairs", "clustering",
                        "effective_size"],
    "chat_overlap": ["handle", "posts_in_chat", "posts_in_other_chat", "first_in_chat",
                     "first_in_other_chat", "joined_first"],
    "chat_overlap_per_year": ["year", "in_chat", "in_other_chat", "in_both", "jaccard"],
    "co_hashtags": ["tag", "posts", "accounts", "share_of_posts", "first_used", "last_used"],
    "cohort_activity": ["first_year", "year", "years_since_first", "active", "cohort_size",
                        "share_active"],
    "interactions_per_year": ["year", "replies", "mentions", "retweets", "quotes",
                              "from_accounts", "to_accounts"],
    "most_replied_posts": ["post_id", "created_at", "author_handle", "replies", "repliers", "quotes",
                           "retweets", "session_id", "question", "text"],
    "new_connections_per_year": ["first_year", "new_connections", "total_connections",
                                 "with_a_newcomer", "their_interactions_since"],
    "newcomer_retention": ["first_year", "newcomers", "returned_next_year", "retention",
                           "active_in_latest_year", "participants"],
    "questions_by_activity": ["local_date", "session_id", "question", "text", "answers",
                              "retweets", "replies", "participants"],
    "reply_depth_after_questions": ["local_date", "session_id", "question", "text", "answers",
                                    "max_reply_depth", "posts_in_reply_chains",
                                    "seconds_to_first_answer", "median_reply_seconds"],
    "session_summary": ["session_id", "local_date", "starts_at", "ends_at", "posts", "participants",
                        "active_participants", "newcomers", "questions", "retweets", "replies"],
    "top_participants_per_year": ["year", "rank", "handle", "posts", "retweets", "sessions",
                                  "interactions_received"],
}  # fmt: skip

ALL = queries.find()


@pytest.fixture(scope="session")
def archive(tmp_path_factory) -> Path:
    """The hand-checked archive of tests/research_archive.py, in a file."""
    path = tmp_path_factory.mktemp("research") / "archive.duckdb"
    con = dbmod.connect(path)
    research_archive.fill(con)
    con.close()
    return path


@pytest.fixture
def con(archive):
    c = queries.open_read_only(archive)
    yield c
    c.close()


def sample_params(con, query: queries.Query) -> dict[str, str]:
    """The busiest chat as `chat`, the next one (or the same) as `other_chat`."""
    chats = [r[0] for r in con.execute(
        "select chat_id from posts group by chat_id order by count(*) desc, chat_id").fetchall()]  # fmt: skip
    values = {"chat": chats[0], "other_chat": chats[1] if len(chats) > 1 else chats[0]}
    return {k: v for k, v in values.items() if k in query.param_names}


def test_every_query_file_is_listed_here():
    assert sorted(q.name for q in ALL) == sorted(EXPECTED_COLUMNS)
    assert len(ALL) >= 10


@pytest.mark.parametrize("query", ALL, ids=lambda q: q.name)
def test_header_declares_exactly_the_parameters_used(query):
    assert query.title and query.description
    assert sorted(query.param_names) == sorted(queries.placeholders(query.sql))
    assert "chat" in query.param_names


@pytest.mark.parametrize("query", ALL, ids=lambda q: q.name)
def test_query_returns_rows_on_the_hand_checked_archive(con, query):
    values = {"chat": "hcldr", "other_chat": "hcsm"}
    df = queries.run(con, query, {k: v for k, v in values.items() if k in query.param_names})
    assert df.columns == EXPECTED_COLUMNS[query.name]
    assert df.height >= 1


@pytest.mark.parametrize("query", ALL, ids=lambda q: q.name)
def test_query_returns_rows_on_the_sample_archive(sample_db, query):
    con = queries.open_read_only(sample_db)
    try:
        df = queries.run(con, query, sample_params(con, query))
    finally:
        con.close()
    assert df.columns == EXPECTED_COLUMNS[query.name]
    assert df.height >= 1, f"{query.name} returned no rows on sample_exports/"
    if query.name == "co_hashtags":
        # the simulator's #HCLDR posts also carry #hcsm, #PatientExperience, ... (#hcsm the most)
        assert df["tag"][0] == "hcsm" and "hcldr" not in df["tag"].to_list()
        assert (df["posts"] >= df["accounts"]).all() and (df["share_of_posts"] < 0.2).all()


# ---------------------------------------------------------------- exact values (hand-checked)


def rows(df: pl.DataFrame, *cols: str) -> list[tuple]:
    return df.select(cols).rows()


def test_session_summary(con):
    df = queries.run(con, "session_summary", {"chat": "hcldr"})
    assert rows(df, "session_id", "posts", "participants", "active_participants", "newcomers",
                "questions", "retweets", "replies") == [
        ("hcldr-2021-03-02", 7, 4, 3, 3, 2, 1, 3),  # carol only retweets: not a newcomer
        ("hcldr-2022-03-01", 7, 5, 5, 2, 2, 0, 3),
    ]  # fmt: skip


def test_newcomer_retention(con):
    df = queries.run(con, "newcomer_retention", {"chat": "hcldr"})
    # 2021 brought hcldr, alice and bob (carol only retweets: a participant, not a newcomer); all
    # three came back in 2022, where dave and erin are new.
    assert df.rows() == [(2021, 3, 3, 1.0, 3, 4), (2022, 2, 0, None, 2, 5)]


def _agree_with_growth(con, chat: str) -> None:
    from chatgraph import growth

    g = growth.growth(con, chat, by="year", by_account=True).filter(pl.col("posts") > 0)
    q = queries.run(con, "newcomer_retention", {"chat": chat})
    assert q["first_year"].to_list() == g["year"].to_list()
    assert q["newcomers"].to_list() == g["newcomers"].to_list()
    assert q["participants"].to_list() == g["participants"].to_list()
    assert q["retention"].to_list() == [
        None if r is None else round(r, 3) for r in g["retention"].to_list()
    ]
    c = queries.run(con, "cohort_activity", {"chat": chat})
    first = c.filter(pl.col("years_since_first") == 0)
    assert dict(first.select("first_year", "cohort_size").rows()) == {
        y: n for y, n in q.select("first_year", "newcomers").rows() if n
    }
    if g["sessions"].sum():
        gs = growth.growth(con, chat, by="session", by_account=True)
        s = queries.run(con, "session_summary", {"chat": chat})
        assert (
            s.select("session_id", "active_participants", "newcomers").rows()
            == gs.select("session_id", "active_participants", "newcomers").rows()
        )


def test_cohort_queries_count_as_growth_does(con):
    _agree_with_growth(con, "hcldr")


def test_cohort_queries_count_as_growth_does_on_the_samples(sample_db):
    con = queries.open_read_only(sample_db)
    try:
        for (chat,) in con.execute("select chat_id from chats order by 1").fetchall():
            _agree_with_growth(con, chat)
    finally:
        con.close()


def test_cohort_activity(con):
    df = queries.run(con, "cohort_activity", {"chat": "hcldr"})
    # carol only retweets: she is in no cohort
    assert df.rows() == [(2021, 2021, 0, 3, 3, 1.0), (2021, 2022, 1, 3, 3, 1.0),
                         (2022, 2022, 0, 2, 2, 1.0)]  # fmt: skip


def test_new_connections_per_year(con):
    df = queries.run(con, "new_connections_per_year", {"chat": "hcldr"})
    # 2021: alice-hcldr, alice-bob, bob-carol; 2022: dave-hcldr, alice-dave, dave-erin, bob-erin.
    assert df.rows() == [(2021, 3, 3, 3, 6), (2022, 4, 7, 4, 5)]


def test_top_participants_per_year_ranks_with_ties(con):
    df = queries.run(con, "top_participants_per_year", {"chat": "hcldr", "limit": "1"})
    assert rows(df, "year", "rank", "handle", "posts", "interactions_received") == [
        (2021, 1, "alice", 2, 3), (2021, 1, "bob", 2, 0), (2021, 1, "hcldr", 2, 3),
        (2022, 1, "alice", 2, 0), (2022, 1, "hcldr", 2, 1),
    ]  # fmt: skip


def test_questions_by_activity(con):
    df = queries.run(con, "questions_by_activity", {"chat": "hcldr", "limit": "2"})
    assert rows(df, "session_id", "question", "answers", "retweets", "replies", "participants") == [
        ("hcldr-2022-03-01", 1, 4, 0, 3, 4),
        ("hcldr-2021-03-02", 1, 2, 1, 2, 4),
    ]


def test_reply_depth_and_response_time(con):
    df = queries.run(con, "reply_depth_after_questions", {"chat": "hcldr"})
    assert rows(df, "session_id", "question", "answers", "max_reply_depth", "posts_in_reply_chains",
                "seconds_to_first_answer", "median_reply_seconds") == [
        ("hcldr-2021-03-02", 1, 2, 2, 2, 120.0, 150.0),
        ("hcldr-2021-03-02", 2, 2, 1, 1, 300.0, 600.0),
        ("hcldr-2022-03-01", 1, 4, 3, 3, 180.0, 180.0),
        ("hcldr-2022-03-01", 2, 1, 0, 0, 180.0, None),
    ]  # fmt: skip


def test_most_replied_posts(con):
    df = queries.run(con, "most_replied_posts", {"chat": "hcldr", "limit": "3"})
    assert rows(df, "post_id", "replies", "quotes", "retweets") == [
        ("1", 1, 0, 0), ("2", 1, 0, 1), ("5", 1, 0, 0),
    ]  # fmt: skip


def test_bridge_accounts(con):
    df = queries.run(con, "bridge_accounts", {"chat": "hcldr", "min_partners": "3"})
    # bob's partners alice, carol and erin never interacted with each other.
    assert rows(df, "handle", "partners", "open_pairs", "clustering", "effective_size") == [
        ("bob", 3, 3, 0.0, 3.0), ("alice", 3, 2, 0.333, 2.333), ("dave", 3, 2, 0.333, 2.333),
    ]  # fmt: skip


def test_co_hashtags(con):
    df = queries.run(con, "co_hashtags", {"chat": "#HCLDR"})
    assert rows(df, "tag", "posts", "accounts") == [
        ("telehealth", 2, 2),
        ("pxe", 2, 1),
        ("hcsm", 1, 1),
    ]


def test_chat_overlap(con):
    df = queries.run(con, "chat_overlap", {"chat": "hcldr", "other_chat": "hcsm"})
    assert rows(df, "handle", "posts_in_chat", "posts_in_other_chat", "joined_first") == [
        ("alice", 4, 1, "hcldr"), ("bob", 3, 1, "hcldr"),
    ]  # fmt: skip
    per_year = queries.run(con, "chat_overlap_per_year", {"chat": "hcldr", "other_chat": "hcsm"})
    assert per_year.rows() == [(2021, 4, 0, 0, 0.0), (2022, 5, 4, 2, 0.286)]


def test_interactions_per_year(con):
    df = queries.run(con, "interactions_per_year", {"chat": "hcldr"})
    assert df.rows() == [(2021, 3, 3, 1, 0, 3, 3), (2022, 2, 2, 0, 1, 4, 3)]


# ---------------------------------------------------------------- parsing and binding


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.sql"
    path.write_text(text)
    return path


def test_parse_header_with_defaults_and_continued_description(tmp_path):
    write(tmp_path, "posts_by_year", "-- title: Posts by year\n-- description: How many posts\n"
          "--   each year had.\n-- params: chat, since=2020\n"
          "select count(*) from posts where chat_id = $chat and year(created_at) >= $since::int;\n")  # fmt: skip
    (q,) = queries.find(tmp_path)
    assert (q.name, q.title, q.description) == ("posts_by_year", "Posts by year",
                                                "How many posts each year had.")  # fmt: skip
    assert q.params == (queries.Param("chat"), queries.Param("since", "2020"))


def test_placeholders_ignore_strings_and_comments():
    sql = "select '$notme', \"$col\" -- $neither\n/* $nor */ from t where a = $yes and b = $yes2"
    assert queries.placeholders(sql) == ["yes", "yes2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-- description: d\n-- params:\nselect 1", "q.sql: the header has no '-- title:' line;"),
        ("-- title: t\n-- description: d\nselect 1",
         "q.sql: the header has no '-- params:' line;"),
        ("-- title: t\n-- description: d\n-- params: chat\nselect $chat, $year",
         "q.sql: the SQL uses $year but '-- params:' does not declare it; add it there"),
        ("-- title: t\n-- description: d\n-- params: chat, year\nselect $chat",
         "q.sql: '-- params:' declares 'year' but the SQL never uses $year; remove it or use it"),
        ("-- title: t\n-- description: d\n-- params: chat, chat\nselect $chat",
         "q.sql: parameter 'chat' is declared twice in '-- params:'"),
    ],
)  # fmt: skip
def test_malformed_headers_name_the_file_and_the_fix(tmp_path, text, message):
    write(tmp_path, "q", text)
    with pytest.raises(ChatgraphError) as e:
        queries.find(tmp_path)
    assert str(e.value).startswith(str(tmp_path / "q.sql")) and message.split(":", 1)[1] in str(
        e.value
    )


def test_values_are_bound_never_pasted(con):
    df = queries.run(con, "chat_overlap", {"chat": "hcldr", "other_chat": "hcsm"})
    assert df.height == 2
    with pytest.raises(UsageError, match="no chat named \"hcsm' or '1'='1\""):
        queries.run(con, "chat_overlap", {"chat": "hcldr", "other_chat": "hcsm' or '1'='1"})
    with pytest.raises(ChatgraphError, match=r"^queries/most_replied_posts.sql: Conversion Error"):
        queries.run(con, "most_replied_posts", {"chat": "hcldr", "limit": "1; drop table posts"})


def test_only_chat_is_the_default_chat(tmp_path):
    path = tmp_path / "one.duckdb"
    c = dbmod.connect(path)
    research_archive.fill(c)
    c.execute("delete from chats where chat_id = 'hcsm'")
    c.close()
    ro = queries.open_read_only(path)
    assert queries.run(ro, "session_summary").height == 2
    ro.close()


# ---------------------------------------------------------------- command line


def test_queries_lists_every_query(runner):
    result = runner.invoke(app, ["queries", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [q["name"] for q in listed] == [q.name for q in ALL]
    assert {"name": "top_participants_per_year", "title": "Top participants per year",
            "params": "chat, limit=10", "from": "shipped"} in listed  # fmt: skip


def test_query_csv(runner, archive):
    result = runner.invoke(app, ["query", "newcomer_retention", "--db", str(archive),
                                 "-p", "chat=hcldr", "--format", "csv"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "first_year,newcomers,returned_next_year,retention,active_in_latest_year,participants\n"
        "2021,3,3,1.0,3,4\n2022,2,0,,2,5\n"
    )


def test_query_parquet_output(runner, archive, tmp_path):
    out = tmp_path / "cohorts.parquet"
    result = runner.invoke(app, ["query", "cohort_activity", "--db", str(archive), "-p", "chat=hcldr",
                                 "--format", "parquet", "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote 3 rows to {out}\n"
    assert pl.read_parquet(out).height == 3


def test_query_show_prints_the_sql(runner):
    result = runner.invoke(app, ["query", "session_summary", "--show"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("session_summary: Session summary\n")
    assert "params: chat\n" in result.stdout
    assert result.stdout.endswith("order by s.starts_at;\n")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["query", "session_summary"],
         "Error: query 'session_summary' needs parameter 'chat'; pass it as -p chat=VALUE "
         "(parameters: chat)"),
        (["query", "chat_overlap", "-p", "chat=hcldr"],
         "Error: query 'chat_overlap' needs parameter 'other_chat'; pass it as -p other_chat=VALUE "
         "(parameters: chat, other_chat)"),
        (["query", "session_summary", "-p", "chat=hcldr", "-p", "year=2021"],
         "Error: query 'session_summary' has no parameter 'year' (parameters: chat); "
         "see chatgraph query session_summary --show"),
        (["query", "session_summary", "-p", "chat"],
         "Error: -p chat: write parameters as -p NAME=VALUE (e.g. -p chat=hcldr)"),
        (["query", "session_summary", "-p", "chat=hcsmm"],
         "Error: -p chat=hcsmm: no chat named 'hcsmm' in the archive (chats: hcldr, hcsm)"),
        (["query", "sessions_summary"],
         "Error: no query named 'sessions_summary' (queries: " + ", ".join(q.name for q in ALL)
         + "); see chatgraph queries"),
        (["query", "session_summary", "-p", "chat=hcldr", "--format", "parquet"],
         "Error: --format parquet writes a binary file; add --output FILE.parquet"),
    ],
)  # fmt: skip
def test_query_errors_are_one_line_exit_2(runner, archive, args, line):
    result = runner.invoke(app, [*args, "--db", str(archive)])
    assert result.exit_code == 2, result.output
    assert result.stderr == line + "\n"
    assert result.stdout == ""


def test_every_research_command_has_help_with_an_example(runner):
    for command in ["queries", "query", "sql", "export", "schema"]:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example: chatgraph " + command in result.stdout


def test_cli_json_equals_the_library_result(runner, archive, con):
    result = runner.invoke(app, ["query", "bridge_accounts", "--db", str(archive),
                                 "-p", "chat=hcldr", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.stdout)
        == queries.run(con, "bridge_accounts", {"chat": "hcldr"}).to_dicts()
    )


def test_a_broken_query_file_does_not_stop_the_others(tmp_path):
    write(tmp_path, "good", "-- title: t\n-- description: d\n-- params:\nselect 1 as one")
    write(tmp_path, "broken", "select 1")
    assert queries.get("good", tmp_path).title == "t"
    with pytest.raises(UsageError) as e:
        queries.get("nope", tmp_path)
    assert str(e.value) == "no query named 'nope' (queries: broken, good); see chatgraph queries"


OWN = "-- title: Posts per chat\n-- description: d\n-- params:\nselect chat_id, count(*) as n from posts group by 1"


def test_own_folders_come_before_the_shipped_queries(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    write(first, "posts_per_chat", OWN)
    write(second, "posts_per_chat", OWN.replace("Posts per chat", "not this one"))
    write(second, "new_connections_per_year", OWN.replace("Posts per chat", "mine"))
    monkeypatch.setenv("CHATGRAPH_QUERIES", str(second))
    path = queries.search_path([first])
    assert path == [first, second, queries.QUERIES_DIR]
    found = {q.name: q for q in queries.find(path)}
    assert sorted(found) == sorted({q.name for q in ALL} | {"posts_per_chat"})
    assert found["posts_per_chat"].title == "Posts per chat"
    assert (
        found["new_connections_per_year"].title == "mine"
    )  # a user's query replaces a shipped one
    assert queries.origin(found["new_connections_per_year"]) == str(second)
    assert queries.origin(found["bridge_accounts"]) == "shipped"
    assert queries.get("posts_per_chat", path).path == first / "posts_per_chat.sql"


def test_a_missing_query_folder_is_one_line(runner, tmp_path, monkeypatch):
    result = runner.invoke(app, ["queries", "--dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --dir {tmp_path / 'nope'}: no such folder; give a folder that holds .sql queries\n"
    )
    monkeypatch.setenv("CHATGRAPH_QUERIES", str(tmp_path / "gone"))
    result = runner.invoke(app, ["query", "bridge_accounts", "--show"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: CHATGRAPH_QUERIES names {tmp_path / 'gone'}, which is not a folder; "
        "fix the path or unset it\n"
    )


def test_queries_takes_db_like_every_command(runner, tmp_path):
    result = runner.invoke(app, ["queries", "--db", str(tmp_path / "x.duckdb"), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "name,title,params,from"
    assert not (tmp_path / "x.duckdb").exists()  # listing never opens the archive
