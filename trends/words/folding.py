"""Text folded for comparison. Two folds: `fold` is text as search compares
it (accents, case and punctuation folded away, so "Crans-Montana", "crans
montana" and "CRANS–MONTANA" are the same words, and "Zürich" is "zurich");
`fold_name` is a name as the topic rule compares it (accents and case folded,
a possessive dropped, punctuation inside the name kept)."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case words without accents, separated by single spaces."""
    bare = without_accents(text or "")
    # "U.S." is one word, "US"; an apostrophe joins ("Maduro's" → "maduros").
    bare = re.sub(r"(?<=\w)[.'’](?=\w)", "", bare.casefold())
    return " ".join(_NOT_WORD.sub(" ", bare).split())


def fold_name(text: str) -> str:
    """ "Nicolás Maduro's" → "nicolas maduro"; "Avatar: Fire and Ash" →
    "avatar fire and ash"."""
    text = re.sub(r"(’s|'s)$", "", text.strip())
    text = without_accents(text)
    return " ".join(text.lower().replace("’", "'").replace(":", " ").split())


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
