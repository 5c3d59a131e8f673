"""Write a simulated chat in the shapes real export tools produce (see ../shared/FORMATS.md).

Every writer lists posts newest first, as a search returns them, and is deterministic: the same chat
gives the same bytes (gzip members carry no file name or time).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from chatgraph.simulate.fediverse import write_bluesky, write_mastodon
from chatgraph.simulate.model import Account, Post, SimulatedChat
from chatgraph.simulate.twitter import (
    twitter_archive_zip,
    write_rtweet,
    write_tags,
    write_twarc_csv,
    write_twitter_v1,
    write_twitter_v1_extended,
    write_twitter_v2,
)

# --------------------------------------------------------------------------------------------------
# the registry and write()


Writer = Callable[[Sequence[Post], io.TextIOBase, SimulatedChat], None]

# format name -> (file name suffix, platform it can carry, writer)
FORMATS: dict[str, tuple[str, str, Writer | None]] = {
    "twitter-v1": ("twarc1.jsonl", "twitter", write_twitter_v1),
    "twitter-v1-extended": ("twarc1-extended.jsonl", "twitter", write_twitter_v1_extended),
    "twitter-v2": ("twarc2.jsonl", "twitter", write_twitter_v2),
    "twarc-csv": ("twarc.csv", "twitter", write_twarc_csv),
    "tags": ("tags.csv", "twitter", write_tags),
    "rtweet": ("rtweet.csv", "twitter", write_rtweet),
    "twitter-archive": ("twitter-archive.zip", "twitter", None),  # binary: see write()
    "mastodon": ("mastodon.json", "mastodon", write_mastodon),
    "bluesky": ("bluesky.json", "bluesky", write_bluesky),
}
# platform -> the formats that can carry its posts
FORMATS_FOR: dict[str, list[str]] = {
    platform: [name for name, (_, p, _) in FORMATS.items() if p == platform]
    for platform in ("twitter", "mastodon", "bluesky")
}


def _account(chat: SimulatedChat, handle: str) -> Account:
    for acct in chat.accounts:
        if acct.key == handle.lower().lstrip("@"):
            return acct
    raise ValueError(f"{handle}: no such account in the chat")


def write(
    chat: SimulatedChat,
    folder: str | Path,
    formats: Iterable[str] = ("twitter-v1",),
    *,
    posts: Sequence[Post] | None = None,
    stem: str | None = None,
    search_only: bool = False,
    compress: bool = False,
    instance: str | None = None,
    account: str | None = None,
) -> list[Path]:
    """Write ``chat`` (or the subset ``posts``) in each of ``formats`` into ``folder``; return the paths.

    Files are named ``<stem>_<suffix>`` (stem defaults to the chat id; suffixes in :data:`FORMATS`),
    with ``.gz`` added when ``compress``. ``search_only`` leaves out posts without the hashtag, i.e.
    writes what a bare hashtag search returns (replies that forgot the tag are then missing).
    ``instance``: the Mastodon instance the export is fetched from (default: the chat's own); other
    instances give the same posts other status and account ids, and relative ``acct`` values.
    ``account``: whose personal archive ``twitter-archive`` writes (default: the first host); it
    holds only that account's own posts.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chosen = list(chat.posts if posts is None else posts)
    if search_only:
        chosen = [p for p in chosen if p.has_hashtag]
    paths = []
    for name in formats:
        if name not in FORMATS:
            raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
        suffix, platform, writer = FORMATS[name]
        if platform != chat.spec.platform:
            raise ValueError(f"{name} holds {platform} posts; this chat is on {chat.spec.platform}")
        path = folder / f"{stem or chat.spec.chat_id}_{suffix}{'.gz' if compress else ''}"
        if name == "twitter-archive":
            data = twitter_archive_zip(chosen, chat, _account(chat, account or chat.spec.hosts[0]))
            path = path.with_name(path.name.removesuffix(".gz"))
            path.write_bytes(data)
            paths.append(path)
            continue
        buf = io.StringIO()
        if name == "mastodon":
            write_mastodon(chosen, buf, chat, instance)
        else:
            assert writer is not None
            writer(chosen, buf, chat)
        data = buf.getvalue().encode("utf-8")
        if compress:
            raw = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                gz.write(data)
            data = raw.getvalue()
        path.write_bytes(data)
        paths.append(path)
    return paths
