"""Headline words as the topic rule reads them: tokens, and what a token's
capitals say (a name, an acronym, a line in Title Case)."""

import re

_TOKEN = re.compile(r"[^\W_][\w’'.&-]*", re.UNICODE)


def tokenise(line: str) -> list[str]:
    """Words, with 'U.S.' read as 'US' and a final full stop dropped."""
    return [t.replace(".", "") if _is_dotted_acronym(t) else t.rstrip(".") for t in _TOKEN.findall(line)]


def is_title_case(tokens: list[str]) -> bool:
    words = [t for t in tokens if len(t) > 3 and t.isalpha()]
    if len(words) < 3:
        return False
    return sum(1 for t in words if t[0].isupper()) / len(words) >= 0.7


def is_capitalised(token: str) -> bool:
    return token[:1].isupper()


def is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def _is_dotted_acronym(token: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?\.?", token)) and token.count(".") >= 1 and len(token) > 2
