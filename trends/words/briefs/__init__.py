"""Briefs: what a trend page says about its story, built only from the
story's evidence (trends.words.briefs.evidence), by the built-in writer
(trends.words.briefs.writer) or, when configured, a language model whose every
sentence the verifier checks (trends.words.briefs.model_writer, .verifier)."""

from trends.words.briefs.document import NO_ANSWER, Angle, Answer, Brief, Line, TimelineEntry, Verification
from trends.words.briefs.evidence import Coverage, Evidence, story_evidence
from trends.words.briefs.text import as_sentence, content_words
from trends.words.briefs.writer import write_brief

__all__ = [
    "NO_ANSWER",
    "Angle",
    "Answer",
    "Brief",
    "Coverage",
    "Evidence",
    "Line",
    "TimelineEntry",
    "Verification",
    "as_sentence",
    "content_words",
    "digest_lines",
    "story_evidence",
    "write_brief",
]


def digest_lines(brief: dict, *, count: int = 2, headline: str = "") -> list[dict]:
    """The first sentences of a brief, for the daily digest; a sentence that
    only repeats the headline printed above it is left out, unless it is
    all the brief has."""
    lines = [line for line in (brief or {}).get("sentences") or [] if isinstance(line, dict)]
    lines += [
        line for line in (brief or {}).get("watch_next") or [] if isinstance(line, dict) and line not in lines
    ]
    repeat = _same_words(headline)
    fresh = [line for line in lines if not repeat or _same_words(line.get("text", "")) != repeat]
    return (fresh or lines)[:count]


def _same_words(text: str) -> str:
    from trends.words.briefs.text import WORD

    return " ".join(WORD.findall(text.lower()))
