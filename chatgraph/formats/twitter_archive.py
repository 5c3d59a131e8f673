"""Twitter personal archive: ``tweets.js`` / ``tweet.js`` (``window.YTD.tweets.part0 = [...]``, and the
older ``window.YTD.tweet.part0``), alone, in an unzipped archive folder, or in the archive ``.zip``.

Each element is ``{"tweet": {...}}``, a v1.1 tweet whose numbers are all strings, with no user
object: the owner is the archive's, named by ``account.js`` beside the tweets file (in the folder
or the zip) or by ``load --account HANDLE``. Retweets are only ``RT @x:`` text (no original to
point at); an @-addressed tweet (``in_reply_to_user_id`` without a status id) keeps its reply
target account with no parent post. In a zip, only the tweets files are loaded: the other
``window.YTD.*`` files (likes, followers, …) and media are skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from chatgraph.errors import ChatgraphError, NotAnExport
from chatgraph.formats import Format, Head, NonPost, Options, Source, finish_stage, sql_string
from chatgraph.formats._social import json_records
from chatgraph.formats._twitter import V1_TWEET_TYPE, core_select

_TWEETS = re.compile(r"^\s*window\.YTD\.tweets?\.part\d+\s*=")
_YTD = re.compile(r"^\s*window\.YTD\.[A-Za-z_]+\.part\d+\s*=")


def _is_tweets(text: str) -> bool:
    return bool(_TWEETS.match(text.lstrip("\ufeff")))


def _is_other_ytd(text: str) -> bool:
    text = text.lstrip("\ufeff")
    return bool(_YTD.match(text)) and not _TWEETS.match(text)


def sniff(head: Head) -> bool:
    return _is_tweets(head.text)


def read_owner(path: Path) -> tuple[str, str | None, str | None] | None:
    """(handle, account id, display name) from an archive's ``account.js``, or None."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text[text.index("=") + 1 :])
        account = data[0]["account"]
        handle = account["username"]
    except (OSError, ValueError, LookupError, TypeError):
        return None
    if not isinstance(handle, str) or not handle:
        return None
    return handle, account.get("accountId"), account.get("accountDisplayName")


def _owner(source: Source, options: Options) -> tuple[str, str | None, str | None]:
    if options.account:
        return options.account.strip().lstrip("@"), None, None
    beside = source.path.parent / "account.js"
    owner = read_owner(beside) if beside.exists() else None
    if owner is None:
        raise ChatgraphError(
            f"{source.label}: a Twitter archive's tweets do not name their author; give the archive "
            "owner's handle with --account HANDLE (or load the whole archive .zip, whose account.js names it)"
        )
    return owner


def stage(con, source: Source, options: Options) -> None:
    handle, account_id, name = _owner(source, options)
    # The JSON after "window.YTD.tweets.part0 =", as a file DuckDB can stream (bytes copied, not parsed)
    body = Path(tempfile.mkstemp(suffix=".json", dir=options.workdir)[1])
    with open(source.plain_path(options.workdir), "rb") as src, open(body, "wb") as dst:
        start = src.read(4096)
        dst.write(start[start.index(b"=") + 1 :])
        shutil.copyfileobj(src, dst)
    json_records(con, Source(body, source.label), options, Head.read(Source(body, source.label)),
                 "case when starts_with(ltrim(j::VARCHAR), '[') then json_extract(j, '$[*]') else [j] end",
                 "archive_items")  # fmt: skip
    con.execute(
        f"""
        create or replace temp table archive_tweets as
        select record_no, coalesce(item, line) as line, not ok as unparsable,
               case when ok then try(json_transform(coalesce(json_extract(item, '$.tweet'), item::JSON),
                                                    '{V1_TWEET_TYPE}')) end as t
        from archive_items
        """
    )
    con.execute("drop table archive_items")
    owner = {
        "author_id": sql_string(account_id) if account_id else "null::VARCHAR",
        "author_handle": sql_string(handle),
        "author_name": sql_string(name) if name else "null::VARCHAR",
    }
    finish_stage(
        con,
        f"""
        select * replace (
                   case when unparsable then 'invalid JSON after the window.YTD prefix (a cut or corrupt file)'
                        when t is null then 'not a tweet object (fields of unexpected types)'
                        when t.id_str is null then 'no id_str'
                   end as reject,
                   case when t is null or t.id_str is null then left(line, 10000) end as raw,
                   {", ".join(f"{expr} as {col}" for col, expr in owner.items())}),
               false as referenced
        from ({core_select("t", "archive_tweets", carry="t, unparsable, line, null as reject, null as raw,")})
        """,
    )
    con.execute("drop table archive_tweets")
    body.unlink()


def zip_sources(
    zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], label: str, workdir: Path
) -> list[Source] | None:
    """The tweets files of a Twitter archive zip, extracted beside its ``account.js``; None when
    the zip is not a Twitter archive (holds no ``window.YTD.*`` file)."""
    tweets, account, ytd = [], None, False
    for m in members:
        if not m.filename.endswith(".js"):
            continue
        with zf.open(m) as f:
            start = f.read(200).decode("utf-8", errors="replace")
        if _is_tweets(start):
            tweets.append(m)
            ytd = True
        elif _is_other_ytd(start):
            ytd = True
            if Path(m.filename).name == "account.js":
                account = m
    if not ytd:
        return None
    if not tweets:
        raise NotAnExport(
            f"{label}: this Twitter archive holds no tweets.js / tweet.js, so no posts"
        )
    folder = Path(tempfile.mkdtemp(prefix="archive", dir=workdir))
    sources = []
    for i, m in enumerate([*tweets, *([account] if account else [])]):
        target = folder / (
            Path(m.filename).name if m is account else f"{i}_{Path(m.filename).name}"
        )
        with zf.open(m) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        if m is not account:
            sources.append(Source(target, f"{label}!{m.filename}"))
    return sources


FORMAT = Format(
    name="twitter-archive",
    description="Twitter personal archive (tweets.js / tweet.js, the archive folder or .zip)",
    sniff=sniff,
    stage=stage,
)
NON_POSTS = [
    NonPost(
        "a Twitter archive data file other than tweets.js (likes, followers, account, …)",
        lambda head: _is_other_ytd(head.text),
    )
]
