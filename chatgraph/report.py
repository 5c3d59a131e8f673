"""The chat report: one self-contained HTML page on how a community grew and connected.

The page holds its growth plots as inline SVG (matplotlib, text kept as text), tables of the top
contributors, core members and communities per year, and the list of sessions. Next to it, in
``<name>_files/``, go one HTML transcript per session (linked from the list) and the connection maps
(the last year's map is embedded in an iframe; the all-years map with its year control is linked).
Every link is relative, so the folder can be moved, zipped or put on a stick and still open offline.
Every handle, name and text is escaped.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import polars as pl

from chatgraph import graphs, growth, maps, people, sessions, transcripts
from chatgraph.chats import resolve
from chatgraph.errors import ChatgraphError
from chatgraph.interactions import CONNECTING_KINDS

TOP_CONTRIBUTORS = 5
CORE_SHOWN = 12
COMMUNITY_SIZES_SHOWN = 6
SEED = maps.SEED
ROLLING = 12
# The per-session lines break where consecutive sessions are further apart than this many times
# their median interval (a weekly chat: a pause of more than 8 weeks; a conference: each year).
PAUSE = 8
NEWCOMER = "#1f77b4"
RETURNING = "#aec7e8"
ACCENT = "#e8590c"

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class ReportResult:
    path: Path
    assets: Path
    transcripts: int
    maps: list[Path] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def _h(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def safe_name(text: str) -> str:
    """A file name made from an id: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text).strip(".") or "_"


def _href(*parts: str) -> str:
    return "/".join(quote(p) for p in parts)


# ------------------------------------------------------------------------------------------ plots


def svg(fig: Any, name: str, title: str) -> str:
    """A matplotlib figure as inline SVG: text as text, ids unique to ``name`` and stable, no XML
    prologue, namespaces or metadata (so not a single http address), scaled to the page width."""
    import matplotlib as mpl

    buf = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"chatgraph-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r'<svg\s+width="[^"]*"\s+height="[^"]*"', "<svg", text, count=1)
    # matplotlib numbers its groups per figure (axes_1, ...): prefix every id and reference with
    # the plot's name so that several plots share one page without clashing ids.
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{name}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{name}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{name}-{m.group(1)}"', text)
    label = f' role="img" aria-label="{_h(title)}" class="plot"'
    text = text.replace("<svg", "<svg" + label, 1)
    if re.search(r"https?://", text):
        raise ChatgraphError(f"plot {name}: the SVG still refers to an outside address")
    return text


def _figure(rows: int = 1, height: float = 3.2, width: float = 6.4) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height * rows), dpi=100, layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for ax in axes:
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=9)
    return fig, axes


def _legend_on_top(ax: Any, handles: list[Any]) -> None:
    """The legend in one row between the title and the plot, never over the bars."""
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="lower left",
              bbox_to_anchor=(0, 1.0), ncols=len(handles), borderaxespad=0.2)  # fmt: skip


def _year_axis(ax: Any, years: list[int]) -> None:
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel("year", fontsize=9)


def plot_participants(by_year: pl.DataFrame) -> str:
    years = by_year["year"].to_list()
    new = by_year["newcomers"].to_list()
    back = by_year["returning"].to_list()
    fig, (ax,) = _figure()
    ax.bar(years, back, color=RETURNING, label="returning")
    ax.bar(years, new, bottom=back, color=NEWCOMER, label="newcomers")
    for y, b, n in zip(years, back, new, strict=True):
        ax.text(y, b + n, str(b + n), ha="center", va="bottom", fontsize=8)
    ax.set_title(
        "Active participants per year: newcomers and returning", fontsize=11, loc="left", pad=20
    )
    ax.set_ylabel("accounts", fontsize=9)
    _legend_on_top(ax, ax.get_legend_handles_labels()[0][::-1])
    ax.margins(y=0.15)
    _year_axis(ax, years)
    return svg(fig, "participants", "Active participants per year, newcomers and returning")


def plot_retention(by_year: pl.DataFrame) -> str:
    rows = [(y, r) for y, r in by_year.select("year", "retention").iter_rows() if r is not None]
    fig, (ax,) = _figure()
    years = by_year["year"].to_list()
    if rows:
        xs = [y for y, _ in rows]
        ys = [100 * r for _, r in rows]
        ax.bar(xs, ys, color=NEWCOMER, width=0.6)
        for x, v in zip(xs, ys, strict=True):
            ax.text(x, v, f"{v:.0f}%", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of the year's newcomers", fontsize=9)
    ax.set_title("Retention: newcomers who take part again the next year", fontsize=11, loc="left")
    _year_axis(ax, years)
    return svg(fig, "retention", "Retention per year")


def plot_connections(by_year: pl.DataFrame) -> str:
    years = by_year["year"].to_list()
    new = by_year["new_connections"].to_list()
    total = by_year["cumulative_connections"].to_list()
    fig, (ax,) = _figure()
    ax.bar(years, new, color=ACCENT, label="new connections in the year")
    ax.set_ylabel("new connections", fontsize=9)
    ax.margins(y=0.15)
    ax2 = ax.twinx()
    ax2.plot(
        years, total, color="#333", marker="o", markersize=3, linewidth=1.2, label="all so far"
    )
    # The bars' counts are drawn on the line's axes, over the line, on a white ground: where the
    # running total crosses a bar's top its count stays readable.
    for y, n in zip(years, new, strict=True):
        ax2.annotate(
            str(n), xy=(y, n), xycoords=ax.transData, xytext=(0, 2), textcoords="offset points",
            ha="center", va="bottom", fontsize=8,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.85},
        )  # fmt: skip
    ax2.set_ylabel("connections so far", fontsize=9)
    ax2.set_ylim(bottom=0)
    ax2.tick_params(labelsize=9)
    ax2.spines["top"].set_visible(False)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    _legend_on_top(ax, handles)
    ax.set_title("New connections per year (pairs first seen)", fontsize=11, loc="left", pad=20)
    _year_axis(ax, years)
    return svg(fig, "connections", "New connections per year")


def pauses(dates: list[Any]) -> list[bool]:
    """For each session, whether a pause separates it from the one before: more than ``PAUSE``
    times the median interval between sessions (at least a day) without a session."""
    gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    if not gaps:
        return [False] * len(dates)
    typical = max(1.0, float(sorted(gaps)[len(gaps) // 2]))
    return [False] + [g > PAUSE * typical for g in gaps]


def runs(values: list[Any], breaks: list[bool]) -> list[tuple[int, int]]:
    """The [start, end) index ranges of consecutive values that are not None, cut at ``breaks``
    (``breaks[i]``: a pause before item i): the pieces a line is drawn in, never across a gap."""
    out: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate(values):
        if start is not None and (v is None or breaks[i]):
            out.append((start, i))
            start = None
        if v is not None and start is None:
            start = i
    if start is not None:
        out.append((start, len(values)))
    return out


def pooled_retention(by_session: pl.DataFrame, rolling: int = ROLLING) -> list[float | None]:
    """Per session, the share (%) of the newcomers of the last ``rolling`` sessions (those whose
    retention is known) who come to a later session; None where those sessions had no newcomers."""
    pooled = by_session.select(
        (pl.col("retention").fill_null(0) * pl.col("newcomers"))
        .rolling_sum(rolling, min_samples=1)
        .alias("kept"),
        pl.when(pl.col("retention").is_not_null())
        .then(pl.col("newcomers"))
        .otherwise(0)
        .rolling_sum(rolling, min_samples=1)
        .alias("new"),
    )
    return [
        100 * kept / new if new else None for kept, new in pooled.select("kept", "new").iter_rows()
    ]


def plot_sessions(by_session: pl.DataFrame) -> str:
    import matplotlib.dates as mdates

    dates = by_session["local_date"].to_list()
    breaks = pauses(dates)
    fig, axes = _figure(rows=3, height=2.2, width=12.8)
    active = by_session["active_participants"].to_list()
    new = by_session["newcomers"].to_list()
    # One filled piece per stretch of sessions without a pause, each widened by half a typical
    # interval on both sides, so a lone session shows and no fill spans a pause.
    half = (dates[-1] - dates[0]) / max(1, len(dates) - 1) / 2 if len(dates) > 1 else None
    for k, (a, b) in enumerate(runs(dates, breaks)):
        xs = dates[a:b]
        if half is not None:
            xs = [xs[0] - half, *xs, xs[-1] + half]
            ys_active = [active[a], *active[a:b], active[b - 1]]
            ys_new = [new[a], *new[a:b], new[b - 1]]
        else:
            ys_active, ys_new = active[a:b], new[a:b]
        axes[0].fill_between(
            xs,
            ys_active,
            color=RETURNING,
            step="mid",
            label="active participants" if k == 0 else None,
        )
        axes[0].fill_between(
            xs, ys_new, color=NEWCOMER, step="mid", label="of them newcomers" if k == 0 else None
        )
    axes[0].set_ylabel("accounts", fontsize=9)
    _legend_on_top(axes[0], axes[0].get_legend_handles_labels()[0])
    axes[0].set_title("Per session", fontsize=11, loc="left", pad=20)
    axes[1].bar(dates, by_session["new_connections"].to_list(), color=ACCENT, width=4)
    axes[1].set_ylabel("new connections", fontsize=9)
    # One session's retention is mostly 0 % or 100 % of one or two newcomers; the pooled share over
    # the last ROLLING sessions' newcomers shows the trend. The line is drawn in pieces: never
    # across a session without a value or a pause in the chat (a lone value is a dot).
    retention = pooled_retention(by_session, ROLLING)
    for k, (a, b) in enumerate(runs(retention, breaks)):
        axes[2].plot(
            dates[a:b],
            retention[a:b],
            color=NEWCOMER,
            linewidth=1.4,
            marker="o" if b - a == 1 else None,
            markersize=2.5,
            gid=f"retention-{k + 1}",
        )
    axes[2].set_ylim(-5, 105)
    axes[2].set_ylabel("retention %", fontsize=9)
    axes[2].set_xlabel(
        f"session date · retention: share of the newcomers of the last {ROLLING} sessions "
        "who come to a later session (no line where those sessions had no newcomers, or across a "
        "pause)",
        fontsize=9,
    )
    axes[2].xaxis.set_major_locator(mdates.YearLocator())
    axes[2].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    return svg(
        fig, "sessions", "Participants, newcomers, new connections and retention per session"
    )


# ------------------------------------------------------------------------------------------ tables


def top_contributors(
    con: duckdb.DuckDBPyConnection, chat: str, n: int = TOP_CONTRIBUTORS
) -> pl.DataFrame:
    """The ``n`` accounts with the most posts (retweets not counted) in each local year."""
    tz = graphs.chat_timezone(con, chat)
    return con.sql(
        """
        with counted as (
            select year(timezone($tz, p.created_at)) as year,
                   lower(coalesce(p.author_handle, a.handle)) as handle, count(*) as posts
            from posts p
            left join accounts a
              on p.author_handle is null and a.platform = p.platform and a.account_id = p.author_id
            where p.chat_id = $chat and p.created_at is not null
              and not (p.is_retweet or p.retweet_of_post_id is not null)
            group by all
        )
        select year::BIGINT as year, handle, posts from (
            select *, row_number() over (partition by year order by posts desc, handle) as r
            from counted where handle is not null
        ) where r <= $n
        order by year, posts desc, handle
        """,
        params={"tz": tz, "chat": chat, "n": n},
    ).pl()


def community_sizes(
    con: duckdb.DuckDBPyConnection,
    chat: str,
    years: list[int],
    seed: int = SEED,
    by_account: bool = False,
) -> pl.DataFrame:
    """Per year: the people (or, ``by_account``, the accounts) connected that year (``accounts``:
    every one with a reply, mention or quote that year, as on the year's map, including those only
    mentioned or replied to), how many of them are the year's active participants (as in the growth
    table), the number of Louvain communities and their sizes."""
    active = growth.active_by_year(con, chat, by_account=by_account)
    rows = []
    for year in years:
        g = graphs.build(
            con, graphs.Scope(chat, year=year), CONNECTING_KINDS, by_account=by_account
        )
        if g.number_of_nodes() == 0:
            continue
        parts = graphs.communities(g, seed=seed)
        rows.append(
            {
                "year": year,
                "accounts": g.number_of_nodes(),
                "active_participants": len(active.get(year, set()) & set(g.nodes)),
                "communities": len(parts),
                "sizes": [len(p) for p in parts],
            }
        )
    schema = {"year": pl.Int64, "accounts": pl.Int64, "active_participants": pl.Int64,
              "communities": pl.Int64, "sizes": pl.List(pl.Int64)}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


@dataclass
class AccountCounts:
    """The accounts a chat's report counts in its header."""

    posted: int  # wrote at least one of the chat's posts (retweets included)
    connected: int  # in at least one connection (the all-years map's accounts)
    connected_posted: int  # connected and posted
    connected_never_posted: int  # connected but never posted: only mentioned or replied to


def account_counts(
    con: duckdb.DuckDBPyConnection, chat: str, by_account: bool = False
) -> AccountCounts:
    """Accounts that posted in the chat and accounts in its connections, and how they overlap;
    people (linked accounts as one) unless ``by_account``."""
    per_person = not by_account and people.has_people(con)
    who, join, pairs, a, b = "h", "", "connections", "a_handle", "b_handle"
    if per_person:
        who, join = "coalesce(pa.person_id, h)", "left join person_accounts pa on pa.handle = h"
        pairs, a, b = "person_connections", "a_person", "b_person"
    row = con.execute(
        f"""
        with posted as (
            select distinct {who} as h from (
                select lower(coalesce(p.author_handle, a.handle)) as h
                from posts p
                left join accounts a
                  on p.author_handle is null and a.platform = p.platform
                     and a.account_id = p.author_id
                where p.chat_id = $c and coalesce(p.author_handle, a.handle) is not null
            ) {join}
        ),
        connected as (
            select {a} as h from {pairs} where chat_id = $c
            union
            select {b} from {pairs} where chat_id = $c
        )
        select (select count(*) from posted),
               (select count(*) from connected),
               (select count(*) from connected where h in (select h from posted))
        """,
        {"c": chat},
    ).fetchall()[0]
    posted, connected, both = row
    return AccountCounts(posted, connected, both, connected - both)


def _display_handles(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "select lower(handle), arg_max(handle, last_seen_at) from accounts "
        "where handle is not null group by all"
    ).fetchall()
    return dict(rows)


# ------------------------------------------------------------------------------------------ page

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0;
background:#fff}main{max-width:1180px;margin:0 auto;padding:1.5rem}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2.2rem 0 .6rem;
border-bottom:1px solid #d8dee4;padding-bottom:.3rem}.meta{color:#59636e}
nav a{margin-right:1rem}.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));
gap:1.2rem}.plot{width:100%;height:auto}figure{margin:0}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;
padding:.25rem .6rem;border-bottom:1px solid #e5e7eb;vertical-align:top}td.n,th.n{text-align:right;
font-variant-numeric:tabular-nums}.who{overflow-wrap:anywhere}
iframe{width:100%;height:720px;border:1px solid #d8dee4;border-radius:6px}
.scroll{max-height:560px;overflow:auto;border:1px solid #e5e7eb;border-radius:6px}
.scroll th{position:sticky;top:0;background:#f6f8fa}
"""


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    th = "".join(
        f"<th{' class=n' if i in numeric else ''}>{_h(c)}</th>" for i, c in enumerate(head)
    )
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )  # fmt: skip
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def write_report(
    con: duckdb.DuckDBPyConnection,
    output: str | Path,
    chat: str | None = None,
    *,
    seed: int = SEED,
    progress: Progress | None = None,
    by_account: bool = False,
) -> ReportResult:
    """Write the chat's report to ``output`` and its transcripts and maps to ``<stem>_files/``.

    Its growth, maps, core and communities count people (linked accounts as one), unless
    ``by_account``."""
    chat = resolve(con, chat)
    out = Path(output)
    assets = out.parent / f"{out.stem}_files"
    (assets / "transcripts").mkdir(parents=True, exist_ok=True)
    step = progress or (lambda what, done, total: None)

    by_year = growth.growth(con, chat, "year", by_account=by_account)
    if by_year.height == 0:
        raise ChatgraphError(f"chat {chat!r} has no posts yet; load some exports first")
    try:
        by_session = growth.growth(con, chat, "session", by_account=by_account)
    except ChatgraphError:
        by_session = None
    session_rows = sessions.table(con, chat)
    shown = _display_handles(con)

    def who(handle: str) -> str:
        return f'<span class="who">@{_h(shown.get(handle, handle))}</span>'

    # Transcripts, one page per session.
    links: dict[str, str] = {}
    ids = session_rows["session_id"].to_list()
    for i, session_id in enumerate(ids):
        name = safe_name(session_id) + ".html"
        page = transcripts.render(con, session_id, "html")
        (assets / "transcripts" / name).write_text(page, encoding="utf-8")
        links[session_id] = _href(assets.name, "transcripts", name)
        step("transcripts", i + 1, len(ids))

    # Maps: the last year with interactions (embedded) and all years with the year control.
    years_with = [
        y
        for (y,) in con.execute(
            "select distinct year(timezone($tz, created_at)) as y from interactions "
            "where chat_id = $c and created_at is not null order by y",
            {"tz": graphs.chat_timezone(con, chat), "c": chat},
        ).fetchall()
    ]
    written_maps: list[Path] = []
    map_html = "<p>No interactions yet, so no map.</p>"
    if years_with:
        last = years_with[-1]
        step("maps", 0, 2)
        last_map = maps.write_map(
            con, assets / f"map-{last}.html", chat, year=last, seed=seed, by_account=by_account
        )
        step("maps", 1, 2)
        all_map = maps.write_map(
            con, assets / "map-all-years.html", chat, seed=seed, by_account=by_account
        )
        step("maps", 2, 2)
        written_maps = [last_map.path, all_map.path]
        last_href = _href(assets.name, last_map.path.name)
        all_href = _href(assets.name, all_map.path.name)
        never = (
            f" ({last_map.never_posted} of them never posted: only mentioned or replied to)"
            if last_map.never_posted
            else ""
        )
        map_html = (
            f'<p class="meta">{last_map.nodes} connected accounts{never}, {last_map.edges} pairs, '
            f"{last_map.new_edges} new connections in {last} (orange). "
            f'<a href="{last_href}">Open it full screen</a> · '
            f'<a href="{all_href}">all years with a year control</a> '
            f"({_h(all_map.frames[0])}–{_h(all_map.frames[-1])})</p>"
            f'<iframe src="{last_href}" title="Connection map of {last}" loading="eager"></iframe>'
        )

    step("tables", 0, 1)
    years = by_year["year"].to_list()
    contributors = top_contributors(con, chat)
    core = graphs.core_members(con, chat, CONNECTING_KINDS, by_account=by_account)
    comms = community_sizes(con, chat, years_with, seed=seed, by_account=by_account)
    step("tables", 1, 1)

    plots = [plot_participants(by_year), plot_retention(by_year), plot_connections(by_year)]
    session_plot = plot_sessions(by_session) if by_session is not None and by_session.height else ""

    pairs = "connections" if by_account or not people.has_people(con) else "person_connections"
    totals = con.execute(
        f"""
        select (select count(*) from posts where chat_id = $c),
               (select count(*) from sessions where chat_id = $c),
               (select count(*) from {pairs} where chat_id = $c)
        """,
        {"c": chat},
    ).fetchone()
    assert totals is not None
    n_posts, n_sessions, n_connections = totals
    accounts = account_counts(con, chat, by_account=by_account)
    # with accounts linked, the header counts people
    unit = "people" if pairs == "person_connections" and people.people(con).height else "accounts"

    contrib_rows = []
    for year in years:
        top = contributors.filter(pl.col("year") == year)
        cells = ", ".join(f"{who(h)} ({n})" for h, n in top.select("handle", "posts").iter_rows())
        contrib_rows.append([str(year), cells or "–"])
    core_rows = []
    for year in years:
        members = core.filter(pl.col("year") == year)
        if members.height == 0:
            continue
        k = members["k"][0]
        ordered = members.sort(["posts", "handle"], descending=[True, False])["handle"].to_list()
        names = ", ".join(who(h) for h in ordered[:CORE_SHOWN])
        more = f" and {len(ordered) - CORE_SHOWN} more" if len(ordered) > CORE_SHOWN else ""
        core_rows.append([str(year), str(k), str(len(ordered)), names + more])
    comm_rows = []
    for year, connected, active, count, sizes in comms.iter_rows():
        biggest = ", ".join(str(s) for s in sizes[:COMMUNITY_SIZES_SHOWN])
        if len(sizes) > COMMUNITY_SIZES_SHOWN:
            biggest += f" … ({sum(sizes[COMMUNITY_SIZES_SHOWN:])} in the other {len(sizes) - COMMUNITY_SIZES_SHOWN})"
        comm_rows.append([str(year), str(connected), str(active), str(count), biggest])
    newcomers_of = {}
    if by_session is not None:
        newcomers_of = dict(by_session.select("session_id", "new_connections").iter_rows())
    session_table = []
    for row in session_rows.iter_rows(named=True):
        sid = row["session_id"]
        session_table.append(
            [
                _h(row["local_date"]),
                f'<a href="{links[sid]}">{_h(sid)}</a>',
                _h(row["starts"]),
                str(row["posts"]),
                str(row["active_participants"]),
                str(row["newcomers"]),
                str(newcomers_of.get(sid, 0)),
                str(row["questions"]),
            ]
        )

    first_year, last_year = years[0], years[-1]
    span = str(first_year) if first_year == last_year else f"{first_year}–{last_year}"
    generated = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>#{_h(chat)}: community report {span}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>#{_h(chat)}: how the community grew, {span}</h1>",
        f'<p class="meta">{n_sessions} sessions · {n_posts} posts by {accounts.posted} {unit} · '
        f"{n_connections} connections between {accounts.connected} {unit}"
        + (
            f", {accounts.connected_never_posted} of whom never posted (only mentioned or replied "
            "to)"
            if accounts.connected_never_posted
            else ""
        )
        + f" · made by chatgraph on {_h(generated)}</p>",
        '<nav><a href="#growth">Growth</a><a href="#map">Map</a><a href="#people">People</a>'
        '<a href="#communities">Communities</a><a href="#sessions">Sessions</a></nav>',
        '<section id="growth"><h2>Growth</h2>',
        '<p class="meta">Participants are active participants: they wrote at least one post that '
        "is not a retweet in the year's (or the session's) sessions. Accounts that only retweeted "
        "or were only mentioned are not counted; the map and Communities count every connected "
        "account, so they show more. A newcomer is active in the chat for the first time; a "
        "connection is a pair of accounts with a reply, mention or quote between them.</p>",
        '<div class="plots">' + "".join(f"<figure>{p}</figure>" for p in plots) + "</div>",
        f"<figure>{session_plot}</figure>" if session_plot else "",
        "</section>",
        f'<section id="map"><h2>Connection map{f" of {years_with[-1]}" if years_with else ""}</h2>',
        map_html,
        "</section>",
        '<section id="people"><h2>Top contributors per year</h2>',
        f'<p class="meta">The {TOP_CONTRIBUTORS} accounts with the most posts (retweets not '
        "counted), with their posts.</p>",
        _table(["year", "top contributors"], contrib_rows),
        "<h2>Core members per year</h2>",
        '<p class="meta">The accounts in the year\'s main k-core: each is connected to at '
        "least k others of the core that year (most posts first).</p>",
        _table(["year", "k", "members", "who"], core_rows, {1, 2}),
        "</section>",
        '<section id="communities"><h2>Communities per year</h2>',
        '<p class="meta">Louvain communities (seeded) of the year\'s connections, largest '
        "first. Connected accounts: every account with a reply, mention or quote that year, as on "
        "the year's map, including accounts only mentioned or replied to that never posted. Of "
        "them active participants: those also among the year's active participants in Growth; an "
        "active participant without a connection that year is in neither column.</p>",
        _table(
            ["year", "connected accounts", "of them active participants", "communities", "sizes"],
            comm_rows,
            {1, 2, 3},
        ),
        "</section>",
        f'<section id="sessions"><h2>Sessions ({len(session_table)})</h2>',
        '<p class="meta">Each session links to its transcript, grouped by question. Active '
        "participants wrote one of the session's posts that is not a retweet; newcomers are the "
        "active participants active in the chat for the first time.</p>",
        '<div class="scroll">',
        _table(
            [
                "date",
                "session",
                "starts",
                "posts",
                "active participants",
                "of them newcomers",
                "new connections",
                "questions",
            ],
            session_table,
            {3, 4, 5, 6, 7},
        ),
        "</div></section>",
        "</main></body></html>",
    ]
    page = "\n".join(p for p in parts if p) + "\n"
    if re.search(r"https?://", page):
        raise ChatgraphError("the report would refer to an outside address; nothing written")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return ReportResult(out, assets, len(links), written_maps, years)
