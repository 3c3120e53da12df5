"""What to watch: forward-looking sentences (announced dates, pending decisions)."""

from trends.words.briefs import sentence_kinds as kinds
from trends.words.briefs import text as t
from trends.words.briefs.document import Line
from trends.words.briefs.reading import StoryReading, _Candidate, _clean, _redundant, is_event_fact

MAX_WATCH = 2


def what_to_watch(reading: StoryReading, *, skip: set[str] = frozenset()) -> list[Line]:
    """Forward-looking sentences, the most relevant and newest first: up to
    MAX_WATCH for the section and one more for the next-step answer."""
    found = []
    for e in reading.evidence:
        text = _clean(e.text)
        if (
            text in skip
            or not kinds.is_forward_looking(text)
            or not is_event_fact(text)
            or reading.outside_voice(text)
        ):
            continue
        c = reading.candidate(e)
        # An announced date or step about one of the story's subjects is enough.
        scheduled = bool(t.dates(text) or kinds.is_scheduled(text))
        if c is None or not reading.relevant(c, names_needed=1 if scheduled else 2):
            continue
        found.append(c)
    # A stated date or a scheduled step says more about what comes next than a bare 'will'.
    found.sort(
        key=lambda c: (
            -(
                round(c.relevance, 1)
                + (0.5 if t.dates(c.evidence.text) or kinds.is_scheduled(c.evidence.text) else 0)
            ),
            -c.evidence.published_at.timestamp(),
            c.evidence.kind == "headline",
        )
    )
    chosen: list[_Candidate] = []
    for c in found:
        if not _redundant(c.stems, [x.stems for x in chosen], reading):
            chosen.append(c)
        if len(chosen) == MAX_WATCH + 1:
            break
    return [reading.line(c.evidence, c.stems) for c in chosen]
