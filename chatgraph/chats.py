"""Chats: the named archives of one community's posts, with their schedules, prefixes and hosts."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import polars as pl

from chatgraph.errors import UsageError


def resolve(con: duckdb.DuckDBPyConnection, chat: str | None) -> str:
    """The chat named (case and ``#`` ignored), or the archive's only chat."""
    names = [r[0] for r in con.execute("select chat_id from chats order by chat_id").fetchall()]
    if chat is not None:
        wanted = chat.strip().lstrip("#").lower()
        if wanted not in names:
            known = ", ".join(names) or "none yet"
            raise UsageError(f"no chat named {wanted!r} in the archive (chats: {known})")
        return wanted
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError(
            "the archive holds no chats yet; load some exports first (chatgraph load FILES)"
        )
    raise UsageError(
        f"the archive holds several chats ({', '.join(names)}); choose one with --chat"
    )


# ---------------------------------------------------------------- schedules, prefixes, hosts (issue 4)

WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_UNSET = ("", "none", "-")


def parse_weekday(value: str) -> int | None:
    """ISO weekday (1 = Monday … 7 = Sunday) from a name, a 3-letter abbreviation or a number."""
    v = value.strip().lower()
    if v in _UNSET:
        return None
    if v.isdigit() and 1 <= int(v) <= 7:
        return int(v)
    for i, name in enumerate(WEEKDAY_NAMES, start=1):
        if len(v) >= 3 and name.startswith(v.rstrip("s")[:9]):
            return i
    raise UsageError(
        f"--weekday {value!r}: not a weekday; give a name (Tuesday, tue) or 1-7 (1 = Monday)"
    )


def parse_start(value: str) -> time | None:
    v = value.strip()
    if v.lower() in _UNSET:
        return None
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", v)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise UsageError(
            f"--start {value!r}: not a time of day; give HH:MM in 24 hours, e.g. 20:30"
        )
    return time(int(m.group(1)), int(m.group(2)))


def parse_timezone(con: duckdb.DuckDBPyConnection, value: str) -> str | None:
    v = value.strip()
    if v.lower() in _UNSET:
        return None
    try:
        ZoneInfo(v)
        con.execute(
            "select timezone($tz, TIMESTAMPTZ '2020-01-01 00:00:00+00')", {"tz": v}
        ).fetchall()
    except (ZoneInfoNotFoundError, ValueError, duckdb.Error):
        raise UsageError(
            f"--timezone {value!r}: not a known time zone; give an IANA name such as "
            "America/New_York, Europe/London or UTC"
        ) from None
    return v


def parse_duration(value: int | None) -> int | None:
    if value is None or value == 0:
        return None
    if not 1 <= value <= 12 * 60:
        raise UsageError(f"--duration {value}: give the session length in minutes, 1 to 720")
    return value


def parse_list(option: str, value: str, pattern: str, example: str) -> list[str] | None:
    items = [x.strip().lstrip("@") for x in value.split(",") if x.strip()]
    if not items:
        return None
    bad = [x for x in items if not re.fullmatch(pattern, x)]
    if bad:
        raise UsageError(
            f"{option} {bad[0]!r}: not valid here; give a comma-separated list, {example}"
        )
    return items


def _schedule_changes(
    con: duckdb.DuckDBPyConnection,
    timezone: str | None,
    weekday: str | None,
    start: str | None,
    duration: int | None,
    prefixes: str | None,
    hosts: str | None,
) -> dict[str, object]:
    changes: dict[str, object] = {}
    if timezone is not None:
        changes["timezone"] = parse_timezone(con, timezone)
    if weekday is not None:
        changes["weekday"] = parse_weekday(weekday)
    if start is not None:
        changes["start_time"] = parse_start(start)
    if duration is not None:
        changes["duration_minutes"] = parse_duration(duration)
    if prefixes is not None:
        changes["question_prefixes"] = parse_list(
            "--prefixes", prefixes, r"[A-Za-z]{1,12}", "e.g. --prefixes Q,T"
        )
    if hosts is not None:
        changes["hosts"] = parse_list(
            "--hosts", hosts, r"[\w.@-]{1,100}", "e.g. --hosts hcldrchat,colinhung"
        )
    return changes


def set_chat(
    con: duckdb.DuckDBPyConnection,
    chat: str,
    *,
    timezone: str | None = None,
    weekday: str | None = None,
    start: str | None = None,
    duration: int | None = None,
    prefixes: str | None = None,
    hosts: str | None = None,
    mastodon_instances: list[str] | None = None,
    mastodon_tag: str | None = None,
    bluesky_tag: str | None = None,
    bluesky_service: str | None = None,
) -> tuple[str, bool]:
    """``chats set``: the schedule parts given and where the chat lives (read by ``fetch --chat``),
    all checked before anything is written. Returns the chat and whether its sessions and threads
    were rebuilt (only a schedule change needs that)."""
    from chatgraph import fetch

    chat_id = resolve(con, chat)
    changes = _schedule_changes(con, timezone, weekday, start, duration, prefixes, hosts)
    places = fetch.set_places(mastodon_instances=mastodon_instances, mastodon_tag=mastodon_tag,
                              bluesky_tag=bluesky_tag, bluesky_service=bluesky_service)  # fmt: skip
    if not changes and not places:
        raise UsageError(
            f"chats set {chat_id}: nothing to set; give --timezone, --weekday, --start, "
            "--duration, --prefixes, --hosts, --mastodon-instance, --mastodon-tag, --bluesky-tag "
            "or --bluesky-service"
        )
    _write(con, chat_id, {**changes, **places}, rebuild=bool(changes))
    return chat_id, bool(changes)


def _write(
    con: duckdb.DuckDBPyConnection, chat_id: str, changes: dict[str, object], *, rebuild: bool
) -> None:
    from chatgraph import derive

    con.execute("begin")
    try:
        sets = ", ".join(f"{k} = ${k}" for k in changes)
        con.execute(f"update chats set {sets} where chat_id = $chat", {**changes, "chat": chat_id})
        if rebuild:
            # Without its placed posts the chat's sessions and threads are rebuilt, not patched.
            con.execute("delete from post_threads where chat_id = $chat", {"chat": chat_id})
            derive.refresh(con, [chat_id])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def add(con: duckdb.DuckDBPyConnection, chat: str) -> str:
    """Register a chat before its posts are loaded (so its schedule can be set first)."""
    chat_id = chat.strip().lstrip("#").lower()
    if not re.fullmatch(r"[\w-]{1,100}", chat_id):
        raise UsageError(f"chats add {chat!r}: a chat name is a hashtag (letters, digits, _ or -)")
    from chatgraph.sessions import one

    exists = one(con, "select 1 from chats where chat_id = $c", {"c": chat_id})
    if exists:
        raise UsageError(f"chats add {chat_id}: that chat exists already; change it with chats set")
    con.execute("insert into chats (chat_id, hashtag) values ($c, $c)", {"c": chat_id})
    return chat_id


def overview(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per chat: schedule, prefixes and hosts (configured, else inferred), posts, sessions."""
    from chatgraph import sessions

    rows = con.execute(
        """
        select c.chat_id, c.timezone, c.weekday, c.start_time, c.duration_minutes,
               c.question_prefixes, c.hosts,
               i.mode, i.timezone, i.weekday, i.start_time, i.duration_minutes,
               i.question_prefixes, i.hosts,
               (select count(*) from posts p where p.chat_id = c.chat_id),
               (select count(*) from sessions s where s.chat_id = c.chat_id),
               (select strftime(min(local_date), '%Y-%m-%d') || ' – '
                       || strftime(max(local_date), '%Y-%m-%d')
                from sessions s where s.chat_id = c.chat_id)
        from chats c left join chat_inference i using (chat_id)
        order by c.chat_id
        """
    ).fetchall()
    out = []
    for r in rows:
        conf = sessions.Schedule(*r[1:5])
        guess = sessions.Schedule(*r[8:12])
        # A time zone set on its own is the moderator's; the rest of the schedule is still read off
        # the posts, and the label says which part is which.
        zone_set = "; time zone configured" if conf.timezone else ""
        if conf.start_time is not None:
            schedule = f"{_filled(conf, guess).describe()} (configured)"
        elif r[7] == "days":
            schedule = f"one session per meeting day, {conf.timezone or 'UTC'} (inferred{zone_set})"
        elif guess.start_time is not None:
            schedule = f"{_filled(conf, guess).describe()} (inferred{zone_set})"
        else:
            schedule = f"{conf.timezone} (configured)" if conf.timezone else ""
        out.append(
            {
                "chat": r[0],
                "schedule": schedule,
                "prefixes": _which(r[5], r[12]),
                "hosts": _which(r[6], r[13]),
                "posts": r[14],
                "sessions": r[15],
                "dates": r[16] or "",
            }
        )
    schema = {"chat": pl.String, "schedule": pl.String, "prefixes": pl.String,
              "hosts": pl.String, "posts": pl.Int64, "sessions": pl.Int64, "dates": pl.String}  # fmt: skip
    return pl.DataFrame(out, schema=schema)


def _filled(first, second):
    """``first`` with its unknown parts taken from ``second``."""
    from chatgraph import sessions

    return sessions.Schedule(
        first.timezone or second.timezone,
        first.weekday if first.weekday is not None else second.weekday,
        first.start_time or second.start_time,
        first.duration_minutes or second.duration_minutes,
    )


def _which(configured: list[str] | None, inferred: list[str] | None) -> str:
    if configured:
        return ", ".join(configured) + " (configured)"
    if inferred:
        return ", ".join(inferred) + " (inferred)"
    return ""
