"""The built-in writer: a brief made only of sentences quoted from the
story's evidence, each citing its article (and the other articles that report
the same thing). Nothing is generated, so nothing can be invented; the work is
in choosing.

- What happened: the evidence sentences most typical of the story (their
  words recur across its articles), concrete (names, numbers, dates),
  corroborated by other outlets, and new relative to each other; opinion,
  reaction and service pieces are left out.
- Timeline: one headline per development, in time order; a headline joins
  the timeline only when it brings words the earlier entries did not have.
- How outlets differ: words that a group of articles share and the rest of
  the story does not; shown only when the coverage splits into two or more
  such groups, each from two or more outlets.
- What to watch: forward-looking sentences (announced dates, pending
  decisions).
- Quick answers: who did what (a named actor followed by what they said or
  did), where (a named place after a preposition), the toll (a number of dead
  or hurt), what next; asked only where the evidence answers them, except
  "what happens next", which a reader always asks."""

from datetime import datetime

from trends.words.briefs.angles import angles
from trends.words.briefs.answers import quick_answers
from trends.words.briefs.document import Brief
from trends.words.briefs.evidence import Coverage, Evidence
from trends.words.briefs.happened import what_happened
from trends.words.briefs.reading import StoryReading
from trends.words.briefs.timeline import timeline
from trends.words.briefs.watch import MAX_WATCH, what_to_watch


def write_brief(
    items: list[Coverage],
    topics: list[tuple[str, str]],
    now: datetime,
    *,
    evidence: list[Evidence] | None = None,
    headline: str = "",
) -> Brief:
    """The built-in brief of a story. items: its articles; topics: (name,
    kind) as trends.words.topics finds them; headline: the page's, which what
    happened does not repeat."""
    if not items:
        return Brief(updated_at=now)
    reading = StoryReading(items, evidence)
    found_angles = angles(reading, topics)
    happened = what_happened(reading, found_angles, headline)
    shown = {line.text for line in happened}
    ahead = what_to_watch(reading, skip=shown)
    return Brief(
        happened=happened,
        timeline=timeline(reading),
        angles=found_angles,
        watch=ahead[:MAX_WATCH],
        answers=quick_answers(reading, topics, ahead, happened),
        updated_at=now,
    )
