"""Reading news sentences without a language model: sentence splitting, content
words and their stems, names, numbers, dates and negation (what kind of
sentence it is: sentence_kinds).

Everything here is lexical on purpose: the brief's promise is that each
sentence can be checked against the words of its evidence, and these are the
words it is checked by."""

import re
import unicodedata
from functools import lru_cache

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# A token as the verifier reads it: words (U.S. kept whole), numbers with their separators.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|\d[\d,.]*\d%?|\d%?|[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# A line already ends a sentence: . ! ? … possibly inside closing quotes or brackets.
_ENDS_A_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[A-Z0-9\"“‘'(])")
# Words after which a full stop does not end the sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt st jr sr inc corp co ltd vs no jan feb mar apr jun jul aug "
    "sep sept oct nov dec u.s a.m p.m e.g i.e approx est dept fig mt ft".split()
)

STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its this
    that these those he she they we you i me him them us his her their our your my not no after before over
    under about into than then so up out says said say will would can could has have had do does did who
    what when where which while also more most new just may might one two there here how why all any some
    such very much many other others own same too only both each few nor off once again further during
    until against between through above below down because am let get got gets s t don just now amid via
    per yet ever even still back way like well says tell told""".split()
)
# Capitalised at the start of a sentence for grammar, not because they name anyone.
_SENTENCE_STARTERS = STOPWORDS | frozenset(
    """meanwhile however earlier later also after before despite following officials police authorities
    according although though yesterday today tonight tomorrow now then there here in on at as while when
    with without several some many most more few both neither either another other others one nothing
    everyone everything someone something nobody none""".split()
)

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
# Times the coverage puts things "over" or "at" as it does places ("split over
# Christmas"): never a place, whatever the preposition.
HOLIDAYS = frozenset(
    {
        "christmas", "christmas eve", "christmas day", "boxing day", "new year", "new years",
        "new year's eve", "new year's day", "easter", "passover", "ramadan", "eid", "diwali",
        "hanukkah", "thanksgiving", "halloween", "lent", "advent", "labor day", "memorial day",
    }
)  # fmt: skip
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6,
           "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}  # fmt: skip

NEGATIONS = frozenset(
    """not no never none nobody nothing neither nor without cannot deny denies denied denying refuse
    refuses refused""".split()
)
# A clause ends here: a negation before it does not reach the words after it.
_CLAUSE_END = frozenset({"but", "while", "although", "though", "whereas", "and", ",", ";", ":"})
_REPORTED = frozenset({"say", "says", "said", "tell", "told", "tells"})
NEGATION_REACH = 3  # content words after a negation that it negates

# Countries and their people: "Venezuelan" is supported by "Venezuela", "U.S." by "American".
_ALIASES = [
    {"us", "usa", "united states", "america", "american", "americans", "washington"},
    {"uk", "britain", "united kingdom", "british", "london"},
    {"un", "united nations"},
    {"eu", "european union"},
]


# Peoples and adjectives of place: a topic finder may take them for actors.
DEMONYMS = frozenset(
    """american americans british english scottish welsh irish french german germans italian spanish
    portuguese dutch belgian swiss austrian swedish norwegian danish finnish polish russian russians
    ukrainian ukrainians chinese japanese korean indian pakistani iranian iranians iraqi israeli israelis
    palestinian palestinians saudi syrian turkish egyptian venezuelan venezuelans mexican canadian
    brazilian argentine colombian cuban australian african european asian arab nigerian""".split()
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case without accents or curly apostrophes: 'Nicolás' == 'nicolas'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("’", "'")


def as_sentence(text: str) -> str:
    """A brief line that reads as a sentence of its own: a headline copied
    from the coverage has no full stop and would run into the next line."""
    text = (text or "").rstrip()
    if not text or _ENDS_A_SENTENCE.search(text):
        return text
    return text.rstrip(":;,–—- ") + "."


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_A_SENTENCE.search((text or "").rstrip()))


def split_sentences(text: str) -> list[str]:
    """Sentences of running text; 'U.S.', 'Mr.' and 'Jan.' do not end one."""
    pieces = [p for p in _SENTENCE_BREAK.split(" ".join((text or "").split())) if p.strip()]
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ends_in_abbreviation(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece.strip())
    return sentences


def _ends_in_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(" ", 1)[-1].rstrip(".").lower()
    return bool(last) and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def words(text: str) -> list[str]:
    return [fold(w) for w in WORD.findall(text or "")]


def lower_case_words(text: str) -> set[str]:
    """Words the text writes in lower case: common words, not names."""
    return {fold(w) for w in WORD.findall(text or "") if w[:1].islower()}


def name_forms(text: str) -> list[str]:
    """Every token folded the way names() folds it ('U.S.' -> 'us')."""
    return [
        re.sub(r"'s$|'$", "", fold(tok.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.){2,}", tok) else tok))
        for tok in tokens(text)
    ]


def content_words(text: str) -> set[str]:
    """The words that carry meaning, lower-cased (the brief's redundancy and
    headline tests compare these)."""
    return {w for w in (m.lower() for m in WORD.findall(text or "")) if w not in STOPWORDS and len(w) > 2}


# Irregular forms the suffix rules cannot reach, for the words news turns on.
_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "tells": "tell", "won": "win", "lost": "lose",
    "struck": "strike", "fled": "flee", "held": "hold", "left": "leave", "took": "take", "made": "make",
    "went": "go", "came": "come", "gave": "give", "found": "find", "began": "begin", "ran": "run",
    "saw": "see", "met": "meet", "paid": "pay", "sent": "send", "sold": "sell", "bought": "buy",
    "died": "die", "dies": "die", "dead": "die", "death": "die", "deaths": "die",
}  # fmt: skip


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A crude suffix stripper: 'captured', 'capture', 'capturing' -> 'captur'."""
    w = fold(word)
    w = re.sub(r"'s$|'$", "", w)
    if w in _IRREGULAR:
        w = _IRREGULAR[w]
    for suffix, replacement in (("ies", "i"), ("ied", "i"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: len(w) - len(suffix)] + replacement
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # 'stopp' -> 'stop'
    return w


@lru_cache(maxsize=50_000)
def content_stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 2 and not w.isdigit())


def same_stem(a: str, b: str) -> bool:
    """Two stems of one word family: equal, or one a prefix of the other
    with at least five letters in common ('venezuela', 'venezuelan')."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 3


def is_title_case(text: str) -> bool:
    long_words = [w for w in WORD.findall(text or "") if len(w) > 3]
    if len(long_words) < 3:
        return False
    return sum(1 for w in long_words if w[0].isupper()) / len(long_words) >= 0.7


def names(text: str, common: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The names a sentence states (people, organisations, places, acronyms),
    folded. In a Title Case headline only acronyms count: every word there
    has a capital. A first word found in lower case in `common` (words the
    surrounding text writes in lower case) is grammar, not a name."""
    if not common:
        return list(_names(text))
    return _names_given(text, common)


@lru_cache(maxsize=50_000)
def _names(text: str) -> tuple[str, ...]:
    return tuple(_names_given(text, frozenset()))


def _names_given(text: str, common) -> list[str]:
    found = []
    title_case = is_title_case(text)
    raw = tokens(text)
    for index, token in enumerate(raw):
        if not token[:1].isupper():
            continue
        folded = fold(token.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.){2,}", token) else token)
        folded = re.sub(r"'s$|'$", "", folded)
        if folded in MONTHS or folded in WEEKDAYS or folded in _NUMBER_WORDS:
            continue
        acronym = token.replace(".", "").isupper() and len(token.replace(".", "")) >= 2
        if title_case and not acronym:
            continue
        if folded in _SENTENCE_STARTERS and (index == 0 or not acronym):
            continue
        if index == 0 and not acronym and folded in common:
            continue
        found.append(folded)
    return found


def aliases(name: str) -> set[str]:
    for group in _ALIASES:
        if name in group:
            return group
    return {name}


def numbers(text: str) -> set[float]:
    """Numeric values a sentence states: '1,200', '3.5 million', 'seven', '40%'.
    Years are numbers too."""
    values: set[float] = set()
    raw = tokens(
        _COMPOUND_NUMBER.sub(lambda m: str(_NUMBER_WORDS[m[1]] + _UNITS.index(m[2]) + 1), fold(text))
    )
    for index, token in enumerate(raw):
        value = None
        if token[0].isdigit():
            digits = token.rstrip("%").replace(",", "")
            try:
                value = float(digits)
            except ValueError:
                parts = re.findall(r"\d+(?:\.\d+)?", digits)
                values.update(float(p) for p in parts)
                continue
        elif token in _NUMBER_WORDS:
            value = float(_NUMBER_WORDS[token])
            if (
                token in _SCALES
                and index
                and (raw[index - 1][0].isdigit() or raw[index - 1] in _NUMBER_WORDS)
            ):
                continue  # the scale of the number before it: '3 million'
        if value is None:
            continue
        following = raw[index + 1] if index + 1 < len(raw) else ""
        if following in _SCALES:
            value *= _SCALES[following]
        values.add(round(value, 6))
    return values


_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_COMPOUND_NUMBER = re.compile(
    rf"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-({'|'.join(_UNITS)})\b"
)


def dates(text: str) -> set[str]:
    """Months and weekdays a sentence names ('jan', 'saturday' -> canonical)."""
    found = set()
    for token in tokens(text):
        folded = re.sub(r"'s$", "", fold(token)).rstrip(".")
        if folded == "may" and not token[0].isupper():
            continue  # the verb
        if folded in MONTHS and token[0].isupper():
            found.add(f"month:{MONTHS[folded]}")
        elif folded in WEEKDAYS and token[0].isupper():
            found.add(f"day:{WEEKDAYS[folded]}")
    return found


def negated_stems(text: str) -> tuple[set[str], bool]:
    """The content stems a negation reaches ('did not capture Maduro' ->
    {'captur', 'maduro'}), and whether the sentence negates anything."""
    reached: set[str] = set()
    any_negation = False
    pending = 0
    for token in re.findall(r"[^\W_]+(?:['’][^\W_]+)*|[,;:]", fold(text)):
        if token in NEGATIONS or token.endswith("n't"):
            any_negation = True
            pending = NEGATION_REACH
            continue
        if token in _CLAUSE_END:
            pending = 0
            continue
        if pending and ((token not in STOPWORDS and len(token) > 2) or token in _REPORTED):
            reached.add(stem(token))
            pending -= 1
    return reached, any_negation
