"""Score sessions and question threads against a simulated chat's truth.

Session ids need not match the simulator's keys (without a configured time zone the archive dates
sessions in UTC), so sessions are paired by their posts: a found session and a true sitting are the
same when each is the other's majority. A post is *in the right session* when its found session is
the one paired with its true sitting (or both are none: a lone post between sittings), and has the
*right question* when, in addition, its question number is the true one.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from chatgraph import db as dbmod
from chatgraph import ingest


@dataclass
class Score:
    posts: int
    right_session: int
    right_question: int
    wrong_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def session_share(self) -> float:
        return self.right_session / self.posts if self.posts else 1.0

    @property
    def question_share(self) -> float:
        return self.right_question / self.posts if self.posts else 1.0


def load_simulated(chat, folder: str | Path | None = None, formats=("twitter-v1",)):
    """A fresh in-memory archive holding the simulated chat as loaded from its export files."""
    con = dbmod.connect(":memory:")
    with tempfile.TemporaryDirectory(prefix="chatgraph-sim-") as tmp:
        from chatgraph import simulate

        paths = simulate.write(chat, folder or tmp, formats=list(formats))
        ingest.load(con, [str(p) for p in paths])
    return con


def score(con: duckdb.DuckDBPyConnection, chat) -> Score:
    """Compare ``post_threads`` with the truth of the simulated ``chat``.

    Only the posts the archive holds are scored (an export of a bare hashtag search lacks some).
    """
    truth = pl.DataFrame(
        {
            "post_id": [p.post_id for p in chat.posts],
            "kind": [p.kind for p in chat.posts],
            "t_session": [p.truth_session for p in chat.posts],
            "t_question": [p.truth_question for p in chat.posts],
        },
        schema={"post_id": pl.String, "kind": pl.String, "t_session": pl.String,
                "t_question": pl.Int64},
    )  # fmt: skip
    con.register("_truth", truth)
    try:
        rows = con.execute(
            """
            with j as (
                select t.*, pt.session_id, pt.question
                from _truth t join posts p using (post_id)
                left join post_threads pt using (post_id)
            ),
            fwd as (
                select t_session, mode(session_id) as s from j
                where t_session is not null and session_id is not null group by t_session
            ),
            back as (
                select session_id, mode(t_session) as t from j
                where t_session is not null and session_id is not null group by session_id
            ),
            judged as (
                select j.kind,
                       case when j.t_session is null then j.session_id is null
                            else j.session_id is not null and f.s = j.session_id
                                 and b.t = j.t_session end as ok_session,
                       j.question is not distinct from j.t_question as ok_question
                from j left join fwd f using (t_session) left join back b using (session_id)
            )
            select kind, count(*), count(*) filter (where ok_session),
                   count(*) filter (where ok_session and ok_question)
            from judged group by kind order by kind
            """
        ).fetchall()
    finally:
        con.unregister("_truth")
    return Score(
        posts=sum(r[1] for r in rows),
        right_session=sum(r[2] for r in rows),
        right_question=sum(r[3] for r in rows),
        wrong_by_kind={r[0]: r[1] - r[3] for r in rows if r[1] - r[3]},
    )
