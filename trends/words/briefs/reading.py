"""What the built-in writer's sections share: the story's evidence read
once (StoryReading), the candidate sentences it scores, and the tests of
relevance, corroboration and redundancy every section picks lines with."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from trends.words.briefs import sentence_kinds as kinds
from trends.words.briefs import text as t
from trends.words.briefs.document import Line
from trends.words.briefs.evidence import Coverage, Evidence, story_evidence

MAX_SUPPORT = 4  # other articles cited beside the one a sentence comes from
# Two lines of one section sharing more than this share of their stems say the same thing.
REDUNDANT_JACCARD = 0.4
SUPPORT_SHARE = 0.7  # of a sentence's stems an article must contain to corroborate it
# The cut of a story's average-linkage tree (cosine distance) whose largest group is briefed as
# the story's core (docs/decisions/briefs.md).
CORE_DISTANCE = 0.6

# Words that say a story is a story, not what it is about.
_GENERIC = frozenset(
    """year day days time week weeks people world news report reports reported live update updates
    latest first last video watch amid after today tonight know need make makes made take takes took
    look looks call calls called want wants going come comes came show shows year's years including
    around ahead near across big top next best full set""".split()
)
_REPORTING = frozenset(
    """says said say tells told announces announced warns warned claims claimed insists insisted denies
    denied confirms confirmed vows vowed threatens threatened urges urged calls called asks asked admits
    admitted argues argued declares declared writes wrote posts posted accuses accused promises promised
    pledges pledged suggests suggested explains explained reveals revealed responds responded blames
    blamed defends defended demands demanded""".split()
)
_COMMENT_VERBS = frozenset({"suggests", "thinks", "believes", "predicts", "questions", "wonders", "argues"})
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "over", "across", "outside", "inside", "into", "off"})


@dataclass
class _Candidate:
    evidence: Evidence
    stems: set[str]
    relevance: float  # share of its stems that recur in the story
    centrality: float


class StoryReading:
    """The story's evidence with what the sections share: which stems recur
    in how many articles, and each article's stems (for corroboration).
    Only the story's core is read (see core_of)."""

    def __init__(self, items: list[Coverage], evidence: list[Evidence] | None = None):
        items = core_of(items)
        kept = {i.article_id for i in items}
        self.items = items
        evidence = evidence if evidence is not None else story_evidence(items)
        self.evidence = [e for e in evidence if e.article_id in kept]
        self.article_count = len(items)
        self.outlet_count = len({i.source for i in items})
        self.source_of = {i.article_id: i.source for i in items}
        self.time_of = {i.article_id: i.published_at for i in items}
        self.article_stems: dict[int, set[str]] = defaultdict(set)
        self.headline_stems: dict[int, set[str]] = {}
        for e in self.evidence:
            stems = t.content_stems(e.text)
            self.article_stems[e.article_id] |= stems
            if e.kind == "headline":
                self.headline_stems[e.article_id] = stems
        self.df = Counter(s for stems in self.article_stems.values() for s in stems)
        # Stems written as names somewhere (capitalised mid-sentence, not in Title Case).
        self.name_stems = {t.stem(n) for e in self.evidence for n in t.names(e.text)}
        # Names that follow 'in', 'at', 'over'...: places, whatever a topic finder calls them.
        self.placed = Counter(n for e in self.evidence for n in set(_names_after_preposition(e.text)))
        self.has_text = any(e.kind == "lead" for e in self.evidence)
        # Stems a quarter of the articles use: what the story is about.
        self.core = {
            s for s, n in self.df.items() if n >= max(2, 0.25 * self.article_count) and s not in _GENERIC
        }
        times = sorted(i.published_at for i in items)
        # The first reports: where the event itself is told.
        self.early_until = times[max(0, (len(times) - 1) // 4)]

    def weight(self, stem: str) -> float:
        """How much a stem belongs to the story: 0 when one article has it,
        1 when a quarter of the articles do."""
        if self.article_count == 1:
            return 1.0 if stem in next(iter(self.headline_stems.values()), set()) else 0.3
        count = self.df[stem]
        if count < 2 or stem in _GENERIC:
            return 0.0
        return min(1.0, (count - 1) / max(1.0, 0.25 * self.article_count))

    def candidate(self, e: Evidence) -> _Candidate | None:
        stems = t.content_stems(e.text)
        if len(stems) < 3:
            return None
        weights = [self.weight(s) for s in stems]
        return _Candidate(e, stems, sum(weights) / len(stems), sum(weights) / math.sqrt(len(stems)))

    def outside_voice(self, text: str) -> bool:
        """'Zelensky suggests Trump should…': someone the story is not about,
        saying something about it. Commentary, not a fact of the event."""
        raw = t.WORD.findall(text)
        for index, word in enumerate(raw[:4]):
            if t.fold(word) in _REPORTING or t.fold(word) in _COMMENT_VERBS:
                speaker = [t.stem(w) for w in raw[:index] if w[:1].isupper()]
                known = max(2, 0.1 * self.article_count)
                return bool(speaker) and not any(self.df[s] >= known for s in speaker)
        return False

    def relevant(self, c: "_Candidate", *, names_needed: int = 2) -> bool:
        """About this story: most of its words recur in it, or some do and
        it names (two) things the story is about."""
        if self.article_count == 1:
            return True
        return c.relevance >= 0.3 or (c.relevance >= 0.15 and len(c.stems & self.core) >= names_needed)

    def supporting_articles(self, stems: set[str], names: list[str], own: int) -> list[int]:
        """Other articles whose evidence holds most of these stems and every name."""
        if not stems:
            return []
        found = []
        for article_id, article in self.article_stems.items():
            if article_id == own:
                continue
            shared = sum(1 for s in stems if s in article)
            if shared >= SUPPORT_SHARE * len(stems) and all(t.stem(n) in article for n in names):
                found.append(article_id)
        found.sort(key=lambda a: (self.time_of[a], a))
        # One article per outlet: a second copy from the same outlet corroborates nothing.
        by_outlet: dict[str, int] = {}
        for article_id in found:
            by_outlet.setdefault(self.source_of[article_id], article_id)
        return list(by_outlet.values())[:MAX_SUPPORT]

    def line(self, e: Evidence, stems: set[str] | None = None) -> Line:
        stems = t.content_stems(e.text) if stems is None else stems
        names = [n for n in t.names(e.text) if " " not in n]
        support = self.supporting_articles(stems, names, e.article_id)
        return Line(_clean(e.text), [e.article_id, *support], e.source)


def core_of(items: list[Coverage]) -> list[Coverage]:
    """The articles that tell the story's main event: the largest group of
    the story's articles cut at CORE_DISTANCE (average-linkage cosine on
    their embeddings). A story the clustering grew too wide (a week of NFL
    promos, a Venezuela story with Trump's health in it) is then briefed on
    what most of it is about; a tight story keeps every article. Without
    embeddings, every article."""
    if len(items) < 4 or any(i.vector is None for i in items):
        return items
    from scipy.cluster.hierarchy import fcluster, linkage

    matrix = np.vstack([np.asarray(i.vector, dtype=np.float32) for i in items])
    labels = fcluster(linkage(matrix, method="average", metric="cosine"), CORE_DISTANCE, criterion="distance")
    largest = Counter(labels.tolist()).most_common(1)[0][0]
    core = [item for item, label in zip(items, labels, strict=True) if label == largest]
    return core if len(core) >= 2 else items


@lru_cache(maxsize=50_000)
def is_event_fact(text: str) -> bool:
    """Not opinion, reaction, service, or a question."""
    return not (kinds.is_opinion(text) or kinds.is_reaction(text) or kinds.is_service(text))


def _fact_score(reading: StoryReading, c: _Candidate) -> float:
    e = c.evidence
    concrete = len(set(t.names(e.text))) + len(t.numbers(e.text)) + len(t.dates(e.text))
    corroborating = len(reading.supporting_articles(c.stems, [], e.article_id))
    score = c.centrality * (1 + 0.25 * min(corroborating, 4)) * (1 + 0.1 * min(concrete, 5))
    if e.published_at <= reading.early_until:
        score *= 1.25
    if e.kind == "headline":
        # A full sentence reads better than a headline, when the story has text.
        score *= 0.6 if reading.has_text else 1.0
        if t.is_title_case(e.text):
            score *= 0.7
    else:
        score /= 1 + 0.2 * e.position
    return score


def _redundant(stems: set[str], others: list[set[str]], reading: "StoryReading | None" = None) -> bool:
    """Says what another line says: most of their words shared, or, given
    the story, most of their words that recur in it ('Video shows the night
    sky in flames after US strikes, capture of Maduro' and 'Trump confirms
    US strikes on Caracas and says Maduro has been captured')."""
    if any(_jaccard(stems, other) > REDUNDANT_JACCARD for other in others):
        return True
    if reading is None:
        return False
    recurring = {s for s in stems if s in reading.core}
    for other in others:
        other_recurring = {s for s in other if s in reading.core}
        news = stems - other
        if min(len(recurring), len(other_recurring)) >= 2 and _jaccard(recurring, other_recurring) > 0.5:
            if len(news) < 4:  # nothing much beside the story's own words
                return True
    return False


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _names_after_preposition(text: str) -> list[str]:
    """Capitalised words within four words after a place preposition ('in
    the Venezuelan capital Caracas'), folded, each word and each run."""
    raw = t.WORD.findall(text)
    if t.is_title_case(text):
        return []
    found = []
    for index, word in enumerate(raw[:-1]):
        if word.lower() not in _PLACE_PREPOSITIONS:
            continue
        run: list[str] = []
        for following in raw[index + 1 : index + 5]:
            if following[:1].isupper():
                run.append(t.fold(following))
                found.append(t.fold(following))
            elif run:
                break
        if len(run) > 1:
            found.append(" ".join(run))
    return found


def _clean(text: str) -> str:
    return " ".join(text.split())


def _distinct(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))
