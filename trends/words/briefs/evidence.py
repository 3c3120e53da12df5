"""A story's evidence: the sentences of its coverage that a brief may use.

An article with extracted text gives the sentences of its lead paragraphs
(where reporters put who, what, where and when); an article without text gives
its feed summary. Every article gives its headline, which the timeline reads.
Each piece of evidence keeps its article, outlet and time, so anything built
from it can cite it."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trends.words.briefs import text as t
from trends.words.headlines import clean_title

LEAD_PARAGRAPHS = 4  # paragraphs read from the top of an article's text
LEAD_SENTENCES = 3  # sentences kept from them
SUMMARY_SENTENCES = 2
MIN_CHARS, MAX_CHARS = 40, 400

# "BEIJING -- ", "WASHINGTON (Reuters) - ", "LONDON, Jan 3 (AP) — ", "(CNN) — "
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'/\- ]{1,40}(?:,\s*[A-Z][\w.]*(?:\s+(?:[A-Z][\w.]*|\d{1,2})){0,2})?\s*(?:\([^)]{1,30}\))?"
    r"|\([A-Za-z ]{2,30}\))"
    r"\s*(?:--|—|–|-|:)\s+|^\((?:CNN|AP|AFP|Reuters|Xinhua)\)\s+"
)
# Lines of a page that are not the story: bylines, timestamps, photo credits, calls to action.
_FURNITURE = re.compile(
    r"^(by |updated|published|posted|photo|image|file photo|advertisement|read more|sign up|subscribe|"
    r"click here|follow us|share this|copyright|©|related:|watch:|listen:)|\|\s*updated|file photo|"
    r"\((?:ap|afp|reuters|getty(?: images)?) photo|"
    r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Coverage:
    """One article of a story as the brief reads it."""

    article_id: int
    source: str
    title: str
    summary: str
    text: str
    published_at: datetime
    # The article's embedding (unit vector), when the caller has it: angles group by it.
    vector: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Evidence:
    """One sentence of the coverage. kind: 'lead' (extracted text),
    'summary' (the feed's summary) or 'headline'."""

    article_id: int
    source: str
    published_at: datetime
    text: str
    kind: str
    position: int  # order within its article: 0 is the headline or first lead sentence

    @property
    def is_sentence(self) -> bool:
        return self.kind != "headline"


# A long story's brief reads its first reports (the event itself), its newest
# ones (where it stands) and a spread of the rest, not only the newest.
SAMPLE_FIRST, SAMPLE_NEWEST, SAMPLE_SPREAD = 15, 35, 30
# Its first reports start where its coverage took off: the first hour with at
# least this share of its busiest hour's articles (and BURST_MIN). A trickle
# before that is an earlier, related happening the story took in (Maduro's
# offer of talks two days before the strikes), not the event.
BURST_SHARE, BURST_MIN = 0.1, 3


def sample_for_brief(items: list[Coverage]) -> list[Coverage]:
    """At most SAMPLE_FIRST + SAMPLE_NEWEST + SAMPLE_SPREAD articles, in the
    order given, none from before the coverage took off; all of them when
    there are no more than that."""
    limit = SAMPLE_FIRST + SAMPLE_NEWEST + SAMPLE_SPREAD
    if len(items) <= limit:
        return list(items)
    by_time = sorted(items, key=lambda i: (i.published_at, i.article_id))
    by_time = by_time[_take_off(by_time) :]
    if len(by_time) <= limit:
        keep = {i.article_id for i in by_time}
    else:
        keep = {i.article_id for i in by_time[:SAMPLE_FIRST] + by_time[-SAMPLE_NEWEST:]}
        middle = by_time[SAMPLE_FIRST:-SAMPLE_NEWEST]
        step = len(middle) / SAMPLE_SPREAD
        keep |= {middle[int(k * step)].article_id for k in range(SAMPLE_SPREAD)}
    return [i for i in items if i.article_id in keep]


def _take_off(by_time: list[Coverage]) -> int:
    """Index of the first article of the first busy hour (see BURST_SHARE)."""
    hours = Counter(i.published_at.replace(minute=0, second=0, microsecond=0) for i in by_time)
    needed = max(BURST_MIN, BURST_SHARE * max(hours.values()))
    busy = [hour for hour, count in hours.items() if count >= needed]
    if not busy:
        return 0
    first = min(busy)
    return next(n for n, i in enumerate(by_time) if i.published_at >= first)


def article_evidence(item: Coverage) -> list[Evidence]:
    """The headline, then the lead sentences (or the summary's, when the
    article has no extracted text)."""
    found = []
    raw_title = " ".join((item.title or "").split())
    # Quoted without the feed's furniture ("UPDATING …", "… (Updating Live)"), as the page's headline is.
    title = clean_title(raw_title, item.source)
    if title:
        found.append(Evidence(item.article_id, item.source, item.published_at, title, "headline", 0))
    if item.text.strip():
        sentences, kind = lead_sentences(item.text, raw_title), "lead"
    else:
        sentences, kind = summary_sentences(item.summary, raw_title), "summary"
    for position, sentence in enumerate(sentences):
        found.append(Evidence(item.article_id, item.source, item.published_at, sentence, kind, position))
    return found


def story_evidence(items: list[Coverage]) -> list[Evidence]:
    """Every article's evidence, articles in the order given."""
    return [e for item in items for e in article_evidence(item)]


def lead_sentences(text: str, title: str = "") -> list[str]:
    """The first sentences of an article's body, without the headline
    repeated at the top, bylines, timestamps or a dateline."""
    paragraphs = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line or _same_text(line, title) or _is_furniture(line):
            continue
        paragraphs.append(line)
        if len(paragraphs) == LEAD_PARAGRAPHS:
            break
    sentences = []
    for paragraph in paragraphs:
        for sentence in t.split_sentences(paragraph):
            sentence = _DATELINE.sub("", sentence, count=1) if not sentences else sentence
            if _usable(sentence, title):
                sentences.append(sentence)
            if len(sentences) == LEAD_SENTENCES:
                return sentences
    return sentences


def summary_sentences(summary: str, title: str = "") -> list[str]:
    sentences = []
    for sentence in t.split_sentences(summary or ""):
        if _usable(sentence, title):
            sentences.append(sentence)
        if len(sentences) == SUMMARY_SENTENCES:
            break
    return sentences


def _usable(sentence: str, title: str) -> bool:
    """Long enough to state something, short enough to quote, complete (not a
    line that introduces a quote with a colon), and not the headline again."""
    return (
        MIN_CHARS <= len(sentence) <= MAX_CHARS
        and t.ends_sentence(sentence)
        and not sentence.rstrip().endswith(":")
        and not _same_text(sentence, title)
    )


def _same_text(a: str, b: str) -> bool:
    return bool(b) and t.words(a) == t.words(b)


def _is_furniture(line: str) -> bool:
    if _FURNITURE.search(line):
        return True
    # A short line without a full stop is a caption, a kicker or a byline.
    return len(line) < 60 and not t.ends_sentence(line)
