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
    simulate.write(chat, "out/", formats=["twitter-v1"])

``python -m chatgraph.simulate --output sample_exports/`` regenerates the repository's sample exports.

What the truth means (DESIGN.md, applied from the simulator's own structure, not from text):

* ``truth_session``: the key ``"<chat>-<local date>"`` of the sitting the post was written in, ``None``
  for lone posts between sittings (promotions, the odd post on another day). Session posts lie in the
  scheduled window widened by :data:`PRE_CHAT` before and :data:`STRAGGLE` after.
* ``truth_question``: for session posts, by the first rule that applies: question post → its number;
  explicit answer tag (``A1``, ``A1:``, ``a1)``, ``A1 -``, ``T1:`` in T chats) → that number; reply to a
  session post → the parent's question; retweet / quote of a session post → that post's question; else
  the latest question asked before it (0 before the first). ``truth_method`` names the rule
  (``question``, ``tag``, ``reply``, ``retweet``, ``quote``, ``latest``). ``None`` for lone posts.
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
"""

from __future__ import annotations

from chatgraph.simulate.model import (
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
