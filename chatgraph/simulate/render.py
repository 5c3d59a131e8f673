"""What the writers share: timestamps, escaping, engagement counts, Twitter text with entities."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from chatgraph.simulate.model import Account, Post

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

    def __init__(self, post: Post):
        self.text = ""
        self.hashtags: list[dict] = []
        self.mentions: list[dict] = []
        self.urls: list[dict] = []
        self.display_start = 0
        # a threaded reply's leading auto-mentions lie before display_text_range
        leading = (post.retweet_of or post).reply_to is not None
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


def within(entities: dict, end: int) -> dict:
    """The entities that lie wholly in ``[0, end)`` (what a cut text still shows)."""
    return {k: [e for e in v if e["indices"][1] <= end] for k, v in entities.items()}


def shift(entities: dict, by: int) -> dict:
    return {
        k: [{**e, "indices": [e["indices"][0] + by, e["indices"][1] + by]} for e in v]
        for k, v in entities.items()
    }


# --------------------------------------------------------------------------------------------------


def newest_first(posts: Iterable[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.created_at, p.post_id), reverse=True)
