"""The repository's ``sample_exports/``: one weekly chat over nine years, split across every format,
and a small conference hashtag that shares some of its members. Regenerate with ``make samples``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chatgraph.simulate.model import ChatSpec, SimulatedChat, generate
from chatgraph.simulate.text import PATHOLOGY_CO_TAGS
from chatgraph.simulate.writers import write

SEED = 2012  # the year #HCLDR began

HCLDR = ChatSpec(
    hashtag="HCLDR",
    hosts=("HCLDRchat", "ColinHung"),
    timezone="America/New_York",
    weekday=1,
    start="20:30",
    question_prefix="T",
    start_date=date(2016, 1, 1),
    end_date=date(2023, 10, 31),  # the last #HCLDR tweetchat
    core_size=3,
    regular_share=0.06,
    newcomers_start=0.4,
    newcomers_peak=0.85,
    peak_year=2019,
    decline=0.4,
)
HCLDR_MASTODON = ChatSpec(
    hashtag="HCLDR",
    hosts=("hcldr@mastodon.social", "ColinHung@mastodon.social"),
    timezone="America/New_York",
    weekday=1,
    start="20:30",
    question_prefix="T",
    platform="mastodon",
    instance="mastodon.social",
    start_date=date(2023, 11, 7),
    end_date=date(2024, 3, 31),
    core_size=3,
    newcomers_start=0.3,
    newcomers_peak=0.3,
    peak_year=2024,
)
HCLDR_BLUESKY = ChatSpec(
    hashtag="HCLDR",
    hosts=("hcldr.bsky.social", "colinhung.bsky.social"),
    timezone="America/New_York",
    weekday=1,
    start="20:30",
    question_prefix="T",
    platform="bluesky",
    start_date=date(2024, 9, 1),
    end_date=date(2024, 12, 31),
    core_size=3,
    newcomers_start=0.6,
    newcomers_peak=0.6,
    peak_year=2024,
)
USCAP = ChatSpec(
    hashtag="USCAP",
    hosts=(),
    timezone="America/Chicago",
    kind="conference",
    question_prefix="Q",
    meetings=(
        (date(2016, 3, 12), 3),
        (date(2017, 3, 4), 3),
        (date(2018, 3, 17), 3),
        (date(2019, 3, 16), 3),
    ),
    start_date=date(2016, 1, 1),
    end_date=date(2019, 12, 31),
    core_size=4,
    newcomers_start=1.0,
    newcomers_peak=1.6,
    peak_year=2019,
    co_hashtags=PATHOLOGY_CO_TAGS,
)


@dataclass(frozen=True)
class Part:
    """One sample file: which chat, which local dates, which format, compressed or not."""

    chat: str
    first: date
    last: date
    format: str
    stem: str
    compress: bool = False
    note: str = ""
    instance: str | None = None  # Mastodon: fetched from this instance instead of the chat's own
    filename: str | None = None  # instead of the writer's <stem>_<suffix>


PARTS = (
    Part("hcldr", date(2016, 1, 1), date(2018, 12, 31), "twitter-v1", "hcldr_2016-2018", True,
         "twarc1 search, gzipped"),
    Part("hcldr", date(2019, 1, 1), date(2021, 6, 30), "twitter-v2", "hcldr_2019-2021", True,
         "twarc2 search pages (100 tweets a page), gzipped"),
    Part("hcldr", date(2021, 5, 1), date(2021, 12, 31), "twarc-csv", "hcldr_2021",
         note="twarc-csv of a later search: May-Jun 2021 overlaps the twarc2 file (dedup)"),
    Part("hcldr", date(2020, 1, 1), date(2020, 1, 31), "rtweet", "hcldr_2020-01",
         note="rtweet CSV (write_as_csv) of January 2020: the same tweets as the twarc2 file"),
    Part("hcldr", date(2020, 1, 1), date(2020, 6, 30), "twitter-archive", "hcldr_2020_HCLDRchat",
         note="the host's personal Twitter archive (data/tweets.js + account.js): its own "
              "Jan-Jun 2020 tweets, also in the twarc2 file; retweets only as RT text"),
    Part("hcldr", date(2022, 1, 1), date(2022, 12, 31), "tags", "hcldr_2022",
         note="TAGS archive sheet: retweets only as cut RT text, quotes only as links"),
    Part("hcldr", date(2023, 1, 1), date(2023, 11, 6), "twitter-v2", "hcldr_2023",
         note="twarc2 search pages up to the last tweetchat (31 Oct 2023) and the days after"),
    Part("hcldr-mastodon", date(2023, 11, 1), date(2024, 4, 7), "mastodon", "hcldr_2023-2024",
         note="the chat on Mastodon: mastodon.social hashtag timeline plus conversations"),
    Part("hcldr-mastodon", date(2024, 3, 1), date(2024, 3, 31), "mastodon", "hcldr_2024-03_fosstodon",
         note="the Mastodon posts of March 2024 again, fetched from fosstodon.org: other ids, same uri",
         instance="fosstodon.org"),
    Part("hcldr-bluesky", date(2024, 8, 25), date(2025, 1, 6), "bluesky", "hcldr_2024",
         note="the chat on Bluesky: searchPosts (which never returns reposts)"),
    Part("uscap", date(2016, 1, 1), date(2019, 12, 31), "twitter-v1-extended", "uscap_2016-2019",
         filename="uscap_2016-2019_twarc1.jsonl",
         note="twarc1 search (extended mode: full_text) of a conference hashtag: four annual "
              "meetings, no questions; shares members with #HCLDR"),
)  # fmt: skip


def sample_chats(seed: int = SEED) -> dict[str, SimulatedChat]:
    """The chats behind ``sample_exports/`` (their truth is recomputed from the seed, never stored)."""
    hcldr = generate(HCLDR, seed)
    return {
        "hcldr": hcldr,
        "hcldr-mastodon": generate(HCLDR_MASTODON, seed + 1),
        "hcldr-bluesky": generate(HCLDR_BLUESKY, seed + 2),
        "uscap": generate(USCAP, seed + 3, community=hcldr),
    }


def moved_chats(seed: int = SEED) -> dict[str, SimulatedChat]:
    """#HCLDR on Twitter, then on Mastodon and Bluesky where (unlike the samples) most newcomers
    are Twitter members who moved under new accounts: the truth that measures ``chatgraph people
    suggest`` (``bench/people_suggest.py``). Not written to sample_exports/."""
    twitter = generate(HCLDR, seed)
    return {
        "hcldr": twitter,
        "hcldr-mastodon": generate(HCLDR_MASTODON, seed + 1, moved_from=twitter, move_share=0.8),
        "hcldr-bluesky": generate(HCLDR_BLUESKY, seed + 2, moved_from=twitter, move_share=0.8),
    }


def write_samples(folder: str | Path, seed: int = SEED) -> list[Path]:
    """Write every sample file and the folder's README; return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chats = sample_chats(seed)
    for name, chat in chats.items():
        covered = set()
        for part in PARTS:
            if part.chat == name:
                covered |= {p.post_id for p in chat.between(part.first, part.last)}
        left_out = [p for p in chat.posts if p.post_id not in covered]
        if left_out:
            raise ValueError(f"{name}: {len(left_out)} posts in no sample file, e.g. {left_out[0]}")
    paths: list[Path] = []
    rows = []
    for part in PARTS:
        chat = chats[part.chat]
        posts = chat.between(part.first, part.last)
        [path] = write(
            chat,
            folder,
            [part.format],
            posts=posts,
            stem=part.stem,
            compress=part.compress,
            instance=part.instance,
        )
        if part.filename:
            path = path.replace(folder / part.filename)
        paths.append(path)
        shown = [p for p in posts if not (part.format == "bluesky" and p.is_retweet)]
        if part.format == "twitter-archive":
            shown = [p for p in shown if p.author.key == chat.spec.hosts[0].lower()]
        rows.append(
            f"| `{path.name}` | {part.format} | {part.first:%Y-%m-%d} to {part.last:%Y-%m-%d} | "
            f"{len(shown)} | {part.note} |"
        )
    readme = folder / "README.md"
    readme.write_text(_README.format(seed=seed, rows="\n".join(rows)), encoding="utf-8")
    paths.append(readme)
    return paths


_README = """\
# Sample exports

Generated by `make samples` (`python -m chatgraph.simulate --output sample_exports/`, seed {seed}) from
the simulator in `chatgraph/simulate/`. Do not edit by hand: the files are rewritten byte for byte from
the seed. Nothing here is real data; every account and post is invented.

The chat is #HCLDR-like: a weekly tweetchat on Tuesdays at 8:30pm New York time (00:30 or 01:30 UTC,
depending on daylight saving time). @HCLDRchat posts topics T1 to T4 (sometimes T5) about 13 minutes
apart (`T1 `, `T1:`, `T1.`, `T1 -`); co-host @ColinHung takes part like a member. Participants
introduce themselves (question 0), answer with tags (`A1 `, `A1:`, `a1)`, `A1 -`, `T1:`), sometimes
without a tag or late (an `A1` during T2), reply to each other (replies often drop the hashtag),
@-address each other without replying to a post, retweet and quote, and someone says "T1 was great".
The host promotes the chat a day or two before and retweets the promotion as the chat starts; people
post the odd afterthought a day later: such posts belong to no session. The community grows until
2019 and then takes in fewer newcomers each year, so fewer new connections form after 2020. After the
last tweetchat (31 Oct 2023) the chat moves to Mastodon, then to Bluesky.

About one post in ten that carries #HCLDR also carries one or two other hashtags after it: #hcsm most
often, then #PatientExperience, #MedEd, #DigitalHealth, #healthcare and #nurses (#USCAP posts:
#pathology, #PathTwitter, #DigitalPathology, …). The chat's own hashtag stays by far the most used one
in every file; retweets show the original's hashtags.

Each file holds one part of the story, in a different export format:

| file | format | local dates | posts | what it shows |
|---|---|---|---|---|
{rows}

Notes:
- Replies without the hashtag are in the files, as an export that also fetched the conversations
  (twarc `conversation:` searches, Mastodon `/context`) would have them; a bare hashtag search would not.
- The twarc-csv file repeats the May and June 2021 tweets of the twarc2 file: loading both stores them once.
- The fosstodon.org file holds posts of the mastodon.social file under other status and account ids
  (ids are per instance); the `uri` is the same, so loading both stores each post once.
- The TAGS sheet cannot say which tweet a retweet or quote points to; it has the `RT @x: …` text only.
- Bluesky's searchPosts returns posts only; reposts are not records, so the Bluesky file has none.
- #USCAP is a conference hashtag (one session per meeting day, no questions); some of its accounts are
  #HCLDR members (same ids and handles), so the two chats overlap.
- The known truth (sessions, questions, interactions, new connections per year) is not stored here:
  `chatgraph.simulate.samples.sample_chats()` recomputes it from the seed.
"""
