"""Mastodon (REST API Status arrays) and Bluesky (searchPosts PostViews) exports of a simulated chat."""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from chatgraph.simulate.model import Account, Post, SimulatedChat, client_of
from chatgraph.simulate.render import Counts, newest_first

# --------------------------------------------------------------------------------------------------
# Mastodon


def mastodon_time(t: datetime) -> str:
    """``2022-11-06T14:59:33.620Z``; remote posts come as ``.000Z`` (their time is whole seconds)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def html_escape_mastodon(s: str) -> str:
    return (
        s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _salt(key: str, instance: str) -> int:
    return zlib.crc32(f"{key}|{instance}".encode()) & 0xFFFF


def local_account_id(acct: Account, home: str, instance: str) -> str:
    """The account's id on ``instance`` (ids are instance-local; ``home`` is the chat's instance)."""
    if instance == home:
        return acct.local_id
    created = int(acct.created_at.timestamp() * 1000)
    return str((created << 16) | _salt(acct.key, instance))


def local_status_id(post: Post, home: str, instance: str) -> str:
    """The status id on ``instance``: the origin id on the author's own instance, the simulated
    local id on the chat's instance, another id (same time, other low bits) elsewhere."""
    if instance == home:
        return post.native["id"]
    if post.author.instance == instance:
        return post.native["origin_id"]
    ms = int(post.created_at.timestamp() * 1000)
    return str((ms << 16) | _salt(post.post_id, instance))


def _profile(acct: Account) -> str:
    return f"https://{acct.instance}/@{acct.username}"


def _relative_acct(acct: Account, instance: str) -> str:
    """``acct`` as the queried instance shows it: bare for its own accounts, ``user@host`` else."""
    return acct.username if acct.instance == instance else acct.handle


def mastodon_account(acct: Account, home: str, instance: str) -> dict:
    created = acct.created_at.astimezone(UTC).strftime("%Y-%m-%dT00:00:00.000Z")
    avatar = f"https://files.{instance}/accounts/avatars/{acct.account_id}/original/avatar.png"
    return {
        "id": local_account_id(acct, home, instance),
        "username": acct.username,
        "acct": _relative_acct(acct, instance),
        "display_name": acct.name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": created,
        "note": f"<p>{html_escape_mastodon(acct.description)}</p>" if acct.description else "",
        "url": _profile(acct),
        "uri": f"https://{acct.instance}/users/{acct.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": f"https://{instance}/headers/original/missing.png",
        "header_static": f"https://{instance}/headers/original/missing.png",
        "followers_count": acct.followers,
        "following_count": acct.followers // 2 + 17,
        "statuses_count": acct.followers * 7 % 30000 + 100,
        "emojis": [],
        "fields": [],
    }


def mastodon_content(post: Post, instance: str) -> str:
    """The HTML ``content``: h-card mentions, hashtag links, escaped text, in one paragraph."""
    out = []
    for kind, value in post.parts:
        if kind == "mention":
            acct: Account = value  # type: ignore[assignment]
            out.append(
                f'<span class="h-card" translate="no"><a href="{_profile(acct)}" class="u-url mention">'
                f"@<span>{acct.username}</span></a></span>"
            )
        elif kind == "tag":
            out.append(
                f'<a href="https://{instance}/tags/{str(value).lower()}" class="mention hashtag" '
                f'rel="tag">#<span>{value}</span></a>'
            )
        else:
            out.append(
                html_escape_mastodon(str(value)).replace("\n\n", "</p><p>").replace("\n", "<br />")
            )
    body = f"<p>{''.join(out)}</p>"
    if post.quote_of is not None:
        url = _status_url(post.quote_of)
        scheme, rest = url.split("://", 1)
        body = (
            f'<p class="quote-inline">RE: <a href="{url}" target="_blank" rel="nofollow noopener" '
            f'translate="no"><span class="invisible">{scheme}://</span><span class="ellipsis">{rest[:30]}'
            f'</span><span class="invisible">{rest[30:]}</span></a></p>' + body
        )
    return body


def _status_url(post: Post) -> str:
    acct = post.author
    if post.retweet_of is not None:
        return post.post_id
    return f"https://{acct.instance}/@{acct.username}/{post.native['origin_id']}"


def mastodon_status(
    post: Post, home: str, instance: str, counts: Counts, embed: bool = True
) -> dict:
    """A Status as ``instance``'s API returns it: instance-local ``id``, canonical ``uri``.

    ``home`` is the chat's instance (where the simulated local ids live).
    """
    metrics = counts.of(post)
    status: dict = {
        "id": local_status_id(post, home, instance),
        "created_at": mastodon_time(post.created_at),
        "in_reply_to_id": local_status_id(post.reply_to, home, instance) if post.reply_to else None,
        "in_reply_to_account_id": (
            local_account_id(post.reply_to.author, home, instance) if post.reply_to else None
        ),
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en" if post.retweet_of is None else None,
        "uri": post.post_id,
        "url": _status_url(post),
        "replies_count": metrics["reply_count"],
        "reblogs_count": metrics["retweet_count"],
        "favourites_count": metrics["like_count"],
        "quotes_count": metrics["quote_count"],
        "edited_at": None,
        "content": "",
        "reblog": None,
        "account": mastodon_account(post.author, home, instance),
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "quote": None,
        "card": None,
        "poll": None,
    }
    if post.retweet_of is not None:
        status["reblog"] = mastodon_status(post.retweet_of, home, instance, counts)
        return status
    status["content"] = mastodon_content(post, instance)
    status["mentions"] = [
        {
            "id": local_account_id(a, home, instance),
            "username": a.username,
            "url": _profile(a),
            "acct": _relative_acct(a, instance),
        }
        for a in post.mentioned
    ]
    seen: list[str] = []
    for tag in post.hashtags:
        if tag.lower() not in seen:
            seen.append(tag.lower())
    status["tags"] = [{"name": t, "url": f"https://{instance}/tags/{t}"} for t in seen]
    if post.quote_of is not None and embed:
        status["quote"] = {
            "state": "accepted",
            "quoted_status": mastodon_status(post.quote_of, home, instance, counts, False),
        }
    return status


def write_mastodon(
    posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat, instance: str | None = None
) -> None:
    """A JSON array of Status objects, newest first: the hashtag timeline of ``instance`` (default:
    the chat's own, ``spec.instance``) with the replies its conversations (``/statuses/:id/context``)
    added. Another instance shows the same posts under other ids; only ``uri`` stays the same."""
    counts = Counts(chat.posts)
    home = chat.spec.instance
    view = instance or home
    statuses = [mastodon_status(p, home, view, counts) for p in newest_first(posts)]
    out.write(json.dumps(statuses, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------------
# Bluesky


def bluesky_time(post: Post) -> str:
    """``createdAt`` as the author's client writes it: µs with ``Z``, µs with ``+00:00``, or ms."""
    t = post.created_at.astimezone(UTC)
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    client = client_of(post.author)
    if client == 0:
        return f"{base}.{t.microsecond:06d}Z"
    if client == 1:
        return f"{base}.{t.microsecond:06d}+00:00"
    return f"{base}.{t.microsecond // 1000:03d}Z"


def _indexed_at(post: Post) -> str:
    t = post.created_at + timedelta(milliseconds=150 + sum(map(ord, post.native["rkey"])) % 700)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def bluesky_author(acct: Account) -> dict:
    return {
        "did": acct.account_id,
        "handle": acct.handle,
        "displayName": acct.name,
        "avatar": f"https://cdn.bsky.app/img/avatar/plain/{acct.account_id}/avatar@jpeg",
        "viewer": {"muted": False, "blockedBy": False},
        "labels": [],
        "createdAt": acct.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


def bluesky_record(post: Post) -> dict:
    """The ``app.bsky.feed.post`` record: text, facets with UTF-8 byte offsets, reply, quote embed."""
    text = ""
    facets = []
    for kind, value in post.parts:
        start = len(text.encode("utf-8"))
        if kind == "mention":
            acct: Account = value  # type: ignore[assignment]
            text += "@" + acct.handle
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": acct.account_id}
        elif kind == "tag":
            text += f"#{value}"
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": str(value)}
        elif kind == "link":
            text += str(value)
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": str(value)}
        else:
            text += str(value)
            continue
        facets.append(
            {
                "features": [feature],
                "index": {"byteEnd": len(text.encode("utf-8")), "byteStart": start},
            }
        )
    record: dict = {"$type": "app.bsky.feed.post", "createdAt": bluesky_time(post)}
    if post.quote_of is not None:
        q = post.quote_of
        record["embed"] = {
            "$type": "app.bsky.embed.record",
            "record": {"cid": q.native["cid"], "uri": q.post_id},
        }
    if facets:
        record["facets"] = facets
    record["langs"] = ["en"]
    if post.reply_to is not None:
        root = post.reply_to
        while root.reply_to is not None:
            root = root.reply_to
        record["reply"] = {
            "parent": {"cid": post.reply_to.native["cid"], "uri": post.reply_to.post_id},
            "root": {"cid": root.native["cid"], "uri": root.post_id},
        }
    record["text"] = text
    return record


def bluesky_post_view(post: Post, counts: Counts, embed: bool = True) -> dict:
    metrics = counts.of(post)
    view: dict = {
        "uri": post.post_id,
        "cid": post.native["cid"],
        "author": bluesky_author(post.author),
        "record": bluesky_record(post),
    }
    if post.quote_of is not None and embed:
        q = post.quote_of
        qm = counts.of(q)
        view["embed"] = {
            "$type": "app.bsky.embed.record#view",
            "record": {
                "$type": "app.bsky.embed.record#viewRecord",
                "uri": q.post_id,
                "cid": q.native["cid"],
                "author": bluesky_author(q.author),
                "value": bluesky_record(q),
                "labels": [],
                "likeCount": qm["like_count"],
                "replyCount": qm["reply_count"],
                "repostCount": qm["retweet_count"],
                "quoteCount": qm["quote_count"],
                "indexedAt": _indexed_at(q),
                "embeds": [],
            },
        }
    view.update(
        {
            "replyCount": metrics["reply_count"],
            "repostCount": metrics["retweet_count"],
            "likeCount": metrics["like_count"],
            "quoteCount": metrics["quote_count"],
            "indexedAt": _indexed_at(post),
            "viewer": {},
            "labels": [],
        }
    )
    return view


def write_bluesky(posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat) -> None:
    """``app.bsky.feed.searchPosts`` output, the pages merged into one ``{"posts": [...]}``, newest
    first. searchPosts returns posts only: reposts are not records and never appear in it."""
    counts = Counts(chat.posts)
    views = [bluesky_post_view(p, counts) for p in newest_first(posts) if p.retweet_of is None]
    out.write(json.dumps({"posts": views}, ensure_ascii=False) + "\n")
