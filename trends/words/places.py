"""Places the topic rule knows: countries and their subdivisions (pycountry),
a few everyday short forms, and the demonyms that stand for a country
("Venezuelan" → Venezuela, "Swiss" → Switzerland)."""

from functools import lru_cache

from trends.words.folding import fold_name
from trends.words.tokens import is_capitalised, tokenise

# Short forms pycountry does not know by these names.
_EXTRA_PLACES = frozenset({"us", "u.s.", "usa", "uk", "u.k.", "eu", "britain", "america", "europe", "africa"})
ACRONYM_PLACES = frozenset({"US", "UK", "EU", "UAE", "USA"})


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    import pycountry

    names = set(_EXTRA_PLACES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.add(fold_name(value))
    for subdivision in pycountry.subdivisions:
        names.add(fold_name(subdivision.name))
    return frozenset(names)


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
        return country_of_demonym(head) or country_names().get(fold_name(head))
    folded = fold_name(word)
    if folded in _IRREGULAR_DEMONYMS:
        return _IRREGULAR_DEMONYMS[folded]
    if not word[:1].isupper() or not folded.endswith(_DEMONYM_ENDINGS):
        return None
    countries = country_names()
    if folded in countries:
        return None
    stem = folded.removesuffix("s")
    for candidate in (stem[:-1], stem[:-3], stem[:-2] + "o", stem[:-3] + "a", stem[:-2] + "e", stem[:-2]):
        if len(candidate) >= 4 and candidate != folded and candidate in countries:
            return countries[candidate]
    return None


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    import pycountry

    names = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        names[fold_name(name)] = name
    return names


def is_country(folded: str) -> bool:
    """A country's name or an everyday short form, folded ("venezuela", "us");
    also "europe" and "africa", which place a line as far from the story."""
    return folded in country_names() or folded in _EXTRA_PLACES


def countries_named(line: str) -> set[str]:
    """The countries a line names by name ("Somali" of Minneapolis's Somali
    community names no country)."""
    countries = country_names()
    found = set()
    tokens = tokenise(line)
    for index, token in enumerate(tokens):
        if not is_capitalised(token):
            continue
        for width in (3, 2, 1):
            name = fold_name(" ".join(tokens[index : index + width]))
            if name in countries:
                found.add(countries[name])
                break
    return found
