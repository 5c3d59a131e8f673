"""chatgraph's research measures as Spark DataFrame code over a ``chatgraph export --partition``.

For archives beyond one machine: point Spark at the Parquet folder (local, HDFS, ``s3a://``,
``gs://``) and get the same numbers as ``chatgraph growth`` and the archive's ``connections``
table: growth per year (participants, newcomers, returning, retention, new and cumulative
connections, median new connections per newcomer), connections and new connections per year,
interactions per year, and the reply/mention edge list per year. Words as in DESIGN.md; the
definitions mirror :mod:`chatgraph.growth` and :mod:`chatgraph.interactions` line by line.

Needs the optional extra: ``pip install 'chatgraph[spark]'`` (PySpark, and Java 17+).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from chatgraph.errors import ChatgraphError, UsageError, first_line

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

INSTALL_HINT = "pip install 'chatgraph[spark]'"
MANIFEST = "_schema.json"
LAYOUT = "chatgraph-partitioned-1"
CONNECTING_KINDS = ("reply", "mention", "quote")
KINDS = ("reply", "mention", "retweet", "quote")
LOCAL_ISO = "yyyy-MM-dd'T'HH:mm:ss"
# The tables the measures read.
NEEDED = ("posts", "accounts", "chats", "sessions", "post_threads", "interactions")

GROWTH_SCHEMA = {
    "year": pl.Int64,
    "sessions": pl.Int64,
    "posts": pl.Int64,
    "participants": pl.Int64,
    "active_participants": pl.Int64,
    "newcomers": pl.Int64,
    "returning": pl.Int64,
    "retention": pl.Float64,
    "new_connections": pl.Int64,
    "cumulative_connections": pl.Int64,
    "median_new_connections_per_newcomer": pl.Float64,
}


def _functions() -> Any:
    try:
        from pyspark.sql import functions
    except ImportError:
        raise ChatgraphError(
            f"chatgraph.spark needs PySpark, which is not installed; run: {INSTALL_HINT}"
        ) from None
    return functions


def session(
    master: str | None = None, app_name: str = "chatgraph", config: dict[str, str] | None = None
) -> SparkSession:
    """A SparkSession for these measures: UTC session time zone (years are computed in each
    chat's own zone from UTC instants), few shuffle partitions, no UI. ``master`` None: the one
    spark-submit gives, else ``local[2]``. Your own session works too if its
    ``spark.sql.session.timeZone`` is UTC."""
    _functions()
    from pyspark.sql import SparkSession

    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    } | (config or {})
    try:
        builder = SparkSession.builder.appName(app_name)
        if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
            master = "local[2]"  # not under spark-submit
        if master is not None:
            builder = builder.master(master)
        for key, value in settings.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark
    except Exception as e:  # Java missing or broken: py4j raises plain exceptions
        raise ChatgraphError(
            f"Spark could not start ({first_line(e)}); it needs Java 17 or newer on PATH or JAVA_HOME"
        ) from None


@dataclass
class Export:
    """The tables of a ``chatgraph export --partition`` folder, as Spark DataFrames."""

    path: str
    tables: dict[str, DataFrame]

    def __getitem__(self, table: str) -> DataFrame:
        return self.tables[table]


def _manifest(path: str) -> dict | None:
    """The export's ``_schema.json`` (local folders only; elsewhere Spark finds the tables)."""
    if "://" in path:
        return None
    from pathlib import Path

    folder = Path(path)
    if not folder.is_dir():
        raise UsageError(f"{path}: no such folder; give the folder of chatgraph export --partition")
    file = folder / MANIFEST
    try:
        manifest = json.loads(file.read_text())
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("layout") != LAYOUT:
        raise UsageError(
            f"{path}: not a partitioned chatgraph export (no valid {MANIFEST}); "
            f"write one with: chatgraph export --output {path} --partition"
        )
    return manifest


def read_export(spark: SparkSession, path: str) -> Export:
    """Read the tables the measures need. ``chat_id`` and ``year`` come back from the folder
    names as text and integer (partition type inference is off: a chat named ``2020`` stays text)."""
    F = _functions()
    manifest = _manifest(path)
    if manifest is not None:
        missing = [t for t in NEEDED if t not in manifest.get("tables", {})]
        if missing:
            raise UsageError(f"{path}: the export has no {missing[0]!r} table; export again")
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    base = path.rstrip("/")
    tables = {}
    for table in NEEDED:
        df = spark.read.option("basePath", f"{base}/{table}").parquet(f"{base}/{table}")
        if "year" in df.columns and table != "chats":
            df = df.withColumn("year", F.col("year").cast("int"))
        tables[table] = df
    return Export(path, tables)


def _local(ts: Column, tz: Column | str) -> Column:
    F = _functions()
    return F.from_utc_timestamp(ts, tz if not isinstance(tz, str) else F.lit(tz))


def chat_timezone(export: Export, chat: str) -> str:
    F = _functions()
    rows = export["chats"].where(F.col("chat_id") == chat).select("timezone").collect()
    return (rows[0][0] if rows else None) or "UTC"


def chats(export: Export) -> list[str]:
    F = _functions()
    return [
        r[0]
        for r in export["posts"].select("chat_id").distinct().orderBy(F.col("chat_id")).collect()
    ]


def resolve_chat(export: Export, chat: str | None) -> str:
    """The chat named (it must have posts), or the export's only chat."""
    known = chats(export)
    if chat is None:
        if len(known) == 1:
            return known[0]
        if not known:
            raise UsageError(f"{export.path}: the export has no posts")
        raise UsageError(
            f"the export has {len(known)} chats ({', '.join(known)}); pick one with --chat"
        )
    if chat not in known:
        raise UsageError(f"no chat {chat!r} in {export.path}; it has: {', '.join(known) or 'none'}")
    return chat


def _handles(export: Export, posts: DataFrame) -> DataFrame:
    """Posts with ``handle``: the author's handle, lower-cased, from the account where the post
    has none."""
    F = _functions()
    a = export["accounts"].select(
        F.col("platform").alias("_a_platform"),
        F.col("account_id").alias("_a_id"),
        F.col("handle").alias("_a_handle"),
    )
    joined = posts.join(
        a,
        F.col("author_handle").isNull()
        & (F.col("_a_platform") == F.col("platform"))
        & (F.col("_a_id") == F.col("author_id")),
        "left",
    )
    return joined.withColumn("handle", F.lower(F.coalesce("author_handle", "_a_handle")))


def _growth_posts(export: Export, chat: str, tz: str) -> DataFrame:
    """One row per post taking part: year, session_id, post_id, handle, is_retweet. Posts of a
    session count in the session's local year; with no sessions, posts count by their own."""
    F = _functions()
    posts = export["posts"].where(F.col("chat_id") == chat).drop("year")
    threads = (
        export["post_threads"]
        .where((F.col("chat_id") == chat) & F.col("session_id").isNotNull())
        .groupBy("post_id")
        .agg(F.first("session_id").alias("session_id"))
    )
    sessions = (
        export["sessions"]
        .where(F.col("chat_id") == chat)
        .select("session_id", F.year("local_date").alias("year"))
    )
    placed = threads.join(sessions, "session_id")
    if placed.limit(1).count():
        rows = _handles(export, posts.join(placed, "post_id"))
    else:
        rows = _handles(export, posts.where(F.col("created_at").isNotNull())).select(
            "*",
            F.year(_local(F.col("created_at"), tz)).alias("year"),
            F.lit(None).cast("string").alias("session_id"),
        )
    return rows.select(
        F.col("year").cast("long").alias("year"), "session_id", "post_id", "handle", "is_retweet"
    )


def _pairs(export: Export, chat: str | None = None) -> DataFrame:
    """Connections: chat_id, a_handle, b_handle (a < b), first_seen_at, interactions."""
    F = _functions()
    i = export["interactions"].where(
        F.col("kind").isin(*CONNECTING_KINDS) & F.col("created_at").isNotNull()
    )
    if chat is not None:
        i = i.where(F.col("chat_id") == chat)
    return i.groupBy(
        "chat_id",
        F.least("source_handle", "target_handle").alias("a_handle"),
        F.greatest("source_handle", "target_handle").alias("b_handle"),
    ).agg(F.min("created_at").alias("first_seen_at"), F.count(F.lit(1)).alias("interactions"))


def connections(export: Export, chat: str | None = None) -> DataFrame:
    """The ``connections`` table recomputed from interactions: chat_id, a_handle, b_handle,
    first_seen_at, first_year (in the chat's time zone), interactions. Every chat unless ``chat``."""
    F = _functions()
    tz = export["chats"].select("chat_id", F.coalesce("timezone", F.lit("UTC")).alias("_tz"))
    return (
        _pairs(export, chat)
        .join(tz, "chat_id", "left")
        .select(
            "chat_id",
            "a_handle",
            "b_handle",
            "first_seen_at",
            F.year(_local(F.col("first_seen_at"), F.coalesce("_tz", F.lit("UTC"))))
            .cast("int")
            .alias("first_year"),
            "interactions",
        )
    )


def new_connections_per_year(export: Export, chat: str) -> DataFrame:
    """first_year, new_connections, total_connections (running)."""
    F = _functions()
    from pyspark.sql import Window

    per = connections(export, chat).groupBy("first_year").agg(F.count(F.lit(1)).alias("n"))
    running = Window.orderBy("first_year").rowsBetween(Window.unboundedPreceding, 0)
    return per.select(
        F.col("first_year").cast("long").alias("first_year"),
        F.col("n").alias("new_connections"),
        F.sum("n").over(running).cast("long").alias("total_connections"),
    ).orderBy("first_year")


def interactions_per_year(export: Export, chat: str) -> DataFrame:
    """As ``queries/interactions_per_year.sql``: year, replies, mentions, retweets, quotes,
    from_accounts, to_accounts."""
    F = _functions()
    tz = chat_timezone(export, chat)
    i = export["interactions"].where(F.col("chat_id") == chat).drop("year")
    count_kind = [
        F.count(F.when(F.col("kind") == k, 1)).alias(name)
        for k, name in zip(KINDS, ("replies", "mentions", "retweets", "quotes"), strict=True)
    ]
    return (
        i.groupBy(F.year(_local(F.col("created_at"), tz)).cast("long").alias("year"))
        .agg(
            *count_kind,
            F.countDistinct(F.lower("source_handle")).alias("from_accounts"),
            F.countDistinct(F.lower("target_handle")).alias("to_accounts"),
        )
        .orderBy(F.col("year").asc_nulls_last())
    )


def edges_per_year(export: Export, chat: str, kinds: tuple[str, ...] = KINDS) -> DataFrame:
    """The directed edge list of each year, as ``chatgraph graph --year Y --format edges``:
    year, source, target, weight (interactions of the kinds), first_seen (local time) and one
    count column per kind."""
    F = _functions()
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise UsageError(f"unknown interaction kind {bad[0]!r}; choose from {', '.join(KINDS)}")
    tz = chat_timezone(export, chat)
    local = _local(F.col("created_at"), tz)
    i = (
        export["interactions"]
        .where((F.col("chat_id") == chat) & F.col("kind").isin(*kinds))
        .where(F.col("created_at").isNotNull())
        .select(
            F.year(local).cast("long").alias("year"),
            F.col("source_handle").alias("source"),
            F.col("target_handle").alias("target"),
            "kind",
            local.alias("local"),
        )
    )
    return (
        i.groupBy("year", "source", "target")
        .agg(
            F.count(F.lit(1)).alias("weight"),
            F.date_format(F.min("local"), LOCAL_ISO).alias("first_seen"),
            *[F.count(F.when(F.col("kind") == k, 1)).alias(k) for k in kinds],
        )
        .orderBy("year", "source", "target")
    )


def growth(export: Export, chat: str, include_retweeters: bool = False) -> DataFrame:
    """``chatgraph growth --by year`` in Spark: one row per year from the first to the last, the
    columns of :data:`GROWTH_SCHEMA`, the same definitions as :func:`chatgraph.growth.growth`."""
    F = _functions()
    from pyspark.sql import Window

    spark = export["posts"].sparkSession
    tz = chat_timezone(export, chat)
    gp = _growth_posts(export, chat, tz)
    pairs = _pairs(export, chat).select(
        "a_handle",
        "b_handle",
        F.year(_local(F.col("first_seen_at"), tz)).cast("long").alias("year"),
    )
    counted = gp.where(F.col("handle").isNotNull())
    if not include_retweeters:
        counted = counted.where(~F.col("is_retweet"))
    counted = counted.select("year", "handle").distinct()
    firsts = counted.groupBy("handle").agg(F.min("year").alias("first_year"))

    bounds = (
        gp.select("year")
        .unionByName(pairs.select("year"))
        .agg(F.min("year"), F.max("year"))
        .collect()[0]
    )
    if bounds[0] is None:
        return spark.createDataFrame([], _spark_schema())
    span = spark.range(int(bounds[0]), int(bounds[1]) + 1).select(F.col("id").alias("year"))
    last_year = gp.agg(F.max("year")).collect()[0][0]

    per_year = gp.groupBy("year").agg(
        F.countDistinct("session_id").alias("sessions"),
        F.count(F.lit(1)).alias("posts"),
        F.countDistinct("handle").alias("participants"),
        F.countDistinct(F.when(~F.col("is_retweet"), F.col("handle"))).alias("active_participants"),
    )
    nxt = counted.select(
        F.col("handle").alias("_n_handle"),
        (F.col("year") - 1).alias("_n_year"),
        F.lit(True).alias("back"),
    )
    newcomer_rows = (
        counted.join(firsts, "handle")
        .join(
            nxt,
            (F.col("_n_handle") == F.col("handle")) & (F.col("_n_year") == F.col("year")),
            "left",
        )
        .select(
            "year",
            "handle",
            (F.col("year") == F.col("first_year")).alias("is_new"),
            F.col("back").isNotNull().alias("back_next_year"),
        )
    )
    links = (
        pairs.select("year", F.col("a_handle").alias("handle"))
        .unionAll(pairs.select("year", F.col("b_handle").alias("handle")))
        .groupBy("year", "handle")
        .agg(F.count(F.lit(1)).alias("links"))
    )
    medians = (
        newcomer_rows.where("is_new")
        .join(links, ["year", "handle"], "left")
        .select("year", F.coalesce("links", F.lit(0)).alias("links"))
        .groupBy("year")
        .agg(F.percentile("links", F.lit(0.5)).cast("double").alias("median_links"))
    )
    per_newcomers = newcomer_rows.groupBy("year").agg(
        F.count(F.when(F.col("is_new"), 1)).alias("newcomers"),
        F.count(F.when(~F.col("is_new"), 1)).alias("returning"),
        F.count(F.when(F.col("is_new") & F.col("back_next_year"), 1)).alias("retained"),
    )
    per_pairs = pairs.groupBy("year").agg(F.count(F.lit(1)).alias("new_connections"))
    running = Window.orderBy("year").rowsBetween(Window.unboundedPreceding, 0)
    zero = F.lit(0)
    newcomers = F.coalesce("newcomers", zero)
    table = (
        span.join(per_year, "year", "left")
        .join(per_newcomers, "year", "left")
        .join(per_pairs, "year", "left")
        .join(medians, "year", "left")
        .select(
            F.col("year").cast("long").alias("year"),
            F.coalesce("sessions", zero).cast("long").alias("sessions"),
            F.coalesce("posts", zero).cast("long").alias("posts"),
            F.coalesce("participants", zero).cast("long").alias("participants"),
            F.coalesce("active_participants", zero).cast("long").alias("active_participants"),
            newcomers.cast("long").alias("newcomers"),
            F.coalesce("returning", zero).cast("long").alias("returning"),
            F.when(
                (F.col("year") < F.lit(last_year)) & (newcomers > 0),
                F.col("retained") / F.col("newcomers"),
            )
            .cast("double")
            .alias("retention"),
            F.coalesce("new_connections", zero).cast("long").alias("new_connections"),
            F.sum(F.coalesce("new_connections", zero))
            .over(running)
            .cast("long")
            .alias("cumulative_connections"),
            F.col("median_links").alias("median_new_connections_per_newcomer"),
        )
        .orderBy("year")
    )
    return table


def _spark_schema() -> Any:
    from pyspark.sql import types as T

    kinds = {pl.Int64: T.LongType(), pl.Float64: T.DoubleType()}
    return T.StructType([T.StructField(n, kinds[t]) for n, t in GROWTH_SCHEMA.items()])


def to_polars(df: DataFrame, schema: dict[str, Any] | None = None) -> pl.DataFrame:
    """Collect a (small) Spark result as a polars DataFrame, row order kept."""
    rows = [r.asDict() for r in df.collect()]
    if schema is None:
        return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def growth_table(export: Export, chat: str, include_retweeters: bool = False) -> pl.DataFrame:
    """:func:`growth` collected as polars, with the dtypes of ``chatgraph growth``."""
    return to_polars(growth(export, chat, include_retweeters), GROWTH_SCHEMA)
