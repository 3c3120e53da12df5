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

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.utils.text import slugify

MIN_ARTICLES = 2
MAX_TOPICS = 8
# An article counts for topics only when it is this close to the story's
# centroid (cosine of MiniLM vectors): a stray member cannot bring its names.
ON_TOPIC_SIMILARITY = 0.45

_TOKEN = re.compile(r"[^\W_][\w’'.&-]*", re.UNICODE)
_CONNECTORS = frozenset({"of", "de", "del", "da", "van", "von", "al", "bin", "la", "le", "du", "for"})
_HONORIFICS = frozenset(
    {
        "president",
        "pres",
        "gov",
        "governor",
        "sen",
        "senator",
        "rep",
        "minister",
        "pm",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "mr",
        "mrs",
        "ms",
        "dr",
        "judge",
        "mayor",
        "gen",
        "general",
        "chancellor",
        "secretary",
        "leader",
        "ceo",
        "coach",
        "speaker",
    }
)
_ORGANISATION_CUES = frozenset(
    {
        "bank",
        "party",
        "ministry",
        "department",
        "university",
        "council",
        "court",
        "congress",
        "parliament",
        "senate",
        "house",
        "agency",
        "association",
        "federation",
        "union",
        "inc",
        "corp",
        "corporation",
        "company",
        "group",
        "fc",
        "club",
        "institute",
        "foundation",
        "commission",
        "committee",
        "airlines",
        "news",
        "times",
        "post",
        "fund",
        "guard",
        "army",
        "navy",
        "police",
        "organization",
        "organisation",
        "service",
        "board",
        "office",
    }
)
# Capitalised for reasons other than being a name.
_NOT_TOPICS = frozenset(
    {
        "live",
        "breaking",
        "update",
        "updates",
        "latest",
        "watch",
        "video",
        "exclusive",
        "review",
        "report",
        "analysis",
        "opinion",
        "explainer",
        "photos",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "year",
        "today",
        "here",
        "how",
        "why",
        "what",
        "who",
        "when",
        "where",
        "this",
        "that",
        "the",
        "a",
        "an",
        "it",
        "he",
        "she",
        "we",
        "they",
        "i",
        "you",
        "his",
        "her",
        "our",
        "after",
        "before",
        "as",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "and",
        "but",
        "or",
        "is",
        "are",
        "was",
        "will",
        "not",
        "no",
        "more",
        "first",
        "last",
        "says",
        "said",
        "amid",
        "over",
        "from",
        "by",
        "of",
        "if",
        "all",
        "some",
        "one",
        "two",
        "eve",
        "nye",
        "see",
        "most",
        "week",
        "bet",
        "families",
        "fans",
        "star",
        "stars",
        "fate",
    }
)
# Words that begin a name but are never one alone ("New" of "New Year's Eve").
_NEVER_ALONE = frozenset({"new", "north", "south", "east", "west", "san", "los", "las", "saint", "st"})
# Short forms pycountry does not know by these names.
_EXTRA_PLACES = frozenset({"us", "u.s.", "usa", "uk", "u.k.", "eu", "britain", "america", "europe", "africa"})
_ACRONYM_PLACES = frozenset({"US", "UK", "EU", "UAE", "USA"})


@dataclass(frozen=True)
class FoundTopic:
    name: str
    slug: str
    kind: str
    articles: int


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    import pycountry

    names = set(_EXTRA_PLACES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.add(_fold(value))
    for subdivision in pycountry.subdivisions:
        names.add(_fold(subdivision.name))
    return frozenset(names)


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
        tokens = _tokens(line)
        if not _is_title_case(tokens):
            proper_words.update(_fold(t) for t in tokens[1:] if _is_capitalised(t))
        # A word written in lower case anywhere in the coverage is a common noun there.
        common_words.update(_fold(p) for t in tokens[1:] if t[:1].islower() for p in t.split("-") if p)

    mentions: dict[str, set[int]] = defaultdict(set)
    forms: dict[str, Counter] = defaultdict(Counter)
    person_hint: set[str] = set()
    for aid, line in lines:
        found_here = [*_phrases(line, proper_words, frozenset(common_words)), *_quoted_names(line)]
        for phrase, after_honorific in found_here:
            country = country_of_demonym(phrase)
            if country:
                phrase, after_honorific = country, False
            key = _fold(phrase)
            mentions[key].add(aid)
            forms[key][phrase] += 1
            if after_honorific:
                person_hint.add(key)

    _fold_into_surnames(mentions, forms, person_hint)
    _fold_into_longer_names(mentions, forms, person_hint)
    found = []
    for key, articles in mentions.items():
        if len(articles) < MIN_ARTICLES or not slugify(key) or key in _NEVER_ALONE:
            continue
        words = key.split(" ")
        if not _is_acronym(name_of(forms[key])):
            # A word the coverage itself writes in lower case is a common noun here, even
            # one that names a place somewhere ("bar" is also a town in Montenegro); a
            # country's name is not.
            if len(words) == 1 and key in common_words and key not in _country_names():
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


_QUOTE_FILLERS = _CONNECTORS | {"and", "the", "a", "of", "to", "in"}
_QUOTED = re.compile(r"[‘'\"“]([^‘’'\"“”]{2,60})[’'\"”]")


def _quoted_names(line: str) -> list[tuple[str, bool]]:
    """Titles of works in quotes, every word capitalised ("‘Avatar: Fire and
    Ash’", "‘Stranger Things 5’" as "Stranger Things"); a quoted remark is
    not a name."""
    names = []
    for match in _QUOTED.finditer(line):
        text = re.sub(r"\s+\d+$", "", match.group(1).strip(" :,.!?"))
        words = [w for w in re.split(r"[\s:]+", text) if w]
        if not 1 <= len(words) <= 6 or len(words) == 1 and _is_acronym(words[0]):
            continue
        significant = [w for w in words if w.lower() not in _QUOTE_FILLERS]
        if significant and all(_is_capitalised(w) and not w.isupper() for w in significant):
            if len(words) > 1 or _fold(text) not in _NOT_TOPICS:
                names.append((text, False))
    return names


# Demonyms pycountry cannot derive ("Swiss" is not "Switzerland" minus a suffix).
_IRREGULAR_DEMONYMS = {
    "swiss": "Switzerland",
    "british": "UK",
    "briton": "UK",
    "britons": "UK",
    "english": "England",
    "scottish": "Scotland",
    "welsh": "Wales",
    "irish": "Ireland",
    "french": "France",
    "dutch": "Netherlands",
    "danish": "Denmark",
    "swedish": "Sweden",
    "finnish": "Finland",
    "spanish": "Spain",
    "polish": "Poland",
    "turkish": "Turkey",
    "greek": "Greece",
    "thai": "Thailand",
    "filipino": "Philippines",
    "saudi": "Saudi Arabia",
    "saudis": "Saudi Arabia",
    "emirati": "UAE",
    "american": "US",
    "americans": "US",
    "palestinian": "Palestine",
    "palestinians": "Palestine",
    "israeli": "Israel",
    "israelis": "Israel",
    "somali": "Somalia",
    "somalis": "Somalia",
    "somalian": "Somalia",
}


_DEMONYM_ENDINGS = ("an", "ans", "ese", "i", "is")


def country_of_demonym(word: str) -> str | None:
    """ "Venezuelan(s)" → "Venezuela", "Iranian" → "Iran", "Swiss" →
    "Switzerland"; None for anything that is not a country's demonym."""
    if " " in word.strip():
        return None
    # "Saudi-backed", "Iranian-led": the country behind it.
    head, _, tail = word.partition("-")
    if tail.lower() in {"backed", "led", "based", "born", "owned", "made", "supported"}:
        return country_of_demonym(head) or _country_names().get(_fold(head))
    folded = _fold(word)
    if folded in _IRREGULAR_DEMONYMS:
        return _IRREGULAR_DEMONYMS[folded]
    if not word[:1].isupper() or not folded.endswith(_DEMONYM_ENDINGS):
        return None
    countries = _country_names()
    if folded in countries:
        return None
    stem = folded.removesuffix("s")
    for candidate in (stem[:-1], stem[:-3], stem[:-2] + "o", stem[:-3] + "a", stem[:-2] + "e", stem[:-2]):
        if len(candidate) >= 4 and candidate != folded and candidate in countries:
            return countries[candidate]
    return None


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    import pycountry

    names = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        names[_fold(name)] = name
    return names


_SEGMENT_BREAK = re.compile(r"[,;:!?()\[\]|“”\"]|\s[–—-]\s|’s\b|'s\b")


def _phrases(
    line: str, proper_words: set[str], common_words: frozenset = frozenset()
) -> list[tuple[str, bool]]:
    """Runs of name-like tokens, with whether an honorific preceded them.
    A run never crosses punctuation or a possessive ("Trump's Iran threat"
    names Trump and Iran, not "Trump's Iran")."""
    title_case = _is_title_case(_tokens(line))
    runs: list[tuple[str, bool]] = []
    for index, segment in enumerate(_SEGMENT_BREAK.split(line)):
        runs.extend(_segment_phrases(segment, proper_words, common_words, title_case, index == 0))
    return runs


def _segment_phrases(segment, proper_words, common_words, title_case, starts_line):
    tokens = _tokens(segment)
    places = known_places()
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    after_honorific = False
    previous = ""
    for index, token in enumerate(tokens):
        folded = _fold(token)
        acronym = _is_acronym(token) and not (len(token) >= 4 and folded in common_words)
        if title_case:
            name_like = acronym or (
                _is_capitalised(token)
                and (folded in proper_words or folded in places or country_of_demonym(token) is not None)
            )
        else:
            first = index == 0 and starts_line
            name_like = _is_capitalised(token) and (
                not first
                or folded in proper_words
                or folded in places
                or country_of_demonym(token) is not None
            )
            if token.isupper() and len(token) >= 4 and not acronym:
                name_like = False
        if folded in _HONORIFICS and _is_capitalised(token):
            # "Venezuelan President Nicolás Maduro": the title splits the run.
            if current:
                runs.append((_clean_phrase(current), after_honorific))
                current = []
            previous = folded
            continue
        if folded == "will" and index == 0 and index + 1 < len(tokens) and _is_capitalised(tokens[index + 1]):
            # "Will Smith sued…": at the start and before a capital, a first name.
            name_like = _fold(tokens[index + 1]) not in _NOT_TOPICS
            if name_like:
                current.append(token)
                previous = folded
                continue
        if name_like and folded not in _NOT_TOPICS:
            if not current:
                after_honorific = previous in _HONORIFICS
            current.append(token)
        elif (
            current
            and folded in _CONNECTORS
            and index + 1 < len(tokens)
            and _is_capitalised(tokens[index + 1])
        ):
            current.append(token.lower())
        else:
            if current:
                runs.append((_clean_phrase(current), after_honorific))
            current = []
        previous = folded
    if current:
        runs.append((_clean_phrase(current), after_honorific))
    return [(p, h) for p, h in runs if p and len(p) > 1]


def _fold_into_surnames(mentions, forms, person_hint) -> None:
    """'Nicolás Maduro' and 'Maduro' are one topic: a full name that ends in
    a word that is itself a topic folds into it, and makes it a person; a
    first name seen alone ('George' of 'George Clooney') follows it."""
    singles = {key for key in mentions if " " not in key}
    first_names = {}
    for key in list(mentions):
        words = key.split(" ")
        if len(words) in (2, 3) and words[-1] in singles and not (set(words) & _ORGANISATION_CUES):
            mentions[words[-1]] |= mentions.pop(key)
            forms[words[-1]].update(forms.pop(key, Counter()))
            person_hint.add(words[-1])
            first_names.setdefault(words[0], words[-1])
    for first, surname in first_names.items():
        alone = mentions.get(first)
        if not alone or first == surname or first in known_places():
            continue
        # Only a first name that stands for that person: nearly always beside the surname.
        if len(alone & mentions[surname]) >= 0.8 * len(alone) and len(alone) < len(mentions[surname]):
            mentions[surname] |= mentions.pop(first)
            forms.pop(first, None)


def _fold_into_longer_names(mentions, forms, person_hint) -> None:
    """A phrase that is part of a longer topic's name ('Stranger' of
    'Stranger Things', 'Palm Springs' of 'Palm Springs Film Festival') is
    that topic, not one of its own."""
    for key in sorted(mentions, key=lambda k: len(k.split(" "))):
        words = key.split(" ")
        longer = [
            other
            for other in mentions
            if other != key
            and len(other.split(" ")) > len(words)
            and len(mentions[other]) >= MIN_ARTICLES
            and _contains(other.split(" "), words)
            and (
                other.split(" ")[: len(words)] == words
                or len(mentions[key] & mentions[other]) * 2 >= len(mentions[key])
            )
        ]
        if not longer or key in known_places() and len(words) == 1:
            continue
        target = max(longer, key=lambda other: (len(mentions[other]), -len(other)))
        mentions[target] |= mentions.pop(key)
        forms.pop(key, None)
        if key in person_hint:
            person_hint.add(target)


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _kind(name: str, person_hint: bool) -> str:
    folded = _fold(name)
    words = folded.split(" ")
    if folded in known_places() or name in _ACRONYM_PLACES:
        return "place"
    if _is_acronym(name) or set(words) & _ORGANISATION_CUES:
        return "organisation"
    if person_hint or len(words) in (2, 3):
        return "person"
    return "term"


def _clean_phrase(tokens: list[str]) -> str:
    while tokens and tokens[-1].islower():
        tokens = tokens[:-1]
    phrase = " ".join(tokens)
    phrase = re.sub(r"(’s|'s|’|')$", "", phrase)
    return phrase.strip(" .-&")


def _tokens(line: str) -> list[str]:
    """Words, with 'U.S.' read as 'US' and a final full stop dropped."""
    return [t.replace(".", "") if _is_dotted_acronym(t) else t.rstrip(".") for t in _TOKEN.findall(line)]


def _is_title_case(tokens: list[str]) -> bool:
    words = [t for t in tokens if len(t) > 3 and t.isalpha()]
    if len(words) < 3:
        return False
    return sum(1 for t in words if t[0].isupper()) / len(words) >= 0.7


def _is_capitalised(token: str) -> bool:
    return token[:1].isupper()


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def _is_dotted_acronym(token: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?\.?", token)) and token.count(".") >= 1 and len(token) > 2


def _fold(text: str) -> str:
    text = re.sub(r"(’s|'s)$", "", text.strip())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("’", "'").replace(":", " ").split())


def countries_named(line: str) -> set[str]:
    """The countries a line names by name ("Somali" of Minneapolis's Somali
    community names no country)."""
    countries = _country_names()
    found = set()
    tokens = _tokens(line)
    for index, token in enumerate(tokens):
        if not _is_capitalised(token):
            continue
        for width in (3, 2, 1):
            name = _fold(" ".join(tokens[index : index + width]))
            if name in countries:
                found.add(countries[name])
                break
    return found
