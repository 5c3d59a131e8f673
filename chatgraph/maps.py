"""Interactive connection maps: one self-contained vis-network HTML file per chat, year or session.

The only module that imports pyvis, and only for the vis-network build it ships: pyvis's own
templates pull Bootstrap and tom-select from CDNs even in ``in_line`` mode, and its ``add_edge`` scans
every edge it already holds (quadratic at tens of thousands of edges). So the page is our own small
template (``templates/map.*``) with vis-network's JS and CSS inlined, and the data as one JSON block.

What a map shows (the words are DESIGN.md's):

- one node per account at either end of a shown edge; one undirected edge per pair of accounts with
  at least ``min_weight`` interactions of the chosen kinds (default: the connecting kinds reply,
  mention and quote) in the period;
- node size by degree, colour by Louvain community (seeded, largest first) or by the year the account
  first took part in the chat (its first post);
- the period's new connections (pairs first seen in it, from the ``connections`` table) highlighted;
- a layout computed here (seeded Fruchterman-Reingold in numpy), physics off, so the picture is
  drawn once and stays still;
- for a range of years, one file with a year control: year Y shows the pairs that interacted from the
  first year of the range up to Y, with Y's new connections highlighted;
- plain-text tooltips (handle, name, posts, first post, top partners), turned into DOM text nodes by
  the page, so no handle, name or post can become markup.
"""

from __future__ import annotations

import heapq
import html
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import numpy as np

from chatgraph import graphs, people
from chatgraph.chats import resolve
from chatgraph.errors import ChatgraphError, UsageError
from chatgraph.interactions import CONNECTING_KINDS, KINDS

COLOR_MODES = ("community", "first-year")
DEFAULT_KINDS = CONNECTING_KINDS
SEED = 7
# Community colours (colour-blind friendly first); communities beyond the palette share OTHER.
PALETTE = [
    "#1f77b4", "#e15759", "#59a14f", "#9467bd", "#f28e2b", "#17becf", "#b07aa1", "#8c564b",
    "#edc948", "#4e79a7", "#76b7b2", "#ff9da7", "#bcbd22", "#7f7f7f",
]  # fmt: skip
OTHER = "#b8b8b8"
NEVER_POSTED = "#d9d9d9"
# First-year colours run from an early dark blue to a late yellow (viridis stops).
YEAR_STOPS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
TOP_PARTNERS = 3
# Above this many pairs the page paints the edges itself (a few canvas strokes) instead of making
# one vis-network edge object each, which takes seconds at 20,000; they then have no tooltips.
PAINT_EDGES = 4000
# Node radii in pixels at zoom 1, as the page's vis-network scaling draws them (by degree).
RADIUS_MIN, RADIUS_MAX = 5.0, 32.0
# The layout is scaled so that an account's nearest neighbour is typically this many pixels away
# in a map of up to 50 accounts, less in bigger ones (node radii run from 5 to 32 pixels at zoom 1).
NEIGHBOUR_PX = 80.0

_TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class MapData:
    """Everything a map page shows; ``nodes`` and ``edges`` are what vis-network gets."""

    chat: str
    title: str
    subtitle: str
    frames: list[str]
    kinds: list[str]
    color: str
    min_weight: int
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, str]] = field(default_factory=list)
    new_edges: int = 0
    never_posted: int = 0  # accounts on the map that never posted in the chat (only mentioned)

    def payload(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "frames": self.frames,
            "kinds": self.kinds,
            "color": self.color,
            "minWeight": self.min_weight,
            "paintEdges": len(self.edges) > PAINT_EDGES,
            "legend": self.legend,
            "nodes": self.nodes,
            "edges": self.edges,
        }


# ------------------------------------------------------------------------------------------ layout


def layout(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    seed: int = SEED,
    iterations: int | None = None,
) -> np.ndarray:
    """Seeded Fruchterman-Reingold positions (n x 2, in about [-0.5, 0.5]) for an undirected graph
    given as edge arrays. Repulsion is computed exactly, in row blocks of bounded memory; the number
    of iterations shrinks for large graphs so 2,000 nodes take a couple of seconds."""
    rng = np.random.default_rng(seed)
    pos = (rng.random((n, 2)) - 0.5).astype(np.float32)
    if n < 2:
        return np.zeros((n, 2), np.float32)
    if iterations is None:
        iterations = int(min(150, max(30, 2.4e8 / (n * n))))
    k2 = np.float32(1.0 / n)
    k = float(np.sqrt(k2))
    pull = np.log1p(weight.astype(np.float32))
    block = max(1, min(n, 4_000_000 // n))
    dx = np.empty((block, n), np.float32)
    dy = np.empty((block, n), np.float32)
    d2 = np.empty((block, n), np.float32)
    disp = np.empty((n, 2), np.float32)
    temp = 0.1
    cool = temp / (iterations + 1)
    for _ in range(iterations):
        x, y = pos[:, 0], pos[:, 1]
        for i0 in range(0, n, block):
            i1 = min(n, i0 + block)
            bx, by, b2 = dx[: i1 - i0], dy[: i1 - i0], d2[: i1 - i0]
            np.subtract(x[i0:i1, None], x[None, :], out=bx)
            np.subtract(y[i0:i1, None], y[None, :], out=by)
            np.multiply(bx, bx, out=b2)
            b2 += by * by
            np.maximum(b2, 1e-6, out=b2)
            np.divide(k2, b2, out=b2)
            np.multiply(bx, b2, out=bx)
            np.multiply(by, b2, out=by)
            disp[i0:i1, 0] = bx.sum(1)
            disp[i0:i1, 1] = by.sum(1)
        delta = pos[src] - pos[dst]
        dist = np.sqrt((delta * delta).sum(1)) + 1e-9
        force = delta * ((dist / k) * pull)[:, None]
        for axis in (0, 1):
            disp[:, axis] -= np.bincount(src, force[:, axis], n) - np.bincount(
                dst, force[:, axis], n
            )
        # A weak pull to the centre keeps small components from drifting to the edge of the page.
        disp -= pos * (np.sqrt(n) * 0.05)
        length = np.sqrt((disp * disp).sum(1)) + 1e-9
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp -= cool
    pos -= pos.mean(0)
    span = float(np.abs(pos).max()) or 1.0
    return pos / (2 * span)


def _nearest_distance(pos: np.ndarray) -> float:
    """The median distance from each point to its nearest other point (in row blocks)."""
    n = len(pos)
    if n < 2:
        return 1.0
    best = np.empty(n, np.float32)
    block = max(1, 2_000_000 // n)
    for i0 in range(0, n, block):
        d = ((pos[i0 : i0 + block, None, :] - pos[None, :, :]) ** 2).sum(-1)
        d[np.arange(len(d)), np.arange(i0, i0 + len(d))] = np.inf
        best[i0 : i0 + block] = d.min(1)
    return float(np.sqrt(np.median(best)))


def node_radii(degree: np.ndarray) -> np.ndarray:
    """vis-network's linear value scaling: the smallest degree gets RADIUS_MIN, the largest
    RADIUS_MAX (all the middle size when they are equal)."""
    lo, hi = float(degree.min()), float(degree.max())
    t = np.full(len(degree), 0.5) if hi == lo else (degree - lo) / (hi - lo)
    return (RADIUS_MIN + t * (RADIUS_MAX - RADIUS_MIN)).astype(np.float32)


def _close_pairs(pos: np.ndarray, reach: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i < j) closer than ``reach[i] + reach[j]``, found in row blocks."""
    n = len(pos)
    block = max(1, 2_000_000 // n)
    x, y = pos[:, 0], pos[:, 1]
    found_i, found_j = [], []
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        dx = x[i0:i1, None] - x[None, :]
        dy = y[i0:i1, None] - y[None, :]
        limit = reach[i0:i1, None] + reach[None, :]
        close = dx * dx + dy * dy < limit * limit
        close &= np.arange(n)[None, :] > np.arange(i0, i1)[:, None]
        ii, jj = np.nonzero(close)
        found_i.append(ii + i0)
        found_j.append(jj)
    return np.concatenate(found_i), np.concatenate(found_j)


def spread(pos: np.ndarray, radii: np.ndarray, gap: float = 4.0, rounds: int = 40) -> np.ndarray:
    """Push overlapping nodes (positions and radii in pixels) apart until none overlaps, each pair
    moving half its overlap per round; hubs the layout drew on top of each other end up side by
    side. Only pairs near each other are checked, so thousands of nodes take a moment."""
    pos = pos.astype(np.float64).copy()
    n = len(pos)
    if n < 2:
        return pos.astype(np.float32)
    slack = float(radii.max())
    for _ in range(6):
        i, j = _close_pairs(pos, radii + gap / 2 + slack)
        need = (radii[i] + radii[j] + gap).astype(np.float64)
        moved = False
        for _ in range(rounds):
            delta = pos[i] - pos[j]
            dist = np.sqrt((delta * delta).sum(1))
            over = need - dist
            hit = over > 1e-6
            if not hit.any():
                break
            moved = True
            d = dist[hit]
            unit = np.where(
                d[:, None] > 1e-9, delta[hit] / np.maximum(d, 1e-9)[:, None], [1.0, 0.0]
            )
            push = unit * (over[hit] / 2)[:, None]
            for axis in (0, 1):
                pos[:, axis] += np.bincount(i[hit], push[:, axis], n)
                pos[:, axis] -= np.bincount(j[hit], push[:, axis], n)
        if not moved:  # pairs that were not candidates may have been pushed together: recheck
            break
    return pos.astype(np.float32)


def layout_components(
    n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, seed: int = SEED
) -> np.ndarray:
    """Each connected component laid out on its own (:func:`layout`), sized by its number of
    accounts, and the components packed in rows, largest first: separate groups sit side by side
    instead of being pushed to the corners by one another."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members[find(i)].append(i)
    groups = sorted(members.values(), key=lambda g: (-len(g), g[0]))
    if len(groups) == 1:
        return layout(n, src, dst, weight, seed=seed)
    root = np.array([find(i) for i in range(n)])
    pos = np.zeros((n, 2), np.float32)
    sides = [math.sqrt(len(g)) for g in groups]
    row_width = max(sides[0], 1.8 * math.sqrt(sum(s * s for s in sides)))  # screens are wide
    x = y = row_height = 0.0
    for group, side in zip(groups, sides, strict=True):
        if x > 0 and x + side > row_width:
            x, y = 0.0, y + row_height
            row_height = 0.0
        local = {node: i for i, node in enumerate(group)}
        keep = root[src] == root[group[0]]
        sub = layout(
            len(group),
            np.array([local[i] for i in src[keep].tolist()], dtype=np.int64),
            np.array([local[i] for i in dst[keep].tolist()], dtype=np.int64),
            weight[keep],
            seed=seed,
        )
        pad = 0.85 if len(group) > 2 else 0.5
        pos[group] = sub * side * pad + np.array([x + side / 2, y + side / 2], np.float32)
        x += side
        row_height = max(row_height, side)
    pos -= (pos.min(0) + pos.max(0)) / 2
    return pos / (2 * (float(np.abs(pos).max()) or 1.0))


# ------------------------------------------------------------------------------------------ data


def _period(
    year: int | None, years: str | tuple[int, int] | None, session: str | None
) -> tuple[int | None, tuple[int, int] | None, str | None]:
    given = sum(x is not None for x in (year, years, session))
    if given > 1:
        raise UsageError("choose one period: --year, --years or --session")
    if isinstance(years, str):
        years = graphs.parse_years(years)
    return year, years, session


def _kinds(kinds: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if kinds is None:
        return list(DEFAULT_KINDS)
    if isinstance(kinds, str):
        return list(graphs.parse_kinds(kinds))
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise UsageError(f"--kinds: unknown kind {bad[0]!r}; choose from {','.join(KINDS)}")
    return list(dict.fromkeys(kinds))


def _years_text(years: list[int]) -> str:
    if not years:
        return "none"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def map_data(
    con: duckdb.DuckDBPyConnection,
    chat: str | None = None,
    *,
    year: int | None = None,
    years: str | tuple[int, int] | None = None,
    session: str | None = None,
    kinds: str | list[str] | tuple[str, ...] | None = None,
    min_weight: int = 1,
    color: str = "community",
    seed: int = SEED,
    by_account: bool = False,
) -> MapData:
    """The nodes, edges, frames and legend of a chat's map for a year, a range of years (default:
    all of the chat's years) or a session. One node per person (its accounts listed in the
    tooltip), unless ``by_account``."""
    chat = resolve(con, chat)
    year, years, session = _period(year, years, session)
    kinds = _kinds(kinds)
    if color not in COLOR_MODES:
        raise UsageError(f"--color {color!r}: choose community or first-year")
    if min_weight < 1:
        raise UsageError(
            f"--min-weight {min_weight}: give a whole number of interactions, 1 or more"
        )
    tz = graphs.chat_timezone(con, chat)
    all_years = graphs.chat_years(con, chat, tz)
    if year is None and years is None and session is None:
        if not all_years:
            raise ChatgraphError(f"chat {chat!r} has no interactions yet; nothing to map")
        years = (all_years[0], all_years[-1])
    scope = graphs.Scope(chat, year=year, years=years, session=session)
    g = graphs.build(con, scope, kinds, by_account=by_account)
    per_person = not by_account and people.has_people(con)
    if session is not None:
        frames = [session]
        period = f"session {session}"
    else:
        first, last = scope.bounds()
        assert first is not None and last is not None
        frames = [str(y) for y in range(first, last + 1)]
        period = frames[0] if len(frames) == 1 else f"{first}–{last}"

    pairs = _pairs(g, kinds)
    pairs = {p: e for p, e in pairs.items() if e["w"] >= min_weight}
    if not pairs:
        hint = "" if min_weight == 1 else f" with at least {min_weight} interactions"
        raise ChatgraphError(
            f"chat {chat!r} has no {'/'.join(kinds)} interactions{hint} in {period} "
            f"(years with interactions: {_years_text(all_years)})"
        )
    new_at = _new_connections(con, scope, tz, pairs, per_person)

    handles = sorted({h for p in pairs for h in p})
    index = {h: i for i, h in enumerate(handles)}
    ordered = sorted(pairs)
    src = np.array([index[a] for a, _ in ordered], dtype=np.int64)
    dst = np.array([index[b] for _, b in ordered], dtype=np.int64)
    wts = np.array([pairs[p]["w"] for p in ordered], dtype=np.float32)
    pos = layout_components(len(handles), src, dst, wts, seed=seed)
    # Small maps get room for their labels; big ones stay dense enough that nodes remain visible
    # once the whole map is fitted on screen.
    spacing = max(20.0, NEIGHBOUR_PX / (max(len(handles), 50) / 50) ** 0.35)
    scale = spacing / max(_nearest_distance(pos), 1e-4)
    deg = np.zeros(len(handles))
    np.add.at(deg, src, 1)
    np.add.at(deg, dst, 1)
    pos = spread(pos * scale, node_radii(deg))
    scale = 1.0

    accounts = _accounts(con, chat, tz, handles)
    if per_person:
        _as_people(con, chat, tz, g, accounts)
    degree: dict[str, int] = defaultdict(int)
    partners: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for a, b in ordered:
        w = pairs[a, b]["w"]
        degree[a] += 1
        degree[b] += 1
        partners[a].append((w, b))
        partners[b].append((w, a))

    if color == "community":
        shown = nx.DiGraph()
        shown.add_weighted_edges_from((a, b, pairs[a, b]["w"]) for a, b in ordered)
        parts = graphs.communities(shown, seed=seed)
        colours, legend = _community_colours(parts, accounts, degree)
    else:
        colours, legend = _year_colours(handles, accounts)

    frame_of = {label: i for i, label in enumerate(frames)}
    nodes = []
    for h in handles:
        i = index[h]
        acc = accounts.get(h, {})
        top = heapq.nlargest(TOP_PARTNERS, partners[h], key=lambda t: (t[0], _rev(t[1])))
        node: dict[str, Any] = {
            "id": h,
            "label": acc.get("handle") or h,
            "x": round(float(pos[i, 0]) * scale, 1),
            "y": round(float(pos[i, 1]) * scale, 1),
            "value": degree[h],
            "color": colours[h],
            "t": _node_tip(h, acc, g.nodes[h].get("posts", 0), period, degree[h], top, accounts),
        }
        if acc.get("first_year") is None:
            node["np"] = 1  # never posted in the chat: only mentioned or replied to
        nodes.append(node)
    edges = []
    new_count = 0
    for n, (a, b) in enumerate(ordered):
        e = pairs[a, b]
        first_frame = frame_of[session] if session is not None else frame_of[str(e["year"])]
        new = new_at.get((a, b))
        new_frame = -1
        if new is not None:
            new_frame = frame_of[session] if session is not None else frame_of.get(str(new), -1)
        new_count += new_frame == len(frames) - 1
        edges.append(
            {
                "id": n,
                "from": a,
                "to": b,
                "k": [e[kind] for kind in kinds],
                "w": e["w"],
                "f": first_frame,
                "n": new_frame,
            }
        )
    title = f"#{chat} connections, {period}"
    subtitle = f"{'/'.join(kinds)} interactions"
    if min_weight > 1:
        subtitle += f", pairs with at least {min_weight}"
    return MapData(
        chat=chat,
        title=title,
        subtitle=subtitle,
        frames=frames,
        kinds=kinds,
        color=color,
        min_weight=min_weight,
        nodes=nodes,
        edges=edges,
        legend=legend,
        new_edges=new_count,
        never_posted=sum(1 for n in nodes if n.get("np")),
    )


def _rev(handle: str) -> tuple[int, ...]:
    # heapq.nlargest with ties broken alphabetically (a before b).
    return tuple(-ord(c) for c in handle)


def _pairs(g: Any, kinds: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Both directions of each pair merged: counts per kind, total, first year seen in the period."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b, data in g.edges(data=True):
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        e = pairs.setdefault(key, {"w": 0, "first": data["first_seen"]} | dict.fromkeys(kinds, 0))
        for kind in kinds:
            e[kind] += data.get(kind, 0)
            e["w"] += data.get(kind, 0)
        e["first"] = min(e["first"], data["first_seen"])
    for e in pairs.values():
        e["year"] = int(e["first"][:4])
    return pairs


def _new_connections(
    con: duckdb.DuckDBPyConnection,
    scope: graphs.Scope,
    tz: str,
    pairs: dict[tuple[str, str], dict[str, Any]],
    per_person: bool = False,
) -> dict[tuple[str, str], int]:
    """The shown pairs that are new connections of the period, with the local year they were first
    seen: pairs whose first connecting interaction ever is one of the period's (pairs of people
    where ``per_person``)."""
    interactions, connections = "interactions", "connections"
    if per_person:
        interactions = (
            "(select * replace (source_person as source_handle, target_person as target_handle) "
            "from person_interactions)"
        )
        connections = (
            "(select chat_id, a_person as a_handle, b_person as b_handle, first_seen_at, "
            "first_year from person_connections)"
        )
    where, params = scope.where("i.created_at", "i.session_id", "i.question")
    where = where.replace("chat_id = $chat", "i.chat_id = $chat", 1)
    params["kinds"] = list(CONNECTING_KINDS)
    if "first" in params:  # DuckDB rejects parameters a query does not use
        params["tz"] = tz
    rows = con.execute(
        f"""
        select p.a, p.b, c.first_year
        from (
            select least(i.source_handle, i.target_handle) as a,
                   greatest(i.source_handle, i.target_handle) as b,
                   min(i.created_at) as first_at
            from {interactions} i
            where {where} and list_contains($kinds, i.kind)
            group by all
        ) p
        join {connections} c
          on c.chat_id = $chat and least(c.a_handle, c.b_handle) = p.a
             and greatest(c.a_handle, c.b_handle) = p.b  -- whichever way round a copy keeps them
        where c.first_seen_at = p.first_at
        """,
        params,
    ).fetchall()
    return {(a, b): y for a, b, y in rows if (a, b) in pairs}


def _as_people(
    con: duckdb.DuckDBPyConnection,
    chat: str,
    tz: str,
    g: Any,
    accounts: dict[str, dict[str, Any]],
) -> None:
    """Give each linked person's node what its accounts know together: the earliest first seen and
    first post, a name, and the accounts themselves (for the tooltip)."""
    for person, data in g.nodes(data=True):
        if "accounts" not in data or person not in accounts:
            continue
        handles = [a.split(":", 1)[1] for a in data["accounts"].split()]
        each = _accounts(con, chat, tz, handles)
        seen = [a["first_seen"] for a in each.values() if a.get("first_seen")]
        years = [a["first_year"] for a in each.values() if a.get("first_year") is not None]
        names = [a["name"] for a in each.values() if a.get("name")]
        accounts[person].update(
            first_seen=min(seen, default=None),
            first_year=min(years, default=None),
            name=accounts[person].get("name") or (names[0] if names else None),
            accounts=[
                (a.split(":", 1)[0], each[a.split(":", 1)[1]]) for a in data["accounts"].split()
            ],
        )


def _accounts(
    con: duckdb.DuckDBPyConnection, chat: str, tz: str, handles: list[str]
) -> dict[str, dict[str, Any]]:
    """Display handle, name, first seen (local date of the account's first post or interaction
    in the chat) and the local year of its first post (None: it never posted, only got mentioned)."""
    rows = con.execute(
        """
        with names as (
            select lower(handle) as h, arg_max(handle, last_seen_at) as handle,
                   arg_max(display_name, last_seen_at) as name
            from accounts where handle is not null and list_contains($handles, lower(handle))
            group by all
        ),
        firsts as (
            select lower(coalesce(p.author_handle, a.handle)) as h, min(p.created_at) as first_at
            from posts p
            left join accounts a
              on p.author_handle is null and a.platform = p.platform and a.account_id = p.author_id
            where p.chat_id = $chat
            group by all
        ),
        touched as (
            select h, min(created_at) as first_at from (
                select source_handle as h, created_at from interactions where chat_id = $chat
                union all
                select target_handle, created_at from interactions where chat_id = $chat
            ) group by all
        )
        select m.handle, n.handle, n.name,
               strftime(timezone($tz, least(f.first_at, t.first_at)), '%Y-%m-%d'),
               year(timezone($tz, f.first_at))
        from (select unnest($handles) as handle) m
        left join names n on n.h = m.handle
        left join firsts f on f.h = m.handle
        left join touched t on t.h = m.handle
        """,
        {"chat": chat, "tz": tz, "handles": handles},
    ).fetchall()
    return {
        h: {"handle": shown, "name": name, "first_seen": first, "first_year": fy}
        for h, shown, name, first, fy in rows
    }


def _community_colours(
    parts: list[set[str]], accounts: dict[str, dict[str, Any]], degree: dict[str, int]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A colour per community (largest first) and a legend naming each one's best-connected two."""
    colours: dict[str, str] = {}
    legend = []
    for i, part in enumerate(parts):
        colour = PALETTE[i] if i < len(PALETTE) else OTHER
        for h in part:
            colours[h] = colour
        if i < len(PALETTE):
            hubs = sorted(part, key=lambda h: (-degree[h], h))[:2]
            names = ", ".join(_at(h, accounts) for h in hubs)
            size = f"{len(part)} account{'s' if len(part) != 1 else ''}"
            legend.append({"color": colour, "label": f"{i + 1}: {size} ({names})"})
    rest = parts[len(PALETTE) :]
    if rest:
        n = sum(len(p) for p in rest)
        legend.append({"color": OTHER, "label": f"{len(rest)} smaller communities: {n} accounts"})
    return colours, legend


def _year_colours(
    handles: list[str], accounts: dict[str, dict[str, Any]]
) -> tuple[dict[str, str], list[dict[str, str]]]:
    years = sorted({a["first_year"] for a in accounts.values() if a.get("first_year") is not None})
    scale = {y: _interpolate(YEAR_STOPS, i / max(1, len(years) - 1)) for i, y in enumerate(years)}
    colours = {}
    counts: dict[Any, int] = defaultdict(int)
    for h in handles:
        fy = accounts.get(h, {}).get("first_year")
        colours[h] = scale[fy] if fy is not None else NEVER_POSTED
        counts[fy] += 1
    legend = [{"color": scale[y], "label": f"first post {y}: {counts[y]}"} for y in years]
    if counts.get(None):
        legend.append({"color": NEVER_POSTED, "label": f"never posted (mentioned): {counts[None]}"})
    return colours, legend


def _interpolate(stops: list[str], t: float) -> str:
    t = min(1.0, max(0.0, t)) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    a = [int(stops[i][j : j + 2], 16) for j in (1, 3, 5)]
    b = [int(stops[i + 1][j : j + 2], 16) for j in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


def _at(h: str, accounts: dict[str, dict[str, Any]]) -> str:
    return "@" + (accounts.get(h, {}).get("handle") or h)


def _node_tip(
    h: str,
    acc: dict[str, Any],
    posts: int,
    period: str,
    degree: int,
    top: list[tuple[int, str]],
    accounts: dict[str, dict[str, Any]],
) -> str:
    lines = [_at(h, accounts)]
    if acc.get("name"):
        lines.append(str(acc["name"]))
    lines.append(f"posts in {period}: {posts}")
    never = " (never posted; mentioned)" if acc.get("first_year") is None else ""
    lines.append(f"first seen: {acc.get('first_seen') or 'unknown'}{never}")
    if acc.get("accounts"):
        lines.append(
            "accounts: "
            + ", ".join(
                f"@{a.get('handle') or '?'} ({platform})" for platform, a in acc["accounts"]
            )
        )
    lines.append(f"partners: {degree}")
    if top:
        lines.append("top partners: " + ", ".join(f"{_at(p, accounts)} ({w})" for w, p in top))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ page


def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as pyvis ships them, with every ``://`` in the JS written
    ``:\\/\\/`` (the same string to JavaScript, in comments, strings and regexes alike), so the page
    holds no http(s) address at all."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
    if not (lib / "vis-network.min.js").is_file():
        raise ChatgraphError(
            f"{lib}: this pyvis does not ship vis-network 9.1.2; install pyvis 0.3.2 "
            "(pip install 'pyvis==0.3.2')"
        )
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8").replace("://", ":\\/\\/")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    if "://" in css:
        raise ChatgraphError(f"{lib}: vis-network.css refers to an outside address")
    return js, css


def json_for_script(value: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    (so no ``</script>`` or ``<!--``), and no line separators JavaScript would trip on."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, esc)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render(data: MapData) -> str:
    """The map as one HTML page that needs nothing but a browser."""
    js, css = vis_assets()
    page = (_TEMPLATES / "map.html").read_text(encoding="utf-8")
    parts = {
        "{{TITLE}}": html.escape(data.title),
        "{{VIS_CSS}}": css,
        "{{MAP_CSS}}": (_TEMPLATES / "map.css").read_text(encoding="utf-8"),
        "{{DATA}}": json_for_script(data.payload()),
        "{{VIS_JS}}": js,
        "{{MAP_JS}}": (_TEMPLATES / "map.js").read_text(encoding="utf-8"),
    }
    out = re.sub(r"\{\{[A-Z_]+\}\}", lambda m: parts[m.group(0)], page)
    if re.search(r"https?://", out):
        raise ChatgraphError("the map would refer to an outside address; nothing written")
    return out


@dataclass
class MapResult:
    path: Path
    nodes: int
    edges: int
    new_edges: int
    frames: list[str]
    never_posted: int = 0


def write_map(
    con: duckdb.DuckDBPyConnection, output: str | Path, chat: str | None = None, **options: Any
) -> MapResult:
    """Write a chat's map to ``output`` (see :func:`map_data` for the options)."""
    data = map_data(con, chat, **options)
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data), encoding="utf-8")
    return MapResult(
        path, len(data.nodes), len(data.edges), data.new_edges, data.frames, data.never_posted
    )
