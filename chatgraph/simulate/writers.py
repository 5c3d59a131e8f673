"""Write a simulated chat in the shapes real export tools produce (see ../shared/FORMATS.md).

Every writer lists posts newest first, as a search returns them, and is deterministic: the same chat
gives the same bytes (gzip members carry no file name or time).
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from chatgraph.simulate.model import Account, Post, SimulatedChat

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SOURCES = (
    ("https://mobile.twitter.com", "Twitter Web App"),
    ("http://twitter.com/download/iphone", "Twitter for iPhone"),
    ("http://twitter.com/download/android", "Twitter for Android"),
    ("https://about.twitter.com/products/tweetdeck", "TweetDeck"),
    ("https://www.hootsuite.com", "Hootsuite Inc."),
    ("https://tchat.io", "tchat.io"),
)


# --------------------------------------------------------------------------------------------------
# shared helpers


def v1_time(t: datetime) -> str:
    """``Wed Apr 16 02:38:15 +0000 2014`` (English names whatever the locale)."""
    t = t.astimezone(UTC)
    return f"{DAYS[t.weekday()]} {MONTHS[t.month - 1]} {t:%d %H:%M:%S} +0000 {t.year}"


def v2_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def html_escape_twitter(s: str) -> str:
    """Twitter escapes only ``&``, ``<`` and ``>`` in text."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def source_of(account: Account) -> tuple[str, str]:
    digits = "".join(c for c in account.account_id if c.isdigit()) or "0"
    return SOURCES[int(digits[-6:]) % len(SOURCES)]


def source_html(account: Account) -> str:
    url, name = source_of(account)
    return f'<a href="{url}" rel="nofollow">{name}</a>'


def permalink(post: Post) -> str:
    return f"https://twitter.com/{post.author_handle}/status/{post.post_id}"


class Counts:
    """Replies, retweets and quotes each post received in the chat (the metrics an export shows)."""

    def __init__(self, posts: Iterable[Post]):
        self.replies: dict[str, int] = {}
        self.retweets: dict[str, int] = {}
        self.quotes: dict[str, int] = {}
        for p in posts:
            for ref, bucket in (
                (p.reply_to, self.replies),
                (p.retweet_of, self.retweets),
                (p.quote_of, self.quotes),
            ):
                if ref is not None:
                    bucket[ref.post_id] = bucket.get(ref.post_id, 0) + 1

    def of(self, post: Post) -> dict[str, int]:
        pid = post.post_id
        rts = self.retweets.get(pid, 0)
        return {
            "reply_count": self.replies.get(pid, 0),
            "retweet_count": rts,
            "quote_count": self.quotes.get(pid, 0),
            "like_count": 2 * rts + sum(map(ord, pid[-4:])) % 7,
        }


class Rendered:
    """A Twitter text with its entities: code-point offsets into the HTML-escaped text."""

    def __init__(self, post: Post, link_target: Callable[[Post], str] | None = None):
        self.text = ""
        self.hashtags: list[dict] = []
        self.mentions: list[dict] = []
        self.urls: list[dict] = []
        self.display_start = 0
        leading = True
        for kind, value in post.own_parts:
            start = len(self.text)
            if kind == "mention":
                acct: Account = value  # type: ignore[assignment]
                self.text += "@" + acct.handle
                self.mentions.append(
                    {"screen_name": acct.handle, "name": acct.name, "id": int(acct.account_id),
                     "id_str": acct.account_id, "indices": [start, len(self.text)]}
                )  # fmt: skip
                continue
            if kind == "tag":
                self.text += "#" + str(value)
                self.hashtags.append({"text": str(value), "indices": [start, len(self.text)]})
            elif kind == "link":
                origin = post.retweet_of or post
                expanded = permalink(origin.quote_of) if origin.quote_of is not None else str(value)
                self.text += str(value)
                display = expanded.removeprefix("https://")
                self.urls.append(
                    {"url": str(value), "expanded_url": expanded,
                     "display_url": display[:26] + "…" if len(display) > 27 else display,
                     "indices": [start, len(self.text)]}
                )  # fmt: skip
            else:
                piece = html_escape_twitter(str(value))
                if leading and piece.strip() == "":
                    self.text += piece
                    continue
                self.text += piece
            if leading:
                leading = False
                self.display_start = start

    def entities(self) -> dict:
        return {
            "hashtags": self.hashtags,
            "symbols": [],
            "user_mentions": self.mentions,
            "urls": self.urls,
        }


def _within(entities: dict, end: int) -> dict:
    """The entities that lie wholly in ``[0, end)`` (what a cut text still shows)."""
    return {k: [e for e in v if e["indices"][1] <= end] for k, v in entities.items()}


def _shift(entities: dict, by: int) -> dict:
    return {
        k: [{**e, "indices": [e["indices"][0] + by, e["indices"][1] + by]} for e in v]
        for k, v in entities.items()
    }


# --------------------------------------------------------------------------------------------------
# Twitter API v1.1 (twarc1 JSONL)


def v1_user(acct: Account) -> dict:
    return {
        "id": int(acct.account_id),
        "id_str": acct.account_id,
        "name": acct.name,
        "screen_name": acct.handle,
        "location": acct.location,
        "description": acct.description,
        "url": None,
        "protected": False,
        "followers_count": acct.followers,
        "friends_count": acct.followers // 2 + 17,
        "listed_count": acct.followers // 40,
        "created_at": v1_time(acct.created_at),
        "favourites_count": acct.followers * 3 % 5000,
        "verified": False,
        "statuses_count": acct.followers * 7 % 30000 + 100,
        "lang": None,
        "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{acct.account_id}/avatar_normal.jpg",
        "default_profile": False,
    }


def v1_tweet(post: Post, counts: Counts, embed: bool = True) -> dict:
    """One tweet as Twitter API v1.1 returns it in compat mode (``text``, ``extended_tweet``)."""
    if post.retweet_of is not None:
        return _v1_retweet(post, counts)
    r = Rendered(post)
    full = r.text
    ents = r.entities()
    tweet: dict = {
        "created_at": v1_time(post.created_at),
        "id": int(post.post_id),
        "id_str": post.post_id,
        "text": full,
        "display_text_range": [r.display_start, len(full)],
        "source": source_html(post.author),
        "truncated": False,
        "in_reply_to_status_id": int(post.reply_to.post_id) if post.reply_to else None,
        "in_reply_to_status_id_str": post.reply_to_post_id,
        "in_reply_to_user_id": int(post.reply_to.author_id) if post.reply_to else None,
        "in_reply_to_user_id_str": post.reply_to_author_id,
        "in_reply_to_screen_name": post.reply_to_handle,
        "user": v1_user(post.author),
        "geo": None,
        "coordinates": None,
        "place": None,
        "contributors": None,
        "is_quote_status": post.quote_of is not None,
        "quote_count": counts.of(post)["quote_count"],
        "reply_count": counts.of(post)["reply_count"],
        "retweet_count": counts.of(post)["retweet_count"],
        "favorite_count": counts.of(post)["like_count"],
        "entities": ents,
        "favorited": False,
        "retweeted": False,
        "filter_level": "low",
        "lang": "en",
    }
    if len(full) > 140:
        # compat mode: the text is cut and links to the whole tweet, which is in extended_tweet
        link = f"https://t.co/{post.post_id[-10:]}"
        cut = full[:114].rstrip()
        tweet["text"] = f"{cut}… {link}"
        short = _within(ents, len(cut))
        short["urls"] = short["urls"] + [
            {"url": link, "expanded_url": f"https://twitter.com/i/web/status/{post.post_id}",
             "display_url": f"twitter.com/i/web/status/{post.post_id[:1]}…",
             "indices": [len(cut) + 2, len(cut) + 2 + len(link)]}
        ]  # fmt: skip
        tweet["entities"] = short
        tweet["truncated"] = True
        tweet["display_text_range"] = [r.display_start, min(len(cut) + 1, 140)]
        tweet["extended_tweet"] = {
            "full_text": full,
            "display_text_range": [r.display_start, len(full)],
            "entities": ents,
        }
    if post.quote_of is not None:
        q = post.quote_of
        tweet["quoted_status_id"] = int(q.post_id)
        tweet["quoted_status_id_str"] = q.post_id
        tweet["quoted_status_permalink"] = {
            "url": r.urls[-1]["url"] if r.urls else permalink(q),
            "expanded": permalink(q),
            "display": permalink(q).removeprefix("https://")[:26] + "…",
        }
        if embed:
            tweet["quoted_status"] = v1_tweet(q, counts, embed=False)
    return tweet


def _v1_retweet(post: Post, counts: Counts) -> dict:
    orig = post.retweet_of
    assert orig is not None
    original = v1_tweet(orig, counts)
    r = Rendered(orig)
    prefix = f"RT @{orig.author_handle}: "
    whole = prefix + r.text
    # compat mode cuts the text at 140 but keeps every entity of the uncut text (FORMATS.md quirk 2)
    text = whole if len(whole) <= 140 else whole[:139] + "…"
    ents = _shift(r.entities(), len(prefix))
    rt_mention = {
        "screen_name": orig.author_handle, "name": orig.author_name, "id": int(orig.author_id),
        "id_str": orig.author_id, "indices": [3, 4 + len(orig.author_handle)],
    }  # fmt: skip
    ents["user_mentions"] = [rt_mention] + ents["user_mentions"]
    tweet = {
        "created_at": v1_time(post.created_at),
        "id": int(post.post_id),
        "id_str": post.post_id,
        "text": text,
        "source": source_html(post.author),
        "truncated": False,
        "in_reply_to_status_id": None,
        "in_reply_to_status_id_str": None,
        "in_reply_to_user_id": None,
        "in_reply_to_user_id_str": None,
        "in_reply_to_screen_name": None,
        "user": v1_user(post.author),
        "geo": None,
        "coordinates": None,
        "place": None,
        "contributors": None,
        "retweeted_status": original,
        "is_quote_status": orig.quote_of is not None,
        "quote_count": 0,
        "reply_count": 0,
        "retweet_count": original["retweet_count"],
        "favorite_count": 0,
        "entities": ents,
        "favorited": False,
        "retweeted": False,
        "filter_level": "low",
        "lang": "en",
    }
    if orig.quote_of is not None:
        tweet["quoted_status_id"] = original["quoted_status_id"]
        tweet["quoted_status_id_str"] = original["quoted_status_id_str"]
        tweet["quoted_status_permalink"] = original["quoted_status_permalink"]
    return tweet


def write_twitter_v1(posts: Sequence[Post], out: io.TextIOBase, everything: Sequence[Post]) -> None:
    """twarc1 JSONL: one v1.1 tweet per line, newest first (``json.dumps`` defaults, as twarc writes)."""
    counts = Counts(everything)
    for post in newest_first(posts):
        out.write(json.dumps(v1_tweet(post, counts)) + "\n")


# --------------------------------------------------------------------------------------------------
# the registry and write()


def newest_first(posts: Iterable[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.created_at, p.post_id), reverse=True)


Writer = Callable[[Sequence[Post], io.TextIOBase, Sequence[Post]], None]

# format name -> (file name suffix, platform it can carry, writer)
FORMATS: dict[str, tuple[str, str, Writer]] = {
    "twitter-v1": ("twarc1.jsonl", "twitter", write_twitter_v1),
}
# platform -> the formats that can carry its posts
FORMATS_FOR: dict[str, list[str]] = {
    platform: [name for name, (_, p, _) in FORMATS.items() if p == platform]
    for platform in ("twitter", "mastodon", "bluesky")
}


def write(
    chat: SimulatedChat,
    folder: str | Path,
    formats: Iterable[str] = ("twitter-v1",),
    *,
    posts: Sequence[Post] | None = None,
    stem: str | None = None,
    search_only: bool = False,
    compress: bool = False,
) -> list[Path]:
    """Write ``chat`` (or the subset ``posts``) in each of ``formats`` into ``folder``; return the paths.

    Files are named ``<stem>_<suffix>`` (stem defaults to the chat id; suffixes in :data:`FORMATS`),
    with ``.gz`` added when ``compress``. ``search_only`` leaves out posts without the hashtag, i.e.
    writes what a bare hashtag search returns (replies that forgot the tag are then missing).
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
        buf = io.StringIO()
        writer(chosen, buf, chat.posts)
        data = buf.getvalue().encode("utf-8")
        if compress:
            raw = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                gz.write(data)
            data = raw.getvalue()
        path.write_bytes(data)
        paths.append(path)
    return paths
