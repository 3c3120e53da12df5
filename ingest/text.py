"""Text from outside (feeds, article pages, editors' forms) made safe to
store, show and syndicate.

Removed: control characters (XML 1.0 forbids C0 controls, so one of them in
a headline makes the RSS and Atom writers fail for every reader), lone
surrogates and non-characters (not encodable as UTF-8), the Unicode bidi
controls (an unbalanced right-to-left override reverses the rest of the page
around it) and invisible characters that hide or disguise words. Zero-width
joiners are kept only between two visible characters, where emoji sequences
and Persian or Indic spelling need them."""

import re

# C0 controls except tab/newline/carriage return, DEL, C1 controls, surrogates, U+FFFE/U+FFFF.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidi_Control (U+061C, U+200E/F, U+202A-E, U+2066-9), zero-width space,
# word joiner and invisible operators, BOM, soft hyphen, combining grapheme
# joiner, Mongolian vowel separator, Khmer inherent vowels, Hangul fillers.
_INVISIBLE = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u200b\u2060-\u2064\ufeff\u00ad\u034f\u180e\u17b4\u17b5\u115f\u1160\u3164\uffa0]"
)
_JOINERS = "\u200c\u200d"
_STRAY_JOINERS = re.compile(rf"(?<!\S)[{_JOINERS}]+|[{_JOINERS}]+(?!\S)")
_REPEATED_JOINERS = re.compile(rf"([{_JOINERS}])[{_JOINERS}]+")

# Headlines longer than this are cut at a word for display (a feed that puts
# a whole article in <title> would otherwise fill a screen).
TITLE_MAX_CHARS = 300


def strip_unsafe(text: str) -> str:
    """The text without control, bidi and invisible characters; line breaks
    and spacing are kept (article text keeps its paragraphs)."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", _CONTROLS.sub("", text))
    if "\u200c" in text or "\u200d" in text:
        text = _REPEATED_JOINERS.sub(r"\1", _STRAY_JOINERS.sub("", text))
    return text


def clean_line(text: str) -> str:
    """One line of plain text: unsafe characters removed, whitespace (line
    breaks included) collapsed to single spaces."""
    return " ".join(strip_unsafe(text).split())


def cap_title(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"
