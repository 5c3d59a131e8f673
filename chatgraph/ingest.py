"""Load export files into the archive: sniff, stage, dedup, provenance, rejects; one transaction per file."""

from __future__ import annotations

import functools
import glob
import gzip
import hashlib
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from chatgraph import db, formats
from chatgraph.errors import (
    BadRecord,
    ChatgraphError,
    NotAnExport,
    UnknownFormat,
    UsageError,
    first_line,
)
from chatgraph.formats import Head, Options, Source, sql_string

POST_FIELDS = [
    "post_id", "platform", "chat_id", "created_at", "author_id", "author_handle", "author_name",
    "text", "lang", "reply_to_post_id", "reply_to_author_id", "reply_to_handle",
    "retweet_of_post_id", "quote_of_post_id", "conversation_id", "is_retweet", "truncated",
]  # fmt: skip


@dataclass
class FileResult:
    """What loading one file did (one row of the summary table)."""

    path: str
    format: str | None = None
    chat_id: str | None = None
    records: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    referenced: int = 0
    source_id: int | None = None
    skipped: str | None = None  # why nothing was done (already loaded)
    error: str | None = None  # one line; the file was not loaded
    # A file found in a folder that no format recognises: named in one summary line, not an error.
    not_export: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def counts(self) -> dict[str, str | int]:
        """The summary table's columns after the file's name (`load`, `demo`)."""
        return {
            "format": self.format or "",
            "chat": self.chat_id or "",
            "records": self.records,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


Progress = Callable[[str, str], None]  # (file label, phase)
# Runs inside a file's transaction, after its posts and derived tables are written: what it
# writes commits or rolls back with them (fetch stores its cursor this way).
InTransaction = Callable[[duckdb.DuckDBPyConnection, "FileResult"], None]


def normalise_chat(name: str) -> str:
    return name.strip().lstrip("#").lower()


# What chatgraph itself writes (the archive, graphs, maps, reports, transcripts, Parquet, plots):
# a folder holding them beside the exports loads the exports only.
OWN_OUTPUTS = (".duckdb", ".wal", ".gexf", ".graphml", ".html", ".parquet", ".svg", ".png")


def is_own_output(path: Path) -> bool:
    """A file chatgraph writes, never an export: ``load`` skips it when walking a folder."""
    return path.name.lower().endswith(OWN_OUTPUTS)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, the files below folders (sorted), and glob matches, in order, once each."""
    return [p for p, _ in expand(paths)]


def expand(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """``expand_paths`` with, for each file, whether it was found by walking a folder.

    Walking skips what is not an export by its name: hidden files, names starting with ``_``
    (``_SUCCESS``, an export's ``_schema.json``), Markdown notes kept beside exports (a README)
    and chatgraph's own outputs (``OWN_OUTPUTS``). A file named directly is always tried.
    """
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()

    def add(p: Path, walked: bool) -> None:
        rp = p.resolve()
        if rp not in seen:
            seen.add(rp)
            out.append((p, walked))

    def walk(folder: Path) -> None:
        for child in sorted(folder.rglob("*")):
            if (
                child.is_file()
                and not child.name.startswith((".", "_"))
                and child.suffix.lower() != ".md"
                and not is_own_output(child)
            ):
                add(child, True)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            walk(p)
        elif p.exists():
            add(p, False)
        else:
            matches = sorted(glob.glob(str(raw), recursive=True))
            if not matches:
                raise UsageError(f"{raw}: no such file, folder or glob match")
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    walk(mp)
                else:
                    add(mp, False)
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@functools.cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatgraph-hash")


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


@contextmanager
def _sources_of(path: Path, workdir: Path) -> Iterator[list[Source]]:
    """The loadable sources of one path: itself, or each member of a zip (extracted to workdir)."""
    with open(path, "rb") as f:
        zip_magic = f.read(4) == b"PK\x03\x04"
    if zip_magic and not zipfile.is_zipfile(path):
        raise NotAnExport(
            f"{path}: damaged or cut zip file (its table of contents is missing); "
            "download or zip it again"
        )
    if zipfile.is_zipfile(path):
        try:
            zf = zipfile.ZipFile(path)
            members = [
                m
                for m in zf.infolist()
                if not m.is_dir() and not Path(m.filename).name.startswith(".")
            ]
        except zipfile.BadZipFile as e:
            raise NotAnExport(f"{path}: damaged zip file ({e})") from e
        with zf:
            from chatgraph.formats import twitter_archive

            # a Twitter archive: only its tweets files, each beside the account.js naming the owner
            archive = twitter_archive.zip_sources(zf, members, str(path), workdir)
            if archive is not None:
                yield archive
                return
            out = []
            for i, m in enumerate(members):
                target = workdir / f"zip{i}_{Path(m.filename).name}"
                with zf.open(m) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                out.append(
                    Source(target, f"{path}!{m.filename}", "gzip" if _is_gzip(target) else "none")
                )
            yield out
        return
    yield [Source(path, str(path), "gzip" if _is_gzip(path) else "none")]


def load(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    *,
    chat: str | None = None,
    format: str = "auto",
    strict: bool = False,
    account: str | None = None,
    columns: dict[str, str] | None = None,
    progress: Progress | None = None,
    refresh: bool = True,
    in_transaction: InTransaction | None = None,
) -> list[FileResult]:
    """Load files, folders, globs, .gz and .zip into the archive; one transaction per file.

    Never raises for a bad file: its :class:`FileResult` carries the one-line error instead.
    """
    files = expand(paths)
    results: list[FileResult] = []
    fmt_forced = None if format == "auto" else formats.by_name(format)
    if fmt_forced is None and columns:
        fmt_forced = formats.by_name("generic-csv")  # a column mapping means a generic CSV
    with tempfile.TemporaryDirectory(prefix="chatgraph-") as tmp:
        workdir = Path(tmp)
        options = Options(account=account, columns=columns, workdir=workdir)
        for path, walked in files:
            try:
                with _sources_of(path, workdir) as sources:
                    if not sources:
                        raise NotAnExport(f"{path}: the zip file holds no files")
                    zip_results = []
                    for source in sources:
                        r = _load_one(
                            con, source, fmt_forced, chat, strict, options, progress, refresh,
                            in_transaction,
                        )  # fmt: skip
                        zip_results.append(r)
                        if r.source_id is not None and not (r.skipped or r.error):
                            db.release_cache(con)  # its temp tables are gone by now
                    if len(sources) > 1 and all(
                        r.error and "supported formats" in r.error for r in zip_results
                    ):
                        raise NotAnExport(
                            f"{path}: the zip holds no chat exports ({len(sources)} files, none in a supported format)"
                        )
                    results.extend(zip_results)
            except ChatgraphError as e:
                results.append(FileResult(str(path), error=str(e)))
            last = results[-1] if results else None
            if walked and last and last.path == str(path) and last.not_export and last.error:
                # found by walking a folder: named in one summary line, not an error
                last.skipped, last.error = "not a chat export", None
    return results


def _load_one(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    fmt_forced: formats.Format | None,
    chat: str | None,
    strict: bool,
    options: Options,
    progress: Progress | None,
    refresh: bool,
    in_transaction: InTransaction | None = None,
) -> FileResult:
    result = FileResult(source.label)
    say = (lambda phase: progress(source.label, phase)) if progress else (lambda phase: None)
    try:
        say("checking")
        size = source.path.stat().st_size
        hashing = _executor().submit(sha256_of, source.path)
        head = Head.read(source)
        source = _without_bom(source, options.workdir)
        fmt = fmt_forced or formats.detect(source, head)
        result.format = fmt.name
        chat_id = normalise_chat(chat) if chat else None
        # Only a loaded file of the same size (or of unrecorded size) can be this one: then wait
        # for the hash before reading; otherwise the hash is done while DuckDB reads the file.
        same_size = "(bytes = $n or bytes is null) and ($chat::VARCHAR is null or chat_id = $chat)"
        if con.execute(
            f"select count(*) > 0 from sources where {same_size}", {"n": size, "chat": chat_id}
        ).fetchone()[0]:
            prior = con.execute(
                f"select source_id, chat_id from sources where sha256 = $h and {same_size} limit 1",
                {"h": hashing.result(), "n": size, "chat": chat_id},
            ).fetchone()
            if prior:
                result.source_id, result.chat_id = prior
                result.skipped = f"already loaded as source {prior[0]}"
                return result
        say("reading")
        try:
            # Staging writes only this connection's temp tables, so it runs before the file's
            # transaction: a reader may retry a failed attempt (a larger record size limit), which
            # an aborted transaction would not allow.
            try:
                fmt.stage(con, source, options)
            except (duckdb.Error, UnicodeDecodeError, OSError, EOFError, zlib.error) as e:
                cut = isinstance(e, EOFError | zlib.error | gzip.BadGzipFile)
                if source.compression == "gzip" and (cut or "gzip" in str(e).lower()):
                    raise NotAnExport(formats.gzip_damaged(source.label, e)) from e
                raise ChatgraphError(
                    f"{source.label}: cannot read as {fmt.name}: {first_line(e)}"
                ) from e
            digest = hashing.result()
            say("archiving")
            con.execute("begin")
            try:
                _archive(con, source, fmt.name, digest, size, chat_id, strict, result)
                if refresh and result.chat_id and result.inserted + result.duplicates > 0:
                    say("threads")
                    from chatgraph import derive

                    derive.refresh(con, [result.chat_id], changed="changed_posts")
                if in_transaction is not None:
                    in_transaction(con, result)
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        finally:
            for t in ("incoming", "incoming_refs", "changed_posts", "stage"):
                formats.drop_temp(con, t)
    except ChatgraphError as e:
        result.error = str(e)
        result.not_export = isinstance(e, UnknownFormat)
    except duckdb.Error as e:
        result.error = f"{source.label}: {first_line(e)}"
    return result


def _without_bom(source: Source, workdir: Path) -> Source:
    """A file that starts with a UTF-8 byte order mark, as a copy without it (readers choke on it)."""
    opener = gzip.open if source.compression == "gzip" else open
    try:
        with opener(source.path, "rb") as f:
            if f.read(3) != b"\xef\xbb\xbf":
                return source
            target = workdir / f"nobom{len(list(workdir.iterdir()))}_{Path(source.path).name}"
            with open(target, "wb") as dst:
                shutil.copyfileobj(f, dst, 1 << 20)
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise NotAnExport(formats.gzip_damaged(source.label, e)) from e
    return Source(target, source.label, "none")


_LOST_PRECISION = (
    " lost precision: a spreadsheet turned the id into a number; export the ids as text and "
    "load the file without opening it in Excel"
)


def _archive(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    fmt_name: str,
    digest: str,
    size: int,
    chat_id: str | None,
    strict: bool,
    result: FileResult,
) -> None:
    label = source.label
    # Rows a format staged without the essentials are rejects too, with the reason.
    # (the regex only runs on ids with an e in them: a scan for a letter is cheaper)
    rounded = "((contains({c}, 'e') or contains({c}, 'E')) and regexp_matches({c}, $sci))"
    con.execute(
        f"""
        update stage set reject = case
            when post_id is null or trim(post_id) = '' then 'no post id'
            when created_at is null then 'no readable created_at'
            when author_handle is null and author_id is null then 'no author'
            when {rounded.format(c="post_id")} then 'post id ' || post_id || $lost
            when {rounded.format(c="author_id")} then 'author id ' || author_id || $lost
        end
        where reject is null and (post_id is null or trim(post_id) = '' or created_at is null
                                  or (author_handle is null and author_id is null)
                                  or {rounded.format(c="post_id")}
                                  or {rounded.format(c="author_id")})
        """,
        # Ids a spreadsheet turned into rounded numbers would merge different posts.
        {"sci": r"^\s*[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+\s*$", "lost": _LOST_PRECISION},
    )
    # A referenced original with gaps is simply not kept; only listed records count as rejects.
    con.execute("delete from stage where referenced and reject is not null")
    first_bad = con.execute(
        "select record_no, reject from stage where reject is not null order by record_no limit 1"
    ).fetchone()
    if first_bad and strict:
        raise BadRecord(
            f"{label}: record {first_bad[0]}: {first_bad[1]} (--strict stops at the first bad record)"
        )
    listed, bad = con.execute(
        "select count(*) filter (where reject is null), count(*) filter (where reject is not null) from stage where not referenced"
    ).fetchone()
    if listed == 0:
        if bad:
            raise NotAnExport(
                f"{label}: none of its {bad} records could be read as {fmt_name} "
                f"(record {first_bad[0]}: {first_bad[1]}); check the file is a complete export"
            )
        raise NotAnExport(f"{label}: the {fmt_name} file holds no posts")

    if chat_id is None:
        row = con.execute(
            """
            select tag from (select unnest(hashtags) as tag, post_id from stage where reject is null and not referenced)
            group by tag order by count(distinct post_id) desc, tag limit 1
            """
        ).fetchone()
        if row is None:
            raise ChatgraphError(
                f"{label}: its posts carry no hashtag to name the chat by; give one with --chat NAME"
            )
        chat_id = normalise_chat(row[0])
    result.chat_id = chat_id
    # Accounts that asked to be forgotten: their records become counted rejects (privacy.py).
    from chatgraph import privacy

    if privacy.skip_forgotten(con, chat_id):
        listed, bad = con.execute(
            "select count(*) filter (where reject is null), count(*) filter (where reject is not null) from stage where not referenced"
        ).fetchone()
    con.execute(
        "insert into chats (chat_id, hashtag) select $c, $c where not exists (select 1 from chats where chat_id = $c)",
        {"c": chat_id},
    )
    source_id = con.execute(
        """insert into sources (path, sha256, bytes, format, chat_id, records, inserted, duplicates, rejected)
           values ($p, $h, $n, $f, $c, 0, 0, 0, 0) returning source_id""",
        {"p": label, "h": digest, "n": size, "f": fmt_name, "c": chat_id},
    ).fetchone()[0]
    result.source_id = source_id
    con.execute(
        "insert into rejects select $s, record_no, reject, raw from stage where reject is not null and not referenced",
        {"s": source_id},
    )
    repeated = con.execute(
        "select count(*) > count(distinct post_id) from stage where reject is null and not referenced"
    ).fetchone()[0]
    # A file that lists each post once needs no copy: a view over the staged rows does.
    if repeated:
        _fullest_copies(con, "incoming", "not referenced")
    else:
        con.execute(
            """create or replace temp view incoming as
               select * replace (coalesce(is_retweet, false) as is_retweet, coalesce(truncated, false) as truncated)
               from stage where reject is null and not referenced"""
        )
    _fullest_copies(con, "incoming_refs", "referenced")
    cols = ", ".join(POST_FIELDS)
    sel = ", ".join("$chat as chat_id" if c == "chat_id" else c for c in POST_FIELDS)
    con.execute(
        "create or replace temp table new_posts as select post_id from incoming anti join posts using (post_id)"
    )
    new_count = con.execute("select count(*) from new_posts").fetchone()[0]
    stored_before = con.execute("select count(*) from incoming").fetchone()[0] - new_count
    # (all new, as on a first load: no join to pick them)
    pick = "" if stored_before == 0 else " semi join new_posts using (post_id)"
    con.execute(f"insert into posts ({cols}) select {sel} from incoming{pick}", {"chat": chat_id})
    if stored_before:  # some posts were already in the archive: merge their fuller copies
        _merge_fuller(con, "posts", "incoming", "new_posts")
    else:
        con.execute("create or replace temp table refreshed (post_id VARCHAR)")
    known_refs = con.execute(
        "select count(*) from incoming_refs semi join referenced_posts using (post_id)"
    ).fetchone()[0]
    con.execute(
        f"insert into referenced_posts ({cols}) select {sel.replace('$chat', 'null')} from incoming_refs i "
        "where not exists (select 1 from referenced_posts p where p.post_id = i.post_id)"
    )
    if known_refs:  # originals stored before: merge their fuller copies
        _merge_fuller(con, "referenced_posts", "incoming_refs", None)
    # Entities of new posts, and of posts whose fuller copy just replaced the old one.
    con.execute(
        """
        create or replace temp table entity_posts as
        select post_id, mentions, hashtags from incoming i
        where post_id in (select post_id from new_posts) or post_id in (select post_id from refreshed)
        union all
        select post_id, mentions, hashtags from incoming_refs r
        where not exists (select 1 from mentions m where m.post_id = r.post_id)
          and not exists (select 1 from hashtags h where h.post_id = r.post_id)
          and not exists (select 1 from incoming i where i.post_id = r.post_id)
        """
    )
    con.execute("delete from mentions where post_id in (select post_id from entity_posts)")
    con.execute("delete from hashtags where post_id in (select post_id from entity_posts)")
    con.execute(
        """
        insert into mentions
        select distinct post_id, m.account_id, ltrim(m.handle, '@') from (select post_id, unnest(mentions) as m from entity_posts)
        where m.handle is not null and trim(m.handle) <> ''
        """
    )
    con.execute(
        """
        insert into hashtags
        select distinct post_id, lower(ltrim(tag, '#')) from (select post_id, unnest(hashtags) as tag from entity_posts)
        where tag is not null and trim(tag) <> ''
        """
    )
    # A copy that knows a mentioned account's id (twarc2 JSON) completes one that does not (twarc-csv).
    con.execute(
        """
        update mentions set account_id = i.account_id
        from (select post_id, lower(ltrim(m.handle, '@')) as handle, any_value(m.account_id) as account_id
              from (select post_id, unnest(mentions) as m from incoming)
              where m.account_id is not null and m.handle is not null
              group by all) i
        where mentions.account_id is null and mentions.post_id = i.post_id and lower(mentions.handle) = i.handle
        """
    )
    _upsert_accounts(con)
    # A record lists its post once, but may embed the same original twice.
    con.execute(
        f"""insert into post_sources
            select {"distinct" if repeated else ""} post_id, $s, record_no from stage
            where reject is null and not referenced
            union all
            select distinct post_id, $s, record_no from stage where reject is null and referenced""",
        {"s": source_id},
    )
    records = listed + bad
    result.records = records
    result.inserted = new_count
    result.duplicates = listed - new_count
    result.rejected = bad
    result.referenced = con.execute("select count(*) from incoming_refs").fetchone()[0]
    con.execute(
        "update sources set records = $r, inserted = $i, duplicates = $d, rejected = $b where source_id = $s",
        {"r": records, "i": result.inserted, "d": result.duplicates, "b": bad, "s": source_id},
    )
    # What the derived tables must look at again: new posts, fuller copies, arrived originals.
    con.execute(
        """create or replace temp table changed_posts as
           select post_id from new_posts union select post_id from refreshed
           union select post_id from incoming_refs"""
    )
    for t in ("new_posts", "refreshed", "entity_posts"):
        con.execute(f"drop table if exists {t}")


def _fullest_copies(con: duckdb.DuckDBPyConnection, table: str, which: str) -> None:
    """``table``: the fullest staged copy of each post (``which`` rows of ``stage``): whole text
    over a cut one, a retweet's original text over its "RT @x: ..." form, then the longer text,
    then a known author handle, then the first record. The winners are picked on a narrow key,
    then fetched by row id (a window over the whole rows would sort every column)."""
    key = (
        f"{{'f': -{_FULLNESS.format(x='stage')}, 'l': -coalesce(length(text), -1), "
        "'h': author_handle is null, 'r': record_no, 'i': rowid}"
    )
    con.execute(
        f"""create or replace temp table {table} as
            select * replace (coalesce(is_retweet, false) as is_retweet, coalesce(truncated, false) as truncated)
            from stage
            where rowid in (select arg_min(rowid, {key}) from stage
                            where reject is null and {which} group by post_id)"""
    )


# How complete a copy's text is: 0 cut, 1 a retweet's "RT @x: ..." form, 2 whole.
_FULLNESS = (
    "(case when {x}.truncated then 0 "
    "when {x}.is_retweet and {x}.text like 'RT @%' then 1 else 2 end)"
)


def _merge_fuller(
    con: duckdb.DuckDBPyConnection, table: str, incoming: str, new_posts: str | None
) -> None:
    """Where an incoming copy of a stored post is fuller, its text wins; gaps are filled either way."""
    skip_new = f"and i.post_id not in (select post_id from {new_posts})" if new_posts else ""
    rank_i, rank_p = _FULLNESS.format(x="i"), _FULLNESS.format(x="p")
    fuller = (
        f"({rank_i} > {rank_p} or ({rank_i} = {rank_p} "
        "and length(i.text) > length(coalesce(p.text, ''))))"
    )
    if table == "posts":
        con.execute(
            f"""create or replace temp table refreshed as
                select i.post_id from {incoming} i join posts p using (post_id) where ({fuller}) {skip_new}"""
        )
    fill = [
        c for c in POST_FIELDS
        if c not in ("post_id", "platform", "chat_id", "text", "truncated", "is_retweet", "created_at")
    ]  # fmt: skip
    sets = ", ".join(f"{c} = coalesce(p.{c}, i.{c})" for c in fill)
    con.execute(
        f"""
        update {table} p set
            text = case when {fuller} then i.text else p.text end,
            truncated = case when {fuller} then i.truncated else p.truncated end,
            is_retweet = p.is_retweet or i.is_retweet,
            {sets}
        from {incoming} i
        where p.post_id = i.post_id {skip_new}
          and (({fuller}) or {" or ".join(f"(p.{c} is null and i.{c} is not null)" for c in fill)})
        """
    )


def _upsert_accounts(con: duckdb.DuckDBPyConnection) -> None:
    """Authors (with first and last post times) and mentioned accounts that carry an id."""
    con.execute(
        """
        create or replace temp table accounts_in as
        select platform, account_id,
               arg_max(handle, coalesce(created_at, '1970-01-01'::TIMESTAMPTZ)) as handle,
               arg_max(display_name, coalesce(created_at, '1970-01-01'::TIMESTAMPTZ)) filter (where display_name is not null) as display_name,
               min(created_at) filter (where authored) as first_seen_at,
               max(created_at) filter (where authored) as last_seen_at
        from (
            select platform, coalesce(author_id, '@' || lower(author_handle)) as account_id, author_handle as handle,
                   author_name as display_name, created_at, true as authored
            from (select * from incoming union all select * from incoming_refs)
            union all
            select platform, m.account_id, ltrim(m.handle, '@'), m.name, created_at, false
            from (select platform, created_at, unnest(mentions) as m from incoming)
            where m.account_id is not null and m.handle is not null
        )
        group by platform, account_id
        """
    )
    con.execute(
        """
        update accounts a set
            handle = coalesce(case when i.last_seen_at >= coalesce(a.last_seen_at, i.last_seen_at) then i.handle end, a.handle, i.handle),
            display_name = coalesce(i.display_name, a.display_name),
            first_seen_at = least(a.first_seen_at, i.first_seen_at),
            last_seen_at = greatest(a.last_seen_at, i.last_seen_at)
        from accounts_in i
        where a.platform = i.platform and a.account_id = i.account_id
        """
    )
    con.execute(
        """
        insert into accounts (platform, account_id, handle, display_name, first_seen_at, last_seen_at)
        select platform, account_id, handle, display_name, first_seen_at, last_seen_at
        from accounts_in i
        where not exists (select 1 from accounts a where a.platform = i.platform and a.account_id = i.account_id)
        """
    )
    con.execute("drop table accounts_in")


def sql_path(path: Path) -> str:
    return sql_string(str(path))
