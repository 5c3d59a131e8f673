"""Words for simulated posts: names, handles, questions, answers, replies; and their plain rendering.

A post's text is a list of parts: ``("text", s)``, ``("mention", Account)``, ``("tag", s)`` and
``("link", url)``. Untagged texts never start with a letter and a digit, so that the only answer tags
are the ones the simulator means.
"""

from __future__ import annotations

import random
import re
import string

FIRST = [
    "Maria", "James", "Aisha", "Chen", "Olivia", "Noah", "Priya", "Liam", "Fatima", "Lucas", "Zoë",
    "José", "Hannah", "Kwame", "Sofia", "Ethan", "Mei", "Ravi", "Grace", "Tomás", "Amara", "Owen",
    "Ingrid", "Samir", "Chloe", "Diego", "Nadia", "Felix", "Yuki", "Leah", "Marcus", "Élodie",
    "Kofi", "Isla", "Arjun", "Ruth", "Bjorn", "Lena", "Omar", "Tess", "Victor", "Ana", "Hugo",
]  # fmt: skip
LAST = [
    "López", "Smith", "Khan", "Wang", "Brown", "Okafor", "Patel", "Nguyen", "Murphy", "Rossi",
    "Schmidt", "Kim", "Dubois", "Silva", "Cohen", "Haddad", "Jensen", "O'Neil", "Tanaka", "Mensah",
    "Novak", "García", "Walsh", "Iyer", "Berg", "Costa", "Fischer", "Adeyemi", "Moreau", "Reyes",
]  # fmt: skip
ROLES = ["RN", "MD", "PhD", "MPH", "PT", "PharmD", "", "", "", ""]
ORGS = [
    "HealthDataLab", "CDCgov", "PatientVoices", "NurseLeaders", "WHO", "HIMSS", "MedEdNews",
    "CareAlliance", "RuralHealthNet", "DigitalHealthUK",
]  # fmt: skip
LOCATIONS = [
    "Boston, MA", "Toronto, Canada", "London", "Sydney, Australia", "Chicago, IL", "", "Dublin",
    "San Diego, CA", "Nairobi", "Berlin", "New York", "Vancouver, BC", "Ottawa 🇨🇦", "",
]  # fmt: skip
INSTANCES = ["mastodon.social", "fosstodon.org", "med-mastodon.com", "mstdn.science"]
TOPICS = [
    "patient experience", "telehealth", "clinician burnout", "health equity", "AI in healthcare",
    "caregivers", "health literacy", "social media in medicine", "nurse staffing", "data privacy",
    "rural health", "mental health at work", "vaccine confidence", "price transparency",
    "EHR usability", "patient portals", "shared decision making", "hospital at home",
]  # fmt: skip
QUESTION_STYLES = ["{p}{n} ", "{p}{n}: ", "{p}{n}. ", "{p}{n} - "]
QUESTIONS = [
    "What is the biggest barrier to {t} where you work?",
    "How has {t} changed since you started in healthcare?",
    "Who should lead on {t}: patients, clinicians or administrators?",
    "What is one thing leaders could do this year about {t}?",
    "Share a story where {t} made a real difference.",
    "If you could fix one thing about {t}, what would it be?",
    "What does good {t} look like to a patient?",
    "Where do you go to learn more about {t}?",
    "Is {t} getting better or worse, and why?",
    "What should we stop doing when it comes to {t}?",
]
OPENERS = [
    "I think", "For us,", "Honestly,", "In my experience", "Great question.", "Hard to say, but",
    "From the patient side,", "Speaking as a nurse,", "As a caregiver,", "Short answer:", "Personally",
]  # fmt: skip
BODIES = [
    "{t} starts with listening to patients",
    "we need better data on {t}",
    "leaders rarely ask front-line staff about {t}",
    "time is the real barrier to {t}",
    "funding follows {t} only when boards care",
    "small pilots beat big plans for {t}",
    "nobody owns {t} & so nothing changes",
    "{t} works when patients are partners, not targets",
    "we measure the wrong things about {t}",
    "the tools for {t} are built for billing, not people",
    "culture eats strategy, {t} included",
    "{t} needs champions at every level",
]
ENDINGS = ["", "", "", " 🙂", " <3", " 👏", "!", " 🙌🏽", " (just my 2¢)", " 💯"]
REPLIES = [
    "Agree!", "So true", "Love this", "Could not agree more", "This 👆", "Same here",
    "Interesting, how did you measure that?", "We tried that & it worked", "Yes, exactly",
    "Well said", "Hmm, not sure I agree", "Great point", "👏👏", "Can you share more?",
    "That's what we found too", "Ha, so familiar",
]  # fmt: skip
SELF_THREAD = ["2/ and the other half of it is trust", "Also: budgets.", "(cont.) and time, always time",
               "...and leadership has to show up"]  # fmt: skip
INTROS = [
    "Hi all, {name} here from {place}", "Evening everyone!", "Hello from {place} 👋",
    "Good evening, lurking tonight", "Hi! First time joining", "Happy to be here tonight",
    "Hello friends, grabbing tea first ☕", "Hey everyone, {name} from {place} checking in",
]  # fmt: skip
QUOTES = ["This is such an important question", "Worth thinking about", "Yes! Read this",
          "This, a hundred times", "Good one tonight", "Agree with this take"]  # fmt: skip
AFTER = [
    "Still thinking about last night's chat", "Great conversation this week, thanks all",
    "Missed the chat this week, catching up on the transcript", "Here's a good read on tonight's theme",
]  # fmt: skip
CONF_BEFORE = ["Who is going to the meeting this year?", "Abstract deadline is coming up!",
               "Booked my flight, see you all there", "Planning my schedule for the meeting"]  # fmt: skip
CONF = [
    "Packed room for the platform session on {t}", "Great poster on {t} in hall B",
    "Slides from my talk on {t} are up", "Fascinating case presented this morning",
    "Coffee line is long but worth it", "Best session so far: {t}",
    "Take-home message: {t} matters more than we think", "Lunch with old friends from residency",
]  # fmt: skip
CONF_TOPICS = ["digital pathology", "frozen sections", "molecular diagnostics", "AI in pathology",
               "dermatopathology", "resident education", "cytology"]  # fmt: skip
# Hashtags that travel with a chat's own, most used first (as typed: the archive lower-cases them).
HEALTH_CO_TAGS = ("hcsm", "PatientExperience", "MedEd", "DigitalHealth", "healthcare", "nurses")
PATHOLOGY_CO_TAGS = ("pathology", "PathTwitter", "DigitalPathology", "dermpath", "pathresidents")

Parts = list[tuple[str, object]]


def plain(parts: Parts, platform: str) -> str:
    """The text as the platform shows it, unescaped: mentions as ``@handle`` (Mastodon: ``@user``)."""
    out = []
    for kind, value in parts:
        if kind == "mention":
            out.append("@" + (value.username if platform == "mastodon" else value.handle))  # type: ignore[attr-defined]
        elif kind == "tag":
            out.append(f"#{value}")
        else:
            out.append(str(value))
    return "".join(out)


def person_name(rng: random.Random) -> str:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    role = rng.choice(ROLES)
    return f"{name}, {role}" if role else name


def name_from_handle(handle: str, hashtag: str) -> str:
    """A display name for a configured handle: ``HCLDR chat`` for the chat's own account, ``Colin
    Hung`` for ``ColinHung``."""
    base = handle.split("@")[0].split(".")[0]
    if base.lower().startswith(hashtag.lower()):
        return f"{hashtag} chat"
    words = re.findall(r"[A-Z][a-z]+", base)
    return " ".join(words) if len(words) >= 2 else base


def organisation(rng: random.Random) -> str:
    return rng.choice(ORGS)


def handle_for(name: str, rng: random.Random) -> str:
    """A Twitter-style handle from a display name: mixed case sometimes, letters digits and ``_``."""
    ascii_name = name.split(",")[0]
    for a, b in (("é", "e"), ("ë", "e"), ("É", "E"), ("ó", "o"), ("á", "a"), ("í", "i"), ("'", "")):
        ascii_name = ascii_name.replace(a, b)
    first, last = ascii_name.split(" ", 1)
    last = last.replace(" ", "")
    form = rng.randrange(6)
    if form == 0:
        h = first + last
    elif form == 1:
        h = (first[0] + last).lower()
    elif form == 2:
        h = f"Dr{first}{last[0]}"
    elif form == 3:
        h = f"{first.lower()}_{last.lower()}"
    elif form == 4:
        h = f"{first}{rng.randrange(10, 99)}"
    else:
        h = f"{rng.choice(['nurse', 'pt', 'health', 'the', 'Real'])}{first}{last[0]}"
    if organisation_like(h):
        h += "_"
    return h[:15]


def organisation_like(h: str) -> bool:
    return h.lower() in {o.lower() for o in ORGS}


def bio(rng: random.Random) -> str:
    return rng.choice(
        ["Nurse, learner, #patientsafety", "Healthcare leader. Views my own.", "Caregiver & advocate",
         "Physician | #meded", "Health IT nerd", "Researcher: digital health", "", "Patient first."]
    )  # fmt: skip


def cid(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "bafyrei" + "".join(rng.choice(alphabet) for _ in range(52))


def tco(rng: random.Random) -> str:
    return "https://t.co/" + "".join(
        rng.choice(string.ascii_letters + string.digits) for _ in range(10)
    )


def _first_name(name: str) -> str:
    return name.split(" ")[0]


def welcome(rng: random.Random, tag, topic: str, guest) -> Parts:
    parts: Parts = [("text", "Welcome to "), tag, ("text", f"! Tonight we talk about {topic}")]
    if guest is not None:
        parts += [("text", " with our guest "), ("mention", guest)]
    parts.append(("text", ". Please introduce yourself, and tag your answers A1, A2…"))
    return parts


def intro(rng: random.Random, tag) -> Parts:
    line = rng.choice(INTROS).format(
        name=_first_name(rng.choice(FIRST)), place=rng.choice(LOCATIONS) or "home"
    )
    return [("text", line + " "), tag]


def question(rng: random.Random, prefix: str, n: int, style: str, topic: str, tag) -> Parts:
    text = rng.choice(QUESTIONS).format(t=topic)
    return [("text", style.format(p=prefix, n=n) + text + " "), tag]


def answer_tag(rng: random.Random, prefix: str, n: int) -> str:
    forms = [f"A{n} ", f"A{n}: ", f"a{n}) ", f"A{n} - "]
    if prefix == "T":
        forms.append(f"T{n}: ")
    return rng.choice(forms)


def answer(
    rng: random.Random, prefix: str, n: int | None, topic: str, tag, mention, limit: int
) -> Parts:
    """An answer: an optional tag, an opener and one to three statements, a mention, the hashtag.

    Stays within ``limit`` characters (140 before Twitter doubled it, 280 after).
    """
    head = answer_tag(rng, prefix, n) if n is not None else ""
    bodies = rng.sample(BODIES, k=rng.choice((1, 1, 1, 2, 3)))
    while True:
        joint = "\n\n" if len(bodies) > 1 and rng.random() < 0.2 else "; "
        body = rng.choice(OPENERS) + " " + joint.join(b.format(t=topic) for b in bodies)
        parts: Parts = [("text", head + body + rng.choice(ENDINGS))]
        if mention is not None:
            parts += [("text", rng.choice([" cc ", " like ", " agree w/ "])), ("mention", mention)]
        parts += [("text", " "), tag]
        if len(plain(parts, "twitter")) <= limit or len(bodies) == 1:
            return parts
        bodies = bodies[:-1]


GREETINGS = ["good to see you here tonight!", "missed you last week!", "so glad you made it",
             "welcome back!", "long time no see 👋"]  # fmt: skip


def greeting(rng: random.Random, tag) -> Parts:
    """An untagged greeting that follows a leading @-mention."""
    return [("text", rng.choice(GREETINGS) + " "), tag]


def was_great(rng: random.Random, prefix: str, tag) -> Parts:
    return [("text", f"{prefix}1 was great, so many good ideas already "), tag]


def closing(rng: random.Random, tag, hashtag: str) -> Parts:
    return [
        ("text", "Thanks everyone for a great "),
        tag,
        ("text", " tonight! Same time next week."),
    ]


def reply(rng: random.Random, tag) -> Parts:
    parts: Parts = [("text", rng.choice(REPLIES))]
    if tag is not None:
        parts += [("text", " "), tag]
    return parts


def self_thread(rng: random.Random, tag) -> Parts:
    parts: Parts = [("text", rng.choice(SELF_THREAD))]
    return parts + ([("text", " "), tag] if tag else [])


def quote_comment(rng: random.Random, tag) -> Parts:
    return [("text", rng.choice(QUOTES) + " "), tag]


def promo(rng: random.Random, tag, start, topic: str, guest) -> Parts:
    """``Join us Tuesday at 8:30pm EST for #HCLDR: …`` (``start``: the sitting's local start)."""
    day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    hour = start.hour % 12 or 12
    when = f"{hour}:{start.minute:02d}{'am' if start.hour < 12 else 'pm'} {start.tzname()}"
    parts: Parts = [("text", f"Join us {day[start.weekday()]} at {when} for "), tag]
    parts.append(("text", f": {topic}"))
    if guest is not None:
        parts += [("text", " with "), ("mention", guest)]
    return parts + [("text", ". Bring a friend!")]


def afterthought(rng: random.Random, tag, kind: str) -> Parts:
    line = rng.choice(CONF_BEFORE if kind == "conference" else AFTER)
    return [("text", line + " "), tag]


def co_tags(rng: random.Random, pool: tuple[str, ...]) -> list[str]:
    """One hashtag from ``pool`` (sometimes two, never the same twice); earlier ones are likelier."""
    want = min(1 if rng.random() < 0.7 else 2, len(pool))
    weights = [1 / (rank + 1) for rank in range(len(pool))]
    chosen: list[str] = []
    while len(chosen) < want:
        tag = rng.choices(pool, weights=weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return chosen


def with_co_tags(parts: Parts, tags: list[str]) -> Parts:
    """``parts`` with `` #tag`` added at the end of the words, before a quoted tweet's trailing link."""
    cut = len(parts)
    if len(parts) >= 2 and parts[-1][0] == "link" and parts[-2] == ("text", " "):
        cut -= 2
    extra: Parts = []
    for tag in tags:
        extra += [("text", " "), ("tag", tag)]
    return parts[:cut] + extra + parts[cut:]


def conference(rng: random.Random, tag, mention) -> Parts:
    parts: Parts = [("text", rng.choice(CONF).format(t=rng.choice(CONF_TOPICS)))]
    if mention is not None:
        parts += [("text", " with "), ("mention", mention)]
    return parts + [("text", " "), tag]
