"""Key people, organisations, places and terms of a story, from its coverage.

No language model: capitalised phrases. Headlines come in two styles, and
the style matters: in "Trump says U.S. has captured Venezuela President
Maduro" a capital mid-sentence marks a name, while in Title Case ("Maduro
Declares State of Emergency After Caracas Blasts") every word has one. So
names are read from sentence-case lines first; in Title Case lines only
words already known as names (from the story's sentence-case lines), places
(pycountry) and acronyms count. A phrase becomes a topic when at least
MIN_ARTICLES articles mention it.

Kinds: places from pycountry's countries and subdivisions (plus a few
everyday short forms); organisations by acronym or a cue word ("Bank",
"Party", "Ministry"...); people by an honorific before the name ("President
Maduro") or a two-or-three-word name; anything else is a term."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.text import slugify

from trends.words.folding import fold_name
from trends.words.phrases import (
    ORGANISATION_CUES,
    fold_into_longer_names,
    fold_into_surnames,
    phrases_in,
    quoted_names,
)
from trends.words.places import ACRONYM_PLACES, country_names, country_of_demonym, known_places
from trends.words.tokens import is_acronym, is_capitalised, is_title_case, tokenise

MIN_ARTICLES = 2
MAX_TOPICS = 8
# An article counts for topics only when it is this close to the story's
# centroid (cosine of MiniLM vectors): a stray member cannot bring its names.
ON_TOPIC_SIMILARITY = 0.45

# Words that begin a name but are never one alone ("New" of "New Year's Eve").
_NEVER_ALONE = frozenset({"new", "north", "south", "east", "west", "san", "los", "las", "saint", "st"})


@dataclass(frozen=True)
class FoundTopic:
    name: str
    slug: str
    kind: str
    articles: int


def on_topic(vectors_by_article: dict, centroid) -> set:
    """The articles close enough to the story's centroid to name its topics
    (all of them when there is no centroid or no vector to compare)."""
    import numpy as np

    if centroid is None:
        return set(vectors_by_article)
    centroid = np.asarray(centroid, dtype=np.float32)
    norm = float(np.linalg.norm(centroid))
    if not norm:
        return set(vectors_by_article)
    unit = centroid / norm
    kept = set()
    for key, vector in vectors_by_article.items():
        if vector is None or float(np.asarray(vector, dtype=np.float32) @ unit) >= ON_TOPIC_SIMILARITY:
            kept.add(key)
    return kept


def extract_topics(texts_by_article: dict[int, list[str]]) -> list[FoundTopic]:
    """The story's topics, most mentioned first. texts_by_article maps an
    article id to its lines (title, summary); pass only on-topic articles."""
    lines = [(aid, line) for aid, texts in texts_by_article.items() for line in texts if line]
    proper_words = set()
    common_words = set()
    for _aid, line in lines:
        tokens = tokenise(line)
        if not is_title_case(tokens):
            proper_words.update(fold_name(t) for t in tokens[1:] if is_capitalised(t))
        # A word written in lower case anywhere in the coverage is a common noun there.
        common_words.update(fold_name(p) for t in tokens[1:] if t[:1].islower() for p in t.split("-") if p)

    mentions: dict[str, set[int]] = defaultdict(set)
    forms: dict[str, Counter] = defaultdict(Counter)
    person_hint: set[str] = set()
    for aid, line in lines:
        found_here = [*phrases_in(line, proper_words, frozenset(common_words)), *quoted_names(line)]
        for phrase, after_honorific in found_here:
            country = country_of_demonym(phrase)
            if country:
                phrase, after_honorific = country, False
            key = fold_name(phrase)
            mentions[key].add(aid)
            forms[key][phrase] += 1
            if after_honorific:
                person_hint.add(key)

    fold_into_surnames(mentions, forms, person_hint)
    fold_into_longer_names(mentions, forms, person_hint, MIN_ARTICLES)
    found = []
    for key, articles in mentions.items():
        if len(articles) < MIN_ARTICLES or not slugify(key) or key in _NEVER_ALONE:
            continue
        words = key.split(" ")
        if not is_acronym(name_of(forms[key])):
            # A word the coverage itself writes in lower case is a common noun here, even
            # one that names a place somewhere ("bar" is also a town in Montenegro); a
            # country's name is not.
            if len(words) == 1 and key in common_words and key not in country_names():
                continue
            if key not in known_places() and all(w in common_words and w not in proper_words for w in words):
                continue
        name = _display_name(forms[key], texts_by_article, articles)
        found.append(FoundTopic(name, slugify(name)[:200], _kind(name, key in person_hint), len(articles)))
    found.sort(key=lambda t: (-t.articles, t.name))
    return found[:MAX_TOPICS]


def name_of(forms: Counter) -> str:
    return forms.most_common(1)[0][0]


def _display_name(forms: Counter, texts_by_article, articles) -> str:
    """The most used spelling; for a person folded into a surname, the most
    used full name when at least MIN_ARTICLES articles give it ("Nicolás
    Maduro" over "Maduro")."""
    full = [(n, f) for f, n in forms.items() if len(f.split()) in (2, 3)]
    short = forms.most_common(1)[0][0]
    if full and len(short.split()) == 1:
        count, name = max(full)
        if count >= MIN_ARTICLES and name.split()[-1] == short:
            return name
    return short


def _kind(name: str, person_hint: bool) -> str:
    folded = fold_name(name)
    words = folded.split(" ")
    if folded in known_places() or name in ACRONYM_PLACES:
        return "place"
    if is_acronym(name) or set(words) & ORGANISATION_CUES:
        return "organisation"
    if person_hint or len(words) in (2, 3):
        return "person"
    return "term"
