"""How outlets differ: groups of articles that stress one aspect each."""

import math
from collections import Counter, defaultdict

import numpy as np

from trends.words.briefs import text as t
from trends.words.briefs.document import Angle
from trends.words.briefs.evidence import Coverage
from trends.words.briefs.reading import (
    _GENERIC,
    MAX_SUPPORT,
    StoryReading,
    _clean,
    _distinct,
    is_event_fact,
)

MAX_ANGLES = 3
MIN_ANGLE_ARTICLES = 6  # fewer articles do not split into angles
ANGLE_MIN_SHARE = 0.08  # of the story's articles, for a group to count as an angle
ANGLE_MAX_SHARE = 0.35  # a word more articles use than this is the story's, not an angle's
ANGLE_MIN_CLOSENESS = 0.15  # within-group minus group-to-rest similarity
ANGLE_STORY_WORDS = 5  # the story's most used stems, never an angle's name
MAX_LABEL_WORDS = 5  # an angle's name quoted as one stretch of its sentence at most this long


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
    # One common word ('deadly', 'travel') is a turn of phrase, not an aspect; a name can be.
    if len(hits) == 1 and hits[0] not in reading.name_stems:
        return None
    label = _label(e.text, hits[:3], seed, reading.name_stems)
    if not label:
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


def _label(text: str, stems: list[str], seed: str, names: set[str]) -> list[str]:
    """The angle's name as its quote says it: the stretch of the quote from
    the first of these words to the last when that is short ('dozen feared
    dead', not 'dozen, dead'), else the short stretch that holds most of them
    ('Oil prices'), widened to a whole name ('Nicolás Maduro'). `names`: the
    story's name stems."""
    matches = list(t.WORD.finditer(text))
    word_stems = [t.stem(m.group()) for m in matches]
    at = [k for k, s in enumerate(word_stems) if s in stems]
    if not at:
        return []
    first, last = _busiest_stretch(at, [k for k in at if word_stems[k] == seed])
    title_case = t.is_title_case(text)

    def is_name(k: int) -> bool:
        if word_stems[k] in names:
            return True
        # not capitalised for opening the sentence
        return not title_case and k > 0 and matches[k].group()[:1].isupper()

    def joined(a: int, b: int) -> bool:
        return text[matches[a].end() : matches[b].start()] == " "

    while first > 0 and is_name(first) and is_name(first - 1) and joined(first - 1, first):
        first -= 1
    while last + 1 < len(matches) and is_name(last) and is_name(last + 1) and joined(last, last + 1):
        last += 1
    phrase = text[matches[first].start() : matches[last].end()]
    if title_case:  # "Dozen Feared Dead" reads "dozen feared dead"; names keep their capitals
        phrase = t.WORD.sub(lambda m: m.group() if t.stem(m.group()) in names else m.group().lower(), phrase)
    return [_without_stray_quotes(phrase)]


def _without_stray_quotes(phrase: str) -> str:
    """A stretch cut from 'Trump says "no deal" as…' must not open a quote it does not close."""
    if phrase.count('"') % 2:
        phrase = phrase.replace('"', "")
    if phrase.count("“") != phrase.count("”"):
        phrase = phrase.replace("“", "").replace("”", "")
    return phrase


def _busiest_stretch(at: list[int], seed_at: list[int]) -> tuple[int, int]:
    """Of word positions `at`, the first and last of the run of at most
    MAX_LABEL_WORDS words that holds most of them (on a tie, one that holds
    the seed, then the earliest)."""
    runs = [(i, max(j for j in at if i <= j < i + MAX_LABEL_WORDS)) for i in at]

    def held(run: tuple[int, int], positions: list[int]) -> int:
        return sum(run[0] <= k <= run[1] for k in positions)

    return max(runs, key=lambda run: (held(run, at), held(run, seed_at) > 0, -run[0]))


def _jaccard_ids(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
