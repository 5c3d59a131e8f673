"""The whole pipeline on the repository's sample exports: load, sessions, growth, graphs, maps,
transcripts and a report per chat, all written into one folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from chatgraph import chats as chatsmod
from chatgraph import db as dbmod
from chatgraph import graphs, growth, ingest, maps, report, sessions
from chatgraph.errors import ChatgraphError

# The checkout's samples; an installed wheel has none and makes them with the bundled simulator.
SAMPLES = Path(__file__).resolve().parent.parent / "sample_exports"

Step = Callable[[str], None]
GROWTH_SHOWN = [
    "year", "sessions", "posts", "active_participants", "newcomers", "returning", "retention",
    "new_connections", "cumulative_connections",
]  # fmt: skip


@dataclass
class DemoResult:
    db: Path
    loaded: pl.DataFrame
    sessions: dict[str, pl.DataFrame] = field(default_factory=dict)
    growth: dict[str, pl.DataFrame] = field(default_factory=dict)
    outputs: list[tuple[str, str, Path]] = field(default_factory=list)  # (chat, what, path)


def sample_files(folder: Path = SAMPLES) -> list[Path]:
    """The export files of the samples folder (its README and hidden files left out)."""
    if not folder.is_dir():
        raise ChatgraphError(
            f"{folder}: no sample exports here; make them with: python -m chatgraph.simulate "
            f"--output {folder}"
        )
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md"
    )
    if not files:
        raise ChatgraphError(f"{folder}: the folder holds no exports")
    return files


def sessions_by_year(con, chat: str) -> pl.DataFrame:
    """The sessions summary: per local year, sessions, posts, participants and questions."""
    table = sessions.table(con, chat)
    return (
        table.group_by(pl.col("local_date").dt.year().alias("year"))
        .agg(
            pl.len().alias("sessions"),
            pl.col("posts").sum().alias("posts"),
            pl.col("participants").median().alias("median_participants"),
            pl.col("participants").max().alias("max_participants"),
            pl.col("newcomers").sum().alias("newcomers"),
            (pl.col("questions") > 0).sum().alias("with_questions"),
        )
        .sort("year")
        .with_columns(pl.col("year").cast(pl.Int64))
    )


def bundled_timezones() -> dict[str, str]:
    """The time zone each bundled sample chat meets in, as its moderator would set it."""
    from chatgraph.simulate.samples import HCLDR, HCLDR_BLUESKY, HCLDR_MASTODON, USCAP

    return {s.hashtag.lower(): s.timezone for s in (HCLDR, HCLDR_MASTODON, HCLDR_BLUESKY, USCAP)}


def bundled_samples(out: Path, step: Step) -> Path:
    """The checkout's ``sample_exports/``, else the same files made by the bundled simulator
    (seeded, so byte for byte the checkout's) in ``out/sample_exports/``."""
    if SAMPLES.is_dir():
        return SAMPLES
    made = out / "sample_exports"
    if not made.is_dir() or not any(made.iterdir()):
        from chatgraph.simulate.samples import write_samples

        step("making the sample exports with the bundled simulator")
        write_samples(made)
    return made


def run(
    output: str | Path,
    samples: Path | None = None,
    step: Step | None = None,
    timezones: dict[str, str] | None = None,
) -> DemoResult:
    """Load the samples into ``output/chatgraph.duckdb`` (made afresh) and write every view.

    Without ``samples``, the bundled samples are used and each chat gets the time zone it meets
    in (``timezones`` overrides; for other samples, chats stay in UTC unless given one).
    """
    say = step or (lambda what: None)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    if samples is None:
        samples = bundled_samples(out, say)
        timezones = bundled_timezones() if timezones is None else timezones
    files = sample_files(samples)
    path = out / "chatgraph.duckdb"
    for old in (path, path.with_name(path.name + ".wal")):
        old.unlink(missing_ok=True)
    con = dbmod.connect(path)
    try:
        for chat, zone in (timezones or {}).items():
            chatsmod.add(con, chat)
            chatsmod.set_chat(con, chat, timezone=zone)
        say(f"loading {len(files)} sample exports")
        results = ingest.load(con, [str(f) for f in files])
        errors = [r for r in results if r.error]
        if errors:
            raise ChatgraphError(f"{errors[0].path}: {errors[0].error}")
        loaded = pl.DataFrame([{"file": Path(r.path).name, **r.counts()} for r in results])
        result = DemoResult(path, loaded)
        chats = [r[0] for r in con.execute("select chat_id from chats order by chat_id").fetchall()]
        for chat in chats:
            say(f"{chat}: sessions and growth")
            result.sessions[chat] = sessions_by_year(con, chat)
            result.growth[chat] = growth.growth(con, chat, "year").select(GROWTH_SHOWN)
            say(f"{chat}: graph")
            g = graphs.build(con, graphs.Scope(chat))
            gexf = out / "graphs" / f"{chat}.gexf"
            graphs.write(g, gexf, "gexf")
            result.outputs.append((chat, "graph (GEXF, Gephi timeline)", gexf))
            say(f"{chat}: maps")
            growth_map = maps.write_map(con, out / "maps" / f"{chat}-all-years.html", chat)
            result.outputs.append((chat, "map of all years (year control)", growth_map.path))
            first_year = maps.write_map(
                con, out / "maps" / f"{chat}-by-first-year.html", chat, color="first-year"
            )
            result.outputs.append((chat, "map coloured by first year", first_year.path))
            last = growth_map.frames[-1]
            last_map = maps.write_map(
                con, out / "maps" / f"{chat}-{last}.html", chat, year=int(last)
            )
            result.outputs.append((chat, f"map of {last}", last_map.path))

            def progress(what: str, done: int, total: int, chat: str = chat) -> None:
                say(f"{chat}: report, {what} {done}/{total}")

            rep = report.write_report(con, out / f"{chat}-report.html", chat, progress=progress)
            result.outputs.append((chat, "report", rep.path))
            result.outputs.append(
                (chat, f"transcripts ({rep.transcripts} sessions)", rep.assets / "transcripts")
            )
        return result
    finally:
        con.close()
