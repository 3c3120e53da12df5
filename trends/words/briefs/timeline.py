"""Timeline: one headline per development, in time order."""

from datetime import timedelta

from trends.words.briefs.document import TimelineEntry
from trends.words.briefs.reading import (
    MAX_SUPPORT,
    StoryReading,
    _Candidate,
    _clean,
    _distinct,
    _jaccard,
    _redundant,
    is_event_fact,
)

MAX_TIMELINE = 8


def timeline(reading: StoryReading) -> list[TimelineEntry]:
    """Key developments in time order: headlines that bring new words,
    one per time step, omitted when the story has not moved."""
    headlines = []
    for e in reading.evidence:
        if e.kind != "headline" or not is_event_fact(e.text):
            continue
        c = reading.candidate(e)
        if c is not None and c.relevance >= 0.3:
            headlines.append(c)
    if len(headlines) < 2:
        return []
    headlines.sort(key=lambda c: (c.evidence.published_at, c.evidence.article_id))
    start, end = headlines[0].evidence.published_at, headlines[-1].evidence.published_at
    step = max(timedelta(hours=1), (end - start) / 12)
    entries: list[tuple[float, _Candidate, list[int]]] = []
    seen: set[str] = set()
    index = 0
    while index < len(headlines):
        window_end = headlines[index].evidence.published_at + step
        window = []
        while index < len(headlines) and headlines[index].evidence.published_at < window_end:
            window.append(headlines[index])
            index += 1
        best = None
        for c in window:
            new = c.stems - seen
            if entries and (len(new) < 2 or _redundant(c.stems, [x.stems for _, x, _ in entries])):
                continue
            same = [o for o in window if o is not c and _jaccard(o.stems, c.stems) >= 0.35]
            score = c.relevance * (1 + 0.3 * len({o.evidence.source for o in same}))
            if best is None or score > best[0]:
                best = (score, c, same)
        if best is None:
            continue
        score, c, same = best
        seen |= c.stems
        # The development is shown as first reported, by a telling nearly as typical as the best.
        first = min([c, *[o for o in same if o.relevance >= 0.75 * c.relevance]], key=_when)
        cited = [first.evidence.article_id] + [o.evidence.article_id for o in sorted([c, *same], key=_when)]
        entries.append((score, first, _distinct(cited)[: MAX_SUPPORT - 1]))
    if len(entries) < 2:
        return []
    if len(entries) > MAX_TIMELINE:
        keep = sorted(entries, key=lambda row: -row[0])[:MAX_TIMELINE]
        entries = sorted(keep, key=lambda row: row[1].evidence.published_at)
    return [
        TimelineEntry(c.evidence.published_at, c.evidence.source, _clean(c.evidence.text), cited)
        for _score, c, cited in entries
    ]


def _when(c: _Candidate):
    return (c.evidence.published_at, c.evidence.article_id)
