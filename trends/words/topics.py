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
        "office",
        "service",
        "board",
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
        "new",
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
    }
)
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


def extract_topics(texts_by_article: dict[int, list[str]]) -> list[FoundTopic]:
    """The story's topics, most mentioned first. texts_by_article maps an
    article id to its lines (title, summary)."""
    lines = [(aid, line) for aid, texts in texts_by_article.items() for line in texts if line]
    proper_words = set()
    for _aid, line in lines:
        tokens = _tokens(line)
        if not _is_title_case(tokens):
            proper_words.update(_fold(t) for t in tokens[1:] if _is_capitalised(t))

    mentions: dict[str, set[int]] = defaultdict(set)
    forms: dict[str, Counter] = defaultdict(Counter)
    person_hint: set[str] = set()
    for aid, line in lines:
        for phrase, after_honorific in _phrases(line, proper_words):
            key = _fold(phrase)
            mentions[key].add(aid)
            forms[key][phrase] += 1
            if after_honorific:
                person_hint.add(key)

    _fold_into_surnames(mentions, forms, person_hint)
    found = []
    for key, articles in mentions.items():
        if len(articles) < MIN_ARTICLES or not slugify(key):
            continue
        name = forms[key].most_common(1)[0][0]
        found.append(FoundTopic(name, slugify(name)[:200], _kind(name, key in person_hint), len(articles)))
    found.sort(key=lambda t: (-t.articles, t.name))
    return found[:MAX_TOPICS]


def _phrases(line: str, proper_words: set[str]) -> list[tuple[str, bool]]:
    """Runs of name-like tokens, with whether an honorific preceded them."""
    tokens = _tokens(line)
    title_case = _is_title_case(tokens)
    places = known_places()
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    after_honorific = False
    previous = ""
    for index, token in enumerate(tokens):
        folded = _fold(token)
        if title_case:
            name_like = _is_acronym(token) or (
                _is_capitalised(token) and (folded in proper_words or folded in places)
            )
        else:
            name_like = _is_capitalised(token) and (index > 0 or folded in proper_words or folded in places)
        if folded in _HONORIFICS and _is_capitalised(token):
            # "Venezuelan President Nicolás Maduro": the title splits the run.
            if current:
                runs.append((_clean_phrase(current), after_honorific))
                current = []
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
    a word that is itself a topic folds into it, and makes it a person."""
    singles = {key for key in mentions if " " not in key}
    for key in list(mentions):
        words = key.split(" ")
        if len(words) in (2, 3) and words[-1] in singles and not (set(words) & _ORGANISATION_CUES):
            mentions[words[-1]] |= mentions.pop(key)
            forms.pop(key, None)
            person_hint.add(words[-1])


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
    return " ".join(text.lower().replace("’", "'").split())
