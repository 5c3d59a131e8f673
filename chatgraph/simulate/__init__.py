"""A seeded simulator of hashtag chats with known truth, and writers for every export format.

The simulator is the yardstick for sessions, threads and interactions: it generates a chat (weekly
tweetchat or conference hashtag) post by post from a :class:`ChatSpec` and a seed, and records for every
post what DESIGN.md says the archive must find: its session, its question, whether it is a question
post, and the interactions it makes. The same seed always gives the same chat, and the same files.

Public API::

    from chatgraph import simulate

    spec = simulate.ChatSpec(hashtag="HCLDR", hosts=("HCLDRchat",), timezone="America/New_York",
                             weekday=1, start="20:30", question_prefix="T",
                             start_date=date(2016, 1, 1), end_date=date(2018, 12, 31))
    chat = simulate.generate(spec, seed=7)
    chat.posts                    # list[Post], in time order, with truth_session / truth_question / ...
    chat.sessions                 # list[Session]: key, local_date, starts_at, ends_at, questions
    chat.interactions             # set of (post_id, kind, source_handle_lower, target_handle_lower)
    chat.new_connections_by_year  # {year: {(handle_a, handle_b), ...}} (lower-cased, a < b)
    chat.connections()            # {(handle_a, handle_b): first_seen_at}
    chat.participants(), chat.newcomers(), chat.newcomers_by_year()   # (active_only=False)
    chat.between(date(2017, 1, 1), date(2017, 12, 31))  # posts by local date, for part files
    simulate.write(chat, "out/", formats=["twitter-v1"], posts=None, stem=None,
                   search_only=False, compress=False, instance=None)  # -> list of paths

Formats (:data:`FORMATS`; :data:`FORMATS_FOR` by platform): ``twitter-v1`` (twarc1 / stream JSONL,
``text`` + ``extended_tweet``), ``twitter-v1-extended`` (twarc1 search, ``full_text``), ``twitter-v2``
(twarc2 pages), ``twarc-csv``, ``tags`` for Twitter chats; ``mastodon`` (Status array; ``instance=``
writes it as another instance shows it: other ids, same ``uri``); ``bluesky`` (searchPosts).

Post fields: ``post_id`` (Twitter id_str, Mastodon uri, Bluesky at-uri), ``created_at`` (UTC),
``author_id`` (Twitter user id, Mastodon acct lower-cased, Bluesky DID), ``author_handle``,
``author_name``, ``text`` (plain, unescaped; a retweet's is the original's), ``reply_to_post_id``,
``reply_to_author_id``, ``reply_to_handle`` (also set for a tweet @-addressed to an account with no
parent post: ``addressed_to``), ``retweet_of_post_id``, ``quote_of_post_id``, ``conversation_id``,
``mentions`` [(id, handle)], ``hashtags``, ``is_retweet``, ``has_hashtag``, ``kind``; ``as_dict()``.

``python -m chatgraph.simulate --output sample_exports/`` regenerates the repository's sample exports
(:mod:`chatgraph.simulate.samples`; ``sample_chats()`` gives their truth).

What the truth means (DESIGN.md, applied from the simulator's own structure, not from text):

* ``truth_session``: the key ``"<chat>-<local date>"`` of the sitting the post was written in, ``None``
  for lone posts between sittings (promotions, the odd post on another day). Session posts lie in the
  scheduled window widened by :data:`PRE_CHAT` before and :data:`STRAGGLE` after.
* ``truth_question``: for session posts, by the first rule that applies: question post → its number;
  explicit answer tag (``A1``, ``A1:``, ``a1)``, ``A1 -``, ``T1:`` in T chats) → that number; reply to a
  session post → the parent's question; retweet / quote of a session post → that post's question; else
  the latest question asked before it (0 before the first). ``truth_method`` names the rule
  (``question``, ``tag``, ``reply``, ``retweet``, ``quote``, ``latest``). ``None`` for lone posts.
* ``sessions``: one per sitting, with its scheduled window (UTC), local date, host and questions;
  every weekly sitting has at least :data:`MIN_ATTENDANCE` members besides the host. A conference
  chat has one session per meeting day (07:30 to 20:30 local) and no questions (all its posts are 0).
* ``truth_is_question``: the host's post opening a question (never a retweet, quote or another
  account's "Q1 was great" post).
* ``interactions``: reply (author → replied-to author, not to oneself), mention (author → each account
  @-mentioned in the post's own text, the reply target included, never the author), retweet (author →
  original author, and no mentions), quote (author → quoted author).
* ``new_connections_by_year``: unordered pairs with a reply, mention or quote between them, by the year
  (in the chat's time zone) of their first such post.
* Visibility: every post that is not a reply carries the hashtag. Replies often do not
  (``has_hashtag`` False): a hashtag search alone would miss them; the writers still include them, as
  an export that also fetched the conversations (twarc ``conversation:``) would. ``write(...,
  search_only=True)`` writes only what a bare hashtag search sees.
* Co-hashtags: a ``ChatSpec.co_hashtag_share`` of the posts that carry the chat's hashtag also carry
  one or two of ``ChatSpec.co_hashtags`` after it (``#HCLDR #hcsm``); they are drawn last from the
  wording stream, so sessions, interactions, accounts and ids are the same as without them.
"""

from __future__ import annotations

from chatgraph.simulate.model import (
    MIN_ATTENDANCE,
    PRE_CHAT,
    STRAGGLE,
    Account,
    ChatSpec,
    Post,
    Session,
    SimulatedChat,
    generate,
)
from chatgraph.simulate.writers import FORMATS, FORMATS_FOR, write

__all__ = [
    "FORMATS",
    "FORMATS_FOR",
    "MIN_ATTENDANCE",
    "PRE_CHAT",
    "STRAGGLE",
    "Account",
    "ChatSpec",
    "Post",
    "Session",
    "SimulatedChat",
    "generate",
    "write",
]
