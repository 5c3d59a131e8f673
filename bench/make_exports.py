"""Write large synthetic exports for the benchmarks (v1.1 JSONL and twarc2 pages), fast.

The tweets look like a busy weekly chat: a host's questions, tagged answers, replies, mentions,
retweets with their originals embedded, and a realistic user object on every tweet (about 2 KB a line,
as in real twarc1 files).
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

V1_TIME = "%a %b %d %H:%M:%S +0000 %Y"
FILLER = (
    "Great point about patient voices in care design and how we listen to caregivers every day "
    "in clinics and at home"
)


def _user(uid: int, rng: random.Random) -> dict:
    return {
        "id": uid,
        "id_str": str(uid),
        "name": f"Person {uid}",
        "screen_name": f"user{uid}",
        "location": rng.choice(["Toronto", "Boston", "London", ""]),
        "description": "Patient advocate, nurse, researcher. Views my own. " * 2,
        "url": None,
        "protected": False,
        "followers_count": rng.randint(10, 9000),
        "friends_count": rng.randint(10, 3000),
        "listed_count": rng.randint(0, 90),
        "created_at": "Fri Oct 21 17:47:08 +0000 2011",
        "favourites_count": rng.randint(0, 9000),
        "verified": False,
        "statuses_count": rng.randint(100, 90000),
        "lang": None,
        "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{uid}/a_normal.jpg",
        "default_profile": True,
    }


def v1_tweets(n: int, seed: int = 7, start: datetime | None = None, accounts: int = 5000):
    """Yield n v1.1 tweet dicts in time order: weekly one-hour sittings of a chat."""
    rng = random.Random(seed)
    t0 = start or datetime(2014, 1, 7, 1, 30, tzinfo=UTC)
    per_session = 600
    recent: list[dict] = []
    for i in range(n):
        session, k = divmod(i, per_session)
        when = t0 + timedelta(weeks=session, seconds=k * 6)
        uid = 1000 + int(rng.paretovariate(1.2) * 7) % accounts
        tid = 10**17 + seed * 10**13 + i * 7919
        q = min(4, 1 + k // (per_session // 4))
        kind = rng.random()
        user = _user(uid, rng)
        text = f"A{q} {FILLER} #hcldr"
        tweet = {
            "created_at": when.strftime(V1_TIME),
            "id": tid,
            "id_str": str(tid),
            "text": text,
            "source": '<a href="http://twitter.com" rel="nofollow">Twitter Web Client</a>',
            "truncated": False,
            "in_reply_to_status_id": None,
            "in_reply_to_status_id_str": None,
            "in_reply_to_user_id": None,
            "in_reply_to_user_id_str": None,
            "in_reply_to_screen_name": None,
            "user": user,
            "geo": None,
            "is_quote_status": False,
            "retweet_count": 0,
            "favorite_count": rng.randint(0, 5),
            "entities": {
                "hashtags": [{"text": "hcldr", "indices": [len(text) - 6, len(text)]}],
                "symbols": [],
                "user_mentions": [],
                "urls": [],
            },
            "favorited": False,
            "retweeted": False,
            "filter_level": "low",
            "lang": "en",
            "timestamp_ms": str(int(when.timestamp() * 1000)),
        }
        if k % (per_session // 4) == 0:
            tweet["user"] = _user(999, rng)
            tweet["text"] = f"T{q} What helps you most? #hcldr"
        elif recent and kind < 0.25:
            parent = rng.choice(recent)
            pu = parent["user"]
            tweet["in_reply_to_status_id"] = parent["id"]
            tweet["in_reply_to_status_id_str"] = parent["id_str"]
            tweet["in_reply_to_user_id"] = pu["id"]
            tweet["in_reply_to_user_id_str"] = pu["id_str"]
            tweet["in_reply_to_screen_name"] = pu["screen_name"]
            tweet["text"] = f"@{pu['screen_name']} {FILLER} #hcldr"
            tweet["entities"]["user_mentions"] = [
                {"screen_name": pu["screen_name"], "name": pu["name"], "id": pu["id"],
                 "id_str": pu["id_str"], "indices": [0, 1 + len(pu["screen_name"])]}
            ]  # fmt: skip
        elif recent and kind < 0.45:
            orig = rng.choice(recent)
            ou = orig["user"]
            tweet["retweeted_status"] = orig
            tweet["text"] = f"RT @{ou['screen_name']}: {orig['text']}"[:139] + "…"
            tweet["entities"]["user_mentions"] = [
                {"screen_name": ou["screen_name"], "name": ou["name"], "id": ou["id"],
                 "id_str": ou["id_str"], "indices": [3, 4 + len(ou["screen_name"])]}
            ]  # fmt: skip
        if "retweeted_status" not in tweet:
            recent.append(tweet)
            if len(recent) > 50:
                recent.pop(0)
        yield tweet


def write_v1(path: Path, n: int, seed: int = 7, start: datetime | None = None) -> Path:
    with open(path, "w") as f:
        for tweet in v1_tweets(n, seed, start):
            f.write(json.dumps(tweet, separators=(",", ":"), ensure_ascii=False))
            f.write("\n")
    return path


_DOMAINS = [
    ("10", "Person", "Named people in the world like Nelson Mandela"),
    (
        "46",
        "Business Taxonomy",
        "Categories within Brand Verticals that narrow down the scope of Brands",
    ),
    (
        "66",
        "Interests and Hobbies Category",
        "A grouping of interests and hobbies entities, like Novelty Food or Destinations",
    ),
    ("123", "Health", "Health and medicine topics"),
]
_SOURCES = [
    "Twitter Web App",
    "Twitter for iPhone",
    "Twitter for Android",
    "TweetDeck",
    "Hootsuite Inc.",
]


def _v2_time(v1_time: str) -> str:
    return datetime.strptime(v1_time, V1_TIME).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _v2_user(u: dict, rng: random.Random) -> dict:
    """A user as twarc2 expands it (every user field the search endpoint returns)."""
    user = {
        "name": u["name"], "protected": False, "location": u["location"], "id": u["id_str"],
        "created_at": "2011-10-21T17:47:08.000Z", "description": u["description"],
        "public_metrics": {"followers_count": u["followers_count"], "following_count": u["friends_count"],
                           "tweet_count": u["statuses_count"], "listed_count": u["listed_count"]},
        "url": "", "verified": False, "username": u["screen_name"],
        "profile_image_url": u["profile_image_url_https"],
    }  # fmt: skip
    if rng.random() < 0.4:
        user["url"] = f"https://t.co/{u['id_str'][-8:]}"
        user["entities"] = {
            "url": {"urls": [{"start": 0, "end": 23, "url": user["url"],
                              "expanded_url": f"https://example.org/people/{u['screen_name']}",
                              "display_url": f"example.org/people/{u['screen_name']}"}]},
            "description": {"hashtags": [{"start": 0, "end": 6, "tag": "hcldr"}]},
        }  # fmt: skip
    if rng.random() < 0.3:
        user["pinned_tweet_id"] = str(10**17 + rng.randint(0, 10**12))
    return user


def _v2_tweet(t: dict, rng: random.Random, conversation: dict[str, str]) -> dict:
    """A v1.1 tweet dict as the v2 API returns it with twarc2's default fields."""
    text = t["text"]
    tweet = {
        "possibly_sensitive": False, "reply_settings": "everyone", "text": text,
        "author_id": t["user"]["id_str"], "entities": {
            "hashtags": [{"start": h["indices"][0], "end": h["indices"][1], "tag": h["text"]}
                         for h in t["entities"]["hashtags"]],
            "mentions": [{"start": m["indices"][0], "end": m["indices"][1],
                          "username": m["screen_name"], "id": m["id_str"]}
                         for m in t["entities"]["user_mentions"]]},
        "lang": "en", "created_at": _v2_time(t["created_at"]),
        "public_metrics": {"retweet_count": rng.randint(0, 30), "reply_count": rng.randint(0, 5),
                           "like_count": rng.randint(0, 40), "quote_count": 0},
        "id": t["id_str"], "edit_history_tweet_ids": [t["id_str"]],
        "source": rng.choice(_SOURCES), "conversation_id": conversation.get(t["id_str"], t["id_str"]),
    }  # fmt: skip
    if rng.random() < 0.4:
        tweet["entities"]["annotations"] = [
            {"start": 3, "end": 17, "probability": round(rng.random(), 4), "type": "Other",
             "normalized_text": "patient voices"}
        ]  # fmt: skip
    if rng.random() < 0.2:
        tweet["entities"]["urls"] = [
            {"start": len(text) - 23, "end": len(text), "url": "https://t.co/abcdEFGH12",
             "expanded_url": f"https://example.org/blog/{t['id_str']}",
             "display_url": "example.org/blog/…", "status": 200,
             "title": "Listening to caregivers", "description": "Notes from this week's chat",
             "unwound_url": f"https://example.org/blog/{t['id_str']}"}
        ]  # fmt: skip
    if rng.random() < 0.5:
        tweet["context_annotations"] = [
            {"domain": {"id": d, "name": n, "description": desc},
             "entity": {"id": str(10**9 + rng.randint(0, 10**6)), "name": "Healthcare"}}
            for d, n, desc in rng.sample(_DOMAINS, rng.randint(1, 3))
        ]  # fmt: skip
    if t.get("in_reply_to_status_id_str"):
        tweet["in_reply_to_user_id"] = t["in_reply_to_user_id_str"]
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": t["in_reply_to_status_id_str"]}]
    if "retweeted_status" in t:
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": t["retweeted_status"]["id_str"]}]
    return tweet


def write_v2(path: Path, n: int, seed: int = 7, *, full: bool = True) -> Path:
    """The same chat as twarc2 search pages of 100 tweets with includes.users and includes.tweets.

    ``full``: every field twarc2's default expansions return (context annotations, public metrics,
    whole user objects, replied-to and retweeted tweets in includes), about 3 KB a post as in a
    real twarc2 search; else only the fields chatgraph reads (about 0.6 KB a post).
    """
    rng = random.Random(seed + 1)
    conversation: dict[str, str] = {}
    by_id: dict[str, dict] = {}
    with open(path, "w") as f:
        page: list[dict] = []
        users: dict[str, dict] = {}
        refs: dict[str, dict] = {}

        def flush() -> None:
            if not page:
                return
            doc = {
                "data": page, "includes": {"users": list(users.values()), "tweets": list(refs.values())},
                "meta": {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]},
                "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.10.4",
                            "retrieved_at": "2022-01-01T00:00:00+00:00"},
            }  # fmt: skip
            if full:
                doc["meta"]["next_token"] = f"b26v89c19zqg8o3fpzhk{len(page)}"
                f.write(json.dumps(doc))  # twarc2 writes json.dumps' default separators
            else:
                f.write(json.dumps(doc, separators=(",", ":")))
            f.write("\n")
            page.clear()
            users.clear()
            refs.clear()

        def add_user(u: dict) -> None:
            if full:
                users[u["id_str"]] = _v2_user(u, rng)
            else:
                users[u["id_str"]] = {"id": u["id_str"], "username": u["screen_name"], "name": u["name"],
                                      "description": u["description"], "created_at": "2011-10-21T17:47:08.000Z"}  # fmt: skip

        for t in v1_tweets(n, seed):
            u = t["user"]
            add_user(u)
            parent_id = t.get("in_reply_to_status_id_str")
            if parent_id:
                conversation[t["id_str"]] = conversation.get(parent_id, parent_id)
            if full:
                v2 = _v2_tweet(t, rng, conversation)
                for m in t["entities"]["user_mentions"]:
                    if m["id_str"] not in users and m["screen_name"] != u["screen_name"]:
                        users[m["id_str"]] = {"id": m["id_str"], "username": m["screen_name"], "name": m["name"],
                                              "created_at": "2011-10-21T17:47:08.000Z", "protected": False,
                                              "verified": False, "profile_image_url": "", "url": "",
                                              "description": "", "public_metrics": {"followers_count": 0,
                                              "following_count": 0, "tweet_count": 0, "listed_count": 0}}  # fmt: skip
                if parent_id and parent_id in by_id:
                    refs[parent_id] = by_id[parent_id]
                if "retweeted_status" in t:
                    o = t["retweeted_status"]
                    add_user(o["user"])
                    refs[o["id_str"]] = by_id.get(o["id_str"]) or _v2_tweet(o, rng, conversation)
                else:
                    by_id[t["id_str"]] = v2
                    if len(by_id) > 200:
                        by_id.pop(next(iter(by_id)))
            else:
                v2 = {"id": t["id_str"], "text": t["text"], "author_id": u["id_str"], "created_at": _v2_time(t["created_at"]),
                      "conversation_id": t["id_str"], "lang": "en",
                      "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0},
                      "entities": {"hashtags": [{"start": 0, "end": 6, "tag": "hcldr"}],
                                   "mentions": [{"start": m["indices"][0], "end": m["indices"][1],
                                                 "username": m["screen_name"], "id": m["id_str"]}
                                                for m in t["entities"]["user_mentions"]]}}  # fmt: skip
                if parent_id:
                    v2["referenced_tweets"] = [{"type": "replied_to", "id": parent_id}]
                    v2["in_reply_to_user_id"] = t["in_reply_to_user_id_str"]
                if "retweeted_status" in t:
                    o = t["retweeted_status"]
                    add_user(o["user"])
                    v2["referenced_tweets"] = [{"type": "retweeted", "id": o["id_str"]}]
                    refs[o["id_str"]] = {"id": o["id_str"], "text": o["text"], "author_id": o["user"]["id_str"],
                                         "created_at": _v2_time(o["created_at"]),
                                         "entities": {"hashtags": [{"start": 0, "end": 6, "tag": "hcldr"}]}}  # fmt: skip
            page.append(v2)
            if len(page) == 100:
                flush()
        flush()
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=300_000)
    ap.add_argument("--format", choices=["v1", "v2", "v2-compact"], default="v1")
    ap.add_argument("output", type=Path)
    a = ap.parse_args()
    if a.format == "v1":
        write_v1(a.output, a.posts)
    else:
        write_v2(a.output, a.posts, full=a.format == "v2")
