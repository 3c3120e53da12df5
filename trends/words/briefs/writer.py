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

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from trends.words.briefs import text as t
from trends.words.briefs.document import NO_ANSWER, Angle, Answer, Brief, Line, TimelineEntry
from trends.words.briefs.evidence import Coverage, Evidence, story_evidence

MAX_HAPPENED, MIN_HAPPENED = 4, 2
MAX_TIMELINE = 8
MAX_ANGLES = 3
MAX_WATCH = 2
MAX_ANSWERS = 4
MAX_SUPPORT = 4  # other articles cited beside the one a sentence comes from
# Two lines of one section sharing more than this share of their stems say the same thing.
REDUNDANT_JACCARD = 0.4
SUPPORT_SHARE = 0.7  # of a sentence's stems an article must contain to corroborate it
MIN_ANGLE_ARTICLES = 6  # fewer articles do not split into angles
ANGLE_MIN_SHARE = 0.08  # of the story's articles, for a group to count as an angle
ANGLE_MAX_SHARE = 0.35  # a word more articles use than this is the story's, not an angle's
ANGLE_MIN_CLOSENESS = 0.15  # within-group minus group-to-rest similarity
ANGLE_STORY_WORDS = 5  # the story's most used stems, never an angle's name
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
_ACTIONS = frozenset(
    """captures captured strikes struck launches launched signs signed arrives arrived resigns resigned
    wins won loses lost kills killed arrests arrested charges charged sues sued files filed
    orders ordered approves approved rejects rejected bans banned meets met visits visited returns
    returned leaves left joins joined sends sent seizes seized attacks attacked opens opened closes
    closed pleads pleaded appears appeared faces faced cuts raises raised drops dropped buys bought sells
    sold fires fired hires hired releases released names named takes took makes made gives gave becomes
    became beats beat scores scored plans planned moves moved pulls pulled agrees agreed ends ended
    starts started begins began cancels cancelled canceled suspends suspended extends extended""".split()
)
_COMMENT_VERBS = frozenset({"suggests", "thinks", "believes", "predicts", "questions", "wonders", "argues"})
_NOT_VERBS = frozenset({"red", "bed", "speed", "seed", "need", "feed", "breed", "deed", "shed", "weed"})
_NOT_BEFORE_SUBJECT = frozenset({"by", "of", "with", "from", "to", "against", "about", "for", "and"})
_PASSIVE_FOLLOWERS = frozenset(
    {"in", "by", "after", "at", "on", "over", "from", "as", "to", "for", "during", "amid"}
)
_AUXILIARIES = frozenset({"has", "have", "had", "will", "would", "also", "now", "reportedly", "is", "was"})
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "over", "across", "outside", "inside", "into", "off"})
_TOLL = re.compile(
    r"(dead|deaths?|died|killed|killing|kills|fatalities|injured|wounded|hurt|missing|casualties|lives)",
    re.I,
)
_COUNT = (
    r"(?:\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"dozens|scores|hundreds|thousands)"
)
_TOLL_WORD = r"(?:dead|died|killed|injured|wounded|hurt|missing|deaths|casualties|fatalities)"
_TOLL_STATED = re.compile(
    rf"\b{_COUNT}\s+(?:(?:people|persons|others|more|civilians|children|soldiers|protesters|migrants|"
    rf"passengers|victims|were|are|have|has|been|feared|confirmed|reported|now|later|is|was)\s+){{0,3}}"
    rf"{_TOLL_WORD}\b|"
    rf"\b(?:killing|killed|kills|injuring|wounding|leaving|left)\s+"
    rf"(?:at least|more than|nearly|about|around|some|over|up to)?\s*{_COUNT}\b|"
    rf"\bdeath toll\s+(?:\w+\s+){{0,3}}{_COUNT}\b"
)
_HURT = re.compile(r"\b(injured|wounded|hurt|casualties)\b", re.I)


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


# --- What happened ---------------------------------------------------------------


@lru_cache(maxsize=50_000)
def is_event_fact(text: str) -> bool:
    """Not opinion, reaction, service, or a question."""
    return not (t.is_opinion(text) or t.is_reaction(text) or t.is_service(text))


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


# --- Timeline --------------------------------------------------------------------


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


def _distinct(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


# --- How outlets differ ----------------------------------------------------------


def angles(reading: StoryReading, topics: list[tuple[str, str]] = ()) -> list[Angle]:
    """Groups of articles that stress one aspect each. A group is the
    articles whose headline or first sentence uses a word (the seed) that
    the rest of the story does not; it counts as an angle when it holds
    ANGLE_MIN_SHARE of the story from two or more outlets and its articles
    are closer to each other than to the rest (so a word every part of the
    story uses now and then, like 'deadly', makes no angle). Each is named by
    the words its articles share, all of which the quoted sentence contains.
    Fewer than two angles: the coverage does not split, nothing is shown."""
    n = reading.article_count
    if n < MIN_ANGLE_ARTICLES or reading.outlet_count < 3:
        return []
    focus = _focus_stems(reading)
    articles_with: dict[str, set[int]] = defaultdict(set)
    for article_id, stems in focus.items():
        for s in stems:
            articles_with[s].add(article_id)
    minimum = max(2, math.ceil(ANGLE_MIN_SHARE * n))
    core = {s for s, group in articles_with.items() if len(group) > ANGLE_MAX_SHARE * n}
    # The story's own words (its most used, its main names) name the story, not an angle of it.
    core |= {s for s, _count in reading.df.most_common(ANGLE_STORY_WORDS)}
    core |= {t.stem(w) for name, _kind in topics[:2] for w in t.words(name)}
    seeds = [
        s
        for s, group in articles_with.items()
        if s not in core and len(group) >= minimum and not s.isdigit() and _outlets(reading, group) >= 2
    ]
    seeds.sort(key=lambda s: (-len(articles_with[s]), s))
    closeness = _closeness(reading.items, focus)
    article_ids = [i.article_id for i in reading.items]
    found: list[Angle] = []
    taken: list[set[int]] = []
    for seed in seeds:
        members = articles_with[seed]
        if any(_jaccard_ids(members, other) > 0.25 for other in taken):
            continue
        if closeness(members) < ANGLE_MIN_CLOSENESS:
            continue
        others = [a for a in article_ids if a not in members]
        angle = _describe_angle(reading, seed, members, others, focus, core)
        if angle is None:
            continue
        found.append(angle)
        taken.append(members)
        if len(found) == MAX_ANGLES:
            break
    return found if len(found) >= 2 else []


def _focus_stems(reading: StoryReading) -> dict[int, set[str]]:
    """What an article stresses: the stems of its headline and first sentence."""
    focus: dict[int, set[str]] = defaultdict(set)
    first_sentence_seen: set[int] = set()
    for e in reading.evidence:
        if e.kind == "headline" or e.article_id not in first_sentence_seen:
            focus[e.article_id] |= {s for s in t.content_stems(e.text) if s not in _GENERIC and len(s) > 2}
            if e.kind != "headline":
                first_sentence_seen.add(e.article_id)
    return focus


def _closeness(items: list[Coverage], focus: dict[int, set[str]]):
    """A function of a group of articles: their mean similarity to each other
    less their mean similarity to the rest of the story (embeddings when
    every article has one, else their words with the seed left out)."""
    ids = [i.article_id for i in items]
    row = {a: k for k, a in enumerate(ids)}
    if all(i.vector is not None for i in items):
        matrix = np.vstack([np.asarray(i.vector, dtype=np.float32) for i in items])
    else:
        vocabulary = sorted({s for stems in focus.values() for s in stems})
        column = {s: k for k, s in enumerate(vocabulary)}
        matrix = np.zeros((len(ids), max(1, len(vocabulary))), dtype=np.float32)
        for a in ids:
            for s in focus.get(a, ()):
                matrix[row[a], column[s]] = 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1, norms)
    similarity = matrix @ matrix.T

    def closeness(members: set[int]) -> float:
        inside = [row[a] for a in members]
        outside = [row[a] for a in ids if a not in members]
        if len(inside) < 2 or not outside:
            return 0.0
        block = similarity[np.ix_(inside, inside)]
        within = (block.sum() - np.trace(block)) / (len(inside) * (len(inside) - 1))
        across = similarity[np.ix_(inside, outside)].mean()
        return float(within - across)

    return closeness


def _describe_angle(reading, seed: str, members: set[int], others: list[int], focus, core) -> Angle | None:
    """Name a group by its seed and the stems most of its articles share and
    few others use; quote the group's sentence that holds most of them."""
    size, rest = len(members), max(1, len(others))
    counts = Counter(s for a in members for s in focus.get(a, ()))
    outside = Counter(s for a in others for s in focus.get(a, ()))
    shared = [
        s
        for s, count in counts.items()
        if s != seed
        and count >= 0.6 * size
        and outside[s] / rest <= 0.25
        and s not in core
        and not s.isdigit()
    ]
    shared.sort(key=lambda s: (-(counts[s] / size - outside[s] / rest), s))
    wanted = [seed, *shared[:3]]
    best = None
    for e in reading.evidence:
        if e.article_id not in members or not is_event_fact(e.text):
            continue
        stems = t.content_stems(e.text)
        if seed not in stems:
            continue
        hits = [s for s in wanted if s in stems]
        key = (len(hits), e.kind != "headline", -e.position, -len(e.text))
        if best is None or key > best[0]:
            best = (key, e, hits)
    if best is None:
        return None
    _key, e, hits = best
    label = _in_text_order(e.text, hits[:3])
    # One common word ('deadly', 'travel') is a turn of phrase, not an aspect; a name can be.
    if not label or (len(hits) == 1 and hits[0] not in reading.name_stems):
        return None
    outlets = Counter(reading.source_of[a] for a in members)
    cited = [e.article_id] + sorted(members - {e.article_id}, key=lambda a: (reading.time_of[a], a))
    return Angle(
        words=label,
        sources=[name for name, _ in outlets.most_common()],
        text=_clean(e.text),
        citations=_distinct(cited)[: MAX_SUPPORT + 1],
        articles=size,
        members=set(members),
    )


def _outlets(reading: StoryReading, article_ids: set[int]) -> int:
    return len({reading.source_of[a] for a in article_ids})


def _in_text_order(text: str, stems: list[str]) -> list[str]:
    """The words of the text with these stems, as the text spells them and
    in its order; neighbours stay together ('Pete Hegseth', 'box office')."""
    phrases: list[list[str]] = []
    seen: set[str] = set()
    last = -2
    for position, word in enumerate(t.WORD.findall(text)):
        s = t.stem(word)
        if s not in stems or s in seen:
            continue
        seen.add(s)
        if position == last + 1 and phrases:
            phrases[-1].append(word)
        else:
            phrases.append([word])
        last = position
    return [" ".join(p) for p in phrases]


def _surface(text: str, wanted_stem: str) -> str:
    """The word of the text whose stem is wanted, as the text spells it."""
    for word in t.WORD.findall(text):
        if t.stem(word) == wanted_stem:
            return word if word[:1].isupper() and not t.is_title_case(text) else word.lower()
    return ""


# --- What to watch ---------------------------------------------------------------


def what_to_watch(reading: StoryReading, *, skip: set[str] = frozenset()) -> list[Line]:
    """Forward-looking sentences, the most relevant and newest first: up to
    MAX_WATCH for the section and one more for the next-step answer."""
    found = []
    for e in reading.evidence:
        text = _clean(e.text)
        if (
            text in skip
            or not t.is_forward_looking(text)
            or not is_event_fact(text)
            or reading.outside_voice(text)
        ):
            continue
        c = reading.candidate(e)
        # An announced date or step about one of the story's subjects is enough.
        scheduled = bool(t.dates(text) or t.is_scheduled(text))
        if c is None or not reading.relevant(c, names_needed=1 if scheduled else 2):
            continue
        found.append(c)
    # A stated date or a scheduled step says more about what comes next than a bare 'will'.
    found.sort(
        key=lambda c: (
            -(
                round(c.relevance, 1)
                + (0.5 if t.dates(c.evidence.text) or t.is_scheduled(c.evidence.text) else 0)
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


# --- Quick answers ---------------------------------------------------------------


def quick_answers(
    reading: StoryReading, topics: list[tuple[str, str]], watch: list[Line], happened: list[Line]
) -> list[Answer]:
    """Two to four questions the coverage answers, in the order a reader
    asks them. watch: the forward-looking lines, the section's first. "What
    happens next" is answered by a step beyond the section's, left to the
    section when it has no more, and said to be unanswered when nothing in
    the coverage looks ahead (the one question a reader always asks)."""
    # Answers do not repeat each other or what to watch; they may repeat a
    # what-happened line, but only when nothing else answers.
    taken: set[str] = {line.text for line in watch}
    shown = {line.text for line in happened}
    answers: list[Answer] = []

    def add(answer: Answer | None):
        if answer is not None and len(answers) < MAX_ANSWERS - 1:
            answers.append(answer)
            taken.add(answer.answer)

    used = _Used(taken, shown)

    for name in _actors(reading, topics):
        if sum(1 for a in answers if a.kind == "who") == 2:
            break
        add(_who(reading, name, used))
    add(_where(reading, _places(reading, topics), used))
    add(_toll(reading, used))
    if len(watch) > MAX_WATCH:
        # The section shows the first ones; the answer adds another step ahead.
        answers.append(
            Answer("What happens next?", watch[MAX_WATCH].text, watch[MAX_WATCH].citations, "next")
        )
    elif not watch and answers:
        answers.append(Answer("What happens next?", NO_ANSWER, [], "next"))
    return answers


class _Used:
    def __init__(self, taken: set[str], shown: set[str]):
        self.taken, self.shown = taken, shown


def _actors(reading: StoryReading, topics: list[tuple[str, str]]) -> list[str]:
    """People and organisations the story is about, most mentioned first:
    not a word of a longer name in the list ('News' of 'CBS News'), not a
    people's name ('Swiss', 'Venezuelan'), and named by two articles."""
    names = [name for name, kind in topics if kind in ("person", "organisation")]
    names += [name for name, kind in topics if kind == "term" and name not in names]
    actors = []
    for name in names:
        folded = t.fold(name)
        if any(folded != t.fold(o) and f" {folded} " in f" {t.fold(o)} " for o, _ in topics):
            continue
        if folded in t.DEMONYMS or _is_place_word(folded, topics) or folded in _GENERIC:
            continue
        if reading.placed[folded] >= 2:
            continue  # 'in Caracas': a place
        if reading.article_count > 1 and reading.df[t.stem(folded.split()[-1])] < 2:
            continue
        actors.append(name)
    return actors


def _is_place_word(folded: str, topics) -> bool:
    places = [t.fold(name) for name, kind in topics if kind == "place"]
    return any(t.same_stem(t.stem(folded), t.stem(place)) for place in places if " " not in folded)


def _places(reading: StoryReading, topics: list[tuple[str, str]]) -> list[str]:
    """Places the story happens in: named by a quarter of its articles, not
    a word of a person's name ('Victoria' of 'Victoria Jones')."""
    people = [t.fold(name) for name, kind in topics if kind == "person"]
    places = []
    for name, kind in topics:
        folded = t.fold(name)
        if kind != "place" and reading.placed[folded] < 2:
            continue
        if any(f" {folded} " in f" {person} " for person in people if person != folded):
            continue
        if (
            reading.article_count >= 4
            and reading.df[t.stem(folded.split()[-1])] < 0.25 * reading.article_count
        ):
            continue
        places.append(name)
    return places


def _answer_candidates(reading: StoryReading, used: _Used):
    """Evidence fit to answer with: facts of the event, relevant to the
    story, not already an answer; sentences before headlines, statements
    ('X says') after facts, lines the brief already shows last."""
    rows = []
    for e in reading.evidence:
        text = _clean(e.text)
        if text in used.taken or not is_event_fact(text) or reading.outside_voice(text):
            continue
        c = reading.candidate(e)
        if c is None or not reading.relevant(c):
            continue
        statement = any(w in _REPORTING for w in t.words(text))
        rows.append(
            (
                text in used.shown,
                e.kind == "headline",
                statement,
                -_fact_score(reading, c),
                e.position,
                text,
                e,
                c,
            )
        )
    rows.sort(key=lambda row: row[:5])
    return [(text, e, c) for *_, text, e, c in rows]


def _who(reading: StoryReading, name: str, used: _Used) -> Answer | None:
    """'What did Rubio say?' answered by a sentence in which Rubio is
    followed by what Rubio said or did."""
    name_words = t.words(name)
    if not name_words:
        return None
    said = did = None
    for text, e, c in _answer_candidates(reading, used):
        verb = _verb_after(text, name_words)
        if verb in _REPORTING and said is None:
            said = (text, e, c)
        elif verb is not None and verb not in _REPORTING and did is None:
            did = (text, e, c)
    # What someone did says more about an event than what they said about it.
    if did is not None:
        text, e, c = did
        return Answer(f"What did {name} do?", text, reading.line(e, c.stems).citations, "who")
    if said is not None:
        text, e, c = said
        return Answer(f"What did {name} say?", text, reading.line(e, c.stems).citations, "who")
    return None


def _verb_after(text: str, name_words: list[str]) -> str | None:
    """The verb that follows the name as its subject ('Rubio says', 'Trump
    has ordered'), folded; None when the name is not a subject there."""
    # Words, and a comma or colon as a word of its own: "produced by Weinstein, gave" has no subject.
    raw = re.findall(r"[^\W_]+(?:['’][^\W_]+)*|[,;:]", text)
    folded = [t.fold(w) for w in raw]
    size = len(name_words)
    for index in range(len(folded) - size):
        if folded[index : index + size] != name_words:
            continue
        if raw[index + size - 1].endswith(("'s", "’s")):
            continue  # "Trump's decision": a possessive, not a subject
        if index and folded[index - 1] in _NOT_BEFORE_SUBJECT:
            continue  # "produced by Weinstein": the agent of a passive, or an object
        for offset in range(index + size, min(index + size + 3, len(folded))):
            word, original = folded[offset], raw[offset]
            past = word.endswith("ed") or (word in _ACTIONS | _REPORTING and not word.endswith("s"))
            following = folded[offset + 1] if offset + 1 < len(folded) else ""
            passive = following in ("of", "by") if word in _REPORTING else following in _PASSIVE_FOLLOWERS
            if past and (not following or passive):
                return None  # headline passive: "Maduro seized", "Google accused of addicting kids"
            if word in _REPORTING or word in _ACTIONS:
                return word
            if original[:1].islower() and len(word) > 4 and word.endswith("ed") and word not in _NOT_VERBS:
                return word
            if word not in _AUXILIARIES:
                break
    return None


def _where(reading: StoryReading, places: list[str], used: _Used) -> Answer | None:
    if not places:
        return None
    place_words = [t.words(p) for p in places]
    for text, e, c in _answer_candidates(reading, used):
        folded = t.words(text)
        for words in place_words:
            for index in range(1, len(folded) - len(words) + 1):
                reach = 1 if t.is_title_case(text) else 4
                if folded[index : index + len(words)] == words and _after_preposition(folded, index, reach):
                    return Answer("Where did it happen?", text, reading.line(e, c.stems).citations, "where")
    return None


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


def _after_preposition(folded: list[str], index: int, reach: int = 4) -> bool:
    """'in Caracas', 'over the Venezuelan capital Caracas', 'in northern Japan'
    (a Title Case headline: right after it, 'Rage At Trump's Venezuela' is no place)."""
    for back in range(1, reach + 1):
        if index - back < 0:
            return False
        word = folded[index - back]
        if word in _PLACE_PREPOSITIONS:
            return True
        if word in t.STOPWORDS and word != "the":
            return False
    return False


def _toll(reading: StoryReading, used: _Used) -> Answer | None:
    for text, e, c in _answer_candidates(reading, used):
        if _states_toll(text):
            question = "How many people were hurt?" if _HURT.search(text) else "How many people died?"
            return Answer(question, text, reading.line(e, c.stems).citations, "toll")
    return None


def _states_toll(text: str) -> bool:
    """'40 dead', 'six people were killed', 'killing at least 10', 'death
    toll rises to 40' -- not 'found dead at 34' or 'Victoria, 34, found dead'
    (an age)."""
    return bool(_TOLL_STATED.search(t.fold(text)))


def _clean(text: str) -> str:
    return " ".join(text.split())


def _jaccard_ids(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
