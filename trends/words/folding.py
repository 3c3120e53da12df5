"""Text as search compares it: accents, case and punctuation folded away, so
"Crans-Montana", "crans montana" and "CRANS–MONTANA" are the same words, and
"Zürich" is "zurich"."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case words without accents, separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    # "U.S." is one word, "US"; an apostrophe joins ("Maduro's" → "maduros").
    bare = re.sub(r"(?<=\w)[.'’](?=\w)", "", bare.casefold())
    return " ".join(_NOT_WORD.sub(" ", bare).split())
