"""The Python API for notebooks: an archive's tables as polars DataFrames, its graphs as NetworkX.

    from chatgraph.api import Archive

    with Archive("hcldr.duckdb") as archive:
        archive.growth()                      # one row per year
        g = archive.graph(years=(2015, 2019), kinds=["reply", "mention"])
        archive.metrics(year=2019).head(10)   # PageRank, betweenness, communities, k-core

Every method takes ``chat=None`` (the archive's only chat) or a chat's name; years are the chat's
local years.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import polars as pl

from chatgraph import db as dbmod
from chatgraph import graphs
from chatgraph.chats import resolve
from chatgraph.errors import UsageError
from chatgraph.growth import Overlap, growth, overlap
from chatgraph.interactions import CONNECTING_KINDS, KINDS


class Archive:
    """An archive opened for reading (``read_only=False`` to load into it from Python too)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = True) -> None:
        memory = str(path) == ":memory:"
        self.con: duckdb.DuckDBPyConnection = dbmod.connect(
            path, read_only=read_only and not memory
        )

    @classmethod
    def from_connection(cls, con: duckdb.DuckDBPyConnection) -> Archive:
        """Wrap a connection already open (e.g. ``chatgraph.db.connect(":memory:")``)."""
        archive = cls.__new__(cls)
        archive.con = con
        return archive

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # ------------------------------------------------------------------------------ tables

    def chat(self, chat: str | None = None) -> str:
        """The chat's id: the one named (case and ``#`` ignored), or the archive's only chat."""
        return resolve(self.con, chat)

    def sql(self, query: str, **params: Any) -> pl.DataFrame:
        """Any SQL over the public schema, with ``$name`` parameters given as keywords."""
        return self.con.sql(query, params=params or None).pl()

    def chats(self) -> pl.DataFrame:
        return self.sql("select * from chats order by chat_id")

    def posts(self, chat: str | None = None, year: int | None = None) -> pl.DataFrame:
        """The chat's posts in time order (one year of them, if given)."""
        return self._rows("posts", chat, year, "created_at, post_id")

    def interactions(
        self,
        chat: str | None = None,
        year: int | None = None,
        kinds: Iterable[str] | None = None,
    ) -> pl.DataFrame:
        """Who replied to, mentioned, retweeted or quoted whom, one row per post and target."""
        chosen = list(kinds) if kinds is not None else list(KINDS)
        bad = [k for k in chosen if k not in KINDS]
        if bad:
            raise UsageError(f"unknown interaction kind {bad[0]!r}; choose from {', '.join(KINDS)}")
        df = self._rows("interactions", chat, year, "created_at, post_id, kind, target_handle")
        return df.filter(pl.col("kind").is_in(chosen))

    def connections(self, chat: str | None = None, year: int | None = None) -> pl.DataFrame:
        """Unordered pairs with at least one reply, mention or quote (``year``: first seen in it)."""
        cond = "" if year is None else "and first_year = $year"
        params: dict[str, Any] = {"chat": self.chat(chat)}
        if year is not None:
            params["year"] = year
        return self.sql(
            f"select * from connections where chat_id = $chat {cond} "
            "order by first_seen_at, a_handle, b_handle",
            **params,
        )

    def sessions(self, chat: str | None = None) -> pl.DataFrame:
        return self.sql(
            "select * from sessions where chat_id = $chat order by starts_at", chat=self.chat(chat)
        )

    def questions(self, chat: str | None = None) -> pl.DataFrame:
        return self.sql(
            "select q.* from questions q join sessions s using (session_id) "
            "where s.chat_id = $chat order by q.asked_at",
            chat=self.chat(chat),
        )

    def _rows(self, table: str, chat: str | None, year: int | None, order: str) -> pl.DataFrame:
        chat_id = self.chat(chat)
        params: dict[str, Any] = {"chat": chat_id}
        cond = ""
        if year is not None:
            cond = "and year(timezone($tz, created_at)) = $year"
            params |= {"tz": graphs.chat_timezone(self.con, chat_id), "year": year}
        return self.sql(
            f"select * from {table} where chat_id = $chat {cond} order by {order}", **params
        )

    # ------------------------------------------------------------------------------ analysis

    def growth(
        self,
        chat: str | None = None,
        by: str = "year",
        include_retweeters: bool = False,
        by_account: bool = False,
    ) -> pl.DataFrame:
        """Participants, newcomers, returning, retention and new connections per year or session;
        people (linked accounts are one), or accounts with ``by_account``."""
        return growth(
            self.con,
            self.chat(chat),
            by=by,
            include_retweeters=include_retweeters,
            by_account=by_account,
        )

    def overlap(self, chat_a: str, chat_b: str, by_account: bool = False) -> Overlap:
        """People (or accounts) and connections two chats share."""
        return overlap(self.con, self.chat(chat_a), self.chat(chat_b), by_account=by_account)

    def people(self) -> pl.DataFrame:
        """The linked accounts: one row per account of a person (see ``chatgraph people``)."""
        from chatgraph import people

        return people.people(self.con)

    def graph(
        self,
        chat: str | None = None,
        *,
        year: int | None = None,
        years: tuple[int, int] | None = None,
        session: str | None = None,
        question: int | None = None,
        kinds: Iterable[str] = KINDS,
        weights: dict[str, float] | None = None,
        by_account: bool = False,
    ) -> nx.DiGraph:
        """The directed interaction graph of a chat, a year, a range of years, a session or a
        question; edges carry a count per kind, ``weight`` and ``first_seen``. One node per person
        (linked accounts are one), or per account with ``by_account``."""
        scope = graphs.Scope(self.chat(chat), year, years, session, question)
        return graphs.build(self.con, scope, tuple(kinds), weights, by_account=by_account)

    def metrics(
        self,
        chat: str | None = None,
        *,
        year: int | None = None,
        years: tuple[int, int] | None = None,
        session: str | None = None,
        question: int | None = None,
        kinds: Iterable[str] = CONNECTING_KINDS,
        seed: int = 0,
    ) -> pl.DataFrame:
        """Per account: degrees, PageRank, betweenness, Louvain community (seeded), k-core."""
        g = self.graph(
            chat, year=year, years=years, session=session, question=question, kinds=kinds
        )
        return graphs.metrics(g, seed=seed)

    def core_members(self, chat: str | None = None, k: int | None = None) -> pl.DataFrame:
        """Each year's core members (its main k-core, or the k-core for ``k``)."""
        return graphs.core_members(self.con, self.chat(chat), k=k)
