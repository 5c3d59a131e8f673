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


def write_v2(path: Path, n: int, seed: int = 7) -> Path:
    """The same chat as twarc2 search pages of 100 tweets with includes.users and includes.tweets."""
    with open(path, "w") as f:
        page: list[dict] = []
        users: dict[str, dict] = {}
        refs: dict[str, dict] = {}

        def flush() -> None:
            if not page:
                return
            f.write(json.dumps({
                "data": page, "includes": {"users": list(users.values()), "tweets": list(refs.values())},
                "meta": {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]},
                "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.10.4",
                            "retrieved_at": "2022-01-01T00:00:00+00:00"},
            }, separators=(",", ":")))  # fmt: skip
            f.write("\n")
            page.clear()
            users.clear()
            refs.clear()

        for t in v1_tweets(n, seed):
            u = t["user"]
            users[u["id_str"]] = {"id": u["id_str"], "username": u["screen_name"], "name": u["name"],
                                  "description": u["description"], "created_at": "2011-10-21T17:47:08.000Z"}  # fmt: skip
            created = datetime.strptime(t["created_at"], V1_TIME).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            v2 = {"id": t["id_str"], "text": t["text"], "author_id": u["id_str"], "created_at": created,
                  "conversation_id": t["id_str"], "lang": "en",
                  "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0},
                  "entities": {"hashtags": [{"start": 0, "end": 6, "tag": "hcldr"}],
                               "mentions": [{"start": m["indices"][0], "end": m["indices"][1],
                                             "username": m["screen_name"], "id": m["id_str"]}
                                            for m in t["entities"]["user_mentions"]]}}  # fmt: skip
            if t.get("in_reply_to_status_id_str"):
                v2["referenced_tweets"] = [
                    {"type": "replied_to", "id": t["in_reply_to_status_id_str"]}
                ]
                v2["in_reply_to_user_id"] = t["in_reply_to_user_id_str"]
            if "retweeted_status" in t:
                o = t["retweeted_status"]
                ou = o["user"]
                users[ou["id_str"]] = {"id": ou["id_str"], "username": ou["screen_name"], "name": ou["name"],
                                       "description": ou["description"], "created_at": "2011-10-21T17:47:08.000Z"}  # fmt: skip
                v2["referenced_tweets"] = [{"type": "retweeted", "id": o["id_str"]}]
                refs[o["id_str"]] = {"id": o["id_str"], "text": o["text"], "author_id": o["user"]["id_str"],
                                     "created_at": datetime.strptime(o["created_at"], V1_TIME).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                     "entities": {"hashtags": [{"start": 0, "end": 6, "tag": "hcldr"}]}}  # fmt: skip
            page.append(v2)
            if len(page) == 100:
                flush()
        flush()
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=300_000)
    ap.add_argument("--format", choices=["v1", "v2"], default="v1")
    ap.add_argument("output", type=Path)
    a = ap.parse_args()
    (write_v1 if a.format == "v1" else write_v2)(a.output, a.posts)
