"""A story's headline and dek, chosen among its members' own titles.

The headline is the event's own telling: the wording most outlets share for
the core happening. Each distinct title is scored by

    score = (echo + TYPICAL_WEIGHT · typicality + EARLY_WEIGHT · earliness) · kind penalty

- echo: how widely the title's words recur in other outlets' titles. For each
  content word, the share of the other outlets that used it in any of their
  titles; summed and divided by (number of words + ECHO_SMOOTHING), so a title
  made of the story's common words wins over one that adds a columnist's turn
  of phrase, and a three-word title does not win on one lucky word.
- typicality: cosine of the title's embedding with the story's centroid.
- earliness: 1 for the story's first telling, falling linearly to 0 for the
  last: the first reports name the happening, later ones react to it.
- kind penalty: a factor (KIND_PENALTY) for each kind of piece that is not the event's
  telling: reactions ("slams", "fires back", a quote-led title), opinion and
  questions, live blogs, service pieces ("how to watch", "what we know",
  previews, betting promos), tabloid labels ("Pictured:", "Revealed:") and
  very long titles.

The dek is a second, different telling: the best-scored title from another
outlet whose words are not mostly the headline's. Both are cleaned of feed
furniture first (section and outlet prefixes and suffixes, "| Live",
"– video"). docs/decisions/headlines.md has the measurements."""

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

ECHO_SMOOTHING = 3.0
TYPICAL_WEIGHT = 0.3
EARLY_WEIGHT = 0.05
# What each kind of piece costs (a factor on the score); a plain report costs nothing.
KIND_PENALTY = {"quote-led": 0.85, "prospect": 0.85, "long": 0.75}
DEFAULT_KIND_PENALTY = 0.55
LONG_TITLE_CHARS = 130
MIN_OUTLETS_FOR_ECHO = 3
# A dek that shares more than this share of its words with the headline says it again.
DEK_MAX_OVERLAP = 0.5


@dataclass(frozen=True)
class Telling:
    """One article's title, as the headline rule sees it."""

    key: int
    outlet: int | str
    title: str
    published_at: datetime
    vector: np.ndarray | None = None
    outlet_name: str = ""


@dataclass(frozen=True)
class Choice:
    headline: str
    dek: str
    headline_key: int | None
    dek_key: int | None


# Labels a feed puts before or after the title that are no part of the news.
_PREFIX_LABELS = (
    r"breaking(?: news)?|live|live updates|watch|exclusive|update|updated|opinion|analysis|comment|"
    r"video|audio|podcast|revealed|pictured|photos|in pictures|explainer|just in|developing|report|updating"
)
_PREFIX = re.compile(rf"^\s*(?:{_PREFIX_LABELS})\s*[:|–—-]\s+", re.IGNORECASE)
# "UPDATING 2026 Critics Choice Awards": a live label without punctuation, in capitals.
_SHOUTED_PREFIX = re.compile(r"^(?:BREAKING|LIVE|UPDATING|UPDATED|WATCH|EXCLUSIVE|JUST IN)\s+(?=\S)")
_PARENTHESISED_SUFFIX = re.compile(
    r"\s*[(\[](?:updating live|updating|live|updated|video|videos|watch|photos|gallery)[)\]]\s*$",
    re.IGNORECASE,
)
_TOPIC_LIVE_PREFIX = re.compile(
    r"^\s*([\w' .-]{2,40}?)\s+(?:live|latest|live updates|news live)\s*:\s+", re.IGNORECASE
)
# "Man City vs Chelsea LIVE: …": the fixture is the news, only the label goes.
_FIXTURE = re.compile(r"\b(?:vs?|versus)\b\.?", re.IGNORECASE)
_SUFFIX_LABELS = (
    r"live|live updates|as it happened|video|watch|audio|podcast|opinion|commentary|analysis|explainer|"
    r"photos|gallery|in pictures|box office|international box office|review|recap|exclusive"
)
_SUFFIX = re.compile(rf"\s+[|–—-]\s+(?:{_SUFFIX_LABELS})\s*$", re.IGNORECASE)
_TRAILING_SEPARATOR = re.compile(r"\s+[|–—-]\s*$")


def clean_title(title: str, outlet_name: str = "") -> str:
    """The title without feed furniture: "World news | The Guardian: …",
    "BREAKING: …", "Venezuela live: …", "… | Live", "… – video",
    "… - BBC News"."""
    text = " ".join((title or "").split())
    names = _outlet_forms(outlet_name)
    for _ in range(3):
        before = text
        for name in names:
            text = re.sub(rf"^{re.escape(name)}\s*[:|–—-]\s+", "", text, flags=re.IGNORECASE)
            text = re.sub(rf"\s+[|–—-]\s+{re.escape(name)}\s*$", "", text, flags=re.IGNORECASE)
        text = _PREFIX.sub("", text)
        text = _SHOUTED_PREFIX.sub("", text)
        text = _PARENTHESISED_SUFFIX.sub("", text)
        text = _TOPIC_LIVE_PREFIX.sub(_without_live_label, text)
        text = _SUFFIX.sub("", text)
        text = _TRAILING_SEPARATOR.sub("", text)
        if text == before:
            break
    return text.strip() or " ".join((title or "").split())


def _without_live_label(prefix: re.Match) -> str:
    topic = prefix.group(1).strip()
    return f"{topic}: " if _FIXTURE.search(topic) else ""


def _outlet_forms(outlet_name: str) -> list[str]:
    """The outlet's name and its parts around a separator ("World news | The
    Guardian" gives both and "The Guardian")."""
    name = " ".join(outlet_name.split())
    if not name:
        return []
    parts = [p.strip() for p in re.split(r"\s+[|–—:-]\s+", name) if len(p.strip()) > 2]
    return sorted({name, *parts}, key=len, reverse=True)


# What marks a piece that is not the event's own telling. Matched on the raw
# title, lower-cased; each kind found costs KIND_PENALTY once.
_KINDS = {
    "reaction": re.compile(
        r"\b(?:slams?|slammed|rips into|rips|ripped into|blasts|blasted|mocks?|mocked|fires back|hits back|"
        r"lashes out|rages?|raged|scorch(?:es|ed)|shredded|torches|torched|gushes|freak(?:s)? out|"
        r"reacts?|reaction|responds|backlash|outrage|stunned|calls bs|trolls?|dunks on|"
        r"condemns?|condemned|praises?|praised|cheers|celebrates)\b"
    ),
    "opinion": re.compile(
        r"(?:^|\s)(?:opinion|commentary|column|editorial|analysis|the view)\b|"
        r"^(?:why|how|what|who|is|are|will|would|could|should|can|does|do|did)\b.*\?$|\?\s*$"
    ),
    "live": re.compile(
        r"\bupdating\b|\blive\b(?!\s+(?:nation|music|event|aid))|\blatest\s*:|\blive updates\b|"
        r"\bas it happened\b|\bminute[- ]by[- ]minute\b"
    ),
    "service": re.compile(
        r"\bhow to (?:watch|stream|get|buy|see)\b|\bwhere to (?:watch|stream)\b|\bwhat we know\b|"
        r"\bwhat to know\b|\bexplained\b|\beverything (?:you need|to know)\b|\bthings (?:you need|to know)\b|"
        r"\bpredictions?\b|\bpicks\b|\bodds\b|\bpromo\b|\bbonus bets?\b|\bpreview\b|\bbest bets\b|"
        r"\bwho is\b|\bwhat is\b|\bphotos\b|\bin pictures\b|\bquiz\b|\btimeline\b|\bmorning briefing\b|"
        r"\bnewsletter\b|\brecap\b|\bspoilers?\b|\bstart time\b|\btv channel\b|\bdeals?\b|"
        r"\bahead of\b|\bsee (?:all|the)\b|\bmeet the\b|\bvs?\.? |\bgallery\b"
    ),
    # "How Lane Kiffin reacted…", "What worked — and what didn't…", "Inside the…":
    # features and explainers about the happening, not the happening.
    "feature": re.compile(
        r"^(?:how|what|why|who|where|when|inside|meet|see|all about)\b|^the \w+ (?:of|for|behind)\b|"
        r"\bexplains?\b"
    ),
    # "…to lose half his prize", "…want to return the favour": what may come, not what happened.
    "prospect": re.compile(
        r"\b(?:to (?:lose|face|miss|get|be|return|win|make)|wants? to|set to|could|may|might|would|"
        r"plans? to|expected to|poised to|hopes? to)\b"
    ),
    # "Leonardo DiCaprio on the importance of…": an interview, not a report.
    "interview": re.compile(r"^(?:[\w'’.-]+ ){1,3}on (?:the|his|her|their|how|why|what|being|whether)\b"),
    "label": re.compile(r"^(?:pictured|revealed|watch|video|exclusive|inside)\s*[:|]"),
    "quote-led": re.compile(r"^\s*[‘'\"“][^‘'\"“”’]{3,}[’'\"”]\s*[:,—–-]"),
}


def kinds_of(title: str) -> list[str]:
    """The kinds of piece a title marks itself as (empty for a plain report)."""
    lowered = " ".join(title.lower().split())
    found = [kind for kind, pattern in _KINDS.items() if pattern.search(lowered)]
    if len(title) > LONG_TITLE_CHARS:
        found.append("long")
    return found


_WORD = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]", re.UNICODE)
_STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from into onto over under after before about as
    is are was were be been being has have had do does did will would can could should may might must
    this that these those it its it's he she they them his her their our we you your i me my not no
    says said say new amid via than then so up out off just more most over also after who what when where
    why how which while during ahead near back here there all some any one two first last year years
    day days week weeks s t""".split()
)


def content_words(title: str) -> set[str]:
    """Lower-cased, accent-folded word stems without function words:
    "captured", "captures" and "capture" count as one word."""
    folded = unicodedata.normalize("NFKD", title.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("’", "'")
    words = set()
    for word in _WORD.findall(folded):
        word = word.replace(".", "").removesuffix("'s").strip("'-")
        if len(word) < 2 or word in _STOPWORDS or word.isdigit():
            continue
        words.add(_stem(word))
    return words


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith("e") and len(word) >= 5:
        return word[:-1]
    return word


def choose(tellings: list[Telling], centroid: np.ndarray | None = None) -> Choice:
    """The headline and dek among the tellings (see the module's rule)."""
    if not tellings:
        return Choice("", "", None, None)
    cleaned = {t.key: clean_title(t.title, t.outlet_name) for t in tellings}
    words = {t.key: content_words(cleaned[t.key]) for t in tellings}
    best_first = [t for _score, t in ranked(tellings, centroid, words)]
    headline = best_first[0]
    dek = _dek(headline, best_first, words)
    return Choice(
        cleaned[headline.key],
        cleaned[dek.key] if dek else "",
        headline.key,
        dek.key if dek else None,
    )


def ranked(
    tellings: list[Telling], centroid: np.ndarray | None = None, words: dict[int, set[str]] | None = None
) -> list[tuple[float, Telling]]:
    """(score, telling), best first; ties go to the earlier telling."""
    if words is None:
        words = {t.key: content_words(clean_title(t.title, t.outlet_name)) for t in tellings}
    # Echo counts outlets; a story covered by one or two outlets (a local
    # paper's game week) counts their other articles instead.
    by_outlet = len({t.outlet for t in tellings}) >= MIN_OUTLETS_FOR_ECHO
    voice = {t.key: (t.outlet if by_outlet else t.key) for t in tellings}
    voices_using: dict[str, set] = defaultdict(set)
    for telling in tellings:
        for word in words[telling.key]:
            voices_using[word].add(voice[telling.key])
    others = len(set(voice.values())) - 1
    ordered = sorted(tellings, key=lambda t: (t.published_at, t.key))
    rank = {t.key: index for index, t in enumerate(ordered)}
    unit = _unit(centroid)

    def score(telling: Telling) -> float:
        own = words[telling.key]
        echo = 0.0
        if others and own:
            shared = sum(len(voices_using[w] - {voice[telling.key]}) / others for w in own)
            echo = shared / (len(own) + ECHO_SMOOTHING)
        typical = 0.0
        if unit is not None and telling.vector is not None:
            typical = float(np.asarray(telling.vector, dtype=np.float32) @ unit)
        early = 1.0 - rank[telling.key] / max(len(ordered) - 1, 1)
        penalty = math.prod(KIND_PENALTY.get(k, DEFAULT_KIND_PENALTY) for k in kinds_of(telling.title))
        return (echo + TYPICAL_WEIGHT * typical + EARLY_WEIGHT * early) * penalty

    scored = [(score(t), t) for t in tellings]
    scored.sort(key=lambda pair: (-pair[0], pair[1].published_at, pair[1].key))
    return scored


def _dek(headline: Telling, best_first: list[Telling], words: dict[int, set[str]]) -> Telling | None:
    """The best telling from another outlet that is not the headline said again."""
    own = words[headline.key]
    for telling in best_first[1:]:
        if telling.outlet == headline.outlet:
            continue
        other = words[telling.key]
        if not other:
            continue
        overlap = len(own & other) / len(other)
        if overlap <= DEK_MAX_OVERLAP:
            return telling
    return None


def _unit(centroid: np.ndarray | None) -> np.ndarray | None:
    if centroid is None:
        return None
    vector = np.asarray(centroid, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    if not norm or not math.isfinite(norm):
        return None
    return vector / norm
