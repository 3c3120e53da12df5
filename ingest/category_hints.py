"""A feed's category hint: the outlet's own section for the feed ("sport",
"technology"), used to file its stories (trends/categories.py).

Hints come from outside: OPML folder names, `add_feed --category`, the
admin, the default feed list. Each is mapped onto one of Surge's categories
(the codes of trends.models.CATEGORIES, "general" excepted) or ignored, so a
folder called "World News" or "Cooking" never reaches a page, a URL or the
API. The mapping (README, "Category hints") takes common folder names:
a name is lower-cased, "&" read as "and", punctuation dropped; a trailing
"news" is ignored ("Business News"); OPML category paths ("/News/Sports")
and lists ("Tech,Gadgets") are read part by part, the first part that maps
wins."""

import re

from ingest.text import clean_line

CATEGORY_CODES = (
    "world",
    "politics",
    "business",
    "technology",
    "science",
    "health",
    "entertainment",
    "sport",
)
_GROUPS = {
    "world": [
        "world",
        "international",
        "global",
        "foreign",
        "foreign affairs",
        "europe",
        "asia",
        "asia pacific",
        "africa",
        "middle east",
        "americas",
        "latin america",
    ],
    "politics": ["politics", "political", "government", "elections", "election", "policy"],
    "business": [
        "business",
        "economy",
        "economics",
        "finance",
        "markets",
        "money",
        "companies",
        "industry",
        "personal finance",
    ],
    "technology": [
        "technology",
        "tech",
        "sci tech",
        "science and technology",
        "science and tech",
        "sci and tech",
        "computing",
        "internet",
        "gadgets",
        "digital",
        "ai",
        "artificial intelligence",
    ],
    "science": ["science", "space", "environment", "climate", "nature", "research"],
    "health": ["health", "medicine", "medical", "wellness", "health and wellness"],
    "entertainment": [
        "entertainment",
        "culture",
        "arts",
        "arts and culture",
        "arts and entertainment",
        "film",
        "films",
        "movies",
        "music",
        "tv",
        "television",
        "tv and radio",
        "celebrity",
        "celebrities",
        "showbiz",
        "books",
        "gaming",
    ],
    "sport": [
        "sport",
        "sports",
        "football",
        "soccer",
        "cricket",
        "rugby",
        "tennis",
        "golf",
        "formula 1",
        "f1",
        "motorsport",
        "basketball",
        "baseball",
        "nba",
        "nfl",
        "olympics",
    ],
}
FOLDER_NAMES = {name: code for code, names in _GROUPS.items() for name in names}
_NOT_WORD = re.compile(r"[^\w\s]+")


def category_hint(raw: str) -> str:
    """One of CATEGORY_CODES, or "" when the text names none of them."""
    text = clean_line(raw or "")
    for part in re.split(r"[,/]", text):
        code = _one_name(part)
        if code:
            return code
    return ""


def _one_name(name: str) -> str:
    name = _NOT_WORD.sub(" ", name.lower().replace("&", " and "))
    words = name.split()
    if words and words[-1] == "news" and len(words) > 1:
        words = words[:-1]
    return FOLDER_NAMES.get(" ".join(words), "")


CHOICES = [(code, code.title()) for code in CATEGORY_CODES]
