"""Name-like phrases in a story's lines, and the passes that merge a story's
phrases into one per name ("Nicolás Maduro" and "Maduro"; "Stranger" and
"Stranger Things"). How a line's capitals are read depends on its style:
see trends/words/topics.py."""

import re
from collections import Counter

from trends.words.folding import fold_name
from trends.words.places import country_of_demonym, known_places
from trends.words.tokens import is_acronym, is_capitalised, is_title_case, tokenise

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
ORGANISATION_CUES = frozenset(
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


_QUOTE_FILLERS = _CONNECTORS | {"and", "the", "a", "of", "to", "in"}
_QUOTED = re.compile(r"[‘'\"“]([^‘’'\"“”]{2,60})[’'\"”]")


def quoted_names(line: str) -> list[tuple[str, bool]]:
    """Titles of works in quotes, every word capitalised ("‘Avatar: Fire and
    Ash’", "‘Stranger Things 5’" as "Stranger Things"); a quoted remark is
    not a name."""
    names = []
    for match in _QUOTED.finditer(line):
        text = re.sub(r"\s+\d+$", "", match.group(1).strip(" :,.!?"))
        words = [w for w in re.split(r"[\s:]+", text) if w]
        if not 1 <= len(words) <= 6 or len(words) == 1 and is_acronym(words[0]):
            continue
        significant = [w for w in words if w.lower() not in _QUOTE_FILLERS]
        if not is_capitalised(words[0]):
            continue  # "‘in a Lot of Trouble’": a remark, however its words are written
        if significant and all(is_capitalised(w) and not w.isupper() for w in significant):
            if len(words) > 1 or fold_name(text) not in _NOT_TOPICS:
                names.append((text, False))
    return names


# "I'm", "You're", "Don't": capitalised, never part of a name ("O'Brien" goes on with a capital).
_CONTRACTION = re.compile(r"['’](?:m|ve|ll|re|d|t)$")
_SEGMENT_BREAK = re.compile(r"[,;:!?()\[\]|“”\"]|\s[–—-]\s|’s\b|'s\b")


def phrases_in(
    line: str, proper_words: set[str], common_words: frozenset = frozenset()
) -> list[tuple[str, bool]]:
    """Runs of name-like tokens, with whether an honorific preceded them.
    A run never crosses punctuation or a possessive ("Trump's Iran threat"
    names Trump and Iran, not "Trump's Iran")."""
    title_case = is_title_case(tokenise(line))
    runs: list[tuple[str, bool]] = []
    for index, segment in enumerate(_SEGMENT_BREAK.split(line)):
        runs.extend(_segment_phrases(segment, proper_words, common_words, title_case, index == 0))
    return runs


def _segment_phrases(segment, proper_words, common_words, title_case, starts_line):
    tokens = tokenise(segment)
    places = known_places()
    runs: list[tuple[str, bool]] = []
    current: list[str] = []
    after_honorific = False
    previous = ""
    for index, token in enumerate(tokens):
        folded = fold_name(token)
        acronym = is_acronym(token) and not (len(token) >= 4 and folded in common_words)
        if title_case:
            name_like = acronym or (
                is_capitalised(token)
                and (folded in proper_words or folded in places or country_of_demonym(token) is not None)
            )
        else:
            first = index == 0 and starts_line
            name_like = is_capitalised(token) and (
                not first
                or folded in proper_words
                or folded in places
                or country_of_demonym(token) is not None
            )
            if token.isupper() and len(token) >= 4 and not acronym:
                name_like = False
        if _CONTRACTION.search(token):
            name_like = False
        if folded in _HONORIFICS and is_capitalised(token):
            # "Venezuelan President Nicolás Maduro": the title splits the run.
            if current:
                runs.append((_clean_phrase(current), after_honorific))
                current = []
            previous = folded
            continue
        if folded == "will" and index == 0 and index + 1 < len(tokens) and is_capitalised(tokens[index + 1]):
            # "Will Smith sued…": at the start and before a capital, a first name.
            name_like = fold_name(tokens[index + 1]) not in _NOT_TOPICS
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
            and is_capitalised(tokens[index + 1])
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


def fold_into_surnames(mentions, forms, person_hint) -> None:
    """'Nicolás Maduro' and 'Maduro' are one topic: a full name that ends in
    a word that is itself a topic folds into it, and makes it a person; a
    first name seen alone ('George' of 'George Clooney') follows it."""
    singles = {key for key in mentions if " " not in key}
    first_names = {}
    for key in list(mentions):
        words = key.split(" ")
        if len(words) in (2, 3) and words[-1] in singles and not (set(words) & ORGANISATION_CUES):
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


def fold_into_longer_names(mentions, forms, person_hint, min_articles: int) -> None:
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
            and len(mentions[other]) >= min_articles
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


def _clean_phrase(tokens: list[str]) -> str:
    while tokens and tokens[-1].islower():
        tokens = tokens[:-1]
    phrase = " ".join(tokens)
    phrase = re.sub(r"(’s|'s|’|')$", "", phrase)
    return phrase.strip(" .-&")
