"""Transcripts: one session told question by question, as Markdown or as a self-contained HTML page.

Under each question's heading come its posts in time order, each reply indented under the post it
answers (when that post is in the same question), retweets folded onto the post they repeat, then who
took part and what the record is missing: replies whose parent is in no export that was loaded (a
hashtag search does not see replies that leave out the hashtag).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from chatgraph.errors import UsageError
from chatgraph.sessions import one

if TYPE_CHECKING:
    from chatgraph.privacy import Pseudonymizer

FORMATS = ("md", "html")


@dataclass
class Entry:
    post_id: str
    time: str  # local HH:MM
    handle: str
    text: str
    is_quote: bool = False
    quoted: str | None = None  # "@handle: text" of a quoted post
    reply_elsewhere: str | None = (
        None  # handle replied to, when the parent is under another heading
    )
    retweeted_by: list[str] = field(default_factory=list)
    children: list[Entry] = field(default_factory=list)


@dataclass
class Section:
    number: int
    heading: str
    asked: str | None  # "@host at 20:33"
    posts: int = 0
    participants: int = 0
    question_retweets: int = 0
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Transcript:
    chat_id: str
    session_id: str
    local_date: str
    starts: str
    ends: str
    timezone: str
    posts: int
    participants: int
    sections: list[Section]
    people: list[tuple[str, int]]  # (handle, posts), most first
    missing_parents: list[tuple[str, str]]  # (local time, handle) of replies whose parent is gone


def build(
    con: duckdb.DuckDBPyConnection, session_id: str, pseudonymizer: Pseudonymizer | None = None
) -> Transcript:
    """Read one session, its questions and posts into a :class:`Transcript`.

    With a ``pseudonymizer`` (``--pseudonymize``) every handle, and every @handle in the texts,
    is replaced by its stable pseudonym. ``session_id`` may be ``latest`` when the archive holds
    one chat.
    """
    from chatgraph.sessions import resolve_session

    _, session_id = resolve_session(con, session_id)
    head = one(
        con,
        """
        select s.chat_id, strftime(s.local_date, '%A %-d %B %Y'), coalesce(c.timezone, 'UTC'),
               strftime(timezone(coalesce(c.timezone, 'UTC'), s.starts_at), '%H:%M'),
               strftime(timezone(coalesce(c.timezone, 'UTC'), s.ends_at), '%H:%M'),
               s.posts, s.participants
        from sessions s join chats c using (chat_id) where s.session_id = $s
        """,
        {"s": session_id},
    )
    assert head is not None  # resolve_session found it
    chat_id, local_date, tz, starts, ends, n_posts, n_people = head
    rows = con.execute(
        """
        with sp as (
            select p.post_id, p.created_at, coalesce(p.author_handle, p.author_id) as handle,
                   coalesce(p.text, '') as text, p.reply_to_post_id, p.retweet_of_post_id,
                   p.quote_of_post_id, p.is_retweet or p.retweet_of_post_id is not null as rt,
                   t.question
            from post_threads t join posts p using (post_id)
            where t.session_id = $s
        ),
        known as (
            select post_id, coalesce(author_handle, author_id) as handle, text from posts
            union all
            select post_id, coalesce(author_handle, author_id), text from referenced_posts
        )
        select sp.post_id, strftime(timezone($tz, sp.created_at), '%H:%M'), sp.handle, sp.text,
               sp.reply_to_post_id, sp.retweet_of_post_id, sp.quote_of_post_id, sp.rt, sp.question,
               sp.reply_to_post_id is not null
                   and not exists (select 1 from known k where k.post_id = sp.reply_to_post_id),
               (select any_value(k.handle) from known k where k.post_id = sp.quote_of_post_id),
               (select any_value(k.text) from known k where k.post_id = sp.quote_of_post_id)
        from sp order by sp.created_at, sp.post_id
        """,
        {"s": session_id, "tz": tz},
    ).fetchall()
    questions = {
        r[0]: r[1:]
        for r in con.execute(
            """select q.number, q.post_id, q.text, coalesce(p.author_handle, p.author_id),
                      strftime(timezone($tz, q.asked_at), '%H:%M')
               from questions q left join posts p using (post_id) where q.session_id = $s""",
            {"s": session_id, "tz": tz},
        ).fetchall()
    }
    p = pseudonymizer
    if p is not None:
        rows = [
            (*r[:2], p.handle(r[2]), p.text(r[3]), *r[4:10], p.handle(r[10]), p.text(r[11]))
            for r in rows
        ]
        questions = {n: (q[0], p.text(q[1]), p.handle(q[2]), q[3]) for n, q in questions.items()}
    rows = [(*r[:10], f"{r[10]}: {r[11]}" if r[10] is not None else None) for r in rows]
    return _assemble(
        chat_id, session_id, local_date, tz, starts, ends, n_posts, n_people, rows, questions
    )


def _assemble(
    chat_id, session_id, local_date, tz, starts, ends, n_posts, n_people, rows, questions
):
    question_posts = {v[0] for v in questions.values()}
    numbers = sorted({r[8] for r in rows if r[8] is not None} | set(questions))
    sections: dict[int, Section] = {}
    for n in numbers:
        if n == 0:
            sections[n] = Section(0, "Before the first question", None)
        elif n in questions:
            _, text, who, at = questions[n]
            sections[n] = Section(n, _one_line(text), f"@{who} at {at}")
        else:
            sections[n] = Section(
                n, f"Question {n} (its question post is not in the archive)", None
            )
    entries: dict[str, Entry] = {}
    group_of: dict[str, int] = {}
    handle_of: dict[str, str] = {}
    authors: dict[int, set[str]] = {n: set() for n in sections}
    people: dict[str, int] = {}
    missing: list[tuple[str, str]] = []
    for post_id, at, handle, text, reply_to, rt_of, quote_of, rt, q, gone, quoted in rows:
        q = 0 if q is None else q
        handle_of[post_id] = handle
        group_of[post_id] = q
        people[handle] = people.get(handle, 0) + 1
        sec = sections[q]
        sec.posts += 1
        authors[q].add(handle)
        if gone:
            missing.append((at, handle))
        if rt and rt_of in entries:
            entries[rt_of].retweeted_by.append(handle)
            continue
        if rt and rt_of in question_posts:
            sections[group_of.get(rt_of, q)].question_retweets += 1
            continue
        if post_id in question_posts:
            continue
        e = Entry(post_id, at, handle, _one_line(text), quote_of is not None, quoted)
        if rt:
            e.text = "retweeted: " + e.text
        entries[post_id] = e
        parent = entries.get(reply_to) if reply_to else None
        if parent is not None and group_of.get(reply_to) == q:
            parent.children.append(e)
        else:
            if reply_to and reply_to in handle_of and reply_to not in question_posts:
                e.reply_elsewhere = handle_of[reply_to]
            sec.entries.append(e)
    for n, sec in sections.items():
        sec.participants = len(authors[n])
    return Transcript(
        chat_id,
        session_id,
        local_date,
        starts,
        ends,
        tz,
        n_posts,
        n_people,
        [sections[n] for n in numbers],
        sorted(people.items(), key=lambda kv: (-kv[1], kv[0].lower())),
        missing,
    )


def _one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(s: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", s)


def to_markdown(t: Transcript) -> str:
    out = [
        f"# #{_md(t.chat_id)}: session {_md(t.session_id)}",
        "",
        f"{t.local_date}, {t.starts}–{t.ends} ({_md(t.timezone)}) · {t.posts} posts · "
        f"{t.participants} participants · {sum(1 for s in t.sections if s.asked)} questions",
        "",
    ]
    for sec in t.sections:
        out.append(f"## {_md(sec.heading)}")
        out.append("")
        asked = f"asked by {_md(sec.asked)} · " if sec.asked else ""
        out.append(f"*{asked}{_counts(sec)}*")
        out.append("")
        for e in sec.entries:
            _md_entry(out, e, 0)
        out.append("")
    out += ["## Who took part", "", "| participant | posts |", "|---|---:|"]
    out += [f"| @{_md(h)} | {n} |" for h, n in t.people]
    out.append("")
    out += ["## Notes on the record", ""]
    out.append(_missing_note(t))
    return "\n".join(out) + "\n"


def _md_entry(out: list[str], e: Entry, depth: int) -> None:
    bits = [f"**@{_md(e.handle)}** {e.time}"]
    if e.reply_elsewhere:
        bits.append(f"(replying to @{_md(e.reply_elsewhere)})")
    line = "  " * depth + "- " + " ".join(bits) + ": " + _md(e.text)
    if e.quoted:
        line += f" — quoting @{_md(_one_line(e.quoted))}"
    if e.retweeted_by:
        line += f" *(retweeted by {len(e.retweeted_by)})*"
    out.append(line)
    for c in e.children:
        _md_entry(out, c, depth + 1)


def _counts(sec: Section) -> str:
    n = sec.question_retweets
    rts = f" · question retweeted {n} time{'s' if n != 1 else ''}" if n else ""
    return f"{sec.posts} posts · {sec.participants} participants{rts}"


def _missing_note(t: Transcript) -> str:
    if not t.missing_parents:
        return "Every reply's parent post is in the archive."
    n = len(t.missing_parents)
    shown = ", ".join(f"{at} @{h}" for at, h in t.missing_parents[:10])
    more = f" and {n - 10} more" if n > 10 else ""
    return (
        f"{n} {'reply points' if n == 1 else 'replies point'} at a post that is not in the archive "
        f"(the export missed it, e.g. a reply without the hashtag): {shown}{more}."
    )


# ---------------------------------------------------------------- HTML

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;padding-top:.6rem;
border-top:2px solid #d0d7de}.meta{color:#59636e}ul{list-style:none;padding-left:0;margin:.4rem 0}
ul ul{padding-left:1.4rem;border-left:2px solid #d8dee4;margin-left:.5rem}
li{margin:.35rem 0}.who{font-weight:600}.at{color:#59636e;font-variant-numeric:tabular-nums}
.quote{display:block;margin:.2rem 0 .2rem 1rem;padding-left:.6rem;border-left:3px solid #afb8c1;
color:#454c54}.rt,.elsewhere{color:#59636e;font-size:.9em}table{border-collapse:collapse}
td,th{padding:.2rem .8rem;border-bottom:1px solid #d8dee4;text-align:left}td.n{text-align:right}
.note{background:#fff8c5;border:1px solid #d4a72c;padding:.6rem .8rem;border-radius:6px}
"""


def _h(s: str) -> str:
    return html.escape(s, quote=True)


def to_html(t: Transcript) -> str:
    questions = sum(1 for s in t.sections if s.asked)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>#{_h(t.chat_id)} {_h(t.session_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>#{_h(t.chat_id)}: session {_h(t.session_id)}</h1>",
        f'<p class="meta">{_h(t.local_date)}, {_h(t.starts)}–{_h(t.ends)} ({_h(t.timezone)}) · '
        f"{t.posts} posts · {t.participants} participants · {questions} questions</p>",
    ]
    for sec in t.sections:
        parts.append(f"<section><h2>{_h(sec.heading)}</h2>")
        asked = f"asked by {_h(sec.asked)} · " if sec.asked else ""
        parts.append(f'<p class="meta">{asked}{_h(_counts(sec))}</p>')
        parts.append("<ul>")
        for e in sec.entries:
            _html_entry(parts, e)
        parts.append("</ul></section>")
    parts.append(
        "<section><h2>Who took part</h2><table><tr><th>participant</th><th>posts</th></tr>"
    )
    parts += [f'<tr><td>@{_h(h)}</td><td class="n">{n}</td></tr>' for h, n in t.people]
    parts.append("</table></section>")
    note_class = ' class="note"' if t.missing_parents else ""
    parts.append(f"<section><h2>Notes on the record</h2><p{note_class}>{_h(_missing_note(t))}</p>")
    parts.append("</section></body></html>")
    return "\n".join(parts) + "\n"


def _html_entry(parts: list[str], e: Entry) -> None:
    bits = [f'<span class="who">@{_h(e.handle)}</span> <span class="at">{_h(e.time)}</span>']
    if e.reply_elsewhere:
        bits.append(f'<span class="elsewhere">replying to @{_h(e.reply_elsewhere)}</span>')
    bits.append(f"<br>{_h(e.text)}")
    if e.quoted:
        bits.append(f'<span class="quote">@{_h(_one_line(e.quoted))}</span>')
    if e.retweeted_by:
        who = ", ".join("@" + h for h in e.retweeted_by)
        bits.append(
            f'<br><span class="rt" title="{_h(who)}">retweeted by {len(e.retweeted_by)}</span>'
        )
    parts.append("<li>" + " ".join(bits))
    if e.children:
        parts.append("<ul>")
        for c in e.children:
            _html_entry(parts, c)
        parts.append("</ul>")
    parts.append("</li>")


def render(
    con: duckdb.DuckDBPyConnection,
    session_id: str,
    fmt: str = "md",
    pseudonymizer: Pseudonymizer | None = None,
) -> str:
    """The session's transcript as Markdown (``md``) or a self-contained HTML page (``html``)."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: transcripts come as md or html")
    t = build(con, session_id, pseudonymizer)
    return to_markdown(t) if fmt == "md" else to_html(t)
