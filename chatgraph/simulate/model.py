"""The chat model: accounts, sittings, questions, answers, replies, retweets, quotes, and their truth."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from chatgraph.simulate import text as T

PRE_CHAT = timedelta(minutes=8)  # chatter may start this long before the scheduled start
STRAGGLE = timedelta(minutes=8)  # replies and retweets may run this long past the scheduled end
TWITTER_EPOCH_MS = 1288834974657
MIN_ATTENDANCE = 3  # members (besides the host) at every weekly sitting
PLATFORMS = ("twitter", "mastodon", "bluesky")


@dataclass(frozen=True)
class ChatSpec:
    """Configuration of one simulated chat.

    ``kind`` is ``"weekly"`` (a tweetchat on ``weekday`` at local ``start`` for ``duration_minutes``,
    between ``start_date`` and ``end_date``, skipping a share of weeks and the year-end holidays) or
    ``"conference"`` (``meetings``: (first day, number of days); posts all day, no questions).
    ``hosts[0]`` posts the questions, or ``hosts[1]`` in a ``cohost_share`` of sittings (the others
    take part as members do). ``platform`` decides handles, ids and which formats can be written (``twitter``, ``mastodon``,
    ``bluesky``; Bluesky searches never hold reposts, so a Bluesky chat has none).
    The community: ``core_size`` regulars from the start (a ``regular_share`` of newcomers become
    regulars for a while, the rest come a few times); newcomers per session rise from
    ``newcomers_start`` to ``newcomers_peak`` in ``peak_year`` and then shrink by ``decline`` a year.
    ``scale`` multiplies the community (and so the posts) for benchmarks.
    ``co_hashtags``: a ``co_hashtag_share`` of the posts that carry the chat's hashtag (retweets aside:
    theirs is the original's text) also carry one or two of these, after the chat's own (``#HCLDR
    #hcsm``). They are drawn from the wording stream once everything else is made, so they change no
    session, interaction, account or id.
    """

    hashtag: str = "HCLDR"
    hosts: tuple[str, ...] = ("HCLDRchat", "ColinHung")
    timezone: str = "America/New_York"
    weekday: int = 1  # Monday = 0
    start: str = "20:30"
    duration_minutes: int = 60
    question_prefix: str = "T"
    questions: int = 4
    five_questions_share: float = 0.1
    cohost_share: float = 0.0  # share of sittings the second host runs (posts the questions)
    addressed_share: float = 0.15  # Twitter: chance per question of an @-addressed post (no parent)
    start_date: date = date(2016, 1, 1)
    end_date: date = date(2023, 10, 31)
    skip_share: float = 0.12
    platform: str = "twitter"
    kind: str = "weekly"
    meetings: tuple[tuple[date, int], ...] = ()
    core_size: int = 6
    regular_share: float = 0.1  # newcomers who become regulars for a year or three
    newcomers_start: float = 1.2
    newcomers_peak: float = 2.4
    peak_year: int = 2019
    decline: float = 0.55
    scale: float = 1.0
    lone_posts: bool = True
    instance: str = "mastodon.social"  # Mastodon: the instance the export was fetched from
    co_hashtags: tuple[str, ...] = T.HEALTH_CO_TAGS  # other hashtags posts carry, most used first
    co_hashtag_share: float = 0.12  # share of the chat's own tagged posts that carry one or two

    @property
    def chat_id(self) -> str:
        return self.hashtag.lower()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start_time(self) -> time:
        h, m = self.start.split(":")
        return time(int(h), int(m))


@dataclass
class Account:
    """A simulated account. ``handle`` is as the platform shows it: Twitter screen name, Mastodon
    absolute acct (``name@instance``), Bluesky handle (``name.bsky.social``). ``account_id`` is the
    identity the archive keeps: Twitter user id, Mastodon acct lower-cased, Bluesky DID."""

    account_id: str
    handle: str
    name: str
    created_at: datetime
    local_id: str = ""  # Mastodon: the numeric account id on the instance the export came from
    role: str = "member"  # host, core, member, external
    attend: float = 0.0
    leaves_at: int = 10**9  # index of the first session the account no longer comes to
    followers: int = 0
    location: str = ""
    description: str = ""

    @cached_property
    def key(self) -> str:
        """The handle lower-cased: how the truth names accounts."""
        return self.handle.lower()

    @property
    def username(self) -> str:
        """Mastodon username (the acct before ``@``); the handle elsewhere."""
        return self.handle.split("@")[0]

    @property
    def instance(self) -> str:
        return self.handle.split("@")[1] if "@" in self.handle else ""


@dataclass
class Post:
    """One post with canonical fields (as the archive should store it) and its truth.

    ``parts`` is the text as segments (``("text", s)``, ``("mention", Account)``, ``("tag", s)``,
    ``("link", url)``) that each writer renders in its platform's way; ``text`` is the plain rendering.
    For a retweet ``text``, ``mentions`` and ``hashtags`` are the original's (as DESIGN.md stores them).
    """

    post_id: str
    platform: str
    created_at: datetime
    author: Account
    parts: list[tuple[str, object]]
    kind: str  # question, answer, reply, retweet, quote, chatter, welcome, closing, promo, lone
    reply_to: Post | None = None
    addressed_to: Account | None = None  # @-addressed to an account without a parent post (Twitter)
    retweet_of: Post | None = None
    quote_of: Post | None = None
    answer_tag: int | None = None  # the number of an explicit answer tag at the start
    question_number: int | None = None  # set on question posts
    truth_session: str | None = None
    truth_question: int | None = None
    truth_method: str | None = None
    truth_is_question: bool = False
    native: dict[str, str] = field(default_factory=dict)  # platform ids (Mastodon local id, cid)

    @property
    def author_id(self) -> str:
        return self.author.account_id

    @property
    def author_handle(self) -> str:
        return self.author.handle

    @property
    def author_name(self) -> str:
        return self.author.name

    @property
    def is_retweet(self) -> bool:
        return self.retweet_of is not None

    @property
    def own_parts(self) -> list[tuple[str, object]]:
        return self.retweet_of.parts if self.retweet_of else self.parts

    @property
    def text(self) -> str:
        return T.plain(self.own_parts, self.platform)

    @property
    def mentions(self) -> list[tuple[str, str]]:
        """(account id, handle) of each distinct account @-mentioned in the text, in order."""
        seen: dict[str, Account] = {}
        for kind, value in self.own_parts:
            if kind == "mention":
                seen.setdefault(value.key, value)  # type: ignore[union-attr]
        return [(a.account_id, a.handle) for a in seen.values()]

    @property
    def mentioned(self) -> list[Account]:
        seen: dict[str, Account] = {}
        for kind, value in self.own_parts:
            if kind == "mention":
                seen.setdefault(value.key, value)  # type: ignore[union-attr]
        return list(seen.values())

    @property
    def hashtags(self) -> list[str]:
        return [str(v) for k, v in self.own_parts if k == "tag"]

    @property
    def has_hashtag(self) -> bool:
        return bool(self.hashtags)

    @property
    def reply_to_post_id(self) -> str | None:
        return self.reply_to.post_id if self.reply_to else None

    @property
    def reply_to_author(self) -> Account | None:
        """The account replied to: the parent's author, or the account a post is @-addressed to."""
        return self.reply_to.author if self.reply_to else self.addressed_to

    @property
    def reply_to_author_id(self) -> str | None:
        return self.reply_to_author.account_id if self.reply_to_author else None

    @property
    def reply_to_handle(self) -> str | None:
        return self.reply_to_author.handle if self.reply_to_author else None

    @property
    def retweet_of_post_id(self) -> str | None:
        return self.retweet_of.post_id if self.retweet_of else None

    @property
    def quote_of_post_id(self) -> str | None:
        return self.quote_of.post_id if self.quote_of else None

    @property
    def conversation_id(self) -> str:
        root = self
        while root.reply_to is not None:
            root = root.reply_to
        return root.post_id

    def as_dict(self) -> dict[str, object]:
        """The canonical fields and the truth as plain values."""
        return {
            "post_id": self.post_id,
            "platform": self.platform,
            "created_at": self.created_at,
            "author_id": self.author_id,
            "author_handle": self.author_handle,
            "author_name": self.author_name,
            "text": self.text,
            "reply_to_post_id": self.reply_to_post_id,
            "reply_to_author_id": self.reply_to_author_id,
            "reply_to_handle": self.reply_to_handle,
            "retweet_of_post_id": self.retweet_of_post_id,
            "quote_of_post_id": self.quote_of_post_id,
            "conversation_id": self.conversation_id,
            "mentions": self.mentions,
            "hashtags": self.hashtags,
            "is_retweet": self.is_retweet,
            "has_hashtag": self.has_hashtag,
            "truth_session": self.truth_session,
            "truth_question": self.truth_question,
            "truth_method": self.truth_method,
            "truth_is_question": self.truth_is_question,
        }


@dataclass
class Session:
    """One sitting: its scheduled window (UTC), local date, host and questions (number, post id, time)."""

    key: str
    chat_id: str
    local_date: date
    starts_at: datetime
    ends_at: datetime
    host: str | None = None
    questions: list[tuple[int, str, datetime]] = field(default_factory=list)
    posts: int = 0
    participants: int = 0


@dataclass
class SimulatedChat:
    """A generated chat: its spec and seed, accounts, posts in time order, sessions and truth."""

    spec: ChatSpec
    seed: int
    accounts: list[Account]
    posts: list[Post]
    sessions: list[Session]
    interactions: set[tuple[str, str, str, str]]
    new_connections_by_year: dict[int, set[tuple[str, str]]]
    # account key -> the key of the same person's account in the chat they moved from
    moved: dict[str, str] = field(default_factory=dict)

    @cached_property
    def by_id(self) -> dict[str, Post]:
        """Posts by ``post_id`` (built once)."""
        return {p.post_id: p for p in self.posts}

    def local_year(self, post: Post) -> int:
        return post.created_at.astimezone(self.spec.zone).year

    def between(self, first: date, last: date) -> list[Post]:
        """Posts whose local date lies in [first, last]."""
        zone = self.spec.zone
        return [p for p in self.posts if first <= p.created_at.astimezone(zone).date() <= last]

    def participants(self, active_only: bool = False) -> dict[str, set[str]]:
        """Session key -> lower-cased handles of its participants (``active_only``: wrote at least
        one post that is not a retweet)."""
        out: dict[str, set[str]] = {s.key: set() for s in self.sessions}
        for p in self.posts:
            if p.truth_session is not None and not (active_only and p.is_retweet):
                out[p.truth_session].add(p.author.key)
        return out

    def newcomers(self, active_only: bool = False) -> dict[str, set[str]]:
        """Session key -> the participants for whom it is their first session of the chat."""
        seen: set[str] = set()
        out: dict[str, set[str]] = {}
        by_session = self.participants(active_only)
        for s in sorted(self.sessions, key=lambda s: s.starts_at):
            out[s.key] = by_session[s.key] - seen
            seen |= by_session[s.key]
        return out

    def newcomers_by_year(self, active_only: bool = False) -> dict[int, set[str]]:
        """Local year -> accounts whose first session of the chat falls in it."""
        out: dict[int, set[str]] = {}
        dates = {s.key: s.local_date for s in self.sessions}
        for key, people in self.newcomers(active_only).items():
            out.setdefault(dates[key].year, set()).update(people)
        return dict(sorted(out.items()))

    def connections(self) -> dict[tuple[str, str], datetime]:
        """Every connection (lower-cased pair, a < b) with the time of its first reply/mention/quote."""
        times = {p.post_id: p.created_at for p in self.posts}
        first: dict[tuple[str, str], datetime] = {}
        for post_id, kind, a, b in self.interactions:
            if kind == "retweet" or a == b:
                continue
            pair = (a, b) if a < b else (b, a)
            t = times[post_id]
            if pair not in first or t < first[pair]:
                first[pair] = t
        return first


# --------------------------------------------------------------------------------------------------
# ids


class _Ids:
    """Unique, time-ordered native ids: Twitter snowflakes, Mastodon ids, Bluesky TIDs."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def snowflake(self, when: datetime) -> str:
        ms = int(when.timestamp() * 1000) + self.rng.randrange(1000 if when.microsecond == 0 else 1)
        while True:
            value = ((ms - TWITTER_EPOCH_MS) << 22) | (self.rng.randrange(32) << 17)
            value |= self.rng.randrange(1 << 12)
            s = str(value)
            if s not in self.used:
                self.used.add(s)
                return s

    def mastodon(self, when: datetime) -> str:
        ms = int(when.timestamp() * 1000)
        while True:
            s = str((ms << 16) | self.rng.randrange(1 << 16))
            if s not in self.used:
                self.used.add(s)
                return s

    def tid(self, when: datetime) -> str:
        alphabet = "234567abcdefghijklmnopqrstuvwxyz"
        us = int(when.timestamp() * 1_000_000)
        while True:
            value = (us << 10) | self.rng.randrange(1 << 10)
            chars = []
            for _ in range(13):
                chars.append(alphabet[value & 31])
                value >>= 5
            s = "".join(reversed(chars))
            if s not in self.used:
                self.used.add(s)
                return s

    def account(self, platform: str, created: datetime) -> str:
        while True:
            if platform == "twitter":
                # old accounts have short ids, accounts after 2015 have snowflake ids (> 2**53)
                if created.year < 2015:
                    s = str(self.rng.randrange(10**7, 3 * 10**9))
                else:
                    s = str(
                        (int(created.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22
                        | self.rng.randrange(1 << 22)
                    )
            elif platform == "mastodon":
                s = str((int(created.timestamp() * 1000) << 16) | self.rng.randrange(1 << 16))
            else:
                alphabet = "abcdefghijklmnopqrstuvwxyz234567"
                s = "did:plc:" + "".join(self.rng.choice(alphabet) for _ in range(24))
            if s not in self.used:
                self.used.add(s)
                return s


# --------------------------------------------------------------------------------------------------
# generation


class _Generator:
    def __init__(
        self,
        spec: ChatSpec,
        seed: int,
        community: SimulatedChat | None,
        moved_from: SimulatedChat | None = None,
        move_share: float = 0.6,
    ):
        if spec.platform not in PLATFORMS:
            raise ValueError(
                f"platform must be one of {', '.join(PLATFORMS)}, not {spec.platform!r}"
            )
        if spec.kind not in ("weekly", "conference"):
            raise ValueError(f"kind must be 'weekly' or 'conference', not {spec.kind!r}")
        if community is not None and community.spec.platform != spec.platform:
            raise ValueError(
                f"a {spec.platform} chat cannot share members with a {community.spec.platform} chat"
            )
        if spec.kind == "weekly" and not spec.hosts:
            raise ValueError("a weekly chat needs a host (ChatSpec.hosts)")
        if spec.kind == "conference" and not spec.meetings:
            raise ValueError("a conference chat needs its meetings (ChatSpec.meetings)")
        self.spec = spec
        self.seed = seed
        # Three streams drawn from one seed: what happens (who comes, who answers, when, to whom),
        # the words, and the ids. Rewording a template then leaves the chat's structure as it was.
        self.rng = random.Random(seed)
        self.trng = random.Random(self.rng.getrandbits(64))
        self.ids = _Ids(random.Random(self.rng.getrandbits(64)))
        self.zone = spec.zone
        self.accounts: list[Account] = []
        self.handles: set[str] = set()
        self.posts: list[Post] = []
        self.sessions: list[Session] = []
        self.members: list[Account] = []  # accounts that take part (not external)
        self.community = community
        self.borrowed: set[str] = set()
        # Movers: members of an earlier chat who come here under a new account. Their draws come
        # from a stream of their own, so a chat without ``moved_from`` is made exactly as before.
        self.moved_from = moved_from
        self.move_share = move_share
        self.mrng = random.Random(seed ^ 0x6D6F7665) if moved_from else None
        self.moved: dict[str, str] = {}
        self.announces: dict[str, str] = {}  # mover's key -> their old handle, until announced
        self.externals = [
            self.new_account(datetime(2010, 1, 1, tzinfo=UTC), "external") for _ in range(6)
        ]

    # accounts -------------------------------------------------------------------------------------

    def new_account(self, created: datetime, role: str, handle: str | None = None) -> Account:
        rng, platform = self.trng, self.spec.platform
        while True:
            name = T.person_name(self.trng) if role != "external" else T.organisation(self.trng)
            if handle is not None:
                name = T.name_from_handle(handle, self.spec.hashtag)
            base = handle or (name if role == "external" else T.handle_for(name, rng))
            if platform == "mastodon":
                instance = self.spec.instance if rng.random() < 0.6 else rng.choice(T.INSTANCES)
                h = base if "@" in base else f"{base}@{instance}"
            elif platform == "bluesky":
                h = base if "." in base else f"{base.lower().replace('_', '-')}.bsky.social"
            else:
                h = base[:15]
            if h.lower() not in self.handles:
                break
            handle = None
        self.handles.add(h.lower())
        native_id = self.ids.account(
            platform, created - timedelta(days=self.ids.rng.randrange(30, 3000))
        )
        acct = Account(
            # Mastodon account ids are instance-local: the archive knows an account by its
            # absolute acct, lower-cased; the export's numeric id is kept as ``local_id``
            account_id=h.lower() if platform == "mastodon" else native_id,
            local_id=native_id,
            handle=h,
            name=name,
            created_at=created
            - timedelta(days=rng.randrange(30, 3000), seconds=rng.randrange(86400)),
            role=role,
            followers=int(rng.lognormvariate(6, 1.2)),
            location=rng.choice(T.LOCATIONS),
            description=T.bio(self.trng),
        )
        self.accounts.append(acct)
        return acct

    def borrow(self, created: datetime) -> Account | None:
        """An account of the community chat (same id and handle), to show overlap between chats."""
        if not self.community:
            return None
        pool = [
            a
            for a in self.community.accounts
            if a.role != "external" and a.key not in self.borrowed and a.key not in self.handles
        ]
        if not pool:
            return None
        src = self.rng.choice(pool)
        self.borrowed.add(src.key)
        self.handles.add(src.key)
        acct = Account(
            account_id=src.account_id,
            local_id=src.local_id,
            handle=src.handle,
            name=src.name,
            created_at=src.created_at,
            role="member",
            followers=src.followers,
            location=src.location,
            description=src.description,
        )
        self.accounts.append(acct)
        return acct

    def mover(self, created: datetime, role: str) -> Account | None:
        """A member of ``moved_from`` who comes here under a new account. Most keep their name
        (some drop what follows a comma, some shorten it), many keep their handle's name, and some
        say in their first introduction where they came from: the evidence real movers leave."""
        assert self.moved_from is not None and self.mrng is not None
        mrng = self.mrng
        taken = set(self.moved.values())
        pool = [
            a
            for a in self.moved_from.accounts
            if a.role not in ("external", "host") and a.key not in taken
        ]
        if not pool:
            return None
        src = mrng.choice(sorted(pool, key=lambda a: a.key))
        name = src.name
        r = mrng.random()
        if r < 0.2:
            name = name.split(",")[0]
        elif r < 0.35:
            first, *rest = name.split(",")[0].split(" ")
            name = f"{first} {rest[-1][0]}." if rest else first
        keep_handle = mrng.random() < 0.6
        acct = self.new_account(created, role, handle=src.username if keep_handle else None)
        acct.name = name
        self.moved[acct.key] = src.key
        if mrng.random() < 0.4:
            self.announces[acct.key] = src.handle
        return acct

    # posts ----------------------------------------------------------------------------------------

    def post(self, when: datetime, author: Account, parts, kind: str, **kw) -> Post:
        """A new post; its native id is given once all times are final (:meth:`assign_ids`)."""
        parts = list(parts)
        quote_of = kw.get("quote_of")
        if quote_of is not None and self.spec.platform == "twitter":
            parts += [("text", " "), ("link", T.tco(self.trng))]
        p = Post(f"tmp{len(self.posts)}", self.spec.platform, when, author, parts, kind, **kw)
        self.posts.append(p)
        return p

    def retweet(self, when: datetime, author: Account, original: Post) -> None:
        """A retweet / boost. Bluesky chats have none: reposts never appear in searchPosts."""
        if self.spec.platform != "bluesky":
            self.post(when, author, [], "retweet", retweet_of=original)

    def assign_ids(self) -> None:
        """Native ids in time order (Twitter and Mastodon ids grow with time, as the real ones do)."""
        platform = self.spec.platform
        for p in self.posts:
            when, author = p.created_at, p.author
            if platform == "twitter":
                p.post_id = self.ids.snowflake(when)
            elif platform == "mastodon":
                local = self.ids.mastodon(when)
                origin = local if author.instance == self.spec.instance else self.ids.mastodon(when)
                suffix = "/activity" if p.retweet_of is not None else ""
                p.post_id = (
                    f"https://{author.instance}/users/{author.username}/statuses/{origin}{suffix}"
                )
                p.native = {"id": local, "origin_id": origin}
            else:
                rkey = self.ids.tid(when)
                p.post_id = f"at://{author.account_id}/app.bsky.feed.post/{rkey}"
                p.native = {"rkey": rkey, "cid": T.cid(self.trng)}

    def add_co_hashtags(self) -> None:
        """Give a share of the chat's tagged posts one or two other hashtags (``#HCLDR #hcsm``).

        The last draws of the wording stream, made once all posts and ids exist: the texts before
        them, the accounts, sessions and interactions are the same with or without co-hashtags.
        A post only gets them where they fit within the platform's length limit.
        """
        spec, rng = self.spec, self.trng
        if not spec.co_hashtags or spec.co_hashtag_share <= 0:
            return
        own = spec.hashtag.lower()
        pool = tuple(t for t in spec.co_hashtags if t.lower() != own)
        if not pool:
            return
        for p in self.posts:
            if p.is_retweet or own not in [str(v).lower() for k, v in p.parts if k == "tag"]:
                continue
            if rng.random() >= spec.co_hashtag_share:
                continue
            tags = T.co_tags(rng, pool)
            while tags:
                parts = T.with_co_tags(p.parts, tags)
                if len(T.plain(parts, spec.platform)) <= self.limit(p.created_at):
                    p.parts = parts
                    break
                tags = tags[:-1]

    def limit(self, when: datetime) -> int:
        """How long a post may be: Twitter went from 140 to 280 characters on 7 Nov 2017."""
        if self.spec.platform == "twitter":
            return 140 if when < datetime(2017, 11, 7, tzinfo=UTC) else 280
        return 500 if self.spec.platform == "mastodon" else 300

    def tag(self) -> tuple[str, str]:
        h = self.spec.hashtag
        return ("tag", h if self.trng.random() < 0.85 else h.lower())

    def reply_parts(self, author: Account, parent: Post) -> list[tuple[str, object]]:
        """Leading auto-mentions of a reply (Twitter and Mastodon put the parent's author first)."""
        if self.spec.platform == "bluesky" or parent.author.key == author.key:
            return []
        parts: list[tuple[str, object]] = [("mention", parent.author), ("text", " ")]
        grand = parent.reply_to
        if (
            grand is not None
            and grand.author.key not in (author.key, parent.author.key)
            and self.rng.random() < 0.5
        ):
            parts[1:1] = [("text", " "), ("mention", grand.author)]
        return parts

    # the schedule ---------------------------------------------------------------------------------

    def sitting_dates(self) -> list[date]:
        spec, rng = self.spec, self.rng
        if spec.kind == "conference":
            days = []
            for first, n in spec.meetings:
                days.extend(first + timedelta(days=i) for i in range(n))
            return days
        d = spec.start_date + timedelta(days=(spec.weekday - spec.start_date.weekday()) % 7)
        out = []
        while d <= spec.end_date:
            holiday = (d.month == 12 and d.day >= 22) or (d.month == 1 and d.day <= 2)
            if not holiday and rng.random() >= spec.skip_share:
                out.append(d)
            d += timedelta(days=7)
        return out

    def window(self, day: date) -> tuple[datetime, datetime]:
        spec = self.spec
        if spec.kind == "conference":
            start = datetime.combine(day, time(7, 30), self.zone)
            return start.astimezone(UTC), (start + timedelta(hours=13)).astimezone(UTC)
        start = datetime.combine(day, spec.start_time, self.zone).astimezone(UTC)
        return start, start + timedelta(minutes=spec.duration_minutes)

    # the community --------------------------------------------------------------------------------

    def newcomer_mean(self, year: int) -> float:
        spec = self.spec
        first = spec.start_date.year
        if year <= spec.peak_year:
            span = max(spec.peak_year - first, 1)
            mean = (
                spec.newcomers_start
                + (spec.newcomers_peak - spec.newcomers_start) * (year - first) / span
            )
        else:
            mean = spec.newcomers_peak * spec.decline ** (year - spec.peak_year)
        return mean * spec.scale

    def poisson(self, mean: float) -> int:
        # Knuth for small means, a rounded normal for large ones (bench scales)
        if mean > 30:
            return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def join(self, when: datetime, index: int, role: str) -> Account:
        rng = self.rng
        acct = None
        if self.community and rng.random() < 0.35:
            acct = self.borrow(when)
        if acct is None and self.mrng is not None and self.mrng.random() < self.move_share:
            acct = self.mover(when, role)
        if acct is None:
            acct = self.new_account(when, role)
        acct.role = role
        # lifetimes are uniform, not exponential: a sample chat's size should not hinge on one
        # account that happens to stay for ever
        if role == "core":
            acct.attend = rng.uniform(0.65, 0.9)
            acct.leaves_at = index + rng.randint(150, 500)
        elif rng.random() < self.spec.regular_share:
            acct.attend = rng.uniform(0.45, 0.75)
            acct.leaves_at = index + rng.randint(40, 160)
        else:
            acct.attend = rng.uniform(0.05, 0.25)
            acct.leaves_at = index + rng.randint(4, 40)
        self.members.append(acct)
        return acct

    def attendees(self, index: int, when: datetime, year: int) -> tuple[list[Account], int]:
        """Who comes to sitting ``index``: returning members by their habits, then newcomers."""
        rng = self.rng
        present = [a for a in self.members if a.leaves_at > index and rng.random() < a.attend]
        n_new = self.poisson(self.newcomer_mean(year))
        if self.spec.kind == "conference":
            n_new = self.poisson(self.newcomer_mean(year) * 3)
        newcomers = [self.join(when, index, "member") for _ in range(n_new)]
        if self.spec.kind == "weekly" and len(present) + n_new < MIN_ATTENDANCE:
            # a sitting nobody comes to is not a sitting: the keenest members still around turn up
            # (or, late in a chat's life, members who had drifted away come back)
            keen = sorted(
                (a for a in self.members if a not in present),
                key=lambda a: (
                    a.leaves_at <= index,
                    -a.attend if a.leaves_at > index else -a.leaves_at,
                    a.key,
                ),
            )
            present += keen[: MIN_ATTENDANCE - len(present) - n_new]
        return present + newcomers, n_new

    # one sitting ----------------------------------------------------------------------------------

    def sitting(self, index: int, day: date, hosts: list[Account]) -> None:
        spec, rng = self.spec, self.rng
        start, end = self.window(day)
        key = f"{spec.chat_id}-{day.isoformat()}"
        session = Session(key, spec.chat_id, day, start, end)
        self.sessions.append(session)
        people, _ = self.attendees(index, start, day.year)
        first_post = len(self.posts)
        if spec.kind == "conference":
            self.conference_day(session, people)
        else:
            host = hosts[1] if len(hosts) > 1 and rng.random() < spec.cohost_share else hosts[0]
            session.host = host.handle
            self.weekly_sitting(session, host, [h for h in hosts if h is not host], people)
        new_posts = [p for p in self.posts[first_post:] if p.kind != "promo"]
        for p in new_posts:
            p.truth_session = key
        session.posts = len(new_posts)
        session.participants = len({p.author.key for p in new_posts})

    def clamp(self, t: datetime, lo: datetime, hi: datetime) -> datetime | None:
        if t < lo:
            t = lo
        return t if t <= hi else None

    def weekly_sitting(
        self, session: Session, host: Account, cohosts: list[Account], people
    ) -> None:
        spec, rng = self.spec, self.rng
        start, end = session.starts_at, session.ends_at
        last = end + STRAGGLE
        n_q = spec.questions + (1 if rng.random() < spec.five_questions_share else 0)
        topic = self.trng.choice(T.TOPICS)
        guest = rng.choice(self.externals) if rng.random() < 0.15 else None
        style = self.trng.choice(T.QUESTION_STYLES)
        people = [p for p in people if p.key != host.key]
        answerable: list[Post] = []  # posts others reply to, retweet or quote

        # the promotion posted a day or two before (a lone post), and the host's retweet of it
        promo = (
            self.promo(session, host, topic, guest)
            if spec.lone_posts and rng.random() < 0.6
            else None
        )

        # pre-chat: welcome and introductions (question 0)
        welcome_at = start + timedelta(seconds=rng.randrange(0, 50))
        welcome = self.post(
            welcome_at, host, T.welcome(self.trng, self.tag(), topic, guest), "welcome"
        )
        answerable.append(welcome)
        if promo is not None and rng.random() < 0.5:
            self.retweet(start - timedelta(seconds=rng.randrange(60, 300)), host, promo)
        gap = (spec.duration_minutes - 6) * 60 / n_q
        q_times = [
            start + timedelta(seconds=int(180 + i * gap + rng.uniform(-40, 40))) for i in range(n_q)
        ]
        for person in people:
            if rng.random() < 0.45:
                t = start + timedelta(
                    seconds=rng.uniform(
                        -PRE_CHAT.total_seconds() + 30, (q_times[0] - start).total_seconds() - 20
                    )
                )
                parts = T.intro(self.trng, self.tag())
                if person.key in self.announces:  # only movers of a chat with ``moved_from``
                    old = self.announces.pop(person.key)
                    parts = [("text", f"New here: I moved from Twitter, where I was @{old}. ")]
                    parts += T.intro(self.trng, self.tag())
                intro = self.post(t, person, parts, "chatter")
                if rng.random() < 0.2:
                    answerable.append(intro)

        # the questions
        questions: list[Post] = []
        for i, qt in enumerate(q_times, start=1):
            q = self.post(
                qt,
                host,
                T.question(self.trng, spec.question_prefix, i, style, topic, self.tag()),
                "question",
                question_number=i,
            )
            q.truth_is_question = True
            questions.append(q)

        def window_of(i: int) -> tuple[datetime, datetime]:
            lo = q_times[i - 1]
            hi = q_times[i] if i < n_q else end
            return lo, hi

        # which questions each member answers: at least one (who comes to a chat takes part)
        answers: dict[str, set[int]] = {}
        for person in people:
            chance = 0.72 if person.role == "core" else 0.55
            chosen = {i for i in range(1, n_q + 1) if rng.random() < chance}
            answers[person.key] = chosen or {rng.randint(1, n_q)}

        for i, q in enumerate(questions, start=1):
            lo, hi = window_of(i)
            # retweets and quotes of the question
            for person in people:
                if rng.random() < 0.1:
                    t = q.created_at + timedelta(seconds=rng.uniform(5, 150))
                    self.retweet(t, person, q)
            if people and rng.random() < 0.12:
                person = rng.choice(people)
                t = q.created_at + timedelta(seconds=rng.uniform(30, 200))
                answerable.append(
                    self.post(
                        t, person, T.quote_comment(self.trng, self.tag()), "quote", quote_of=q
                    )
                )
            for person in people:
                if i not in answers[person.key]:
                    continue
                tagged = rng.random() < 0.86
                late = tagged and i < n_q and rng.random() < 0.06
                if late:
                    j = rng.randrange(i + 1, min(n_q, i + 2) + 1)
                    llo, lhi = window_of(j)
                    t = llo + timedelta(
                        seconds=rng.uniform(20, max(30, (lhi - llo).total_seconds() - 30))
                    )
                else:
                    t = lo + timedelta(
                        seconds=rng.uniform(25, max(40, (hi - lo).total_seconds() - 15))
                    )
                mention = None
                if rng.random() < 0.12:
                    others = [p for p in people if p.key != person.key] + [host]
                    mention = rng.choice(others)
                elif rng.random() < 0.04:
                    mention = rng.choice(self.externals)
                parts = T.answer(
                    self.trng,
                    spec.question_prefix,
                    i if tagged else None,
                    topic,
                    self.tag(),
                    mention,
                    self.limit(t),
                )
                reply_to = None
                if tagged and rng.random() < 0.12:
                    reply_to = q
                    parts = self.reply_parts(person, q) + parts
                a = self.post(
                    t, person, parts, "answer", answer_tag=i if tagged else None, reply_to=reply_to
                )
                answerable.append(a)
            # an @-addressed greeting: a reply to an account, with no post to thread under
            if (
                spec.platform == "twitter"
                and len(people) > 1
                and rng.random() < spec.addressed_share
            ):
                who, whom = rng.sample(people, 2)
                t = lo + timedelta(seconds=rng.uniform(30, max(45, (hi - lo).total_seconds() - 20)))
                parts = [("mention", whom), ("text", " ")] + T.greeting(self.trng, self.tag())
                answerable.append(self.post(t, who, parts, "chatter", addressed_to=whom))
            # "Q1 was great": another account's post that starts like a question, inside question 1
            if i == 1 and people and rng.random() < 0.3:
                t = lo + timedelta(seconds=rng.uniform(60, max(90, (hi - lo).total_seconds() - 20)))
                self.post(
                    t,
                    rng.choice(people),
                    T.was_great(self.trng, spec.question_prefix, self.tag()),
                    "chatter",
                )

        closing_at = end - timedelta(seconds=rng.randrange(30, 150))
        self.post(closing_at, host, T.closing(self.trng, self.tag(), spec.hashtag), "closing")
        everyone = people + [host] + cohosts
        self.reactions(answerable, everyone, end, last)

    def reactions(
        self, answerable: list[Post], people: list[Account], end: datetime, last: datetime
    ) -> None:
        """Replies (and replies to replies), self-threads, retweets and quotes of the sitting's posts."""
        rng = self.rng
        queue = list(answerable)
        depth = {p.post_id: 0 for p in queue}
        while queue:
            parent = queue.pop(0)
            others = [p for p in people if p.key != parent.author.key]
            if not others:
                continue
            d = depth[parent.post_id]
            n = self.poisson(0.5 if d == 0 else 0.25)
            for _ in range(n):
                who = (
                    rng.choice(others)
                    if d == 0 or rng.random() < 0.5 or parent.reply_to is None
                    else parent.reply_to.author
                )
                if who.key == parent.author.key:
                    continue
                t = self.clamp(
                    parent.created_at + timedelta(seconds=rng.uniform(40, 420)),
                    parent.created_at,
                    last,
                )
                if t is None:
                    continue
                parts = self.reply_parts(who, parent) + T.reply(
                    self.trng, self.tag() if rng.random() < 0.4 else None
                )
                r = self.post(t, who, parts, "reply", reply_to=parent)
                depth[r.post_id] = d + 1
                if d + 1 < 3:
                    queue.append(r)
            if parent.kind == "answer" and rng.random() < 0.05:
                t = self.clamp(
                    parent.created_at + timedelta(seconds=rng.uniform(20, 90)),
                    parent.created_at,
                    last,
                )
                if t is not None:
                    self.post(
                        t,
                        parent.author,
                        T.self_thread(self.trng, self.tag() if rng.random() < 0.3 else None),
                        "reply",
                        reply_to=parent,
                    )
            # a retweet of a post without the hashtag is in neither a hashtag search nor a
            # conversation fetch: no export could hold it, so the simulator makes none
            if self.spec.platform != "bluesky" and parent.has_hashtag:
                for _ in range(self.poisson(0.3 if parent.reply_to is None else 0.08)):
                    who = rng.choice(others)
                    t = self.clamp(
                        parent.created_at + timedelta(seconds=rng.uniform(10, 300)),
                        parent.created_at,
                        last,
                    )
                    if t is not None:
                        self.retweet(t, who, parent)
            if parent.kind == "answer" and rng.random() < 0.03:
                who = rng.choice(others)
                t = self.clamp(
                    parent.created_at + timedelta(seconds=rng.uniform(30, 300)),
                    parent.created_at,
                    last,
                )
                if t is not None:
                    self.post(
                        t, who, T.quote_comment(self.trng, self.tag()), "quote", quote_of=parent
                    )

    def conference_day(self, session: Session, people: list[Account]) -> None:
        rng = self.rng
        start, end = session.starts_at, session.ends_at
        span = (end - start).total_seconds()
        originals: list[Post] = []
        for person in people:
            for _ in range(self.poisson(1.6)):
                t = start + timedelta(seconds=rng.uniform(0, span))
                mention = None
                if rng.random() < 0.2:
                    mention = rng.choice(
                        [p for p in people if p.key != person.key] or self.externals
                    )
                originals.append(
                    self.post(t, person, T.conference(self.trng, self.tag(), mention), "chatter")
                )
        originals.sort(key=lambda p: p.created_at)
        self.reactions(originals, people, end, end + STRAGGLE)

    # lone posts -----------------------------------------------------------------------------------

    def promo(self, session: Session, host: Account, topic: str, guest: Account | None) -> Post:
        rng = self.rng
        day = session.local_date - timedelta(days=rng.choice((1, 2, 3)))
        local = datetime.combine(
            day, time(rng.randrange(9, 17), rng.randrange(60), rng.randrange(60)), self.zone
        )
        return self.post(
            local.astimezone(UTC),
            host,
            T.promo(self.trng, self.tag(), session.starts_at.astimezone(self.zone), topic, guest),
            "promo",
        )

    def lone_posts(self) -> None:
        """The odd post on another day: afterthoughts after a sitting (weeks before a conference), and
        some retweets of them. They belong to no session."""
        rng = self.rng
        regulars = [a for a in self.members if a.role in ("core", "member")]
        if not regulars:
            return
        moments: list[date] = []
        if self.spec.kind == "conference":
            for first, _ in self.spec.meetings:
                # on days of their own: lone posts never gather into something like a sitting
                days = rng.sample(range(3, 40), rng.randrange(3, 8))
                moments += [first - timedelta(days=d) for d in sorted(days, reverse=True)]
        else:
            moments = [
                s.local_date + timedelta(days=rng.choice((1, 2)))
                for s in self.sessions
                if rng.random() < 0.3
            ]
        for day in moments:
            who = rng.choice(regulars[-60:])
            local = datetime.combine(
                day, time(rng.randrange(8, 19), rng.randrange(60), rng.randrange(60)), self.zone
            )
            p = self.post(
                local.astimezone(UTC),
                who,
                T.afterthought(self.trng, self.tag(), self.spec.kind),
                "lone",
            )
            if rng.random() < 0.3:
                fan = rng.choice(regulars[-60:])
                if fan.key != who.key:
                    self.retweet(p.created_at + timedelta(minutes=rng.randrange(3, 90)), fan, p)

    # run ------------------------------------------------------------------------------------------

    def run(self) -> SimulatedChat:
        spec = self.spec
        days = self.sitting_dates()
        first = self.window(days[0])[0] if days else datetime.combine(spec.start_date, time(0), UTC)
        hosts = []
        for h in spec.hosts if spec.kind == "weekly" else ():
            acct = self.new_account(first, "host", handle=h)
            hosts.append(acct)
        for _ in range(round(spec.core_size * spec.scale)):
            self.join(first, 0, "core")
        for index, day in enumerate(days):
            self.sitting(index, day, hosts)
        if spec.lone_posts:
            self.lone_posts()
        self.posts = _unique_seconds(self.posts, self.spec)
        self.assign_ids()
        self.add_co_hashtags()
        by_key = {s.key: s for s in self.sessions}
        for p in self.posts:
            if p.question_number is not None:
                by_key[p.truth_session].questions.append(
                    (p.question_number, p.post_id, p.created_at)
                )
        _assign_truth(self.posts)
        interactions = _interactions(self.posts)
        chat = SimulatedChat(
            spec, self.seed, self.accounts, self.posts, self.sessions, interactions, {}, self.moved
        )
        by_year: dict[int, set[tuple[str, str]]] = {}
        for pair, t in chat.connections().items():
            by_year.setdefault(t.astimezone(self.zone).year, set()).add(pair)
        chat.new_connections_by_year = dict(sorted(by_year.items()))
        return chat


def client_of(account: Account) -> int:
    """Which client an account posts with (0, 1 or 2): decides Bluesky ``createdAt`` shapes."""
    return sum(map(ord, account.account_id)) % 3


def precision(account: Account, spec: ChatSpec) -> str:
    """How precise the export's timestamps of this account's posts are: ``s``, ``ms`` or ``us``.

    Twitter: whole seconds. Mastodon: milliseconds for the queried instance's own accounts, whole
    seconds (``.000Z``) for remote ones. Bluesky: what the client writes (microseconds, or ms).
    """
    if spec.platform == "twitter":
        return "s"
    if spec.platform == "mastodon":
        return "ms" if account.instance == spec.instance else "s"
    return "ms" if client_of(account) == 2 else "us"


def _unique_seconds(posts: list[Post], spec: ChatSpec) -> list[Post]:
    """Sort by time and make every post's time unique, so "the latest question before" is never a tie.

    Times are cut to the precision the exports carry (:func:`precision`).
    """
    for p in posts:
        unit = precision(p.author, spec)
        if unit == "s":
            p.created_at = p.created_at.replace(microsecond=0)
        elif unit == "ms":
            p.created_at = p.created_at.replace(microsecond=p.created_at.microsecond // 1000 * 1000)
    posts.sort(key=lambda p: (p.created_at, p.kind != "question", p.post_id))
    taken: set[datetime] = set()
    step = timedelta(seconds=1)
    for p in posts:
        t = p.created_at
        while t in taken:
            t += step
        p.created_at = t
        taken.add(t)
    # bumping keeps every reply / retweet / quote after its original (they were strictly later)
    posts.sort(key=lambda p: p.created_at)
    return posts


def _assign_truth(posts: Iterable[Post]) -> None:
    """DESIGN.md's answer assignment, from structure: question, tag, reply, retweet/quote, latest."""
    latest: dict[str, int] = {}
    for p in posts:  # in time order: parents and originals come first
        s = p.truth_session
        if s is None:
            p.truth_question = None
            p.truth_method = None
            continue
        ref = p.retweet_of or p.quote_of
        if p.question_number is not None:
            p.truth_question, p.truth_method = p.question_number, "question"
            latest[s] = p.question_number
        elif p.answer_tag is not None:
            p.truth_question, p.truth_method = p.answer_tag, "tag"
        elif p.reply_to is not None and p.reply_to.truth_session == s:
            p.truth_question, p.truth_method = p.reply_to.truth_question, "reply"
        elif ref is not None and ref.truth_session == s:
            p.truth_question = ref.truth_question
            p.truth_method = "retweet" if p.retweet_of is not None else "quote"
        else:
            p.truth_question, p.truth_method = latest.get(s, 0), "latest"


def _interactions(posts: Iterable[Post]) -> set[tuple[str, str, str, str]]:
    out: set[tuple[str, str, str, str]] = set()
    for p in posts:
        me = p.author.key
        if p.retweet_of is not None:
            if p.retweet_of.author.key != me:
                out.add((p.post_id, "retweet", me, p.retweet_of.author.key))
            continue
        if p.reply_to_author is not None and p.reply_to_author.key != me:
            out.add((p.post_id, "reply", me, p.reply_to_author.key))
        for acct in p.mentioned:
            if acct.key != me:
                out.add((p.post_id, "mention", me, acct.key))
        if p.quote_of is not None and p.quote_of.author.key != me:
            out.add((p.post_id, "quote", me, p.quote_of.author.key))
    return out


def generate(
    spec: ChatSpec | None = None,
    seed: int = 0,
    community: SimulatedChat | None = None,
    moved_from: SimulatedChat | None = None,
    move_share: float = 0.6,
) -> SimulatedChat:
    """Simulate a chat from ``spec`` with ``random.Random(seed)``: the same inputs give the same chat.

    ``community``: another simulated chat (same platform) some of whose members also post here (same
    account ids and handles), to show overlap between chats (e.g. #HCLDR members at #USCAP).
    ``moved_from``: the chat this one's community moved from (another platform): a ``move_share``
    of its newcomers are that chat's members under new accounts (``SimulatedChat.moved`` says whose);
    see :meth:`_Generator.mover` for the evidence they leave. The sample chats use neither.
    """
    return _Generator(spec or ChatSpec(), seed, community, moved_from, move_share).run()


# --------------------------------------------------------------------------------------------------
# people: which accounts of several chats are one person


def people(chats: Iterable[SimulatedChat]) -> dict[str, str]:
    """Which accounts of ``chats`` (in the order a community moved through them) are one person:
    account key → the person's key, the key of their account in the first chat that has them.

    The model moves a chat's hosts (``hosts[i]`` of each chat of the same hashtag is one person:
    ``HCLDRchat``, ``hcldr@mastodon.social``, ``hcldr.bsky.social``), the organisations people
    mention (one organisation, one name, on every platform) and, in a chat generated with
    ``moved_from``, its movers (``SimulatedChat.moved``). The sample chats have no movers: their
    other Mastodon and Bluesky members were simulated as new people.
    Only accounts that show in a post (as its author or in its interactions) count, and only people
    with two or more of those are in the map: an account absent from it is its own person.
    """
    chats = list(chats)
    person_of: dict[str, str] = {}
    hosts: dict[tuple[str, int], str] = {}
    orgs: dict[str, str] = {}
    for chat in chats:
        shown = {p.author.key for p in chat.posts}
        shown |= {k for _, _, a, b in chat.interactions for k in (a, b)}
        for acct in chat.accounts:
            if acct.key not in shown:
                continue
            if acct.role == "host" and acct.handle in chat.spec.hosts:
                slot = (chat.spec.hashtag.lower(), chat.spec.hosts.index(acct.handle))
                person_of[acct.key] = hosts.setdefault(slot, acct.key)
            elif acct.role == "external":
                person_of[acct.key] = orgs.setdefault(acct.name.lower(), acct.key)
            elif acct.key in chat.moved:
                old = chat.moved[acct.key]
                person_of[acct.key] = person_of.setdefault(old, old)
    groups: dict[str, set[str]] = {}
    for key, person in person_of.items():
        groups.setdefault(person, set()).add(key)
    return {k: p for k, p in person_of.items() if len(groups[p]) > 1}


def as_people(
    chats: Iterable[SimulatedChat], person_of: dict[str, str]
) -> tuple[dict[int, set[str]], dict[int, set[tuple[str, str]]]]:
    """The person-level truth of chats that follow one another (a community on Twitter, then
    Mastodon, then Bluesky), in the first chat's time zone: newcomers per local year (people whose
    first session of any of the chats falls in it; active participants) and new connections per
    local year (pairs of people first connected in it; a pair of one person's accounts is none)."""
    chats = list(chats)
    zone = chats[0].spec.zone
    sessions = sorted(
        ((s, chat) for chat in chats for s in chat.sessions), key=lambda sc: sc[0].starts_at
    )
    active = {id(chat): chat.participants(active_only=True) for chat in chats}
    seen: set[str] = set()
    newcomers: dict[int, set[str]] = {}
    for s, chat in sessions:
        present = {person_of.get(k, k) for k in active[id(chat)][s.key]}
        newcomers.setdefault(s.local_date.year, set()).update(present - seen)
        seen |= present
    first: dict[tuple[str, str], datetime] = {}
    for chat in chats:
        for (a, b), t in chat.connections().items():
            x, y = person_of.get(a, a), person_of.get(b, b)
            if x == y:
                continue
            pair = (x, y) if x < y else (y, x)
            if pair not in first or t < first[pair]:
                first[pair] = t
    connections: dict[int, set[tuple[str, str]]] = {}
    for pair, t in first.items():
        connections.setdefault(t.astimezone(zone).year, set()).add(pair)
    return dict(sorted(newcomers.items())), dict(sorted(connections.items()))
