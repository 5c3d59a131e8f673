"""People, not handles: one person's accounts across Twitter, Mastodon and Bluesky.

A *person* groups accounts (``person_accounts``: platform, lower-cased handle, account id) under a
``person_id``. Links are declared (``link``), kept in a people file under version control
(``load_file``), or suggested from the posts themselves and accepted (``suggest`` then
``accept``); each row says which (``origin``), why (``evidence``) and when (``linked_at``).

An account in no link is its own person, and its person id is its handle: with no links declared
every person-level measure equals the account-level one. Measures follow people through the views
``person_interactions`` and ``person_connections`` and through :func:`person_of`.
"""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from chatgraph.errors import ChatgraphError, UsageError

ORIGINS = ("declared", "file", "suggested")

# An announcement of a move names the new (or old) account near one of these words.
_MOVE_WORDS = (
    r"(moved|moving|move to|find me|new home|now on|i'm on|im on|follow me|over at|switched)"
)


def has_people(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the archive has the people layer (an archive opened read-only before the
    ``006_people`` migration has not)."""
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'main' and table_name = 'person_accounts'"
        ).fetchall()[0][0]
    )


def person_of(con: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    """Replace the lower-cased handles in ``table.column`` (a temp table) by their person ids."""
    if not has_people(con):
        return
    con.execute(
        f"update {table} set {column} = pa.person_id from person_accounts pa "
        f"where pa.handle = {table}.{column}"
    )


def normalise(text: str) -> str:
    """An account as the user typed it, as the archive keys it: without a leading ``@``,
    lower-cased (``@HCLDRchat`` → ``hcldrchat``; ``@hcldr@mastodon.social`` keeps its instance)."""
    return text.strip().removeprefix("@").lower()


@dataclass(frozen=True)
class Account:
    platform: str
    handle: str  # lower-cased, as interactions and connections key it
    account_id: str | None


def resolve_account(con: duckdb.DuckDBPyConnection, text: str) -> Account:
    """The archive's account a user names by handle (``@HCLDRchat``, ``hcldr@mastodon.social``,
    ``hcldr.bsky.social``) or id (a DID, a Twitter user id); refused when there is none."""
    key = normalise(text)
    rows = con.execute(
        """
        select platform, lower(handle), account_id from accounts
        where handle is not null and (lower(handle) = $k or lower(account_id) = $k)
        order by lower(handle) = $k desc, last_seen_at desc nulls last, platform, account_id
        """,
        {"k": key},
    ).fetchall()
    if not rows:
        known = [
            r[0]
            for r in con.execute(
                "select distinct lower(handle) from accounts where handle is not null"
            ).fetchall()
        ]
        near = difflib.get_close_matches(key, known, n=3, cutoff=0.75)
        hint = (
            f"did you mean {', '.join(near)}?"
            if near
            else "see the archive's handles with: chatgraph sql \"select platform, handle from "
            'accounts order by 2"'
        )
        raise UsageError(f"unknown account {text!r}: no account in the archive has it; {hint}")
    platform, handle, account_id = rows[0]
    return Account(platform, handle, account_id)


@dataclass
class Linked:
    """The outcome of a link: the person and all their accounts now."""

    person_id: str
    handles: list[str]
    merged: list[str]  # other persons folded into this one


def _person_rows(con: duckdb.DuckDBPyConnection, person_id: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select handle from person_accounts where person_id = $p order by handle",
            {"p": person_id},
        ).fetchall()
    ]


def link(
    con: duckdb.DuckDBPyConnection,
    accounts: list[str],
    *,
    person: str | None = None,
    origin: str = "declared",
    evidence: str | None = None,
    transaction: bool = True,
) -> Linked:
    """Declare that ``accounts`` (two or more) are one person. An account already linked brings
    its person along: the groups merge. The person id is ``person``, else the person of the
    first account already linked, else the first account's handle."""
    if origin not in ORIGINS:
        raise UsageError(f"origin {origin!r}: choose {', '.join(ORIGINS)}")
    resolved: list[Account] = []
    for text in accounts:
        acct = resolve_account(con, text)
        if acct.handle not in {a.handle for a in resolved}:
            resolved.append(acct)
    if len(resolved) < 2:
        raise UsageError(
            "a link needs two or more different accounts, e.g. "
            "chatgraph people link @HCLDRchat hcldr@mastodon.social"
        )
    handles = [a.handle for a in resolved]
    existing = dict(
        con.execute(
            "select handle, person_id from person_accounts where list_contains($h, handle)",
            {"h": handles},
        ).fetchall()
    )
    persons = list(dict.fromkeys(existing[h] for h in handles if h in existing))
    target = normalise(person) if person else (persons[0] if persons else handles[0])
    if not target:
        raise UsageError("--person needs a name, e.g. --person colin")
    members = set(handles)
    for p in persons:
        members |= set(_person_rows(con, p))
    clash = con.execute(
        """
        select any_value(reason) from (
            select 'is the handle of another account' as reason from accounts
            where lower(handle) = $t and not list_contains($m, lower(handle))
            union all
            select 'is another person' from person_accounts
            where person_id = $t and not list_contains($m, handle)
        )
        """,
        {"t": target, "m": sorted(members)},
    ).fetchall()[0][0]
    if clash:
        raise UsageError(
            f"person id {target!r} {clash}; choose another with --person NAME, "
            f"or link to that person by naming one of their accounts"
        )
    if transaction:
        con.execute("begin")
    try:
        con.execute(
            "update person_accounts set person_id = $t where list_contains($p, person_id)",
            {"t": target, "p": persons},
        )
        for acct in resolved:
            if acct.handle in existing:
                continue
            con.execute(
                "insert into person_accounts (person_id, platform, handle, account_id, origin, "
                "evidence) values ($p, $pl, $h, $id, $o, $e)",
                {
                    "p": target,
                    "pl": acct.platform,
                    "h": acct.handle,
                    "id": acct.account_id,
                    "o": origin,
                    "e": evidence,
                },
            )
        if transaction:
            con.execute("commit")
    except Exception:
        if transaction:
            con.execute("rollback")
        raise
    return Linked(target, _person_rows(con, target), [p for p in persons if p != target])


def unlink(con: duckdb.DuckDBPyConnection, accounts: list[str]) -> list[tuple[str, str]]:
    """Take ``accounts`` out of their persons (a person left with one account is no link any
    more, so it goes too). Returns the (person, handle) rows removed."""
    keys = [normalise(a) for a in accounts]
    found = dict(
        con.execute(
            "select handle, person_id from person_accounts where list_contains($k, handle)",
            {"k": keys},
        ).fetchall()
    )
    by_id = dict(
        con.execute(
            "select lower(account_id), lower(handle) from accounts where list_contains($k, "
            "lower(account_id)) and handle is not null",
            {"k": keys},
        ).fetchall()
    )
    handles = []
    for key, text in zip(keys, accounts, strict=True):
        h = key if key in found else by_id.get(key)
        if h is None or h not in found:
            raise UsageError(
                f"{text!r} is linked to no person; see the links with chatgraph people list"
            )
        handles.append(h)
    persons = sorted({found[h] for h in handles})
    con.execute("begin")
    try:
        removed = con.execute(
            "delete from person_accounts where list_contains($h, handle) "
            "returning person_id, handle",
            {"h": handles},
        ).fetchall()
        removed += con.execute(
            """
            delete from person_accounts where list_contains($p, person_id) and person_id in (
                select person_id from person_accounts group by person_id having count(*) < 2)
            returning person_id, handle
            """,
            {"p": persons},
        ).fetchall()
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return sorted(removed)


def unlink_person(con: duckdb.DuckDBPyConnection, person: str) -> list[tuple[str, str]]:
    """Dissolve a person: every one of their accounts is its own person again."""
    key = normalise(person)
    rows = con.execute(
        "delete from person_accounts where person_id = $p returning person_id, handle", {"p": key}
    ).fetchall()
    if not rows:
        raise UsageError(f"no person {person!r}; see them with chatgraph people list")
    return sorted(rows)


def people(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every link: one row per account of a person, with its origin, evidence and time."""
    return con.sql(
        """
        select person_id as person, platform, handle, account_id, origin, evidence,
               strftime(linked_at, '%Y-%m-%d %H:%M') as linked_at
        from person_accounts order by person_id, platform = 'twitter' desc, platform, handle
        """
    ).pl()


def accounts_of(con: duckdb.DuckDBPyConnection, person_or_handle: str) -> list[str]:
    """The handles of the person that ``person_or_handle`` names (a person id or one of their
    handles); just the handle itself for an account linked to nobody."""
    key = normalise(person_or_handle)
    if not has_people(con):
        return [key]
    rows = con.execute(
        """
        select handle from person_accounts where person_id = $k
           or person_id = (select any_value(person_id) from person_accounts where handle = $k)
        order by handle
        """,
        {"k": key},
    ).fetchall()
    return [r[0] for r in rows] or [key]


def handles_by_person(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Each linked person's accounts as (platform, handle), in a stable order."""
    if not has_people(con):
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    for person, platform, handle in con.execute(
        "select person_id, platform, handle from person_accounts "
        "order by person_id, platform = 'twitter' desc, platform, handle"
    ).fetchall():
        out.setdefault(person, []).append((platform, handle))
    return out


# ------------------------------------------------------------------------------------ people files


def read_file(path: str | Path) -> dict[str, list[str]]:
    """A people file: person id → accounts.

    CSV with a header ``person,account`` (one row per account), or TOML::

        [people]
        hcldr = ["@HCLDRchat", "hcldr@mastodon.social", "hcldr.bsky.social"]
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ChatgraphError(f"{path}: cannot read the people file: {e.strerror}") from e
    out: dict[str, list[str]] = {}
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise UsageError(f"{path}: not valid TOML ({e})") from e
        table = data.get("people")
        if not isinstance(table, dict):
            raise UsageError(
                f'{path}: no [people] table; write e.g. [people]\\nhcldr = ["@HCLDRchat", '
                '"hcldr@mastodon.social"]'
            )
        for person, accounts in table.items():
            if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
                raise UsageError(f"{path}: people.{person} must be a list of accounts")
            out[person] = accounts
        return out
    rows = list(csv.reader(text.splitlines()))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "person" not in header or "account" not in header:
        raise UsageError(
            f"{path}: a people CSV starts with the header person,account (or use a .toml file)"
        )
    p, a = header.index("person"), header.index("account")
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(p, a) or not row[p].strip() or not row[a].strip():
            raise UsageError(f"{path}: line {n} needs a person and an account")
        out.setdefault(row[p].strip(), []).append(row[a].strip())
    return out


@dataclass
class FileLoad:
    people: int
    accounts: int
    replaced: int  # links from an earlier load of a people file, now as this file says


def load_file(con: duckdb.DuckDBPyConnection, path: str | Path) -> FileLoad:
    """Make the links of origin ``file`` what the people file says (loading it again after an edit
    adds, moves and drops links); links declared or accepted otherwise stay. One transaction."""
    wanted = read_file(path)
    for person, accounts in wanted.items():
        for text in accounts:
            resolve_account(con, text)  # refuse the whole file before changing anything
        if len({normalise(a) for a in accounts}) < 2:
            raise UsageError(f"{path}: person {person!r} needs two or more accounts")
    con.execute("begin")
    try:
        replaced = con.execute(
            "delete from person_accounts where origin = 'file' returning handle"
        ).fetchall()
        # persons the file's removal left with one account are no links any more
        con.execute(
            "delete from person_accounts where person_id in "
            "(select person_id from person_accounts group by all having count(*) < 2)"
        )
        n = 0
        for person, accounts in wanted.items():
            done = link(
                con, accounts, person=person, origin="file", evidence=str(path), transaction=False
            )
            n += len(done.handles)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return FileLoad(len(wanted), n, len(replaced))


# -------------------------------------------------------------------------------------- suggestions

SUGGEST_MIN_SCORE = 0.5


def base_name(handle: str) -> str:
    """The part of a handle a person keeps across platforms: the Mastodon username, the first label
    of a Bluesky handle, the Twitter screen name; lower-cased, letters and digits only."""
    h = handle.lower().removeprefix("@")
    if "@" in h:
        h = h.split("@")[0]
    elif "." in h:
        h = h.split(".")[0]
    return re.sub(r"[^a-z0-9]", "", h)


def plain_name(name: str | None) -> str:
    """A display name without credentials after a comma, accents, case and extra spaces (names
    compare without spaces too: ``colinhung`` is ``Colin Hung``)."""
    if not name:
        return ""
    name = name.split(",")[0]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9 ]", "", name.lower()).split())


def _handle_likeness(a: str, b: str) -> float:
    x, y = base_name(a), base_name(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    if min(len(x), len(y)) >= 4 and (x in y or y in x):
        return 0.7
    return difflib.SequenceMatcher(None, x, y).ratio()


def suggest(
    con: duckdb.DuckDBPyConnection, chat: str | None = None, min_score: float = SUGGEST_MIN_SCORE
) -> pl.DataFrame:
    """Candidate pairs of accounts on different platforms that may be one person, best first,
    with the evidence found in the archive; nothing is linked (see :func:`accept`).

    Evidence and weights: the same display name (0.4); the same handle apart from the platform's
    suffix (0.5), or a similar one (0.2 × likeness); a post by one that names the other next to
    words of a move ("moved", "find me", "new home", …: 0.5); shared partners in the reply graph,
    compared by their handles' kept part (up to 0.3). Pairs already one person are left out.
    """
    params = {"chat": chat}
    in_chat = "($chat::VARCHAR is null or p.chat_id = $chat)"
    authors = con.execute(
        f"""
        select a.platform, lower(a.handle) as handle, any_value(a.display_name) as name,
               count(distinct p.post_id) as posts, min(p.created_at) as first, max(p.created_at)
        from accounts a join posts p
          on p.platform = a.platform and lower(p.author_handle) = lower(a.handle)
        where a.handle is not null and {in_chat}
        group by all
        """,
        params,
    ).fetchall()
    mentioned = con.execute(
        """
        select distinct a.platform, lower(a.handle), a.display_name from accounts a
        where a.handle is not null and a.first_seen_at is null
        """
    ).fetchall()
    accounts: dict[str, tuple[str, str]] = {}
    for platform, handle, name, *_ in authors:
        accounts[handle] = (platform, name or "")
    for platform, handle, name in mentioned:
        accounts.setdefault(handle, (platform, name or ""))
    same = {
        h: p
        for h, p in (
            con.execute("select handle, person_id from person_accounts").fetchall()
            if has_people(con)
            else []
        )
    }
    partners: dict[str, set[str]] = {}
    for s, t in con.execute(
        f"""
        select distinct source_handle, target_handle from interactions p
        where kind in ('reply', 'mention', 'quote') and {in_chat}
        """,
        params,
    ).fetchall():
        partners.setdefault(s, set()).add(base_name(t))
        partners.setdefault(t, set()).add(base_name(s))
    announced: dict[tuple[str, str], str] = {}
    for author, text in con.execute(
        f"""
        select lower(p.author_handle), p.text from posts p
        where not p.is_retweet and {in_chat}
          and regexp_matches(lower(p.text), $move)
        """,
        params | {"move": _MOVE_WORDS},
    ).fetchall():
        low = text.lower()
        for other in accounts:
            if other != author and other in low and _named(low, other):
                announced.setdefault((author, other), text)
    # Blocking: only pairs that share a name, a handle's kept part, or an announcement are scored.
    by_name: dict[str, list[str]] = {}
    by_base: dict[str, list[str]] = {}
    for handle, (_, name) in accounts.items():
        if plain_name(name) and " " in plain_name(name):
            by_name.setdefault(plain_name(name), []).append(handle)
        by_base.setdefault(base_name(handle)[:4], []).append(handle)
    pairs: set[tuple[str, str]] = set()
    for group in [*by_name.values(), *by_base.values()]:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pairs.add((min(a, b), max(a, b)))
    for a, b in announced:
        if b in accounts and a in accounts:
            pairs.add((min(a, b), max(a, b)))
    rows = []
    for a, b in sorted(pairs):
        (pa, na), (pb, nb) = accounts[a], accounts[b]
        if pa == pb or (a in same and same.get(b) == same[a]):
            continue
        score, evidence = 0.0, []
        if plain_name(na) and plain_name(na).replace(" ", "") == plain_name(nb).replace(" ", ""):
            score += 0.4
            evidence.append(f"same name {na.split(',')[0]!r}")
        likeness = _handle_likeness(a, b)
        if likeness == 1.0:
            score += 0.5
            evidence.append(f"same handle {base_name(a)!r}")
        elif likeness >= 0.6:
            score += 0.2 * likeness
            evidence.append(f"similar handles ({likeness:.2f})")
        for x, y in ((a, b), (b, a)):
            if (x, y) in announced:
                score += 0.5
                evidence.append(f"@{x} names @{y} in a post about moving")
                break
        shared = partners.get(a, set()) & partners.get(b, set())
        if shared:
            union = partners[a] | partners[b]
            score += 0.3 * len(shared) / len(union)
            evidence.append(
                f"{len(shared)} shared partner{'s' if len(shared) > 1 else ''} of {len(union)}"
            )
        if score >= min_score:
            rows.append(
                {
                    "score": round(min(score, 1.0), 3),
                    "a_platform": pa,
                    "a_handle": a,
                    "b_platform": pb,
                    "b_handle": b,
                    "evidence": "; ".join(evidence),
                }
            )
    schema = {
        "score": pl.Float64,
        "a_platform": pl.String,
        "a_handle": pl.String,
        "b_platform": pl.String,
        "b_handle": pl.String,
        "evidence": pl.String,
    }
    df = pl.DataFrame(rows, schema=schema).sort(
        ["score", "a_handle", "b_handle"], descending=[True, False, False]
    )
    return df.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))


def _named(text: str, handle: str) -> bool:
    """Whether ``handle`` stands in ``text`` as a whole handle, not inside a longer one."""
    return bool(re.search(rf"(?<![\w.])(?<!\w@){re.escape(handle)}(?![\w@]|\.\w)", text))


def accept(
    con: duckdb.DuckDBPyConnection,
    ranks: list[int],
    chat: str | None = None,
    min_score: float = SUGGEST_MIN_SCORE,
) -> list[Linked]:
    """Link the suggestions of these ranks (as :func:`suggest` numbers them now), keeping their
    evidence; origin ``suggested``."""
    df = suggest(con, chat, min_score)
    by_rank = {r["rank"]: r for r in df.iter_rows(named=True)}
    missing = [r for r in ranks if r not in by_rank]
    if missing:
        raise UsageError(
            f"no suggestion {missing[0]}: there are {df.height}; see them with chatgraph people suggest"
        )
    picked = [by_rank[r] for r in ranks]
    con.execute("begin")
    try:
        done = [
            link(
                con,
                [r["a_handle"], r["b_handle"]],
                origin="suggested",
                evidence=f"score {r['score']}: {r['evidence']}",
                transaction=False,
            )
            for r in picked
        ]
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return done


def forget(
    con: duckdb.DuckDBPyConnection, person_or_handle: str, chat: str | None = None
) -> list[Any]:
    """Forget a person: every account of theirs (:func:`chatgraph.privacy.forget` each), and, when
    forgotten in all chats, the links that said they were one person. An account linked to nobody
    is forgotten alone, as before."""
    from chatgraph import privacy

    handles = accounts_of(con, person_or_handle)
    done = [privacy.forget(con, h, chat=chat) for h in handles]
    if chat is None and has_people(con):
        con.execute("delete from person_accounts where list_contains($h, handle)", {"h": handles})
    return done
