"""A Mastodon and Bluesky API on 127.0.0.1 for fetch's tests and bench: it replays posts built from
the real responses in ../shared/realdata (their fields and shapes; only ids, times, authors and the
hashtag are varied), pages them as the servers do, and misbehaves on cue (429, 5xx, cut bodies,
repeated posts, slow answers)."""

from __future__ import annotations

import bisect
import copy
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

START = datetime(2024, 1, 2, 1, 30, tzinfo=UTC)  # a Tuesday 8:30pm in New York


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _snowflake(t: datetime, seq: int) -> str:
    """A Mastodon status id: milliseconds since the epoch, shifted, plus a per-server sequence."""
    return str((int(t.timestamp() * 1000) << 16) + seq)


def mastodon_statuses(
    realdata: Path, n: int, *, start: datetime = START, tag: str = "hcldr", first: int = 0
) -> list[dict]:
    """``n`` statuses (oldest first), each a real Status with its identity, time and hashtag varied.

    ``id`` is left out: each replaying server gives its own (``Replay.add_statuses``); ``uri`` is
    the same everywhere, as on real instances.
    """
    templates = json.loads((realdata / "mastodon" / "timelines_tag_hoot.json").read_text())
    templates += [
        s for s in json.loads((realdata / "mastodon" / "public_timeline.json").read_text())
        if not s.get("reblog")
    ]  # fmt: skip
    out = []
    for k in range(first, first + n):
        s = copy.deepcopy(templates[k % len(templates)])
        user = f"member{k % 17}"
        created = start + timedelta(seconds=20 * k)
        s["created_at"] = _iso(created)
        s["uri"] = f"https://chat.example/users/{user}/statuses/{k + 1}"
        s["url"] = f"https://chat.example/@{user}/{k + 1}"
        s["in_reply_to_id"] = s["in_reply_to_account_id"] = None
        s["account"] = {**s["account"], "id": str(1000 + k % 17), "username": user,
                        "acct": f"{user}@chat.example", "display_name": f"Member {k % 17}",
                        "url": f"https://chat.example/@{user}",
                        "uri": f"https://chat.example/users/{user}"}  # fmt: skip
        s["mentions"] = []
        s["content"] = (
            f"<p>A{k % 4 + 1} answer number {k} "
            f'<a href="https://chat.example/tags/{tag}" class="mention hashtag" rel="tag">#<span>{tag}</span></a></p>'
        )
        s["tags"] = [{"name": tag, "url": f"https://chat.example/tags/{tag}"}]
        s.pop("id", None)
        s["_at"] = created
        out.append(s)
    return out


def bluesky_posts(
    realdata: Path, n: int, *, start: datetime = START, tag: str = "hcldr", first: int = 0
) -> list[dict]:
    """``n`` PostViews (oldest first) from the real getPosts / getQuotes answers, varied likewise."""
    templates = json.loads((realdata / "bluesky" / "getPosts.json").read_text())["posts"]
    templates += json.loads((realdata / "bluesky" / "getQuotes.json").read_text())["posts"]
    out = []
    for k in range(first, first + n):
        p = copy.deepcopy(templates[k % len(templates)])
        did = f"did:plc:member{k % 13:04d}"
        created = start + timedelta(seconds=20 * k)
        text = f"A{k % 4 + 1} answer number {k} #{tag}"
        start_byte = len(text.encode()) - len(tag) - 1
        p["uri"] = f"at://{did}/app.bsky.feed.post/3kchat{k:08d}"
        p["author"] = {**p["author"], "did": did, "handle": f"member{k % 13}.bsky.social",
                       "displayName": f"Member {k % 13}"}  # fmt: skip
        record = p["record"]
        record.pop("reply", None)
        record.update(
            text=text,
            createdAt=_iso(created),
            facets=[{"index": {"byteStart": start_byte, "byteEnd": len(text.encode())},
                     "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}],
        )  # fmt: skip
        p["indexedAt"] = _iso(created + timedelta(seconds=1))
        p["_at"] = created
        out.append(p)
    return out


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client killed mid-answer (the tests do that on purpose) is no news


class Replay:
    """The server: ``url`` while running; ``requests`` logs (route, params) of every request."""

    def __init__(self) -> None:
        self.statuses: list[dict] = []  # newest first, each with this server's own id
        self.posts: list[dict] = []  # newest first
        self.faults: dict[tuple[str, int], dict] = {}  # (route, nth request from 1) -> misbehaviour
        self.requests: list[tuple[str, dict]] = []
        self.counts: dict[str, int] = {}
        self.token: str | None = None  # a Bearer token the API wants (None: open)
        self.login: tuple[str, str] | None = None  # (handle, app password) createSession accepts
        self.ratelimit_remaining = 299
        self.lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[list, list[bytes], list[dict]]] = {}
        self.closing = threading.Event()  # wakes a slow answer when the server stops
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_statuses(self, statuses: list[dict], seq: int = 7) -> None:
        """Serve these statuses too, with ids of this server (``seq`` makes them differ by server)."""
        with self.lock:
            for s in statuses:
                served = {k: v for k, v in s.items() if k != "_at"}
                served["id"] = _snowflake(s["_at"], seq)
                self.statuses.append(served)
            self.statuses.sort(key=lambda s: int(s["id"]), reverse=True)
            self._cache.clear()

    def add_posts(self, posts: list[dict]) -> None:
        with self.lock:
            self.posts.extend(posts)
            self.posts.sort(key=lambda p: p["_at"], reverse=True)
            self._cache.clear()

    def fault(self, route: str, nth: int, **how: object) -> None:
        """Misbehave on the ``nth`` request to ``route`` (``mastodon`` or ``bluesky``): ``status``
        (with ``headers``), ``cut`` (half the body, then close), ``repeat`` (start N posts early),
        ``sleep`` (seconds before answering)."""
        self.faults[(route, nth)] = how

    def of(self, route: str) -> list[dict]:
        return [params for r, params in self.requests if r == route]

    # ------------------------------------------------------------ the handler

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, as from a real server

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                replay._serve(self, "GET")

            def do_POST(self) -> None:
                replay._serve(self, "POST")

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/api/v1/timelines/tag/"):
            route = "mastodon"
        elif parts.path == "/xrpc/app.bsky.feed.searchPosts":
            route = "bluesky"
        elif parts.path == "/xrpc/com.atproto.server.createSession" and method == "POST":
            body = json.loads(h.rfile.read(int(h.headers.get("Content-Length") or 0)) or b"{}")
            with self.lock:
                self.requests.append(("login", {"identifier": body.get("identifier")}))
            if self.login and (body.get("identifier"), body.get("password")) == self.login:
                return self._send(h, 200, {"accessJwt": "jwt-for-tests", "did": "did:plc:mod"})
            return self._send(
                h,
                401,
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
            )
        else:
            return self._send(h, 404, {"error": "Record not found"})
        with self.lock:
            self.counts[route] = n = self.counts.get(route, 0) + 1
            self.requests.append((route, params))
            fault = self.faults.get((route, n), {})
        if fault.get("sleep") and self.closing.wait(float(fault["sleep"])):
            return  # stopped meanwhile: the client is long gone
        if self.token and h.headers.get("Authorization") != f"Bearer {self.token}":
            message = {"error": "This method requires an authenticated user"}
            return self._send(h, 401 if route == "mastodon" else 403, message)
        if "status" in fault:
            body = fault.get("body", {"error": "Slow down"})
            return self._send(h, int(fault["status"]), body, fault.get("headers"))
        if route == "mastodon":
            tag = parts.path.rsplit("/", 1)[-1].lower()
            body, headers = self._timeline(tag, params, int(fault.get("repeat", 0)))
        else:
            body, headers = self._search(params, int(fault.get("repeat", 0)))
        return self._send(h, 200, body, headers, cut=bool(fault.get("cut")))

    def _index(self, kind: str, tag: str) -> tuple[list, list[bytes]]:
        """Sort keys (ascending: newest first) and encoded items of one tag's posts, kept until
        posts are added, so that a page costs what it would on a real server, not a scan."""
        key = (kind, tag)
        with self.lock:
            if key not in self._cache:
                if kind == "mastodon":
                    rows = [x for x in self.statuses if any(t["name"] == tag for t in x["tags"])]
                    keys = [-int(x["id"]) for x in rows]
                else:
                    rows = [x for x in self.posts if f"#{tag}" in x["record"]["text"].lower()]
                    keys = [-x["_at"].timestamp() for x in rows]
                encoded = [json.dumps({k: v for k, v in x.items() if k != "_at"}).encode()
                           for x in rows]  # fmt: skip
                self._cache[key] = (keys, encoded, rows)
            return self._cache[key][:2]

    def _timeline(self, tag: str, params: dict, repeat: int) -> tuple[bytes, dict]:
        limit = min(int(params.get("limit", 20)), 40)
        keys, encoded = self._index("mastodon", tag)
        start = bisect.bisect_right(keys, -int(params["max_id"])) if "max_id" in params else 0
        end = (
            bisect.bisect_left(keys, -int(params["since_id"]))
            if "since_id" in params
            else len(keys)
        )
        first = max(0, start - repeat)
        last = min(start + limit, end)
        page = encoded[first:last] if first < last else []
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(self.ratelimit_remaining),
                   "X-RateLimit-Reset": _iso(datetime.now(UTC) + timedelta(seconds=1))}  # fmt: skip
        if page:
            base = f"{self.url}/api/v1/timelines/tag/{tag}"
            headers["Link"] = (
                f'<{base}?limit={limit}&max_id={-keys[last - 1]}>; rel="next", '
                f'<{base}?limit={limit}&min_id={-keys[first]}>; rel="prev"'
            )
        return b"[" + b",".join(page) + b"]", headers

    def _search(self, params: dict, repeat: int) -> tuple[bytes, dict]:
        limit = min(int(params.get("limit", 25)), 100)
        keys, encoded = self._index("bluesky", params.get("q", "").lstrip("#").lower())
        lo, hi = 0, len(keys)
        if "until" in params:  # posts before it: keys above -until
            lo = bisect.bisect_right(keys, -datetime.fromisoformat(params["until"]).timestamp())
        if "since" in params:  # posts from it on: keys up to -since
            hi = bisect.bisect_right(keys, -datetime.fromisoformat(params["since"]).timestamp())
        matching = encoded[lo:hi]
        offset = max(0, int(params.get("cursor", 0)) - repeat)
        page = matching[offset : offset + limit]
        tail = f',"hitsTotal":{len(matching)}'
        if offset + limit < len(matching):
            tail += f',"cursor":"{offset + limit}"'
        return b'{"posts":[' + b",".join(page) + b"]" + tail.encode() + b"}", {}

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        body: object,
        headers: dict | None = None,
        cut: bool = False,
    ) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if cut:
            h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(data[: len(data) // 2] if cut else data)
        h.wfile.flush()
        if cut:
            h.close_connection = True
