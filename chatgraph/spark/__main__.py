"""``python -m chatgraph.spark``: chatgraph's growth measures computed by Spark over a
``chatgraph export --partition`` folder (local, or ``s3a://``/``gs://`` on a cluster)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from chatgraph import spark as sparkmod
from chatgraph.cli import ChatOption, FormatOption, IncludeRetweetersOption, friendly
from chatgraph.errors import ChatgraphError, first_line
from chatgraph.output import TableFormat, show

app = typer.Typer(
    no_args_is_help=True,
    help="chatgraph's growth measures in Spark, over a chatgraph export --partition folder.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

DirArgument = Annotated[
    str, typer.Argument(help="The export folder (chatgraph export --output DIR --partition).")
]
MasterOption = Annotated[
    str | None,
    typer.Option(
        "--master",
        help="Spark master, e.g. local[4] or yarn (default: spark-submit's, else local[2]).",
    ),
]
F = TypeVar("F", bound=Callable[..., Any])


def spark_errors(fn: F) -> F:
    """Spark's own errors (a path it cannot read, a cluster it cannot reach) as one line."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ImportError:
            raise
        except Exception as e:
            if type(e).__module__.startswith(("pyspark", "py4j")):
                raise ChatgraphError(f"Spark: {first_line(e)}") from e
            raise

    return wrapper  # type: ignore[return-value]


def _open(directory: str, master: str | None) -> sparkmod.Export:
    sparkmod._manifest(directory)  # a wrong folder fails here, before Java starts
    return sparkmod.read_export(sparkmod.session(master), directory)


@app.callback()
def main() -> None:
    """chatgraph's measures in Spark.

    Example: python -m chatgraph.spark growth archive/ --chat hcldr
    """


@app.command("growth")
@friendly
@spark_errors
def growth_cmd(
    directory: DirArgument,
    chat: ChatOption = None,
    include_retweeters: IncludeRetweetersOption = False,
    master: MasterOption = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """The growth table of chatgraph growth (by year), computed by Spark from the export.

    Example: python -m chatgraph.spark growth archive/ --chat hcldr --format csv
    """
    export = _open(directory, master)
    name = sparkmod.resolve_chat(export, chat)
    df = sparkmod.growth_table(export, name, include_retweeters)
    show(df, output, title=f"Growth of {name} by year")


@app.command("connections")
@friendly
@spark_errors
def connections_cmd(
    directory: DirArgument,
    chat: ChatOption = None,
    master: MasterOption = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """New connections per year (pairs first seen that year) and the running total, by Spark.

    Example: python -m chatgraph.spark connections archive/ --chat hcldr
    """
    export = _open(directory, master)
    name = sparkmod.resolve_chat(export, chat)
    df = sparkmod.to_polars(sparkmod.new_connections_per_year(export, name))
    show(df, output, title=f"New connections of {name} by year")


@app.command("interactions")
@friendly
@spark_errors
def interactions_cmd(
    directory: DirArgument,
    chat: ChatOption = None,
    master: MasterOption = None,
    output: FormatOption = TableFormat.table,
) -> None:
    """Replies, mentions, retweets and quotes per year, and the accounts they came from and went to.

    Example: python -m chatgraph.spark interactions archive/ --chat hcldr
    """
    export = _open(directory, master)
    name = sparkmod.resolve_chat(export, chat)
    df = sparkmod.to_polars(sparkmod.interactions_per_year(export, name))
    show(df, output, title=f"Interactions of {name} by year")


if __name__ == "__main__":
    app()
