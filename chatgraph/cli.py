"""The chatgraph command line: parse, call one library function, print."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import duckdb
import polars as pl
import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from chatgraph import db as dbmod
from chatgraph.errors import ChatgraphError, UsageError
from chatgraph.output import DataFormat, TableFormat, err_console, show

app = typer.Typer(
    no_args_is_help=True,
    help="Archive hashtag chats in DuckDB, split sessions into question threads, and map the community.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    Path,
    typer.Option(
        "--db", envvar="CHATGRAPH_DB", help="The archive (a DuckDB file).", show_default=True
    ),
]
ChatOption = Annotated[
    str | None, typer.Option("--chat", "-c", help="The chat (default: the only one).")
]
FormatOption = Annotated[
    TableFormat, typer.Option("--format", "-f", help="Output as table, csv or json.")
]
PseudonymizeOption = Annotated[
    bool,
    typer.Option(
        "--pseudonymize",
        help="Replace handles, ids and names with stable pseudonyms for sharing.",
    ),
]
YearOption = Annotated[
    int | None, typer.Option("--year", help="One year (in the chat's time zone).")
]
YearsOption = Annotated[
    str | None, typer.Option("--years", help="A range of years, e.g. 2015-2019.")
]
SessionOption = Annotated[
    str | None, typer.Option("--session", help="One session (see chatgraph sessions).")
]
QuestionOption = Annotated[
    int | None, typer.Option("--question", help="Question N (of --session, else of every session).")
]
KindsOption = Annotated[
    str,
    typer.Option(
        "--kinds", help="Interaction kinds, comma-separated: reply,mention,retweet,quote."
    ),
]
DEFAULT_DB = Path(dbmod.DEFAULT_DB)

F = TypeVar("F", bound=Callable[..., Any])
_state = {"debug": bool(os.environ.get("CHATGRAPH_DEBUG"))}


def friendly(fn: F) -> F:
    """Turn library errors into one line and an exit code; tracebacks only with --debug."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except ChatgraphError as e:
            if _state["debug"]:
                raise
            err_console.print(f"Error: {e}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(e.exit_code) from None
        except duckdb.Error as e:
            if _state["debug"]:
                raise
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            err_console.print(f"Error: {first}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    """chatgraph: archive hashtag chats, split them into question threads, map who connects.

    Example: chatgraph load exports/ --chat hcldr && chatgraph sessions
    """
    _state["debug"] = debug or _state["debug"]


def resolve_chat(con: duckdb.DuckDBPyConnection, chat: str | None) -> str:
    """The chat named, or the archive's only chat; a clear error otherwise."""
    from chatgraph.chats import resolve

    return resolve(con, chat)


def _short(path: str) -> str:
    """A path as the user would type it: relative to the current folder where it can be."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


# ---------------------------------------------------------------- load (archive)


@app.command()
@friendly
def load(
    paths: Annotated[list[str], typer.Argument(help="Export files, folders, globs, .gz or .zip.")],
    db: DbOption = DEFAULT_DB,
    chat: Annotated[
        str | None,
        typer.Option(
            "--chat",
            "-c",
            help="Chat to file the posts under (default: each file's dominant hashtag).",
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="Input format, or auto to sniff it.")
    ] = "auto",
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Fail a file at its first bad record instead of rejecting the record."
        ),
    ] = False,
    account: Annotated[
        str | None,
        typer.Option(
            "--account", help="Owner handle of a personal Twitter archive without account.js."
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="Column mapping for a generic CSV: id=...,author=...,created_at=...,text=...",
        ),
    ] = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """Load chat exports into the archive (one transaction per file), then update sessions and threads.

    Example: chatgraph load sample_exports/ --db hcldr.duckdb
    """
    from chatgraph import ingest

    mapping = None
    if columns:
        mapping = {}
        for part in columns.split(","):
            key, sep, value = part.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ChatgraphError(
                    f"--columns: {part!r} is not NAME=COLUMN (e.g. id=tweet_id,text=body)"
                )
            mapping[key.strip()] = value.strip()
    con = dbmod.connect(db)
    files = ingest.expand_paths(paths)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} files"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=output is not TableFormat.table,
    ) as bar:
        task = bar.add_task("loading", total=len(files))
        done: set[str] = set()

        def on_phase(label: str, phase: str) -> None:
            bar.update(task, description=f"{phase} {Path(label.split('!')[0]).name}")
            if phase == "checking" and label not in done and done:
                bar.advance(task)
            done.add(label)

        results = ingest.load(
            con,
            paths,
            chat=chat,
            format=format,
            strict=strict,
            account=account,
            columns=mapping,
            progress=on_phase,
        )
        bar.update(task, completed=len(files))
    rows = [
        {
            "file": _short(r.path),
            **r.counts(),
            "status": "error" if r.error else (r.skipped or "loaded"),
        }
        for r in results
    ]
    schema = {"file": pl.String, "format": pl.String, "chat": pl.String, "records": pl.Int64, "inserted": pl.Int64,
              "duplicates": pl.Int64, "rejected": pl.Int64, "status": pl.String}  # fmt: skip
    show(pl.DataFrame(rows, schema=schema), output, title=f"Loaded into {db}")
    for r in results:
        if r.error:
            err_console.print(f"Error: {r.error}", markup=False, highlight=False, soft_wrap=True)
    if any(r.rejected and r.source_id for r in results):
        from chatgraph import rejects

        for r in results:
            if r.rejected and r.source_id and not r.skipped:
                note = rejects.line(con, _short(r.path), r.source_id, r.records)
                err_console.print(note, markup=False, highlight=False, soft_wrap=True)
    if any(r.error for r in results):
        raise typer.Exit(1)


# ---------------------------------------------------------------- research: queries, sql, export, schema

ResultFormat = Annotated[
    DataFormat,
    typer.Option("--format", "-f", help="table, csv, json or parquet (parquet needs --output)."),
]
ResultOutput = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write every row to this file instead of the screen."),
]


@app.command("queries")
@friendly
def queries_list(output: FormatOption = TableFormat.table) -> None:
    """List the named research queries in queries/ with their titles and parameters.

    Example: chatgraph queries
    """
    from chatgraph import queries as queriesmod

    rows = [
        {"name": q.name, "title": q.title, "params": ", ".join(map(str, q.params))}
        for q in queriesmod.find()
    ]
    schema = {"name": pl.String, "title": pl.String, "params": pl.String}
    show(pl.DataFrame(rows, schema=schema), output, title="Queries (run one: chatgraph query NAME)")


@app.command("query")
@friendly
def query_run(
    name: Annotated[str, typer.Argument(help="The query's name (see chatgraph queries).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as NAME=VALUE; repeat for more."),
    ] = None,
    db: DbOption = DEFAULT_DB,
    format: ResultFormat = DataFormat.table,
    output: ResultOutput = None,
    show_sql: Annotated[
        bool, typer.Option("--show", help="Describe the query and print its SQL; run nothing.")
    ] = False,
) -> None:
    """Run a named query from queries/ with its parameters bound (never pasted into the SQL).

    Example: chatgraph query top_participants_per_year -p chat=hcldr -p limit=5 --format csv
    """
    from chatgraph import queries as queriesmod
    from chatgraph.output import emit

    query = queriesmod.get(name)
    if show_sql:
        typer.echo(f"{query.name}: {query.title}")
        typer.echo(query.description)
        typer.echo(f"params: {', '.join(map(str, query.params)) or '(none)'}")
        typer.echo("")
        typer.echo(query.sql.rstrip("\n"))
        return
    values = queriesmod.parse_assignments(param or [])
    con = queriesmod.open_read_only(db)
    try:
        df = queriesmod.run(con, query, values)
    finally:
        con.close()
    emit(df, format, output, title=query.title)


@app.command("sql")
@friendly
def sql_run(
    statement: Annotated[
        str, typer.Argument(help="One SELECT statement (the archive is read-only).")
    ],
    db: DbOption = DEFAULT_DB,
    format: ResultFormat = DataFormat.table,
    output: ResultOutput = None,
) -> None:
    """Run ad hoc SQL on the archive opened read-only: one SELECT (or EXPLAIN) statement.

    Files and the network are out of reach (no COPY, ATTACH, EXPORT, SET, INSTALL or LOAD);
    write a result with --output, or every table with chatgraph export.

    Example: chatgraph sql "select chat_id, count(*) as posts from posts group by all" -f csv
    """
    from chatgraph import queries as queriesmod
    from chatgraph.output import emit

    con = queriesmod.open_read_only(db)
    try:
        df = queriesmod.run_sql(con, statement)
    finally:
        con.close()
    emit(df, format, output)


@app.command("export")
@friendly
def export_parquet(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the tables into.")
    ],
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the tables of an earlier export there.")
    ] = False,
    format: FormatOption = TableFormat.table,
    pseudonymize: PseudonymizeOption = False,
    partition: Annotated[
        bool,
        typer.Option(
            "--partition",
            help="Every table of a chat Hive-partitioned chat_id=…/year=…, with _schema.json; "
            "run again into the same folder to rewrite only the partitions that changed.",
        ),
    ] = False,
) -> None:
    """Export every public table as Parquet; posts and interactions partitioned chat=…/year=….

    Without --chat every chat is exported; with it, only that chat's rows. Read it back with
    DuckDB, polars, Spark or R's arrow (see docs/export.md). With --partition, the archive layout
    for Spark and object storage (docs/scale.md): every chat's tables under chat_id=…/year=…,
    updated in place by the next export (untouched partitions keep their files).

    Example: chatgraph export --output parquet/ --chat hcldr
    Example: chatgraph export --output archive/ --partition
    """
    from chatgraph import export as exportmod
    from chatgraph import privacy

    if partition and chat is not None:
        raise UsageError(
            "--partition exports the whole archive (so that the next export can update it); "
            "leave out --chat, or use --chat without --partition"
        )
    if partition:
        _export_partitioned(output, db, overwrite, format, pseudonymize)
        return
    con = dbmod.connect(db, read_only=True)
    try:
        chat_id = resolve_chat(con, chat) if chat is not None else None
        exportmod.check_output(output, overwrite)
        with Progress(
            SpinnerColumn(),
            TextColumn("exporting {task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=format is not TableFormat.table,
        ) as bar:
            task = bar.add_task("", total=None)
            with privacy.pseudonymized(con, pseudonymize) as source:
                written = exportmod.export(
                    source, output, chat_id, overwrite, lambda t: bar.update(task, description=t)
                )
    finally:
        con.close()
    rows = [
        {"table": w.table, "rows": w.rows, "files": w.files, "path": _short(str(w.path))}
        for w in written
    ]
    schema = {"table": pl.String, "rows": pl.Int64, "files": pl.Int64, "path": pl.String}
    show(pl.DataFrame(rows, schema=schema), format, title=f"Exported to {output}")


def _export_partitioned(
    output: Path, db: Path, overwrite: bool, format: TableFormat, pseudonymize: bool
) -> None:
    from chatgraph import export as exportmod
    from chatgraph import privacy

    con = dbmod.connect(db, read_only=True)
    try:
        exportmod.check_partitioned_output(output, overwrite)
        with Progress(
            SpinnerColumn(),
            TextColumn("exporting {task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=format is not TableFormat.table,
        ) as bar:
            task = bar.add_task("", total=None)
            with privacy.pseudonymized(con, pseudonymize) as source:
                written = exportmod.export_partitioned(
                    source, output, overwrite, lambda t: bar.update(task, description=t)
                )
    finally:
        con.close()
    rows = [
        {
            "table": w.table,
            "rows": w.rows,
            "files": w.files,
            "written": w.written,
            "removed": w.removed,
            "path": _short(str(w.path)),
        }
        for w in written
    ]
    schema = {
        "table": pl.String,
        "rows": pl.Int64,
        "files": pl.Int64,
        "written": pl.Int64,
        "removed": pl.Int64,
        "path": pl.String,
    }
    show(pl.DataFrame(rows, schema=schema), format, title=f"Exported to {output} (partitioned)")


@app.command("schema")
@friendly
def schema_markdown(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the Markdown here.")
    ] = None,
) -> None:
    """Document the archive's tables and columns as Markdown, generated from the schema itself.

    Example: chatgraph schema --output docs/schema.md
    """
    from chatgraph import schema_doc

    if output is None:
        typer.echo(schema_doc.generate(), nl=False)
        return
    schema_doc.write(output)
    err_console.print(f"Wrote {output}", markup=False, highlight=False, soft_wrap=True)


# ---------------------------------------------------------------- maps, report, demo (issue 6)


@app.command("map")
@friendly
def map_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    year: YearOption = None,
    years: Annotated[
        str | None,
        typer.Option(
            "--years", help="A range of years, e.g. 2015-2019: one file with a year control."
        ),
    ] = None,
    session: SessionOption = None,
    kinds: KindsOption = "reply,mention,quote",
    min_weight: Annotated[
        int, typer.Option("--min-weight", help="Draw pairs with at least this many interactions.")
    ] = 1,
    color: Annotated[
        str,
        typer.Option("--color", help="Colour nodes by community or by first-year (first post)."),
    ] = "community",
    pseudonymize: PseudonymizeOption = False,
) -> None:
    """Write an interactive connection map: one self-contained HTML file that opens offline.

    Without a period, the map covers all the chat's years with a year control that plays its growth.

    Example: chatgraph map --years 2015-2019 --color first-year --output hcldr-map.html
    """
    from chatgraph import maps, privacy

    con = dbmod.connect(db, read_only=True)
    try:
        with privacy.pseudonymized(con, pseudonymize) as source:
            result = maps.write_map(source, output, chat, year=year, years=years, session=session,
                                    kinds=kinds, min_weight=min_weight, color=color)  # fmt: skip
    finally:
        con.close()
    new = f", {result.new_edges} new in {result.frames[-1]}"
    typer.echo(f"Wrote {output}: {result.nodes} accounts, {result.edges} pairs{new}")


def _step_bar() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=err_console, transient=True)  # fmt: skip


@app.command("report")
@friendly
def report_cmd(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The HTML page to write; transcripts and maps go to <name>_files/ next to it.",
        ),
    ],
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    pseudonymize: PseudonymizeOption = False,
) -> None:
    """Write the chat's report: growth plots, top contributors, core members, communities, the
    sessions with links to their transcripts, and the last year's map; it opens offline.

    Example: chatgraph report --chat hcldr --output hcldr-report.html
    """
    from chatgraph import privacy, report

    con = dbmod.connect(db, read_only=True)
    try:
        with _step_bar() as bar:
            task = bar.add_task("report")

            def progress(what: str, done: int, total: int) -> None:
                bar.update(task, description=f"{what} {done}/{total}")

            with privacy.pseudonymized(con, pseudonymize) as source:
                result = report.write_report(source, output, chat, progress=progress)
    finally:
        con.close()
    typer.echo(
        f"Wrote {output} ({result.transcripts} transcripts and {len(result.maps)} maps in {_short(str(result.assets))}/)"
    )


@app.command("demo")
@friendly
def demo_cmd(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write everything into.")
    ] = Path("out"),
) -> None:
    """The whole pipeline on the sample exports: load them into OUTPUT/chatgraph.duckdb (afresh),
    show the load, the sessions and the growth, and write graphs, maps, transcripts and reports.

    Example: chatgraph demo --output out/
    """
    from chatgraph import demo

    with _step_bar() as bar:
        task = bar.add_task("demo")
        result = demo.run(output, step=lambda what: bar.update(task, description=what))
    show(result.loaded, TableFormat.table, title=f"Loaded into {_short(str(result.db))}")
    for chat, df in result.sessions.items():
        show(df, TableFormat.table, title=f"Sessions of {chat} by year")
    for chat, df in result.growth.items():
        show(df, TableFormat.table, title=f"Growth of {chat} by year")
    where = pl.DataFrame(
        [{"chat": c, "what": w, "where": _short(str(p))} for c, w, p in result.outputs],
        schema={"chat": pl.String, "what": pl.String, "where": pl.String},
    )
    show(where, TableFormat.table, title="Written")
    first_report = next(p for _, what, p in result.outputs if what == "report")
    typer.echo(f"Open {_short(str(first_report))} in a browser; explore the archive with "
               f"chatgraph sql \"select * from connections limit 5\" --db {_short(str(result.db))}")  # fmt: skip


# ---------------------------------------------------------------- privacy: forget (issue 8)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@app.command("forget")
@friendly
def forget_cmd(
    handle: Annotated[str, typer.Argument(help="The account's handle (with or without @).")],
    db: DbOption = DEFAULT_DB,
    chat: Annotated[
        str | None,
        typer.Option("--chat", "-c", help="Forget it in this chat only (default: every chat)."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove an account: its posts, retweets of them, its interactions and connections, its
    mentions, and @handle in other posts' text (replaced by @[removed]); later loads skip it.

    Example: chatgraph forget @alice --chat hcldr --yes
    """
    from chatgraph import privacy

    name = privacy.normalise_handle(handle)
    where = f"chat {chat.strip().lstrip('#').lower()}" if chat else "all chats"
    if not yes:
        typer.confirm(
            f"Remove @{name} and every trace of it from {where} in {db}? This cannot be undone",
            abort=True,
        )
    con = dbmod.connect(db)
    done = privacy.forget(con, handle, chat=chat)
    scope = f"chat {done.chat_id}" if done.chat_id else "all chats"
    typer.echo(
        f"Forgot @{done.handle} in {scope}: {_plural(done.posts, 'post')}, "
        f"{_plural(done.retweets, 'retweet')} of them, "
        f"{_plural(done.referenced, 'embedded original')}, {_plural(done.accounts, 'account')}; "
        f"{_plural(done.mentions, 'mention')} removed, {_plural(done.replies_unlinked, 'reply', 'replies')} "
        f"unlinked, {_plural(done.texts_scrubbed, 'text')} scrubbed."
    )
    typer.echo(f"Later loads into {scope} skip @{done.handle}'s posts (counted as rejected).")


# ---------------------------------------------------------------- graphs, metrics, growth, overlap (issue 5)


def _scope(con: duckdb.DuckDBPyConnection, chat: str | None, year: int | None, years: str | None,
           session: str | None, question: int | None) -> Any:  # fmt: skip
    from chatgraph.graphs import Scope, parse_years

    return Scope(resolve_chat(con, chat), year=year, years=parse_years(years) if years else None,
                 session=session, question=question)  # fmt: skip


def _kind_weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        kind, sep, value = part.partition("=")
        try:
            out[kind.strip().lower()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ChatgraphError(f"--weights: {part!r} is not KIND=NUMBER (e.g. reply=2,mention=1)")
    return out


@app.command("graph")
@friendly
def graph_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="gexf (dynamic, for Gephi's timeline), graphml or csv (edge list); default from the file's suffix.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    year: YearOption = None,
    years: YearsOption = None,
    session: SessionOption = None,
    question: QuestionOption = None,
    kinds: KindsOption = "reply,mention,retweet,quote",
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Weight per kind for the edge weight, e.g. reply=2,mention=1,retweet=0.5 (default 1 each).",
        ),
    ] = None,
    pseudonymize: PseudonymizeOption = False,
) -> None:
    """Write the interaction graph (accounts, and who replied to, mentioned, retweeted or quoted whom).

    Edges carry a count per kind, weight and first_seen; nodes carry posts and first_seen.

    Example: chatgraph graph --years 2015-2019 --kinds reply,mention --output hcldr.gexf
    """
    from chatgraph import graphs

    fmt = (format or output.suffix.lstrip(".") or "gexf").lower()
    if fmt not in graphs.GRAPH_FORMATS:
        from chatgraph.errors import UsageError

        raise UsageError(f"--format {fmt!r}: choose gexf, graphml or csv")
    from chatgraph import privacy

    con = dbmod.connect(db, read_only=True)
    try:
        with privacy.pseudonymized(con, pseudonymize) as source:
            scope = _scope(source, chat, year, years, session, question)
            g = graphs.build(source, scope, graphs.parse_kinds(kinds), _kind_weights(weights))
    finally:
        con.close()
    graphs.write(g, output, fmt)
    typer.echo(
        f"Wrote {output}: {g.number_of_nodes()} accounts, {g.number_of_edges()} edges ({scope.label()})"
    )


@app.command("metrics")
@friendly
def metrics_cmd(
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    year: YearOption = None,
    years: YearsOption = None,
    session: SessionOption = None,
    question: QuestionOption = None,
    kinds: KindsOption = "reply,mention,quote",
    show_what: Annotated[
        str,
        typer.Option(
            "--show",
            help="accounts (degree, PageRank, betweenness, community, k-core), bridges (pairs joining communities) or cores (each year's core members).",
        ),
    ] = "accounts",
    seed: Annotated[
        int, typer.Option("--seed", help="Seed for Louvain communities and sampled betweenness.")
    ] = 0,
    sample: Annotated[
        int,
        typer.Option(
            "--sample",
            help="Betweenness from this many seeded sources in larger graphs (exact in smaller ones).",
        ),
    ] = 200,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Show only the first N rows.")
    ] = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """Network metrics of the interaction graph: per account, the bridges between communities, or
    the core members of each year.

    Example: chatgraph metrics --year 2019 --show accounts --limit 20
    """
    from chatgraph import graphs
    from chatgraph.errors import UsageError

    if show_what not in ("accounts", "bridges", "cores"):
        raise UsageError(f"--show {show_what!r}: choose accounts, bridges or cores")
    con = dbmod.connect(db, read_only=True)
    try:
        scope = _scope(con, chat, year, years, session, question)
        chosen = graphs.parse_kinds(kinds)
        if show_what == "cores":
            df = graphs.core_members(con, scope.chat, chosen)
        else:
            g = graphs.build(con, scope, chosen)
            if show_what == "accounts":
                df = graphs.metrics(g, seed=seed, betweenness_sample=sample)
            else:
                df = graphs.bridges(g, seed=seed)
    finally:
        con.close()
    show(
        df.head(limit) if limit else df, output, title=f"{show_what.capitalize()}: {scope.label()}"
    )


@app.command("growth")
@friendly
def growth_cmd(
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    by: Annotated[str, typer.Option("--by", help="year or session.")] = "year",
    include_retweeters: Annotated[
        bool,
        typer.Option(
            "--include-retweeters",
            help="Count accounts that only retweet as participants for newcomers, returning and retention.",
        ),
    ] = False,
    output: FormatOption = TableFormat.table,
) -> None:
    """How the community grows: sessions, posts, participants, newcomers, returning, retention to the
    next year, new and cumulative connections, median new connections per newcomer.

    Example: chatgraph growth --chat hcldr --by year --format csv
    """
    from chatgraph.growth import growth

    con = dbmod.connect(db, read_only=True)
    try:
        name = resolve_chat(con, chat)
        df = growth(con, name, by=by, include_retweeters=include_retweeters)
    finally:
        con.close()
    show(df, output, title=f"Growth of {name} by {by}")


@app.command("overlap")
@friendly
def overlap_cmd(
    chat_a: Annotated[str, typer.Argument(help="One chat.")],
    chat_b: Annotated[str, typer.Argument(help="Another chat.")],
    db: DbOption = DEFAULT_DB,
    list_what: Annotated[
        str | None,
        typer.Option(
            "--list", help="List the shared accounts or connections instead of the counts."
        ),
    ] = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """Accounts (authors) and connections (pairs) two chats share.

    Example: chatgraph overlap hcldr uscap --list connections
    """
    from chatgraph.chats import resolve
    from chatgraph.errors import UsageError
    from chatgraph.growth import overlap

    if list_what not in (None, "accounts", "connections"):
        raise UsageError(f"--list {list_what!r}: choose accounts or connections")
    con = dbmod.connect(db, read_only=True)
    try:
        result = overlap(con, resolve(con, chat_a), resolve(con, chat_b))
    finally:
        con.close()
    if list_what == "accounts":
        show(
            result.shared_accounts,
            output,
            title=f"Accounts in both {result.chat_a} and {result.chat_b}",
        )
    elif list_what == "connections":
        show(
            result.shared_connections,
            output,
            title=f"Connections in both {result.chat_a} and {result.chat_b}",
        )
    else:
        show(result.summary(), output, title=f"Overlap of {result.chat_a} and {result.chat_b}")


# ---------------------------------------------------------------- chats, sessions, transcript (issue 4)

chats_app = typer.Typer(
    no_args_is_help=False,
    help="List chats with their schedule, question prefixes and hosts; set them.\n\n"
    "Example: chatgraph chats set hcldr --timezone America/New_York --start 20:30",
    rich_markup_mode=None,
)
app.add_typer(chats_app, name="chats")


@chats_app.callback(invoke_without_command=True)
@friendly
def chats_list(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    output: FormatOption = TableFormat.table,
) -> None:
    """List the chats: schedule, prefixes and hosts (configured, else inferred), posts, sessions.

    Example: chatgraph chats --db hcldr.duckdb
    """
    if ctx.invoked_subcommand is not None:
        return
    from chatgraph import chats as chatsmod

    con = dbmod.connect(db, read_only=True)
    try:
        show(chatsmod.overview(con), output, title=f"Chats in {db}")
    finally:
        con.close()


@chats_app.command("set")
@friendly
def chats_set(
    chat: Annotated[str, typer.Argument(help="The chat (its hashtag).")],
    db: DbOption = DEFAULT_DB,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help='IANA time zone, e.g. America/New_York ("" unsets).'),
    ] = None,
    weekday: Annotated[
        str | None,
        typer.Option(
            "--weekday", help="Day of the chat: a name (Tuesday, tue) or 1-7 with 1 = Monday."
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Local start time HH:MM (24 h).")
    ] = None,
    duration: Annotated[
        int | None, typer.Option("--duration", help="Length of a session in minutes.")
    ] = None,
    prefixes: Annotated[
        str | None, typer.Option("--prefixes", help="Question prefixes, comma-separated, e.g. Q,T.")
    ] = None,
    hosts: Annotated[
        str | None, typer.Option("--hosts", help="Host handles, comma-separated.")
    ] = None,
) -> None:
    """Set a chat's schedule, question prefixes or hosts, then rebuild its sessions and threads.

    Example: chatgraph chats set hcldr --timezone America/New_York --weekday tue --start 20:30 --duration 60 --prefixes T
    """
    from chatgraph import chats as chatsmod

    con = dbmod.connect(db)
    try:
        chat_id = chatsmod.set_schedule(
            con, chat, timezone=timezone, weekday=weekday, start=start, duration=duration,
            prefixes=prefixes, hosts=hosts,
        )  # fmt: skip
        show(
            chatsmod.overview(con).filter(pl.col("chat") == chat_id),
            TableFormat.table,
            title=f"Chat {chat_id} updated; sessions and threads rebuilt",
        )
    finally:
        con.close()


@chats_app.command("add")
@friendly
def chats_add(
    chat: Annotated[str, typer.Argument(help="The chat's hashtag, with or without #.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Register a chat before loading it, so that its schedule can be set first.

    Example: chatgraph chats add hcldr && chatgraph chats set hcldr --timezone America/New_York
    """
    from chatgraph import chats as chatsmod

    con = dbmod.connect(db)
    try:
        chat_id = chatsmod.add(con, chat)
    finally:
        con.close()
    err_console.print(f"Added chat {chat_id}", markup=False, highlight=False)


@app.command("sessions")
@friendly
def sessions_cmd(
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Only sessions of this (local) year.")
    ] = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """One row per session: local date and start, posts, participants, active participants,
    newcomers (first session of this chat ever) and questions found.

    Example: chatgraph sessions --chat hcldr --year 2016 --format csv
    """
    from chatgraph import sessions as sessionsmod

    con = dbmod.connect(db, read_only=True)
    try:
        chat_id = resolve_chat(con, chat)
        df = sessionsmod.table(con, chat_id, year)
    finally:
        con.close()
    show(df, output, title=f"Sessions of {chat_id}" + (f" in {year}" if year else ""))


@app.command("threads")
@friendly
def threads_cmd(
    session: Annotated[
        str, typer.Argument(help="The session id, e.g. hcldr-2016-03-01 (see chatgraph sessions).")
    ],
    db: DbOption = DEFAULT_DB,
    output: FormatOption = TableFormat.table,
) -> None:
    """One row per question of a session: when and by whom it was asked, its posts and participants,
    and how they were assigned (tag, reply, retweet, quote, time).

    Example: chatgraph threads hcldr-2016-03-01 --format csv
    """
    from chatgraph import threads as threadsmod

    con = dbmod.connect(db, read_only=True)
    try:
        df = threadsmod.table(con, session.strip())
    finally:
        con.close()
    show(df, output, title=f"Questions of {session.strip()}")


@app.command("transcript")
@friendly
def transcript_cmd(
    session: Annotated[
        str, typer.Argument(help="The session id, e.g. hcldr-2016-03-01 (see chatgraph sessions).")
    ],
    db: DbOption = DEFAULT_DB,
    format: Annotated[
        str, typer.Option("--format", "-f", help="md (Markdown) or html (one self-contained page).")
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the transcript to this file.")
    ] = None,
    pseudonymize: PseudonymizeOption = False,
) -> None:
    """A session's transcript grouped by question, with who took part and gaps in the record.

    Example: chatgraph transcript hcldr-2016-03-01 --format html --output hcldr-2016-03-01.html
    """
    from chatgraph import privacy, transcripts

    con = dbmod.connect(db, read_only=True)
    try:
        p = privacy.pseudonymizer(con, pseudonymize)
        text = transcripts.render(con, session.strip(), format, p)
    finally:
        con.close()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    err_console.print(f"Wrote {output}", markup=False, highlight=False, soft_wrap=True)
