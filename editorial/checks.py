"""What an editor may write on a story: the checks every editorial operation
(editorial.operations) and the admin's forms share, so a form shows the same
refusal before anything is saved."""

from ingest.text import clean_line
from trends.models import CATEGORIES

CATEGORY_CODES = frozenset(code for code, _label in CATEGORIES)
MAX_HEADLINE_CHARS = 300
MAX_DEK_CHARS = 500
MAX_BRIEF_SENTENCES = 12


class EditorialError(ValueError):
    """An operation the editor asked for that cannot be done (shown to them)."""


def clean_headline(headline: str) -> str:
    """The headline as it will be stored, or EditorialError (forms call this
    to show the error before anything is saved)."""
    # Cleaned like ingested text: a control character would make the RSS and
    # Atom feeds fail for every reader.
    headline = clean_line(headline or "")
    if not headline:
        raise EditorialError("A headline cannot be empty.")
    if len(headline) > MAX_HEADLINE_CHARS:
        raise EditorialError(f"A headline is at most {MAX_HEADLINE_CHARS} characters.")
    return headline


def clean_dek(dek: str) -> str:
    dek = clean_line(dek or "")
    if len(dek) > MAX_DEK_CHARS:
        raise EditorialError(f"A dek is at most {MAX_DEK_CHARS} characters.")
    return dek


def clean_brief_sentences(sentences: list[str]) -> list[str]:
    """The non-empty sentences, cleaned like a headline."""
    sentences = [clean_line(s) for s in sentences]
    return [s for s in sentences if s]


def clean_category(category: str) -> str:
    if category not in CATEGORY_CODES:
        raise EditorialError(f"Unknown category {category!r}.")
    return category
