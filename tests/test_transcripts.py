"""Transcripts: grouped by question, replies indented, retweets folded, gaps noted, HTML escaped."""

from __future__ import annotations

import pytest

from chatgraph import transcripts
from chatgraph.errors import UsageError
from tests.chat_posts import add_chat, add_post, refresh

S = "testchat-2024-03-05"


@pytest.fixture
def session(db):
    add_chat(db)
    posts = [
        ("w", "20:00", "host", "Welcome! Introduce yourselves"),
        ("hi", "20:01", "ann", "Hi from Leeds"),
        ("q1", "20:05", "host", "Q1: What helps?"),
        ("a1", "20:06", "ann", "A1 <script>alert('x')</script> & notes"),
        ("r1", "20:07", "ben", "@ann agreed"),
        ("r2", "20:08", "ann", "@ben thanks"),
        ("rt", "20:09", "cat", ""),
        ("rtq", "20:09:30", "dan", ""),
        ("q2", "20:20", "host", "Q2: Who owns it?"),
        ("a2", "20:21", "ben", "A2 the *team*"),
        ("gone", "20:22", "cat", "@eve yes, this"),
        ("late", "20:23", "dan", "A1 late but [here]"),
    ]
    links = {
        "r1": {"reply_to": "a1"},
        "r2": {"reply_to": "r1"},
        "rt": {"retweet_of": "a1"},
        "rtq": {"retweet_of": "q1"},
        "gone": {"reply_to": "missing-post"},
    }
    for post_id, hhmm, who, text in posts:
        at = f"2024-03-05 {hhmm}{'' if hhmm.count(':') == 2 else ':00'}+00"
        add_post(db, post_id, at, who, text, **links.get(post_id, {}))
    refresh(db)
    return db


def test_markdown_transcript(session):
    assert transcripts.render(session, S, "md") == (
        "# #testchat: session testchat-2024-03-05\n"
        "\n"
        "Tuesday 5 March 2024, 20:00–20:23 (UTC) · 12 posts · 5 participants · 2 questions\n"
        "\n"
        "## Before the first question\n"
        "\n"
        "*2 posts · 2 participants*\n"
        "\n"
        "- **@host** 20:00: Welcome! Introduce yourselves\n"
        "- **@ann** 20:01: Hi from Leeds\n"
        "\n"
        "## Q1: What helps?\n"
        "\n"
        "*asked by @host at 20:05 · 7 posts · 5 participants · question retweeted 1 time*\n"
        "\n"
        "- **@ann** 20:06: A1 \\<script\\>alert('x')\\</script\\> & notes *(retweeted by 1)*\n"
        "  - **@ben** 20:07: @ann agreed\n"
        "    - **@ann** 20:08: @ben thanks\n"
        "- **@dan** 20:23: A1 late but \\[here\\]\n"
        "\n"
        "## Q2: Who owns it?\n"
        "\n"
        "*asked by @host at 20:20 · 3 posts · 3 participants*\n"
        "\n"
        "- **@ben** 20:21: A2 the \\*team\\*\n"
        "- **@cat** 20:22: @eve yes, this\n"
        "\n"
        "## Who took part\n"
        "\n"
        "| participant | posts |\n"
        "|---|---:|\n"
        "| @ann | 3 |\n"
        "| @host | 3 |\n"
        "| @ben | 2 |\n"
        "| @cat | 2 |\n"
        "| @dan | 2 |\n"
        "\n"
        "## Notes on the record\n"
        "\n"
        "1 reply points at a post that is not in the archive (the export missed it, e.g. a reply "
        "without the hashtag): 20:22 @cat.\n"
    )


def test_html_transcript_is_self_contained_and_escaped(session):
    page = transcripts.render(session, S, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "A1 &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; notes" in page
    for external in ("http://", "https://", "src=", "<link", "@import", "url("):
        assert external not in page
    assert page.count("<section>") == 5
    assert '<p class="note">1 reply points at a post' in page
    assert page.count("<ul>") == 5  # three sections' lists, two nested reply levels


def test_unknown_session_names_some_that_exist(session):
    with pytest.raises(UsageError) as e:
        transcripts.render(session, "testchat-1999-01-01", "md")
    assert str(e.value) == (
        "no session 'testchat-1999-01-01' in the archive (nearest: testchat-2024-03-05); "
        "list them with chatgraph sessions"
    )


def test_unknown_format(session):
    with pytest.raises(UsageError) as e:
        transcripts.render(session, S, "pdf")
    assert str(e.value) == "--format 'pdf': transcripts come as md or html"
