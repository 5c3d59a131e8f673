"""Twitter exports: API v1.1 (twarc1 JSONL), API v2 (twarc2 pages), twarc-csv CSV, TAGS sheet CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from chatgraph.simulate.model import Account, Post, SimulatedChat
from chatgraph.simulate.render import (
    Counts,
    Rendered,
    html_escape_twitter,
    newest_first,
    permalink,
    shift,
    source_html,
    source_of,
    v1_time,
    v2_time,
    within,
)

# --------------------------------------------------------------------------------------------------
# Twitter API v1.1 (twarc1 JSONL)


def _cut_escaped(text: str, n: int) -> str:
    """The first ``n`` code points of an escaped text, never ending inside ``&amp;``/``&lt;``/``&gt;``."""
    cut = text[:n]
    amp = cut.rfind("&", max(0, n - 4))
    if amp >= 0 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut


def rt_text(orig: Post) -> str:
    """A retweet's own ``RT @x: …`` text: cut at 140 characters of the unescaped text, then escaped."""
    plain = f"RT @{orig.author_handle}: {orig.text}"
    if len(plain) > 140:
        plain = plain[:139] + "…"
    return html_escape_twitter(plain)


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
        "in_reply_to_user_id": int(post.reply_to_author_id) if post.reply_to_author_id else None,
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
    if len(post.text) > 140:  # Twitter counts the unescaped text
        # compat mode: the text is cut and links to the whole tweet, which is in extended_tweet
        link = f"https://t.co/{post.post_id[-10:]}"
        cut = _cut_escaped(full, 114).rstrip()
        tweet["text"] = f"{cut}… {link}"
        short = within(ents, len(cut))
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
    text = rt_text(orig)
    # compat mode cuts the text at 140 but keeps every entity of the uncut text (FORMATS.md quirk 2)
    ents = shift(r.entities(), len(prefix))
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


def write_twitter_v1(posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat) -> None:
    """twarc1 JSONL: one v1.1 tweet per line, newest first (``json.dumps`` defaults, as twarc writes)."""
    counts = Counts(chat.posts)
    for post in newest_first(posts):
        out.write(json.dumps(v1_tweet(post, counts)) + "\n")


def extended_mode(tweet: dict) -> dict:
    """The same tweet as REST ``tweet_mode=extended`` gives it (twarc1 search): ``full_text`` in place
    of ``text`` and ``extended_tweet``; a retweet's own ``full_text`` stays cut (FORMATS.md §1)."""
    ext = tweet.get("extended_tweet")
    out: dict = {}
    for key, value in tweet.items():
        if key in ("extended_tweet", "filter_level"):
            continue
        if key == "text":
            out["full_text"] = ext["full_text"] if ext else value
        elif key == "display_text_range":
            out[key] = ext["display_text_range"] if ext else value
        elif key == "entities":
            out[key] = ext["entities"] if ext else value
        elif key == "truncated":
            out[key] = False
        elif key in ("retweeted_status", "quoted_status"):
            out[key] = extended_mode(value)
        else:
            out[key] = value
    if "display_text_range" not in out:
        out["display_text_range"] = [0, len(out["full_text"])]
    return out


def write_twitter_v1_extended(
    posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat
) -> None:
    """twarc1 search JSONL in extended mode: ``full_text``, no ``extended_tweet``."""
    counts = Counts(chat.posts)
    for post in newest_first(posts):
        out.write(json.dumps(extended_mode(v1_tweet(post, counts))) + "\n")


# --------------------------------------------------------------------------------------------------
# Twitter API v2 (twarc2: one response page per line)

V2_URL = (
    "https://api.twitter.com/2/tweets/search/all?expansions=author_id%2Cin_reply_to_user_id"
    "%2Creferenced_tweets.id%2Creferenced_tweets.id.author_id%2Centities.mentions.username"
    "&tweet.fields=author_id%2Cconversation_id%2Ccreated_at%2Centities%2Cid%2Cin_reply_to_user_id"
    "%2Clang%2Cpublic_metrics%2Ctext%2Cpossibly_sensitive%2Creferenced_tweets%2Creply_settings%2Csource"
    "&user.fields=created_at%2Cdescription%2Cid%2Clocation%2Cname%2Cprofile_image_url%2Cprotected"
    "%2Cpublic_metrics%2Curl%2Cusername%2Cverified&max_results=100&query=%23{tag}"
)
TWARC_VERSION = "2.13.0"


def v2_user(acct: Account) -> dict:
    return {
        "id": acct.account_id,
        "username": acct.handle,
        "name": acct.name,
        "created_at": v2_time(acct.created_at),
        "description": acct.description,
        "location": acct.location,
        "protected": False,
        "verified": False,
        "url": "",
        "profile_image_url": f"https://pbs.twimg.com/profile_images/{acct.account_id}/avatar_normal.jpg",
        "public_metrics": {
            "followers_count": acct.followers,
            "following_count": acct.followers // 2 + 17,
            "tweet_count": acct.followers * 7 % 30000 + 100,
            "listed_count": acct.followers // 40,
        },
    }


def v2_entities(ents: dict) -> dict:
    out: dict = {}
    if ents["hashtags"]:
        out["hashtags"] = [
            {"start": e["indices"][0], "end": e["indices"][1], "tag": e["text"]}
            for e in ents["hashtags"]
        ]
    if ents["user_mentions"]:
        out["mentions"] = [
            {
                "start": e["indices"][0],
                "end": e["indices"][1],
                "username": e["screen_name"],
                "id": e["id_str"],
            }
            for e in ents["user_mentions"]
        ]
    if ents["urls"]:
        out["urls"] = [
            {"start": e["indices"][0], "end": e["indices"][1], "url": e["url"],
             "expanded_url": e["expanded_url"], "display_url": e["display_url"]}
            for e in ents["urls"]
        ]  # fmt: skip
    return out


def v2_tweet(post: Post, counts: Counts) -> dict:
    """A v2 tweet: full text (no compat cut), except a retweet's ``RT @x: …`` that is cut at 140 and
    keeps only the entities its cut text still shows (FORMATS.md quirk 2)."""
    if post.retweet_of is not None:
        orig = post.retweet_of
        r = Rendered(orig)
        prefix = f"RT @{orig.author_handle}: "
        whole = prefix + r.text
        text = rt_text(orig)
        ents = shift(r.entities(), len(prefix))
        ents["user_mentions"] = [
            {
                "screen_name": orig.author_handle,
                "id_str": orig.author_id,
                "indices": [3, 4 + len(orig.author_handle)],
            }
        ] + ents["user_mentions"]
        ents = within(ents, len(text) if text == whole else len(text) - 1)
        refs = [{"type": "retweeted", "id": orig.post_id}]
        metrics = {**counts.of(orig), "reply_count": 0, "like_count": 0, "quote_count": 0}
    else:
        r = Rendered(post)
        text, ents = r.text, r.entities()
        refs = []
        if post.reply_to is not None:
            refs.append({"type": "replied_to", "id": post.reply_to.post_id})
        if post.quote_of is not None:
            refs.append({"type": "quoted", "id": post.quote_of.post_id})
        metrics = counts.of(post)
    tweet: dict = {
        "id": post.post_id,
        "text": text,
        "author_id": post.author_id,
        "created_at": v2_time(post.created_at),
        "conversation_id": post.conversation_id,
        "lang": "en",
        "source": source_of(post.author)[1],
        "reply_settings": "everyone",
        "possibly_sensitive": False,
        "public_metrics": {
            k: metrics[k] for k in ("retweet_count", "reply_count", "like_count", "quote_count")
        },
    }
    if post.reply_to_author is not None:
        tweet["in_reply_to_user_id"] = post.reply_to_author_id
    if refs:
        tweet["referenced_tweets"] = refs
    entities = v2_entities(ents)
    if entities:
        tweet["entities"] = entities
    return tweet


def _users_of(post: Post) -> list[Account]:
    """The accounts a v2 page's ``includes.users`` holds for a tweet: author, mentioned, replied-to."""
    out = [post.author]
    out += [a for _, a in post.own_parts if isinstance(a, Account)]
    if post.reply_to_author is not None:
        out.append(post.reply_to_author)
    return out


def _token(*parts: str) -> str:
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest()
    return "b26v89c19zqg8o3f" + "".join(
        "abcdefghijklmnopqrstuvwxyz0123456789"[int(c, 16) * 2 % 36] for c in digest[:29]
    )


def twarc2_pages(posts: Sequence[Post], everything: Sequence[Post], hashtag: str) -> list[dict]:
    """The pages ``twarc2 search`` writes: 100 tweets each with their expansions, newest first."""
    counts = Counts(everything)
    ordered = newest_first(posts)
    if not ordered:
        return []
    retrieved = ordered[0].created_at + timedelta(days=2)
    pages = []
    for start in range(0, len(ordered), 100):
        chunk = ordered[start : start + 100]
        users: dict[str, dict] = {}
        tweets: dict[str, dict] = {}
        for post in chunk:
            for acct in _users_of(post):
                users.setdefault(acct.account_id, v2_user(acct))
            for ref in (post.retweet_of, post.quote_of, post.reply_to):
                if ref is not None:
                    tweets.setdefault(ref.post_id, v2_tweet(ref, counts))
                    for acct in _users_of(ref):
                        users.setdefault(acct.account_id, v2_user(acct))
        meta = {
            "newest_id": chunk[0].post_id,
            "oldest_id": chunk[-1].post_id,
            "result_count": len(chunk),
        }
        if start + 100 < len(ordered):
            meta["next_token"] = _token(chunk[-1].post_id, hashtag)
        pages.append(
            {
                "data": [v2_tweet(p, counts) for p in chunk],
                "includes": {"users": list(users.values()), "tweets": list(tweets.values())},
                "meta": meta,
                "__twarc": {
                    "url": V2_URL.format(tag=hashtag),
                    "version": TWARC_VERSION,
                    "retrieved_at": retrieved.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                },
            }
        )
    return pages


def write_twitter_v2(posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat) -> None:
    """twarc2 JSONL: one API response page per line."""
    for page in twarc2_pages(posts, chat.posts, chat.spec.hashtag):
        out.write(json.dumps(page) + "\n")


# --------------------------------------------------------------------------------------------------
# twarc-csv (twarc-csv 0.7.2 defaults: retweets merged, no inlined referenced tweets)

TWARC_CSV_COLUMNS = [
    "id", "conversation_id", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id",
    "referenced_tweets.quoted.id", "author_id", "in_reply_to_user_id", "in_reply_to_username",
    "retweeted_user_id", "retweeted_username", "quoted_user_id", "quoted_username", "created_at", "text",
    "lang", "source", "public_metrics.impression_count", "public_metrics.reply_count",
    "public_metrics.retweet_count", "public_metrics.quote_count", "public_metrics.like_count",
    "public_metrics.bookmark_count", "reply_settings", "edit_history_tweet_ids",
    "edit_controls.edits_remaining", "edit_controls.editable_until", "edit_controls.is_edit_eligible",
    "possibly_sensitive", "withheld.scope", "withheld.copyright", "withheld.country_codes",
    "entities.annotations", "entities.cashtags", "entities.hashtags", "entities.mentions", "entities.urls",
    "context_annotations", "attachments.media", "attachments.media_keys", "attachments.poll.duration_minutes",
    "attachments.poll.end_datetime", "attachments.poll.id", "attachments.poll.options",
    "attachments.poll.voting_status", "attachments.poll_ids", "author.id", "author.created_at",
    "author.username", "author.name", "author.description", "author.entities.description.cashtags",
    "author.entities.description.hashtags", "author.entities.description.mentions",
    "author.entities.description.urls", "author.entities.url.urls", "author.url", "author.location",
    "author.pinned_tweet_id", "author.profile_image_url", "author.protected",
    "author.public_metrics.followers_count", "author.public_metrics.following_count",
    "author.public_metrics.listed_count", "author.public_metrics.tweet_count", "author.verified",
    "author.verified_type", "author.withheld.scope", "author.withheld.copyright",
    "author.withheld.country_codes", "geo.coordinates.coordinates", "geo.coordinates.type", "geo.country",
    "geo.country_code", "geo.full_name", "geo.geo.bbox", "geo.geo.type", "geo.id", "geo.name",
    "geo.place_id", "geo.place_type", "matching_rules", "__twarc.retrieved_at", "__twarc.url",
    "__twarc.version",
]  # fmt: skip


def _json_list(items: list[str]) -> str:
    return json.dumps(items) if items else ""


def twarc_csv_row(post: Post, counts: Counts, retrieved: str, url: str) -> dict[str, str]:
    """One twarc-csv row. A retweet is merged: text, entities and metrics are the original's."""
    shown = post.retweet_of or post
    r = Rendered(shown)
    ents = r.entities()
    metrics = counts.of(shown)
    author = post.author
    user = v2_user(author)
    row = dict.fromkeys(TWARC_CSV_COLUMNS, "")
    row.update(
        {
            "id": post.post_id,
            "conversation_id": post.conversation_id,
            "referenced_tweets.replied_to.id": post.reply_to_post_id or "",
            "referenced_tweets.retweeted.id": post.retweet_of_post_id or "",
            "referenced_tweets.quoted.id": post.quote_of_post_id or "",
            "author_id": post.author_id,
            "in_reply_to_user_id": post.reply_to_author_id or "",
            "in_reply_to_username": post.reply_to_handle or "",
            "retweeted_user_id": post.retweet_of.author_id if post.retweet_of else "",
            "retweeted_username": post.retweet_of.author_handle if post.retweet_of else "",
            "quoted_user_id": post.quote_of.author_id if post.quote_of else "",
            "quoted_username": post.quote_of.author_handle if post.quote_of else "",
            "created_at": v2_time(post.created_at),
            "text": r.text.replace("\n", "\\n"),
            "lang": "en",
            "source": source_of(author)[1],
            "public_metrics.reply_count": str(metrics["reply_count"]),
            "public_metrics.retweet_count": str(metrics["retweet_count"]),
            "public_metrics.quote_count": str(metrics["quote_count"]),
            "public_metrics.like_count": str(metrics["like_count"]),
            "reply_settings": "everyone",
            "possibly_sensitive": "False",
            "entities.hashtags": _json_list(["#" + e["text"] for e in ents["hashtags"]]),
            "entities.mentions": _json_list(
                ["@" + e["screen_name"] for e in ents["user_mentions"]]
            ),
            "entities.urls": _json_list([e["expanded_url"] for e in ents["urls"]]),
            "author.id": author.account_id,
            "author.created_at": user["created_at"],
            "author.username": author.handle,
            "author.name": author.name,
            "author.description": author.description,
            "author.location": author.location,
            "author.profile_image_url": user["profile_image_url"],
            "author.protected": "False",
            "author.public_metrics.followers_count": str(user["public_metrics"]["followers_count"]),
            "author.public_metrics.following_count": str(user["public_metrics"]["following_count"]),
            "author.public_metrics.listed_count": str(user["public_metrics"]["listed_count"]),
            "author.public_metrics.tweet_count": str(user["public_metrics"]["tweet_count"]),
            "author.verified": "False",
            "__twarc.retrieved_at": retrieved,
            "__twarc.url": url,
            "__twarc.version": TWARC_VERSION,
        }
    )
    return row


def write_twarc_csv(posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat) -> None:
    """twarc-csv CSV: the 84 columns of FORMATS.md §3, one row per tweet of the pages, newest first."""
    counts = Counts(chat.posts)
    ordered = newest_first(posts)
    retrieved = (
        (ordered[0].created_at + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        if ordered
        else ""
    )
    url = V2_URL.format(tag=chat.spec.hashtag)
    w = csv.DictWriter(out, fieldnames=TWARC_CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for post in ordered:
        w.writerow(twarc_csv_row(post, counts, retrieved, url))


# --------------------------------------------------------------------------------------------------
# TAGS (Google Sheet "Archive" tab saved as CSV)

TAGS_COLUMNS = [
    "id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang",
    "in_reply_to_user_id_str", "in_reply_to_screen_name", "from_user_id_str", "in_reply_to_status_id_str",
    "source", "profile_image_url", "user_followers_count", "user_friends_count", "user_location",
    "status_url", "entities_str",
]  # fmt: skip
SHEET_ZONE = ZoneInfo("Europe/London")


def tags_row(post: Post) -> dict[str, str]:
    """One TAGS row: a retweet is only its cut ``RT @x: …`` text; ``time`` is the sheet's local
    clock written as if UTC (an hour ahead in British summer time, the quirk of FORMATS.md §4)."""
    tweet = v1_tweet(post, Counts([]), embed=False)
    text = tweet.get("extended_tweet", {}).get("full_text", tweet["text"])
    entities = tweet.get("extended_tweet", {}).get("entities", tweet["entities"])
    if post.retweet_of is not None:
        text = tweet["text"]
        entities = tweet["entities"]
    sheet_clock = post.created_at.astimezone(SHEET_ZONE).replace(tzinfo=None)
    author = post.author
    return {
        "id_str": post.post_id,
        "from_user": author.handle,
        "text": text,
        "created_at": v1_time(post.created_at),
        "time": sheet_clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "geo_coordinates": "",
        "user_lang": "",
        "in_reply_to_user_id_str": post.reply_to_author_id or "",
        "in_reply_to_screen_name": post.reply_to_handle or "",
        "from_user_id_str": author.account_id,
        "in_reply_to_status_id_str": post.reply_to_post_id or "",
        "source": source_html(author),
        "profile_image_url": f"http://pbs.twimg.com/profile_images/{author.account_id}/avatar_normal.jpg",
        "user_followers_count": str(author.followers),
        "user_friends_count": str(author.followers // 2 + 17),
        "user_location": author.location,
        "status_url": f"http://twitter.com/{author.handle}/statuses/{post.post_id}",
        "entities_str": json.dumps(
            {
                "hashtags": entities["hashtags"],
                "symbols": [],
                "user_mentions": entities["user_mentions"],
                "urls": entities["urls"],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),  # fmt: skip
    }


def write_tags(posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat) -> None:
    """TAGS Archive sheet CSV: 18 columns, newest first, blanks empty."""
    w = csv.DictWriter(out, fieldnames=TAGS_COLUMNS, lineterminator="\n")
    w.writeheader()
    for post in newest_first(posts):
        w.writerow(tags_row(post))


# --------------------------------------------------------------------------------------------------
# rtweet CSV (rtweet 0.7 ``write_as_csv``: ids prefixed with "x", lists space-separated, NA empty)

RTWEET_COLUMNS = [
    "user_id", "status_id", "created_at", "screen_name", "text", "source", "display_text_width",
    "reply_to_status_id", "reply_to_user_id", "reply_to_screen_name", "is_quote", "is_retweet",
    "favorite_count", "retweet_count", "quote_count", "reply_count", "hashtags", "symbols", "urls_url",
    "urls_t.co", "urls_expanded_url", "media_url", "media_t.co", "media_expanded_url", "media_type",
    "ext_media_url", "ext_media_t.co", "ext_media_expanded_url", "ext_media_type", "mentions_user_id",
    "mentions_screen_name", "lang", "quoted_status_id", "quoted_text", "quoted_created_at",
    "quoted_source", "quoted_favorite_count", "quoted_retweet_count", "quoted_user_id",
    "quoted_screen_name", "quoted_name", "quoted_followers_count", "quoted_friends_count",
    "quoted_statuses_count", "quoted_location", "quoted_description", "quoted_verified",
    "retweet_status_id", "retweet_text", "retweet_created_at", "retweet_source", "retweet_favorite_count",
    "retweet_retweet_count", "retweet_user_id", "retweet_screen_name", "retweet_name",
    "retweet_followers_count", "retweet_friends_count", "retweet_statuses_count", "retweet_location",
    "retweet_description", "retweet_verified", "place_url", "place_name", "place_full_name", "place_type",
    "country", "country_code", "geo_coords", "coords_coords", "bbox_coords", "status_url", "name",
    "location", "description", "url", "protected", "followers_count", "friends_count", "listed_count",
    "statuses_count", "favourites_count", "account_created_at", "verified", "profile_url",
    "profile_expanded_url", "account_lang", "profile_banner_url", "profile_background_url",
    "profile_image_url",
]  # fmt: skip


def _r_time(t) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _r_bool(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _referenced(prefix: str, post: Post, counts: Counts) -> dict[str, str]:
    """The ``quoted_*`` / ``retweet_*`` columns describing an embedded original."""
    user = v1_user(post.author)
    metrics = counts.of(post)
    out = {
        f"{prefix}_status_id": "x" + post.post_id,
        f"{prefix}_text": Rendered(post).text,
        f"{prefix}_created_at": _r_time(post.created_at),
        f"{prefix}_source": source_of(post.author)[1],
        f"{prefix}_favorite_count": str(metrics["like_count"]),
        f"{prefix}_retweet_count": str(metrics["retweet_count"]),
        f"{prefix}_user_id": "x" + post.author_id,
        f"{prefix}_screen_name": post.author_handle,
        f"{prefix}_name": post.author_name,
        f"{prefix}_followers_count": str(user["followers_count"]),
        f"{prefix}_friends_count": str(user["friends_count"]),
        f"{prefix}_statuses_count": str(user["statuses_count"]),
        f"{prefix}_location": post.author.location,
        f"{prefix}_description": post.author.description,
        f"{prefix}_verified": "FALSE",
    }
    return {k: v for k, v in out.items() if k in RTWEET_COLUMNS}


def rtweet_row(post: Post, counts: Counts) -> dict[str, str]:
    """One row of ``rtweet::search_tweets()`` as ``write_as_csv`` saves it."""
    tweet = extended_mode(v1_tweet(post, counts, embed=False))
    ents = tweet["entities"]
    metrics = counts.of(post)
    user = v1_user(post.author)
    start, end = tweet["display_text_range"]
    row = dict.fromkeys(RTWEET_COLUMNS, "")
    row.update(
        {
            "user_id": "x" + post.author_id,
            "status_id": "x" + post.post_id,
            "created_at": _r_time(post.created_at),
            "screen_name": post.author_handle,
            "text": tweet["full_text"],
            "source": source_of(post.author)[1],
            "display_text_width": str(end - start),
            "reply_to_status_id": "x" + post.reply_to_post_id if post.reply_to_post_id else "",
            "reply_to_user_id": "x" + post.reply_to_author_id if post.reply_to_author_id else "",
            "reply_to_screen_name": post.reply_to_handle or "",
            "is_quote": _r_bool(post.quote_of is not None),
            "is_retweet": _r_bool(post.is_retweet),
            "favorite_count": str(0 if post.is_retweet else metrics["like_count"]),
            "retweet_count": str(tweet["retweet_count"]),
            "quote_count": str(tweet["quote_count"]),
            "reply_count": str(tweet["reply_count"]),
            "hashtags": " ".join(h["text"] for h in ents["hashtags"]),
            "urls_url": " ".join(u["display_url"] for u in ents["urls"]),
            "urls_t.co": " ".join(u["url"] for u in ents["urls"]),
            "urls_expanded_url": " ".join(u["expanded_url"] for u in ents["urls"]),
            "mentions_user_id": " ".join("x" + m["id_str"] for m in ents["user_mentions"]),
            "mentions_screen_name": " ".join(m["screen_name"] for m in ents["user_mentions"]),
            "lang": "en",
            "geo_coords": "NA NA",
            "coords_coords": "NA NA",
            "bbox_coords": "NA NA NA NA NA NA NA NA",
            "status_url": f"https://twitter.com/{post.author_handle}/status/{post.post_id}",
            "name": post.author_name,
            "location": post.author.location,
            "description": post.author.description,
            "protected": "FALSE",
            "followers_count": str(user["followers_count"]),
            "friends_count": str(user["friends_count"]),
            "listed_count": str(user["listed_count"]),
            "statuses_count": str(user["statuses_count"]),
            "favourites_count": str(user["favourites_count"]),
            "account_created_at": _r_time(post.author.created_at),
            "verified": "FALSE",
            "profile_image_url": user["profile_image_url_https"].replace("https://", "http://"),
        }
    )
    if post.quote_of is not None:
        row.update(_referenced("quoted", post.quote_of, counts))
    if post.retweet_of is not None:
        row.update(_referenced("retweet", post.retweet_of, counts))
    return row


def write_rtweet(posts: Sequence[Post], out: io.TextIOBase, chat: SimulatedChat) -> None:
    """rtweet CSV: the 90 columns of ``write_as_csv``, newest first, as ``search_tweets`` returns."""
    counts = Counts(chat.posts)
    w = csv.DictWriter(out, fieldnames=RTWEET_COLUMNS, lineterminator="\n")
    w.writeheader()
    for post in newest_first(posts):
        w.writerow(rtweet_row(post, counts))


# --------------------------------------------------------------------------------------------------
# Twitter personal archive (the owner's data/tweets.js and data/account.js, zipped)

ARCHIVE_TIME = (2023, 11, 15, 9, 30, 0)  # when the simulated owner downloaded the archive


def _strings(value):
    """Every number as a string, as the archive writes them (indices too)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    return value


def archive_tweet(post: Post, counts: Counts) -> dict:
    """One ``{"tweet": ...}`` of ``tweets.js``: no user, no embedded originals, a retweet only as its
    cut ``RT @x: …`` text (and ``retweeted`` false, as in real archives)."""
    tweet = extended_mode(v1_tweet(post, counts, embed=False))
    keep = (
        "retweeted", "source", "entities", "display_text_range", "favorite_count",
        "in_reply_to_status_id_str", "id_str", "in_reply_to_user_id", "truncated", "retweet_count",
        "id", "in_reply_to_status_id", "created_at", "favorited", "full_text", "lang",
        "in_reply_to_screen_name", "in_reply_to_user_id_str",
    )  # fmt: skip
    out = {
        "edit_info": {
            "initial": {
                "editTweetIds": [post.post_id],
                "editableUntil": (post.created_at + timedelta(hours=1)).strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z"
                ),
                "editsRemaining": "5",
                "isEditEligible": False,
            }
        }
    }
    for key in keep:
        if key in tweet and tweet[key] is not None:
            out[key] = tweet[key]
    return {"tweet": _strings(out)}


def twitter_archive_zip(posts: Sequence[Post], chat: SimulatedChat, owner: Account) -> bytes:
    """The archive ``.zip`` of ``owner``: their own posts in ``data/tweets.js`` (newest first) and
    ``data/account.js`` naming them. Fixed member times, so the bytes are always the same."""
    counts = Counts(chat.posts)
    own = [p for p in newest_first(posts) if p.author.key == owner.key]
    tweets = json.dumps([archive_tweet(p, counts) for p in own], ensure_ascii=False, indent=2,
                        separators=(",", " : "))  # fmt: skip
    account = [
        {
            "account": {
                "email": f"{owner.handle.lower()}@example.org",
                "createdVia": "web",
                "username": owner.handle,
                "accountId": owner.account_id,
                "createdAt": owner.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "accountDisplayName": owner.name,
            }
        }
    ]
    members = {
        "data/account.js": "window.YTD.account.part0 = "
        + json.dumps(account, ensure_ascii=False, indent=2, separators=(",", " : ")),
        "data/tweets.js": "window.YTD.tweets.part0 = " + tweets,
    }
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=ARCHIVE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return raw.getvalue()
