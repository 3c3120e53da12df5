"""What happened: the evidence sentences most typical of the story,
concrete, corroborated and new relative to each other."""

import math

from trends.words.briefs import text as t
from trends.words.briefs.document import Angle, Line
from trends.words.briefs.reading import (
    StoryReading,
    _Candidate,
    _fact_score,
    _redundant,
    is_event_fact,
)

MAX_HAPPENED, MIN_HAPPENED = 4, 2


def what_happened(reading: StoryReading, found_angles: list[Angle] = (), headline: str = "") -> list[Line]:
    """Two to four facts of the core event, from different articles and
    outlets where the story has them, at most one from each angle (two
    sentences about oil prices are one fact twice)."""
    group_of = {a: k for k, angle in enumerate(found_angles) for a in angle.members}
    scored = []
    above = t.words(headline)
    for e in reading.evidence:
        if not is_event_fact(e.text) or (above and t.words(e.text) == above) or reading.outside_voice(e.text):
            continue
        candidate = reading.candidate(e)
        if candidate is None or candidate.relevance < 0.25:
            continue
        scored.append((_fact_score(reading, candidate), candidate))
    if not scored:
        return _least_bad(reading)
    chosen: list[_Candidate] = []
    outlets: set[str] = set()
    covered: set[str] = set()
    best_score = max(score for score, _ in scored)
    while len(chosen) < MAX_HAPPENED:
        best = None
        used_articles = {x.evidence.article_id for x in chosen}
        used_groups = {group_of[a] for a in used_articles if a in group_of}
        for score, c in scored:
            if c.evidence.article_id in used_articles or _redundant(
                c.stems, [x.stems for x in chosen], reading
            ):
                continue
            if group_of.get(c.evidence.article_id, -1) in used_groups:
                continue
            new_stems = c.stems - covered
            if chosen and len(new_stems) < 2:
                continue
            adjusted = score * (0.7 if c.evidence.source in outlets else 1.0)
            if best is None or adjusted > best[0]:
                best = (adjusted, c)
        if best is None:
            break
        if len(chosen) >= MIN_HAPPENED and best[0] < 0.45 * best_score:
            break
        chosen.append(best[1])
        outlets.add(best[1].evidence.source)
        covered |= best[1].stems
    lead, rest = chosen[:1], sorted(chosen[1:], key=lambda c: (c.evidence.published_at, c.evidence.position))
    return [reading.line(c.evidence, c.stems) for c in lead + rest]


def _least_bad(reading: StoryReading) -> list[Line]:
    """A story told only in questions, opinion or reaction still gets a line:
    its most typical piece of evidence, quoted and cited as it is."""
    best = None
    for e in reading.evidence:
        stems = t.content_stems(e.text)
        if not stems:
            continue
        weight = sum(reading.weight(s) for s in stems) / math.sqrt(len(stems))
        key = (weight, e.kind != "headline", -e.published_at.timestamp())
        if best is None or key > best[0]:
            best = (key, e, stems)
    return [reading.line(best[1], best[2])] if best else []
