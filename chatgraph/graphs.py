"""NetworkX graphs of who interacts with whom, built from the `interactions` table, and their metrics.

A graph is directed (source → target), one node per lower-cased handle and one edge per ordered pair,
with the count of each interaction kind on the edge (``reply=2, mention=1``) and ``weight``, their sum
(or the sum of ``kind_weights[kind] * count``). Times are ISO strings in the chat's time zone, so the
graph writes to GEXF and GraphML as it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import polars as pl

from chatgraph import people
from chatgraph.errors import UsageError
from chatgraph.interactions import KINDS

GRAPH_FORMATS = ("gexf", "graphml", "csv")
# Above this many nodes betweenness is estimated from a seeded sample of this many sources.
BETWEENNESS_SAMPLE = 200
LOCAL_ISO = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class Scope:
    """Which of a chat's interactions a graph holds: all, a year, a range of years, a session or
    a question (of one session, or question N of every session in the other bounds)."""

    chat: str
    year: int | None = None
    years: tuple[int, int] | None = None
    session: str | None = None
    question: int | None = None

    def bounds(self) -> tuple[int | None, int | None]:
        if self.year is not None and self.years is not None:
            raise UsageError("give either a year or a range of years, not both (--year or --years)")
        if self.year is not None:
            return self.year, self.year
        if self.years is not None:
            first, last = self.years
            if first > last:
                raise UsageError(
                    f"years {first}-{last}: the first year is after the last; try {last}-{first}"
                )
            return first, last
        return None, None

    def where(
        self, time_col: str, session_col: str, question_col: str
    ) -> tuple[str, dict[str, Any]]:
        """A SQL condition (and its parameters) selecting this scope's rows of a chat."""
        first, last = self.bounds()
        cond = ["chat_id = $chat"]
        params: dict[str, Any] = {"chat": self.chat}
        if first is not None:
            cond.append(f"year(timezone($tz, {time_col})) between $first and $last")
            params |= {"first": first, "last": last}
        if self.session is not None:
            cond.append(f"{session_col} = $session")
            params["session"] = self.session
        if self.question is not None:
            cond.append(f"{question_col} = $question")
            params["question"] = self.question
        return " and ".join(cond), params

    def label(self) -> str:
        parts = [self.chat]
        if self.year is not None:
            parts.append(str(self.year))
        if self.years is not None:
            parts.append(f"{self.years[0]}-{self.years[1]}")
        if self.session is not None:
            parts.append(f"session {self.session}")
        if self.question is not None:
            parts.append(f"question {self.question}")
        return " ".join(parts)


def parse_years(text: str) -> tuple[int, int]:
    """``"2015-2019"`` → ``(2015, 2019)``; one year ``"2019"`` → ``(2019, 2019)``."""
    first, sep, last = text.strip().partition("-")
    try:
        return (int(first), int(last)) if sep else (int(first), int(first))
    except ValueError:
        raise UsageError(f"--years {text!r}: not a range of years; write it as 2015-2019") from None


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """``"reply,mention"`` → ``("reply", "mention")``, checked against the interaction kinds."""
    if text is None or not text.strip():
        return KINDS
    kinds = tuple(dict.fromkeys(k.strip().lower() for k in text.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise UsageError(f"--kinds: unknown kind {unknown[0]!r}; choose from {','.join(KINDS)}")
    return kinds


def chat_timezone(con: duckdb.DuckDBPyConnection, chat: str) -> str:
    # fetchall, not fetchone: DuckDB keeps a half-read result open and refuses the next con.sql()
    rows = con.execute("select timezone from chats where chat_id = $c", {"c": chat}).fetchall()
    return (rows[0][0] if rows else None) or "UTC"


def _check_scope(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    scope.bounds()
    if scope.session is not None:
        found = con.execute(
            "select count(*) from sessions where chat_id = $c and session_id = $s",
            {"c": scope.chat, "s": scope.session},
        ).fetchall()[0][0]
        if not found:
            raise UsageError(
                f"no session {scope.session!r} in chat {scope.chat!r}; "
                f"list them with: chatgraph sessions --chat {scope.chat}"
            )


def build(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    kinds: tuple[str, ...] | list[str] = KINDS,
    kind_weights: dict[str, float] | None = None,
    by_account: bool = False,
) -> nx.DiGraph:
    """The directed interaction graph of a scope, from the `interactions` table.

    Edge attributes: the count of each chosen kind, ``weight`` and ``first_seen``. Node attributes:
    ``posts`` (the account's posts in the scope), ``first_seen`` (its earliest interaction in the
    graph) and ``first_year``.

    One node per person (:mod:`chatgraph.people`; a linked person's node is named by the person id
    and lists its ``accounts``, ``platform:handle`` joined by spaces), unless ``by_account``.
    """
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise UsageError(f"unknown interaction kind {bad[0]!r}; choose from {', '.join(KINDS)}")
    _check_scope(con, scope)
    tz = chat_timezone(con, scope.chat)
    where, params = scope.where("created_at", "session_id", "question")
    params |= {"tz": tz, "kinds": list(kinds)}
    weights = {k: float((kind_weights or {}).get(k, 1)) for k in kinds}
    per_person = not by_account and people.has_people(con)
    table = (
        "(select * replace (source_person as source_handle, target_person as target_handle) "
        "from person_interactions)"
        if per_person
        else "interactions"
    )
    edge_rows = con.execute(
        f"""
        select source_handle, target_handle, kind, count(*) as n,
               strftime(timezone($tz, min(created_at)), '{LOCAL_ISO}') as first_seen
        from {table}
        where {where} and list_contains($kinds, kind)
        group by all
        order by source_handle, target_handle, kind
        """,
        params,
    ).fetchall()
    g = nx.DiGraph(chat=scope.chat, scope=scope.label(), kinds=",".join(kinds), timezone=tz)
    for source, target, kind, n, first_seen in edge_rows:
        if not g.has_edge(source, target):
            g.add_edge(source, target, weight=0.0, first_seen=first_seen, **dict.fromkeys(kinds, 0))
        data = g.edges[source, target]
        data[kind] += n
        data["weight"] += n * weights[kind]
        data["first_seen"] = min(data["first_seen"], first_seen)
    if all(w == int(w) for w in weights.values()):
        for _, _, data in g.edges(data=True):
            data["weight"] = int(data["weight"])
    for node in g.nodes:
        seen = [d["first_seen"] for _, _, d in g.in_edges(node, data=True)]
        seen += [d["first_seen"] for _, _, d in g.out_edges(node, data=True)]
        first = min(seen)
        g.nodes[node].update(first_seen=first, first_year=int(first[:4]), posts=0)
    linked = people.handles_by_person(con) if per_person else {}
    person_of = {h: person for person, accounts in linked.items() for _, h in accounts}
    for handle, n in _posts_per_author(con, scope, tz):
        person = person_of.get(handle, handle)
        if person in g:
            g.nodes[person]["posts"] += n
    for person, accounts in linked.items():
        if person in g:
            g.nodes[person]["accounts"] = " ".join(f"{p}:{h}" for p, h in accounts)
    return g


def _posts_per_author(
    con: duckdb.DuckDBPyConnection, scope: Scope, tz: str
) -> list[tuple[str, int]]:
    where, params = scope.where("p.created_at", "t.session_id", "t.question")
    where = where.replace("chat_id = $chat", "p.chat_id = $chat", 1)
    if "first" in params:  # DuckDB rejects parameters a query does not use
        params["tz"] = tz
    return con.execute(
        f"""
        select lower(coalesce(p.author_handle, a.handle)) as handle, count(*)
        from posts p
        left join accounts a
          on p.author_handle is null and a.platform = p.platform and a.account_id = p.author_id
        left join (select post_id, any_value(session_id) as session_id,
                          any_value(question) as question
                   from post_threads where chat_id = $chat group by post_id) t
          on t.post_id = p.post_id
        where {where}
        group by all
        """,
        params,
    ).fetchall()


# ------------------------------------------------------------------------------------------ metrics


def communities(g: nx.DiGraph, seed: int = 0, resolution: float = 1.0) -> list[set[str]]:
    """Louvain communities of the undirected weighted graph, largest first; the same seed gives the
    same communities."""
    if g.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(
        _undirected(g), weight="weight", resolution=resolution, seed=seed
    )
    return sorted(found, key=lambda c: (-len(c), min(c)))


def _undirected(g: nx.DiGraph) -> nx.Graph:
    """Both directions of a pair merged into one edge whose weight is their sum."""
    u = nx.Graph()
    u.add_nodes_from(sorted(g.nodes))
    for a, b, data in sorted(g.edges(data=True)):
        if a == b:
            continue
        w = data.get("weight", 1)
        if u.has_edge(a, b):
            u.edges[a, b]["weight"] += w
        else:
            u.add_edge(a, b, weight=w)
    return u


def community_of(parts: list[set[str]]) -> dict[str, int]:
    return {node: i for i, part in enumerate(parts) for node in part}


def betweenness(g: nx.DiGraph, sample: int | None = None, seed: int = 0) -> dict[str, float]:
    """Betweenness centrality; estimated from ``sample`` seeded sources when the graph is larger
    (default: :data:`BETWEENNESS_SAMPLE`)."""
    k = BETWEENNESS_SAMPLE if sample is None else sample
    n = g.number_of_nodes()
    if n == 0:
        return {}
    if k >= n:
        return nx.betweenness_centrality(g)
    return nx.betweenness_centrality(g, k=k, seed=seed)


def core_numbers(g: nx.DiGraph) -> dict[str, int]:
    """Each account's k-core number in the undirected graph (direction and weights ignored)."""
    return nx.core_number(_undirected(g)) if g.number_of_nodes() else {}


def k_core(g: nx.DiGraph, k: int | None = None) -> nx.DiGraph:
    """The subgraph of the accounts in the k-core (default: the main, innermost core)."""
    if g.number_of_nodes() == 0:
        return g.copy()
    core = nx.k_core(_undirected(g), k=k)
    return g.subgraph(core.nodes).copy()


def metrics(g: nx.DiGraph, seed: int = 0, betweenness_sample: int | None = None) -> pl.DataFrame:
    """One row per account: degrees, weighted degrees, PageRank, betweenness, community, k-core."""
    parts = communities(g, seed=seed)
    where = community_of(parts)
    pr = nx.pagerank(g, weight="weight") if g.number_of_nodes() else {}
    bc = betweenness(g, betweenness_sample, seed)
    cores = core_numbers(g)
    rows = []
    for node in sorted(g.nodes):
        data = g.nodes[node]
        reached = {where[m] for m in nx.all_neighbors(g, node)} - {where[node]}
        rows.append(
            {
                "handle": node,
                "posts": data.get("posts", 0),
                "first_seen": data.get("first_seen"),
                "in_degree": g.in_degree(node),
                "out_degree": g.out_degree(node),
                "degree": g.in_degree(node) + g.out_degree(node),
                "in_weight": g.in_degree(node, weight="weight"),
                "out_weight": g.out_degree(node, weight="weight"),
                "pagerank": pr.get(node, 0.0),
                "betweenness": bc.get(node, 0.0),
                "community": where[node],
                "communities_reached": len(reached),
                "core": cores.get(node, 0),
            }
        )
    schema = {
        "handle": pl.String, "posts": pl.Int64, "first_seen": pl.String, "in_degree": pl.Int64,
        "out_degree": pl.Int64, "degree": pl.Int64, "in_weight": pl.Float64,
        "out_weight": pl.Float64, "pagerank": pl.Float64, "betweenness": pl.Float64,
        "community": pl.Int64, "communities_reached": pl.Int64, "core": pl.Int64,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema).sort(["pagerank", "handle"], descending=[True, False])


def bridges(g: nx.DiGraph, parts: list[set[str]] | None = None, seed: int = 0) -> pl.DataFrame:
    """The pairs of accounts whose interactions join two different communities, heaviest first
    (communities from :func:`communities` with ``seed`` unless given)."""
    parts = communities(g, seed=seed) if parts is None else parts
    where = community_of(parts)
    rows = [
        {
            "a_handle": a,
            "b_handle": b,
            "a_community": where[a],
            "b_community": where[b],
            "weight": data["weight"],
        }
        for a, b, data in _undirected(g).edges(data=True)
        if where[a] != where[b]
    ]
    rows = [
        r if r["a_handle"] < r["b_handle"] else
        {**r, "a_handle": r["b_handle"], "b_handle": r["a_handle"],
         "a_community": r["b_community"], "b_community": r["a_community"]}
        for r in rows
    ]  # fmt: skip
    schema = {"a_handle": pl.String, "b_handle": pl.String, "a_community": pl.Int64,
              "b_community": pl.Int64, "weight": pl.Float64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema).sort(
        ["weight", "a_handle", "b_handle"], descending=[True, False, False]
    )


def chat_years(con: duckdb.DuckDBPyConnection, chat: str, tz: str) -> list[int]:
    """The years (in the chat's time zone ``tz``) that have interactions, in order."""
    return [
        r[0]
        for r in con.execute(
            "select distinct year(timezone($tz, created_at)) as y from interactions "
            "where chat_id = $c and created_at is not null order by y",
            {"tz": tz, "c": chat},
        ).fetchall()
    ]


def core_members(
    con: duckdb.DuckDBPyConnection,
    chat: str,
    kinds: tuple[str, ...] | list[str] = ("reply", "mention", "quote"),
    k: int | None = None,
    by_account: bool = False,
) -> pl.DataFrame:
    """For each year, the people (or accounts) in that year's k-core (default: the main core)."""
    rows = []
    for year in chat_years(con, chat, chat_timezone(con, chat)):
        g = build(con, Scope(chat, year=year), kinds, by_account=by_account)
        if g.number_of_nodes() == 0:
            continue
        numbers = core_numbers(g)
        year_k = max(numbers.values()) if k is None else k
        for node in sorted(n for n, c in numbers.items() if c >= year_k):
            rows.append(
                {"year": year, "k": year_k, "handle": node, "posts": g.nodes[node]["posts"]}
            )
    schema = {"year": pl.Int64, "k": pl.Int64, "handle": pl.String, "posts": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


# ------------------------------------------------------------------------------------------ output


def edge_list(g: nx.DiGraph) -> pl.DataFrame:
    """The edges as a table: source, target, weight, first_seen and one count column per kind."""
    kinds = [k for k in g.graph.get("kinds", ",".join(KINDS)).split(",") if k]
    rows = [
        {"source": a, "target": b, "weight": d["weight"], "first_seen": d["first_seen"]}
        | {k: d.get(k, 0) for k in kinds}
        for a, b, d in sorted(g.edges(data=True))
    ]
    schema = {
        "source": pl.String,
        "target": pl.String,
        "weight": pl.Float64,
        "first_seen": pl.String,
    }
    schema |= dict.fromkeys(kinds, pl.Int64)
    df = pl.DataFrame(rows, schema=schema)
    if all(isinstance(d["weight"], int) for _, _, d in g.edges(data=True)):
        df = df.with_columns(pl.col("weight").cast(pl.Int64))
    return df


def gexf_bytes(g: nx.DiGraph) -> bytes:
    """GEXF 1.2 with each node and edge starting at its first_seen, so Gephi's timeline plays the
    chat's growth (a node or edge, once there, stays)."""
    dyn = nx.DiGraph()
    dyn.graph.update({k: v for k, v in g.graph.items() if isinstance(v, str | int | float)})
    for node, data in g.nodes(data=True):
        dyn.add_node(node, label=node, start=data["first_seen"], **_plain(data))
    for a, b, data in g.edges(data=True):
        dyn.add_edge(a, b, start=data["first_seen"], **_plain(data))
    out = io.BytesIO()
    nx.write_gexf(dyn, out)
    # NetworkX calls string times "date"; ours carry a time of day too.
    return out.getvalue().replace(b'timeformat="date"', b'timeformat="dateTime"', 1)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, str | int | float) and k != "label"}


def write(g: nx.DiGraph, path: str | Path, fmt: str) -> None:
    """Write a graph as ``gexf`` (dynamic), ``graphml`` or ``csv`` (an edge list)."""
    fmt = fmt.lower()
    path = Path(path)
    if fmt not in GRAPH_FORMATS:
        raise UsageError(f"--format {fmt!r}: choose gexf, graphml or csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gexf":
        path.write_bytes(gexf_bytes(g))
    elif fmt == "graphml":
        nx.write_graphml(g, path)
    else:
        edge_list(g).write_csv(path)
