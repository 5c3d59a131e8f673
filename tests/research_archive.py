"""A small, hand-checked archive filled straight into the public tables (no ingest, no derive).

Two chats over two years, so that every research query has rows and exact values to check:

- hcldr (America/New_York, host @hcldr, T-questions): a 2021 session with @alice, @bob, @carol and a
  2022 session where @alice and @bob return and @dave and @erin are new.
- hcsm (UTC, host @hcsmhost, Q-questions): a 2022 session with @alice, @frank and @bob.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

CHATS = [
    # chat_id, hashtag, timezone, weekday, start_time, duration, prefixes, hosts
    ("hcldr", "hcldr", "America/New_York", 2, "20:30:00", 60, ["T"], ["hcldr"]),
    ("hcsm", "hcsm", None, None, None, None, ["Q"], ["hcsmhost"]),
]

SESSIONS = {
    # session_id: (chat_id, starts_at UTC)
    "hcldr-2021-03-02": ("hcldr", "2021-03-03 01:30:00"),
    "hcldr-2022-03-01": ("hcldr", "2022-03-02 01:30:00"),
    "hcsm-2022-01-09": ("hcsm", "2022-01-09 18:00:00"),
}

# post_id, session, minute after start, author, text, reply_to, retweet_of, quote_of, question, method
POSTS = [
    ("1", "hcldr-2021-03-02", 0, "hcldr", "T1 What does patient experience mean to you? #hcldr", None, None, None, 1, "question"),
    ("2", "hcldr-2021-03-02", 2, "alice", "A1 Being heard. #hcldr #pxe", "1", None, None, 1, "tag"),
    ("3", "hcldr-2021-03-02", 5, "bob", "@alice agreed, listening first #hcldr", "2", None, None, 1, "reply"),
    ("4", "hcldr-2021-03-02", 6, "carol", "RT @alice: A1 Being heard. #hcldr #pxe", None, "2", None, 1, "retweet"),
    ("5", "hcldr-2021-03-02", 15, "hcldr", "T2 Who should lead? #hcldr", None, None, None, 2, "question"),
    ("6", "hcldr-2021-03-02", 20, "bob", "A2 nurses, ask @carol #hcldr #hcsm", None, None, None, 2, "tag"),
    ("7", "hcldr-2021-03-02", 25, "alice", "@hcldr patients themselves #hcldr #pxe", "5", None, None, 2, "reply"),
    ("8", "hcldr-2022-03-01", 0, "hcldr", "T1 What changed since the pandemic? #hcldr", None, None, None, 1, "question"),
    ("9", "hcldr-2022-03-01", 3, "dave", "A1 Telehealth everywhere #hcldr #telehealth", "8", None, None, 1, "tag"),
    ("10", "hcldr-2022-03-01", 6, "alice", "@dave and it stayed #hcldr", "9", None, None, 1, "reply"),
    ("11", "hcldr-2022-03-01", 8, "erin", "So true #hcldr", None, None, "9", 1, "quote"),
    ("12", "hcldr-2022-03-01", 10, "alice", "@alice (self-thread) more on telehealth #hcldr", "10", None, None, 1, "reply"),
    ("13", "hcldr-2022-03-01", 15, "hcldr", "T2 What next? #hcldr", None, None, None, 2, "question"),
    ("14", "hcldr-2022-03-01", 18, "bob", "A2 ask @erin #hcldr #telehealth", None, None, None, 2, "tag"),
    ("20", "hcsm-2022-01-09", 0, "hcsmhost", "Q1 Best health podcast? #hcsm", None, None, None, 1, "question"),
    ("21", "hcsm-2022-01-09", 4, "alice", "A1 The Nocturnists #hcsm", "20", None, None, 1, "tag"),
    ("22", "hcsm-2022-01-09", 9, "frank", "@alice love it #hcsm #podcasts", "21", None, None, 1, "reply"),
    ("23", "hcsm-2022-01-09", 12, "bob", "A1 ask @frank #hcsm", None, None, None, 1, "tag"),
]  # fmt: skip


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rows() -> dict[str, list[tuple]]:
    """Every public table's rows, derived from POSTS by DESIGN.md's definitions."""
    chat_tz = {c[0]: ZoneInfo(c[2] or "UTC") for c in CHATS}
    by_id = {p[0]: p for p in POSTS}
    created = {p[0]: _ts(SESSIONS[p[1]][1]) + timedelta(minutes=p[2]) for p in POSTS}
    out: dict[str, list[tuple]] = defaultdict(list)
    for c in CHATS:
        out["chats"].append(c)
    for pid, sid, _, author, text, reply_to, rt_of, quote_of, question, method in POSTS:
        chat = SESSIONS[sid][0]
        parent = by_id[reply_to][3] if reply_to else None
        out["posts"].append(
            (pid, "twitter", chat, created[pid], f"u_{author}", author, author.title(), text, "en",
             reply_to, f"u_{parent}" if parent else None, parent, rt_of, quote_of, pid,
             rt_of is not None, False)
        )  # fmt: skip
        out["post_threads"].append((pid, chat, sid, question, method))
        out["post_sources"].append((pid, 1, int(pid)))
        for word in text.replace(":", " ").split():
            if word.startswith("#"):
                out["hashtags"].append((pid, word[1:].lower()))
        mentioned = [w[1:] for w in text.replace(":", " ").split() if w.startswith("@")]
        for handle in dict.fromkeys(mentioned):
            out["mentions"].append((pid, f"u_{handle}", handle))
        if method == "question":
            out["questions"].append((sid, question, pid, created[pid], text))
        # Interactions: one retweet edge for a retweet; else reply, mentions and quote edges.
        edges = []
        if rt_of:
            edges.append(("retweet", by_id[rt_of][3]))
        else:
            if parent and parent != author:
                edges.append(("reply", parent))
            edges += [("mention", h) for h in dict.fromkeys(mentioned) if h != author]
            if quote_of:
                edges.append(("quote", by_id[quote_of][3]))
        for kind, target in edges:
            out["interactions"].append(
                (pid, created[pid], chat, sid, question, kind, f"u_{author}", author,
                 f"u_{target}", target)
            )  # fmt: skip
    pairs: dict[tuple, list[datetime]] = defaultdict(list)
    for _pid, at, chat, _, _, kind, _, source, _, target in out["interactions"]:
        if kind != "retweet":
            pairs[(chat, *sorted((source, target)))].append(at)
    for (chat, a, b), times in sorted(pairs.items()):
        first = min(times)
        out["connections"].append(
            (chat, a, b, first, first.astimezone(chat_tz[chat]).year, len(times))
        )
    for sid, (chat, start) in SESSIONS.items():
        posts = [p for p in POSTS if p[1] == sid]
        starts = _ts(start)
        out["sessions"].append(
            (sid, chat, starts, starts + timedelta(minutes=60), starts.astimezone(chat_tz[chat]).date(),
             len(posts), len({p[3] for p in posts}))
        )  # fmt: skip
    seen: dict[str, list[datetime]] = defaultdict(list)
    for p in POSTS:
        seen[p[3]].append(created[p[0]])
    for handle, times in sorted(seen.items()):
        out["accounts"].append(
            (f"u_{handle}", "twitter", handle, handle.title(), min(times), max(times))
        )
    out["sources"].append((1, "sample.jsonl", "0" * 64, "twitter-v1", "hcldr", _ts("2023-01-01 00:00:00"),
                           len(POSTS) + 1, len(POSTS), 0, 1))  # fmt: skip
    out["rejects"].append((1, len(POSTS) + 1, "not JSON", "{oops"))
    out["referenced_posts"].append(
        ("99", "twitter", None, _ts("2020-12-31 12:00:00"), "u_zed", "zed", "Zed", "an original",
         "en", None, None, None, None, None, "99", False, False)
    )  # fmt: skip
    return out


def fill(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the rows into a migrated archive whose public tables are empty."""
    for table, table_rows in rows().items():
        width = len(table_rows[0])
        names = [r[0] for r in con.execute(f"describe {table}").fetchall()][:width]
        marks = ", ".join("?" * width)
        con.executemany(f"insert into {table} ({', '.join(names)}) values ({marks})", table_rows)
