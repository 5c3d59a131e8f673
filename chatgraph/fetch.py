"""Fetch a chat's posts from Mastodon's and Bluesky's public APIs into the archive, week after week.

A fetch reads one place (a Mastodon server's tag timeline, or a Bluesky search) page by page and
appends each page, as the API sent it, to a spool file beside the archive. When the last page is in,
the spool becomes a gzipped JSON lines file and is loaded like any export (the Mastodon or Bluesky
reader: provenance, dedup and rejects as for a file), in the same transaction that moves the place's
cursor (``fetch_cursors``) to the newest post fetched. The next fetch asks only for newer posts.

What a kill or Ctrl-C leaves: while fetching, the spool and a small state file (which page comes next)
and nothing in the archive; the next run goes on from the next page. While loading, the finished file
and its state; the file's transaction rolls back, and the next run loads it before fetching more.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import duckdb
import httpx

from chatgraph import __version__, ingest
from chatgraph.errors import ChatgraphError, UsageError, first_line

BLUESKY_SERVICE = "https://public.api.bsky.app"
MASTODON_PAGE = 40  # the most a tag timeline page holds
BLUESKY_PAGE = 100  # the most a searchPosts page holds
TOKEN_ENV = "CHATGRAPH_MASTODON_TOKEN"
HANDLE_ENV = "CHATGRAPH_BLUESKY_HANDLE"
PASSWORD_ENV = "CHATGRAPH_BLUESKY_PASSWORD"

Progress = Callable[[str, int], None]  # (place label, posts fetched from it so far)


class FetchError(ChatgraphError):
    """A server could not be read: what, where, why, and what to do."""


# ---------------------------------------------------------------- HTTP


@dataclass
class HttpOptions:
    """How patient a fetch is. Waits are capped by ``max_wait`` (tests and impatient users lower it)."""

    timeout: float = 30.0  # seconds to connect, and between bytes of a response
    retries: int = 5  # further attempts after a 429, a 5xx, a timeout or a cut response
    backoff: float = 1.0  # first wait after a failure; it doubles each time
    max_wait: float = 300.0  # the longest single wait (Retry-After, a rate limit's reset)

    @classmethod
    def from_env(cls) -> HttpOptions:
        """Defaults, overridden by ``CHATGRAPH_FETCH_TIMEOUT``, ``_RETRIES``, ``_BACKOFF``, ``_MAX_WAIT``."""
        out = cls()
        for name, cast in (("timeout", float), ("retries", int), ("backoff", float),
                           ("max_wait", float)):  # fmt: skip
            raw = os.environ.get(f"CHATGRAPH_FETCH_{name.upper()}")
            if raw:
                try:
                    setattr(out, name, cast(raw))
                except ValueError:
                    raise UsageError(
                        f"CHATGRAPH_FETCH_{name.upper()}={raw!r}: not a number; unset it or give one"
                    ) from None
        return out


def _retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Seconds the server asks us to wait: ``Retry-After`` (seconds or a date), else Mastodon's
    ``X-RateLimit-Reset`` when ``X-RateLimit-Remaining`` is 0."""
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        with contextlib.suppress(TypeError, ValueError):
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    if headers.get("x-ratelimit-remaining", "").strip() == "0":
        return _reset_in(headers, now)
    return None


def _reset_in(headers: httpx.Headers, now: float) -> float | None:
    reset = headers.get("x-ratelimit-reset")
    if not reset:
        return None
    with contextlib.suppress(ValueError):
        at = datetime.fromisoformat(reset.strip().replace("Z", "+00:00"))
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return max(0.0, at.timestamp() - now)
    return None


def _is_dns_failure(e: BaseException) -> bool:
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(e).lower()
    return any(s in text for s in ("name or service not known", "name resolution", "nodename nor"))


class Client:
    """GET JSON with timeouts, retries with backoff on 429/5xx/cut responses, and rate limits."""

    def __init__(
        self,
        options: HttpOptions,
        address: str,
        login: str,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self.address = address  # what to check when a server is not found (names the options)
        self.login = login  # how to log in when a server wants it
        self.sleep = sleep
        self.http = httpx.Client(
            timeout=httpx.Timeout(options.timeout),
            headers={
                "User-Agent": f"chatgraph/{__version__}",
                "Accept": "application/json",
                **(headers or {}),
            },  # fmt: skip
            follow_redirects=True,
        )
        self.not_before = 0.0  # a rate limit's reset: no request before it

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self, method: str, url: str, params: dict | None = None, body: dict | None = None
    ) -> tuple[httpx.Response, object]:
        """The response and its JSON; a :class:`FetchError` once retrying cannot help."""
        where = _display(url)
        wait = self.options.backoff
        for attempt in range(self.options.retries + 1):
            last = attempt == self.options.retries
            delay = self.not_before - time.time()
            if delay > 0:
                self.sleep(min(delay, self.options.max_wait))
            try:
                r = self.http.request(method, url, params=params, json=body)
            except httpx.ConnectError as e:
                if _is_dns_failure(e):
                    host = urlsplit(url).hostname
                    raise FetchError(
                        f"{where}: cannot find the server {host} (DNS lookup failed); check "
                        f"{self.address}, and that this computer is online"
                    ) from None
                problem = f"cannot connect ({first_line(e)})"
            except httpx.TimeoutException:
                problem = f"no answer within {self.options.timeout:g} s"
            except httpx.TransportError as e:  # a connection cut mid-response, a protocol error
                problem = f"the response was cut off ({first_line(e)})"
            else:
                server_wait = _retry_after(r.headers, time.time())
                if r.status_code == 200:
                    try:
                        data = json.loads(r.content)
                    except ValueError:
                        problem = "the response was cut off or is not JSON"
                    else:
                        if r.headers.get("x-ratelimit-remaining", "").strip() == "0":
                            reset = _reset_in(r.headers, time.time())
                            self.not_before = time.time() + (reset or 0.0)
                        return r, data
                elif r.status_code in (401, 403):
                    raise FetchError(
                        f"{where}: {r.status_code} {r.reason_phrase}{_says(r)}; {self.login}"
                    )
                elif r.status_code == 404:
                    raise FetchError(f"{where}: 404 Not Found{_says(r)}; check {self.address}")
                elif r.status_code == 429 or r.status_code >= 500 or r.status_code == 408:
                    problem = f"{r.status_code} {r.reason_phrase}"
                    if server_wait is not None:
                        wait = max(wait, server_wait)
                else:
                    raise FetchError(
                        f"{where}: {r.status_code} {r.reason_phrase}{_says(r)}; check {self.address}"
                    )
            if last:
                break
            self.sleep(min(wait, self.options.max_wait))
            wait = min(wait * 2, self.options.max_wait)
        raise FetchError(
            f"{where}: {problem} ({self.options.retries + 1} attempts); try again later: "
            "the pages fetched so far are kept, and the next run goes on from there"
        )


def _says(r: httpx.Response) -> str:
    """The server's own error message, if it gave one in JSON (Mastodon ``error``, XRPC ``message``)."""
    with contextlib.suppress(ValueError):
        data = json.loads(r.content)
        if isinstance(data, dict):
            text = data.get("message") or data.get("error") or data.get("error_description")
            if isinstance(text, str) and text.strip():
                return f" ({text.strip().splitlines()[0][:200]})"
    return ""


def _display(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


# ---------------------------------------------------------------- places, times, ids


def normalise_server(value: str, option: str) -> str:
    """``https://host[:port]`` from what a user types (``mastodon.social``, ``https://x/``)."""
    v = value.strip().rstrip("/")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", v):
        v = "https://" + v
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise UsageError(
            f"{option} {value!r}: not a server address; give one like https://mastodon.social"
        )
    return f"{parts.scheme}://{parts.netloc}".lower()


def normalise_tag(value: str, option: str = "--tag") -> str:
    tag = value.strip().lstrip("#").lower()
    if not re.fullmatch(r"\w{1,100}", tag):
        raise UsageError(f"{option} {value!r}: a hashtag is letters, digits and _ (e.g. hcldr)")
    return tag


def parse_when(value: str | None, option: str) -> datetime | None:
    """A date (``2024-01-01``, midnight UTC) or an ISO time; ``None`` stays ``None``."""
    if value is None or not value.strip():
        return None
    when = _time(value.strip())
    if when is None:
        raise UsageError(f"{option} {value!r}: not a date; give YYYY-MM-DD or an ISO time")
    return when


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _id_key(status_id: str) -> tuple[int, str]:
    """Order of a server's status ids: snowflakes are digits, ULIDs (GoToSocial) fixed length."""
    return (len(status_id), status_id)


def _link_param(link: str | None, rel: str, name: str) -> str | None:
    """A parameter of the ``Link`` header's URL with relation ``rel`` (Mastodon's paging)."""
    for part in (link or "").split(","):
        m = re.match(r"\s*<([^>]*)>\s*;(.*)", part)
        if m and re.search(rf'rel\s*=\s*"?{rel}"?', m.group(2)):
            values = parse_qs(urlsplit(m.group(1)).query).get(name)
            if values:
                return values[0]
    return None


# ---------------------------------------------------------------- the spool beside the archive


@dataclass
class Cursor:
    newest_id: str | None = None
    newest_at: datetime | None = None


@dataclass
class Page:
    body: bytes  # one line of the spool: the page as sent, less posts outside the time range
    posts: list[dict]  # the posts kept
    newest: Cursor  # the newest kept post
    next: str | None  # where the next page starts (max_id or cursor); None: this was the last


class Spool:
    """The pages of one place's fetch: ``<tag>.partial.jsonl`` while fetching, with
    ``<tag>.state.json`` saying what comes next; ``<tag>-<time>.jsonl.gz`` once complete."""

    def __init__(self, folder: Path, platform: str, server: str, tag: str) -> None:
        host = urlsplit(server).netloc.replace(":", "_")
        self.dir = folder / platform / host
        self.tag = tag
        self.partial = self.dir / f"{tag}.partial.jsonl"
        self.state_path = self.dir / f"{tag}.state.jsonl"
        self._log = None  # the state file, open for appending while a fetch runs

    def state(self) -> dict | None:
        """The last whole state line (one is appended after each page: cheaper than a rewrite,
        and a line a kill cut short is simply not the last whole one)."""
        try:
            lines = self.state_path.read_bytes().splitlines()
        except OSError:
            return None
        for line in reversed(lines):
            try:
                found = json.loads(line)
            except ValueError:
                continue
            if isinstance(found, dict):
                return found
        return None

    def save(self, state: dict) -> None:
        if self._log is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._log = open(self.state_path, "ab")  # noqa: SIM115  (closed by close())
        self._log.write(json.dumps(state).encode() + b"\n")
        self._log.flush()

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def discard(self) -> None:
        self.close()
        for p in (self.partial, self.state_path):
            p.unlink(missing_ok=True)

    def keep_whole_lines(self) -> None:
        """Drop a last line a kill cut short (the page is fetched again)."""
        if not self.partial.exists():
            return
        with open(self.partial, "rb+") as f:
            data = f.read()
            end = data.rfind(b"\n") + 1
            if end != len(data):
                f.truncate(end)

    def finish(self, stamp: str) -> Path:
        """The complete spool as ``<tag>-<stamp>.jsonl.gz`` (written aside, then renamed)."""
        target = self.dir / f"{self.tag}-{stamp}.jsonl.gz"
        tmp = target.with_name(target.name + ".tmp")
        with open(self.partial, "rb") as src, gzip.open(tmp, "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(tmp, target)
        return target


# ---------------------------------------------------------------- Mastodon and Bluesky pages


def _line(raw: bytes, items: list, kept: list, wrap: Callable[[list], object]) -> bytes:
    """The page as the server sent it when every post was kept and it is one line; else re-encoded."""
    if len(kept) == len(items) and b"\n" not in raw.strip():
        return raw.strip()
    return json.dumps(wrap(kept), ensure_ascii=False, separators=(",", ":")).encode()


def mastodon_pages(
    client: Client,
    server: str,
    tag: str,
    since_id: str | None,
    max_id: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Iterator[Page]:
    """The tag timeline from ``max_id`` (None: the newest) down to ``since_id`` or ``since``."""
    url = f"{server}/api/v1/timelines/tag/{quote(tag)}"
    while True:
        params: dict[str, str | int] = {"limit": MASTODON_PAGE}
        if max_id:
            params["max_id"] = max_id
        if since_id:
            params["since_id"] = since_id
        r, data = client.request("GET", url, params)
        if not isinstance(data, list) or not all(
            isinstance(s, dict) and isinstance(s.get("id"), str) for s in data
        ):
            raise FetchError(
                f"{_display(url)}: the answer is not a list of Mastodon statuses; check that "
                f"{server} is a Mastodon server (--instance)"
            )
        kept, older = [], False
        for s in data:
            at = _time(s.get("created_at"))
            if since is not None and at is not None and at < since:
                older = True
            elif until is None or at is None or at < until:
                kept.append(s)
        newest = Cursor()
        if kept:
            top = max(kept, key=lambda s: _id_key(s["id"]))
            newest = Cursor(top["id"], _time(top.get("created_at")))
        nxt = _link_param(r.headers.get("link"), "next", "max_id")
        if nxt is None and data:
            nxt = min((s["id"] for s in data), key=_id_key)
        if not data or older or nxt == max_id:
            nxt = None
        yield Page(_line(r.content, data, kept, lambda x: x), kept, newest, nxt)
        if nxt is None:
            return
        max_id = nxt


def _sort_at(post: dict) -> datetime | None:
    """A Bluesky post's place in a ``sort=latest`` search: the earlier of its two times."""
    record = post.get("record")
    times = [
        t
        for t in (
            _time(record.get("createdAt") if isinstance(record, dict) else None),
            _time(post.get("indexedAt")),
        )  # fmt: skip
        if t is not None
    ]
    return min(times) if times else None


def bluesky_pages(
    client: Client,
    service: str,
    tag: str,
    after: Cursor,
    cursor: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Iterator[Page]:
    """Search results for ``#tag``, newest first, down to the ``after`` cursor or ``since``."""
    url = f"{service}/xrpc/app.bsky.feed.searchPosts"
    lower = max((t for t in (after.newest_at, since) if t is not None), default=None)
    seen: set[str] = set()
    while True:
        params: dict[str, str | int] = {"q": f"#{tag}", "sort": "latest", "limit": BLUESKY_PAGE}
        if lower is not None:
            params["since"] = _iso(lower)
        if until is not None:
            params["until"] = _iso(until)
        if cursor:
            params["cursor"] = cursor
        r, data = client.request("GET", url, params)
        posts = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(posts, list) or not all(
            isinstance(p, dict) and isinstance(p.get("uri"), str) for p in posts
        ):
            raise FetchError(
                f"{_display(url)}: the answer is not a Bluesky search result; check that {service} "
                "is a Bluesky API server (--service)"
            )
        kept, older, fresh = [], False, False
        for p in posts:
            at = _sort_at(p)
            if at is not None and (
                (lower is not None and at < lower)
                or (at == after.newest_at and p["uri"] == after.newest_id)
            ):
                older = older or (lower is not None and at < lower)
                continue
            if until is not None and at is not None and at >= until:
                continue
            kept.append(p)
            fresh = fresh or p["uri"] not in seen
            seen.add(p["uri"])
        newest = Cursor()
        dated = [(t, p["uri"]) for p in kept if (t := _sort_at(p)) is not None]
        if dated:
            at, uri = max(dated)
            newest = Cursor(uri, at)
        nxt = data.get("cursor")
        nxt = nxt if isinstance(nxt, str) and nxt else None
        # a page that brought nothing new, or the same cursor again, would loop for ever
        if not posts or older or nxt == cursor or (kept and not fresh):
            nxt = None
        body = _line(r.content, posts, kept, lambda x, d=data: {**d, "posts": x})
        yield Page(body, kept, newest, nxt)
        if nxt is None:
            return
        cursor = nxt


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bluesky_login(client: Client, service: str, handle: str, password: str) -> dict[str, str]:
    """The Authorization header of a session opened with an app password (kept in memory only)."""
    _, data = client.request(
        "POST",
        f"{service}/xrpc/com.atproto.server.createSession",
        body={"identifier": handle, "password": password},
    )
    token = data.get("accessJwt") if isinstance(data, dict) else None
    if not isinstance(token, str):
        raise FetchError(f"{service}: the login gave no access token; check {HANDLE_ENV}")
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------- one place: fetch, then load


@dataclass
class FetchResult:
    """What fetching one place did (one row of the summary table)."""

    platform: str
    server: str
    tag: str
    chat_id: str
    pages: int = 0
    posts: int = 0  # posts the pages held (a post a page repeats counts again)
    resumed: bool = False
    file: Path | None = None
    loads: list[ingest.FileResult] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return sum(r.inserted for r in self.loads)

    @property
    def duplicates(self) -> int:
        return sum(r.duplicates for r in self.loads)

    @property
    def rejected(self) -> int:
        return sum(r.rejected for r in self.loads)


def read_cursor(
    con: duckdb.DuckDBPyConnection, chat_id: str, platform: str, server: str, tag: str
) -> Cursor:
    row = con.execute(
        """select newest_id, newest_at from fetch_cursors
           where chat_id = $c and platform = $p and instance = $i and tag = $t""",
        {"c": chat_id, "p": platform, "i": server, "t": tag},
    ).fetchone()
    if row is None:
        return Cursor()
    at = row[1].astimezone(UTC) if row[1] is not None else None
    return Cursor(row[0], at)


def _store_cursor(con: duckdb.DuckDBPyConnection, state: dict, result: ingest.FileResult) -> None:
    """Move the place's cursor to the fetch's newest post (inside the file's transaction)."""
    params = {
        "c": state["chat"], "p": state["platform"], "i": state["server"], "t": state["tag"],
        "id": state["newest_id"], "at": state["newest_at"], "s": result.source_id,
        "n": result.inserted,
    }  # fmt: skip
    con.execute(
        """insert into fetch_cursors
               (chat_id, platform, instance, tag, newest_id, newest_at, source_id, fetches, posts, fetched_at)
           values ($c, $p, $i, $t, $id, $at::TIMESTAMPTZ, $s, 1, $n, now())
           on conflict (chat_id, platform, instance, tag) do update set
               newest_id = coalesce(excluded.newest_id, newest_id),
               newest_at = coalesce(excluded.newest_at, newest_at),
               source_id = excluded.source_id, fetches = fetches + 1,
               posts = posts + excluded.posts, fetched_at = excluded.fetched_at""",
        params,
    )


def _load(con: duckdb.DuckDBPyConnection, spool: Spool, state: dict) -> list[ingest.FileResult]:
    path = Path(state["file"])
    results = ingest.load(
        con,
        [path],
        chat=state["chat"],
        format=state["platform"],
        in_transaction=lambda c, r: _store_cursor(c, state, r),
    )
    errors = [r.error for r in results if r.error]
    if errors:
        raise FetchError(
            f"{errors[0]} (fetched into {path}; the archive is unchanged, and the next fetch loads it again)"
        )
    if any(r.skipped for r in results):  # loaded by a run killed before it could tidy up
        results = []
    spool.discard()
    return results


def fetch_place(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    platform: str,
    server: str,
    tag: str,
    chat: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    options: HttpOptions | None = None,
    progress: Progress | None = None,
    token: str | None = None,
    handle: str | None = None,
    password: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Fetch one place's new posts into the spool, then load them with the place's new cursor."""
    chat_id = ingest.normalise_chat(chat)
    result = FetchResult(platform, server, tag, chat_id)
    spool = Spool(folder, platform, server, tag)
    state = spool.state()
    if state and state.get("complete") and Path(state.get("file") or "").exists():
        result.loads += _load(con, spool, state)  # a load killed last time
        state = None
    cursor = read_cursor(con, chat_id, platform, server, tag)
    bounds = {
        "chat": chat_id, "platform": platform, "server": server, "tag": tag,
        "after_id": cursor.newest_id, "after_at": _iso(cursor.newest_at) if cursor.newest_at else None,
        "since": _iso(since) if since else None, "until": _iso(until) if until else None,
    }  # fmt: skip
    if (
        state
        and not state.get("complete")
        and spool.partial.exists()
        and {k: state.get(k) for k in bounds} == bounds
    ):
        spool.keep_whole_lines()
        result.resumed = True
    else:
        spool.discard()
        state = {**bounds, "next": None, "newest_id": None, "newest_at": None, "pages": 0,
                 "posts": 0, "done": False, "complete": False, "file": None}  # fmt: skip
    result.pages, result.posts = state["pages"], state["posts"]
    label = f"{platform} {urlsplit(server).netloc} #{tag}"
    if progress:
        progress(label, result.posts)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if platform == "mastodon":
        address = f"that --instance {server} is a Mastodon server and --tag {tag} is right"
        login = (
            f"the access token in {TOKEN_ENV} was refused; put a valid one there"
            if token
            else f"this server wants a login: put an access token in {TOKEN_ENV} and run again"
        )
    else:
        address = f"that --service {server} is a Bluesky API server"
        login = (
            f"the login as {handle} was refused; check {PASSWORD_ENV} holds an app password of it"
            if handle
            else f"this service wants a login: give --handle and put an app password in "
            f"{PASSWORD_ENV}, or use --service {BLUESKY_SERVICE}"
        )
    with Client(options or HttpOptions.from_env(), address, login, headers, sleep) as client:
        if platform == "mastodon":
            pages = mastodon_pages(
                client, server, tag, cursor.newest_id, state["next"], since, until
            )
        else:
            if handle and password:
                client.http.headers.update(bluesky_login(client, server, handle, password))
            pages = bluesky_pages(client, server, tag, cursor, state["next"], since, until)
        spool.dir.mkdir(parents=True, exist_ok=True)
        with open(spool.partial, "ab") as out, contextlib.closing(spool):
            for page in [] if state["done"] else pages:
                if page.posts:
                    out.write(page.body + b"\n")
                    out.flush()  # a kill keeps every whole line written
                newest = Cursor(state["newest_id"], _time(state["newest_at"]))
                if page.newest.newest_id and _newer(platform, page.newest, newest):
                    state["newest_id"] = page.newest.newest_id
                    at = page.newest.newest_at
                    state["newest_at"] = _iso(at) if at else None
                state["next"] = page.next
                state["done"] = page.next is None
                state["pages"] += 1
                state["posts"] += len(page.posts)
                spool.save(state)
                result.pages, result.posts = state["pages"], state["posts"]
                if progress:
                    progress(label, result.posts)
    if state["posts"] == 0:
        spool.discard()
        return result
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    state["file"] = str(spool.finish(stamp))
    state["complete"] = True
    spool.save(state)
    spool.close()
    spool.partial.unlink(missing_ok=True)
    result.file = Path(state["file"])
    result.loads += _load(con, spool, state)
    return result


def _newer(platform: str, a: Cursor, b: Cursor) -> bool:
    if b.newest_id is None:
        return True
    if platform == "mastodon":
        return _id_key(a.newest_id or "") > _id_key(b.newest_id)
    return (a.newest_at or datetime.min.replace(tzinfo=UTC)) > (
        b.newest_at or datetime.min.replace(tzinfo=UTC)
    )


# ---------------------------------------------------------------- where a chat lives


@dataclass
class Places:
    """Where ``fetch --chat`` reads a chat from (``chats`` columns set by ``chats set``)."""

    chat_id: str
    mastodon_instances: list[str]
    mastodon_tag: str
    bluesky_tag: str | None
    bluesky_service: str


def places(con: duckdb.DuckDBPyConnection, chat: str | None) -> Places:
    from chatgraph.chats import resolve

    chat_id = resolve(con, chat)
    row = con.execute(
        """select coalesce(mastodon_instances, []), coalesce(mastodon_tag, hashtag, chat_id),
                  bluesky_tag, coalesce(bluesky_service, $svc)
           from chats where chat_id = $c""",
        {"c": chat_id, "svc": BLUESKY_SERVICE},
    ).fetchone()
    found = Places(chat_id, list(row[0]), row[1], row[2], row[3])
    if not found.mastodon_instances and not found.bluesky_tag:
        raise UsageError(
            f"chat {chat_id} has no places to fetch from; say where it lives, e.g. chatgraph chats "
            f"set {chat_id} --mastodon-instance https://mastodon.social --bluesky-tag {chat_id}"
        )
    return found


def set_places(
    *,
    mastodon_instances: list[str] | None = None,
    mastodon_tag: str | None = None,
    bluesky_tag: str | None = None,
    bluesky_service: str | None = None,
) -> dict[str, object]:
    """The ``chats`` columns for the places given (``""`` unsets one), checked, not yet written."""
    changes: dict[str, object] = {}
    if mastodon_instances is not None:
        given = [v for item in mastodon_instances for v in item.split(",") if v.strip()]
        servers = [normalise_server(v, "--mastodon-instance") for v in given]
        changes["mastodon_instances"] = list(dict.fromkeys(servers)) or None
    if mastodon_tag is not None:
        changes["mastodon_tag"] = (
            normalise_tag(mastodon_tag, "--mastodon-tag") if mastodon_tag.strip() else None
        )
    if bluesky_tag is not None:
        changes["bluesky_tag"] = (
            normalise_tag(bluesky_tag, "--bluesky-tag") if bluesky_tag.strip() else None
        )
    if bluesky_service is not None:
        changes["bluesky_service"] = (
            normalise_server(bluesky_service, "--bluesky-service")
            if bluesky_service.strip()
            else None
        )
    return changes


@dataclass
class Job:
    """One place to fetch: a platform's server, a hashtag there, and the chat it feeds."""

    platform: str
    server: str
    tag: str
    chat: str
    # Mastodon access token, Bluesky login: from the environment, never stored nor shown
    token: str | None = field(default=None, repr=False)
    handle: str | None = None
    password: str | None = field(default=None, repr=False)

    def run(self, con: duckdb.DuckDBPyConnection, folder: Path, **kw: object) -> FetchResult:
        return fetch_place(con, folder, self.platform, self.server, self.tag, self.chat,
                           token=self.token, handle=self.handle, password=self.password,
                           **kw)  # type: ignore[arg-type]  # fmt: skip


def mastodon_jobs(instances: list[str], tag: str, chat: str | None) -> list[Job]:
    """One job per server (``--instance`` repeated or comma-separated), in the order given."""
    tag = normalise_tag(tag)
    given = [v for item in instances for v in item.split(",") if v.strip()]
    if not given:
        raise UsageError("fetch mastodon: give --instance, e.g. --instance https://mastodon.social")
    servers = list(dict.fromkeys(normalise_server(v, "--instance") for v in given))
    token = os.environ.get(TOKEN_ENV) or None
    return [
        Job("mastodon", s, tag, ingest.normalise_chat(chat or tag), token=token) for s in servers
    ]


def bluesky_job(tag: str, service: str, chat: str | None, handle: str | None) -> Job:
    tag = normalise_tag(tag)
    handle, password = bluesky_credentials(handle)
    return Job("bluesky", normalise_server(service, "--service"), tag,
               ingest.normalise_chat(chat or tag), handle=handle, password=password)  # fmt: skip


def chat_jobs(
    con: duckdb.DuckDBPyConnection, chat: str | None, handle: str | None = None
) -> list[Job]:
    """The weekly routine's jobs: every place the chat lives (``chats set``)."""
    where = places(con, chat)
    jobs = (
        mastodon_jobs(where.mastodon_instances, where.mastodon_tag, where.chat_id)
        if where.mastodon_instances
        else []
    )
    if where.bluesky_tag:
        jobs.append(bluesky_job(where.bluesky_tag, where.bluesky_service, where.chat_id, handle))
    return jobs


def fetch_chat(
    con: duckdb.DuckDBPyConnection, folder: Path, chat: str | None, **kw: object
) -> list[FetchResult]:
    """Fetch every place the chat lives, each from its cursor (the Python API's weekly routine)."""
    return [job.run(con, folder, **kw) for job in chat_jobs(con, chat)]


def bluesky_credentials(handle: str | None) -> tuple[str | None, str | None]:
    """The handle (option, else environment) and app password (environment only), or neither."""
    handle = handle or os.environ.get(HANDLE_ENV) or None
    password = os.environ.get(PASSWORD_ENV) or None
    if handle and not password:
        raise UsageError(
            f"--handle {handle}: set the app password in the environment variable {PASSWORD_ENV} "
            "(it is never taken on the command line nor stored)"
        )
    return (handle, password) if handle else (None, None)


def default_folder(db_path: Path | str) -> Path:
    """Where an archive's fetched pages are kept: ``<archive>-fetched/`` beside it."""
    p = Path(db_path)
    return p.with_name(p.stem + "-fetched")
