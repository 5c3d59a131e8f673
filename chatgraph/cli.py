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
from chatgraph.errors import ChatgraphError, UsageError, first_line
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
ByAccountOption = Annotated[
    bool,
    typer.Option(
        "--by-account",
        help="Count accounts, not people: each account alone, as if no accounts were linked "
        "(see chatgraph people).",
    ),
]
IncludeRetweetersOption = Annotated[
    bool,
    typer.Option(
        "--include-retweeters",
        help="Count accounts that only retweet as participants for newcomers, returning and retention.",
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
            err_console.print(
                f"Error: {first_line(e)}", markup=False, highlight=False, soft_wrap=True
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _print_version(value: bool) -> None:
    if value:
        from chatgraph import __version__

        typer.echo(f"chatgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print chatgraph's version and exit.",
        ),
    ] = False,
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
    input_format: Annotated[
        str,
        typer.Option(
            "--as",
            help="Read every file as this export format (see the list below), or auto to sniff it.",
        ),
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
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="Output the load's table as table, csv or json.")
    ] = "table",
) -> None:
    """Load chat exports into the archive (one transaction per file), then update sessions and threads.

    The format of each file is sniffed from its first bytes; --as NAME reads every file as one
    format: twitter-v1, twitter-v2, twarc-csv, tags, twitter-archive, rtweet, generic-csv,
    mastodon, bluesky.

    Example: chatgraph load sample_exports/ --db hcldr.duckdb
    Example: chatgraph load search.json --as twitter-v1 --chat hcldr
    Example: chatgraph load sheet.csv --columns id=ID,author=User,created_at=Date,text=Tweet
    """
    from chatgraph import formats, ingest

    if output_format not in TableFormat.__members__:
        hint = (
            f"; to read the files as {output_format}, use --as {output_format}"
            if output_format in formats.format_names()
            else ""
        )
        raise UsageError(f"--format {output_format}: the output is table, csv or json{hint}")
    output = TableFormat(output_format)

    mapping = None
    if columns:
        mapping = {}
        for part in columns.split(","):
            key, sep, value = part.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise UsageError(
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
            format=input_format,
            strict=strict,
            account=account,
            columns=mapping,
            progress=on_phase,
        )
        bar.update(task, completed=len(files))
    not_exports = [r for r in results if r.not_export and r.skipped]
    results = [r for r in results if r not in not_exports]
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
    if not_exports:
        names = ", ".join(_short(r.path) for r in not_exports)
        err_console.print(
            f"Skipped {_plural(len(not_exports), 'file')} found in folders that "
            f"{'is not a chat export' if len(not_exports) == 1 else 'are not chat exports'}: "
            f"{names} (load one by name to see why)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
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


# ---------------------------------------------------------------- fetch (issue 14)

fetch_app = typer.Typer(no_args_is_help=False, rich_markup_mode=None)
app.add_typer(fetch_app, name="fetch")

SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only posts from this date or ISO time on (UTC), e.g. 2024-01-01."
    ),
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Only posts before this date or ISO time (UTC).")
]
HandleOption = Annotated[
    str | None,
    typer.Option(
        "--handle",
        help="Bluesky login for services that want one; the app password comes from "
        "CHATGRAPH_BLUESKY_PASSWORD, never the command line.",
    ),
]


def _fetch(db: Path, jobs: Callable[[duckdb.DuckDBPyConnection], list], since: str | None,
           until: str | None, output: TableFormat) -> None:  # fmt: skip
    """Run the fetch jobs one after the other, show what each did; exit 1 if any failed."""
    from chatgraph import fetch

    start, end = fetch.parse_when(since, "--since"), fetch.parse_when(until, "--until")
    if start and end and start >= end:
        from chatgraph.errors import UsageError

        raise UsageError(f"--since {since} is not before --until {until}; swap them")
    con = dbmod.connect(db)
    try:
        _fetch_into(con, db, jobs, start, end, output)
    finally:
        con.close()


def _fetch_into(con: duckdb.DuckDBPyConnection, db: Path, jobs: Callable[[duckdb.DuckDBPyConnection], list],
                start: Any, end: Any, output: TableFormat) -> None:  # fmt: skip
    from chatgraph import fetch, rejects

    folder = fetch.default_folder(db)
    results, errors = [], []
    try:
        todo = jobs(con)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} posts fetched"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=output is not TableFormat.table,
        ) as bar:
            task = bar.add_task("fetching", total=None)

            def on_page(label: str, posts: int) -> None:
                bar.update(task, description=f"fetching {label}", completed=posts)

            for job in todo:
                try:
                    results.append(job.run(con, folder, since=start, until=end, progress=on_page))
                except ChatgraphError as e:
                    errors.append(str(e))
    except KeyboardInterrupt:
        err_console.print(
            f"Interrupted: the archive is as it was; the pages fetched so far are kept in "
            f"{_short(str(folder))}/, and running the same command again goes on from there",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(130) from None
    rows = [
        {
            "platform": r.platform, "from": r.server, "tag": r.tag, "chat": r.chat_id,
            "pages": r.pages, "fetched": r.posts, "inserted": r.inserted,
            "duplicates": r.duplicates, "rejected": r.rejected,
            "file": _short(str(r.file)) if r.file else ("(resumed)" if r.loads else "(nothing new)"),
        }
        for r in results
    ]  # fmt: skip
    schema = {"platform": pl.String, "from": pl.String, "tag": pl.String, "chat": pl.String,
              "pages": pl.Int64, "fetched": pl.Int64, "inserted": pl.Int64,
              "duplicates": pl.Int64, "rejected": pl.Int64, "file": pl.String}  # fmt: skip
    show(pl.DataFrame(rows, schema=schema), output, title=f"Fetched into {db}")
    for r in results:
        for loaded in r.loads:
            if loaded.rejected and loaded.source_id:
                note = rejects.line(con, _short(loaded.path), loaded.source_id, loaded.records)
                err_console.print(note, markup=False, highlight=False, soft_wrap=True)
    for e in errors:
        err_console.print(f"Error: {e}", markup=False, highlight=False, soft_wrap=True)
    if errors:
        raise typer.Exit(1)


@fetch_app.callback(invoke_without_command=True)
@friendly
def fetch_cmd(
    ctx: typer.Context,
    chat: ChatOption = None,
    db: DbOption = DEFAULT_DB,
    since: SinceOption = None,
    until: UntilOption = None,
    handle: HandleOption = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """Fetch a chat's new posts from Mastodon and Bluesky straight into the archive.

    Without a subcommand, fetch every place `chatgraph chats set` remembers for the chat. Each
    place goes on from where its last fetch stopped; the raw pages are kept, gzipped, in
    <archive>-fetched/ beside the archive, and loaded like an export file. A killed or failed
    fetch leaves the archive as it was, and the next run resumes.

    \b
    Examples:
      chatgraph chats set hcldr --mastodon-instance https://mastodon.social --bluesky-tag hcldr
      chatgraph fetch --chat hcldr && chatgraph transcript latest --chat hcldr
      chatgraph fetch mastodon --instance https://mastodon.social --instance https://fosstodon.org --tag hcldr --since 2024-01-01
      chatgraph fetch bluesky --tag hcldr
    """
    if ctx.invoked_subcommand is not None:
        return
    from chatgraph import fetch

    _fetch(db, lambda con: fetch.chat_jobs(con, chat, handle), since, until, output)


@fetch_app.command("mastodon")
@friendly
def fetch_mastodon(
    instance: Annotated[
        list[str],
        typer.Option(
            "--instance", help="A Mastodon server, e.g. https://mastodon.social; repeat for more."
        ),
    ],
    tag: Annotated[str, typer.Option("--tag", help="The hashtag, with or without #.")],
    chat: Annotated[
        str | None,
        typer.Option("--chat", "-c", help="Chat to file the posts under (default: the tag)."),
    ] = None,
    db: DbOption = DEFAULT_DB,
    since: SinceOption = None,
    until: UntilOption = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """Fetch a hashtag's posts from Mastodon servers' tag timelines (GET /api/v1/timelines/tag/TAG).

    The same post seen from two servers is stored once (by its uri). A server that wants a login
    takes an access token from the environment variable CHATGRAPH_MASTODON_TOKEN.

    Example: chatgraph fetch mastodon --instance https://mastodon.social --tag hcldr --since 2024-01-01
    """
    from chatgraph import fetch

    jobs = fetch.mastodon_jobs(instance, tag, chat)
    _fetch(db, lambda con: jobs, since, until, output)


@fetch_app.command("bluesky")
@friendly
def fetch_bluesky(
    tag: Annotated[str, typer.Option("--tag", help="The hashtag, with or without #.")],
    service: Annotated[
        str, typer.Option("--service", help="The Bluesky API server to search.")
    ] = "https://public.api.bsky.app",
    chat: Annotated[
        str | None,
        typer.Option("--chat", "-c", help="Chat to file the posts under (default: the tag)."),
    ] = None,
    handle: HandleOption = None,
    db: DbOption = DEFAULT_DB,
    since: SinceOption = None,
    until: UntilOption = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """Fetch a hashtag's posts from a Bluesky search (app.bsky.feed.searchPosts, newest first).

    Example: CHATGRAPH_BLUESKY_PASSWORD=app-password chatgraph fetch bluesky --tag hcldr --service https://bsky.social --handle me.bsky.social
    """
    from chatgraph import fetch

    job = fetch.bluesky_job(tag, service, chat, handle)
    _fetch(db, lambda con: [job], since, until, output)


# ---------------------------------------------------------------- research: queries, sql, export, schema

ResultFormat = Annotated[
    DataFormat,
    typer.Option("--format", "-f", help="table, csv, json or parquet (parquet needs --output)."),
]
ResultOutput = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write every row to this file instead of the screen."),
]


QueryDirsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--dir",
        "-d",
        help="A folder of your own .sql queries, searched before the shipped ones; repeat for more "
        "(or list them in CHATGRAPH_QUERIES).",
    ),
]


@app.command("queries")
@friendly
def queries_list(
    dirs: QueryDirsOption = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", envvar="CHATGRAPH_DB", hidden=True, help="Not needed to list queries."
        ),
    ] = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """List the named research queries (shipped ones and your own) with their parameters.

    Your own folders come first (--dir, then CHATGRAPH_QUERIES); a query of yours with a shipped
    query's name replaces it.

    Example: chatgraph queries
    Example: chatgraph queries --dir my_queries/
    """
    from chatgraph import queries as queriesmod

    rows = [
        {
            "name": q.name,
            "title": q.title,
            "params": ", ".join(map(str, q.params)),
            "from": queriesmod.origin(q),
        }
        for q in queriesmod.find(queriesmod.search_path(dirs or []))
    ]
    schema = {"name": pl.String, "title": pl.String, "params": pl.String, "from": pl.String}
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
    dirs: QueryDirsOption = None,
) -> None:
    """Run a named query (see chatgraph queries) with its parameters bound, never pasted into
    the SQL. Your own folders (--dir, CHATGRAPH_QUERIES) are searched before the shipped queries.

    Example: chatgraph query top_participants_per_year -p chat=hcldr -p limit=5 --format csv
    Example: chatgraph query my_measure --dir my_queries/ -p chat=hcldr
    """
    from chatgraph import queries as queriesmod
    from chatgraph.output import emit

    query = queriesmod.get(name, queriesmod.search_path(dirs or []))
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
        with _export_bar(format) as bar:
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


def _export_bar(format: TableFormat) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("exporting {task.description}"), TimeElapsedColumn(),
                    console=err_console, transient=True,
                    disable=format is not TableFormat.table)  # fmt: skip


def _export_partitioned(
    output: Path, db: Path, overwrite: bool, format: TableFormat, pseudonymize: bool
) -> None:
    from chatgraph import export as exportmod
    from chatgraph import privacy

    con = dbmod.connect(db, read_only=True)
    try:
        exportmod.check_partitioned_output(output, overwrite)
        with _export_bar(format) as bar:
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
    by_account: ByAccountOption = False,
) -> None:
    """Write an interactive connection map: one self-contained HTML file that opens offline.

    Without a period, the map covers all the chat's years with a year control that plays its growth.

    Example: chatgraph map --years 2015-2019 --color first-year --output hcldr-map.html
    """
    from chatgraph import maps, privacy

    con = dbmod.connect(db, read_only=True)
    try:
        if session is not None:  # the id names its chat
            chat, session = _session_of(con, session, chat)
        with privacy.pseudonymized(con, pseudonymize) as source:
            result = maps.write_map(source, output, chat, year=year, years=years, session=session,
                                    kinds=kinds, min_weight=min_weight, color=color,
                                    by_account=by_account)  # fmt: skip
    finally:
        con.close()
    new = f", {result.new_edges} new in {result.frames[-1]}"
    typer.echo(f"Wrote {output}: {result.nodes} {result.unit}, {result.edges} pairs{new}")


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
    by_account: ByAccountOption = False,
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
                result = report.write_report(
                    source, output, chat, progress=progress, by_account=by_account
                )
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
    samples: Annotated[
        Path | None,
        typer.Option(
            "--samples",
            help="A folder of exports to use instead of the bundled samples (chats stay in UTC).",
        ),
    ] = None,
) -> None:
    """The whole pipeline on the sample exports: load them into OUTPUT/chatgraph.duckdb (afresh),
    show the load, the sessions and the growth, and write graphs, maps, transcripts and reports.

    The bundled samples are a simulated #HCLDR (2016-2024, Tuesdays 20:30 America/New_York, in
    every supported format) and a #USCAP conference hashtag; an installed chatgraph makes them
    with its simulator in OUTPUT/sample_exports/. Each chat gets its time zone, as a moderator
    would set it.

    Example: chatgraph demo --output out/
    """
    from chatgraph import demo

    with _step_bar() as bar:
        task = bar.add_task("demo")
        result = demo.run(
            output, samples=samples, step=lambda what: bar.update(task, description=what)
        )
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
    An account linked to others (chatgraph people) is a person: all their accounts go.

    Example: chatgraph forget @alice --chat hcldr --yes
    """
    from chatgraph import people, privacy

    name = privacy.normalise_handle(handle)
    where = f"chat {chat.strip().lstrip('#').lower()}" if chat else "all chats"
    con = dbmod.connect(db)
    handles = people.accounts_of(con, name)  # a person's accounts all go
    if not yes:
        typer.confirm(
            f"Remove {', '.join('@' + h for h in handles)} and every trace of "
            f"{'them' if len(handles) > 1 else 'it'} from {where} in {db}? This cannot be undone",
            abort=True,
        )
    for done in people.forget(con, name, chat=chat):
        _forgot(done)


def _forgot(done: Any) -> None:
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

    if session is not None:  # the id names its chat
        chat, session = _session_of(con, session, chat)
    return Scope(resolve_chat(con, chat), year=year, years=parse_years(years) if years else None,
                 session=session, question=question)  # fmt: skip


def _session_of(con: duckdb.DuckDBPyConnection, session: str, chat: str | None) -> tuple[str, str]:
    """(chat, session id) of --session ID (or --session latest with --chat)."""
    from chatgraph.sessions import resolve_session

    return resolve_session(con, session, chat)


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
            raise UsageError(f"--weights: {part!r} is not KIND=NUMBER (e.g. reply=2,mention=1)")
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
    by_account: ByAccountOption = False,
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
            g = graphs.build(
                source,
                scope,
                graphs.parse_kinds(kinds),
                _kind_weights(weights),
                by_account=by_account,
            )
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
    include_retweeters: IncludeRetweetersOption = False,
    by_account: ByAccountOption = False,
    output: FormatOption = TableFormat.table,
) -> None:
    """How the community grows: sessions, posts, participants, newcomers, returning, retention to the
    next year, new and cumulative connections, median new connections per newcomer. Counts people:
    accounts linked with chatgraph people are one participant; --by-account counts accounts.

    Example: chatgraph growth --chat hcldr --by year --format csv
    """
    from chatgraph.growth import growth

    con = dbmod.connect(db, read_only=True)
    try:
        name = resolve_chat(con, chat)
        df = growth(con, name, by=by, include_retweeters=include_retweeters, by_account=by_account)
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
    by_account: ByAccountOption = False,
    output: FormatOption = TableFormat.table,
) -> None:
    """People (authors; linked accounts are one person) and connections (pairs) two chats share.

    Example: chatgraph overlap hcldr uscap --list connections
    """
    from chatgraph.chats import resolve
    from chatgraph.errors import UsageError
    from chatgraph.growth import overlap

    if list_what not in (None, "accounts", "connections"):
        raise UsageError(f"--list {list_what!r}: choose accounts or connections")
    con = dbmod.connect(db, read_only=True)
    try:
        result = overlap(con, resolve(con, chat_a), resolve(con, chat_b), by_account=by_account)
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


# ---------------------------------------------------------------- people: one person's accounts (issue 16)

people_app = typer.Typer(
    no_args_is_help=False,
    help="Link one person's accounts across Twitter, Mastodon and Bluesky, so that growth, maps, "
    "overlap and the report count people, not handles.\n\n"
    "Example: chatgraph people link @HCLDRchat hcldr@mastodon.social hcldr.bsky.social",
    rich_markup_mode=None,
)
app.add_typer(people_app, name="people")


@people_app.callback(invoke_without_command=True)
@friendly
def people_list(
    ctx: typer.Context,
    db: DbOption = DEFAULT_DB,
    output: FormatOption = TableFormat.table,
) -> None:
    """List the people: one row per linked account, with where the link came from and when.

    Example: chatgraph people --db hcldr.duckdb
    """
    if ctx.invoked_subcommand is None:
        _show_people(db, output)


@people_app.command("list")
@friendly
def people_list_cmd(db: DbOption = DEFAULT_DB, output: FormatOption = TableFormat.table) -> None:
    """List the people (the same as chatgraph people).

    Example: chatgraph people list --format csv > people.csv
    """
    _show_people(db, output)


def _show_people(db: Path, output: TableFormat) -> None:
    from chatgraph import people

    con = dbmod.connect(db)  # read-write, so that an older archive gets its people migration
    try:
        df = people.people(con)
    finally:
        con.close()
    show(df, output, title=f"People in {db} ({df['person'].n_unique()} with linked accounts)")


def _linked(done: Any) -> None:
    merged = f" (merged {', '.join(done.merged)})" if done.merged else ""
    typer.echo(f"Linked {done.person_id}: {', '.join('@' + h for h in done.handles)}{merged}")


@people_app.command("link")
@friendly
def people_link(
    accounts: Annotated[
        list[str],
        typer.Argument(help="Two or more accounts: handle, Mastodon acct, Bluesky handle or DID."),
    ],
    db: DbOption = DEFAULT_DB,
    person: Annotated[
        str | None,
        typer.Option("--person", help="The person's id (default: the first account's handle)."),
    ] = None,
) -> None:
    """Declare that these accounts are one person (an account already linked brings its person).

    Example: chatgraph people link @HCLDRchat hcldr@mastodon.social hcldr.bsky.social
    """
    from chatgraph import people

    con = dbmod.connect(db)
    try:
        _linked(people.link(con, accounts, person=person))
    finally:
        con.close()


@people_app.command("unlink")
@friendly
def people_unlink(
    accounts: Annotated[
        list[str] | None, typer.Argument(help="Accounts to take out of their person.")
    ] = None,
    db: DbOption = DEFAULT_DB,
    person: Annotated[
        str | None, typer.Option("--person", help="Dissolve this person: all their links go.")
    ] = None,
) -> None:
    """Undo links: each account named (or every account of --person) is its own person again.

    Example: chatgraph people unlink hcldr.bsky.social
    """
    from chatgraph import people

    if bool(accounts) == bool(person):
        raise UsageError("name the accounts to unlink, or --person NAME (not both)")
    con = dbmod.connect(db)
    try:
        removed = (
            people.unlink_person(con, person) if person else people.unlink(con, accounts or [])
        )
    finally:
        con.close()
    for who, handle in removed:
        typer.echo(f"Unlinked @{handle} from {who}")


@people_app.command("load")
@friendly
def people_load(
    file: Annotated[Path, typer.Argument(help="A people file: CSV (person,account) or TOML.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Load a people file kept under version control: its links replace those of the last file
    loaded (declared and accepted links stay). CSV has a header person,account; TOML has
    [people] with person = ["@handle", "acct@instance", "handle.bsky.social"].

    Example: chatgraph people load people.toml
    """
    from chatgraph import people

    con = dbmod.connect(db)
    try:
        done = people.load_file(con, file)
    finally:
        con.close()
    typer.echo(
        f"Loaded {file}: {_plural(done.people, 'person', 'people')}, "
        f"{_plural(done.accounts, 'account')} ({_plural(done.replaced, 'link')} of an earlier "
        "file replaced)"
    )


@people_app.command("suggest")
@friendly
def people_suggest(
    db: DbOption = DEFAULT_DB,
    chat: ChatOption = None,
    accept: Annotated[
        list[int] | None,
        typer.Option("--accept", help="Link the suggestion of this rank (repeat for more)."),
    ] = None,
    min_score: Annotated[
        float,
        typer.Option(
            "--min-score",
            help="Show pairs scoring at least this (0-1; a same display name alone is 0.4).",
        ),
    ] = 0.5,
    output: FormatOption = TableFormat.table,
) -> None:
    """Suggest accounts on different platforms that may be one person, with the evidence: the same
    display name, the same or a similar handle, a post that announces the move, shared partners.
    Nothing is linked until you accept a rank.

    Example: chatgraph people suggest && chatgraph people suggest --accept 1 --accept 3
    """
    from chatgraph import people

    con = dbmod.connect(db)
    try:
        name = resolve_chat(con, chat) if chat else None
        if accept:
            for done in people.accept(con, accept, name, min_score):
                _linked(done)
            return
        df = people.suggest(con, name, min_score)
    finally:
        con.close()
    show(df, output, title="Accounts that may be one person (accept with --accept RANK)")


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
    mastodon_instance: Annotated[
        list[str] | None,
        typer.Option(
            "--mastodon-instance",
            help='Mastodon server(s) chatgraph fetch reads the chat from; repeat for more ("" unsets).',
        ),
    ] = None,
    mastodon_tag: Annotated[
        str | None,
        typer.Option("--mastodon-tag", help="The hashtag to fetch there (default: the chat's)."),
    ] = None,
    bluesky_tag: Annotated[
        str | None,
        typer.Option(
            "--bluesky-tag", help='The hashtag chatgraph fetch searches Bluesky for ("" unsets).'
        ),
    ] = None,
    bluesky_service: Annotated[
        str | None,
        typer.Option(
            "--bluesky-service",
            help="The Bluesky API server (default: https://public.api.bsky.app).",
        ),
    ] = None,
) -> None:
    """Set a chat's schedule, question prefixes or hosts (then rebuild its sessions and threads), or
    where it lives on Mastodon and Bluesky (for chatgraph fetch --chat).

    Example: chatgraph chats set hcldr --timezone America/New_York --weekday tue --start 20:30 --duration 60 --prefixes T
    """
    from chatgraph import chats as chatsmod

    con = dbmod.connect(db)
    try:
        chat_id, rebuilt = chatsmod.set_chat(
            con, chat, timezone=timezone, weekday=weekday, start=start, duration=duration,
            prefixes=prefixes, hosts=hosts, mastodon_instances=mastodon_instance,
            mastodon_tag=mastodon_tag, bluesky_tag=bluesky_tag, bluesky_service=bluesky_service,
        )  # fmt: skip
        title = f"Chat {chat_id} updated" + ("; sessions and threads rebuilt" if rebuilt else "")
        show(
            chatsmod.overview(con).filter(pl.col("chat") == chat_id), TableFormat.table, title=title
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
    chat: Annotated[
        str | None,
        typer.Option("--chat", "-c", help="The chat of `latest` (default: the only one)."),
    ] = None,
) -> None:
    """One row per question of a session: when and by whom it was asked, its posts and participants,
    and how they were assigned (tag, reply, retweet, quote, time). SESSION may be latest.

    Example: chatgraph threads hcldr-2016-03-01 --format csv
    Example: chatgraph threads latest --chat hcldr
    """
    from chatgraph import threads as threadsmod
    from chatgraph.sessions import resolve_session

    con = dbmod.connect(db, read_only=True)
    try:
        _, session_id = resolve_session(con, session, chat)
        df = threadsmod.table(con, session_id)
    finally:
        con.close()
    show(df, output, title=f"Questions of {session_id}")


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
    chat: Annotated[
        str | None,
        typer.Option("--chat", "-c", help="The chat of `latest` (default: the only one)."),
    ] = None,
) -> None:
    """A session's transcript grouped by question, with who took part and gaps in the record.
    SESSION is a session id, or latest for the chat's most recent session.

    Example: chatgraph transcript hcldr-2016-03-01 --format html --output hcldr-2016-03-01.html
    Example: chatgraph fetch --chat hcldr && chatgraph transcript latest --chat hcldr
    """
    from chatgraph import privacy, transcripts
    from chatgraph.sessions import resolve_session

    con = dbmod.connect(db, read_only=True)
    try:
        _, session_id = resolve_session(con, session, chat)
        p = privacy.pseudonymizer(con, pseudonymize)
        text = transcripts.render(con, session_id, format, p)
    finally:
        con.close()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    err_console.print(f"Wrote {output}", markup=False, highlight=False, soft_wrap=True)
