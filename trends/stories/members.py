"""Articles and live stories as the story scorers see them: title words,
live word statistics and each story's profile of recent members."""

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property

import numpy as np

# A live story is judged by its latest members (by time): enough to know
# what it is about now, few enough that a decision costs the same for a
# 500-article story as for a 5-article one.
RECENT_MEMBERS = 50
# Half-life-like time constant of the recent centroid (hours).
DECAY_HOURS = 6.0
# A word in at least this share of a story's recent members is one of its key terms.
KEY_TERM_SHARE = 0.5
# A word: starts with a letter; may hold apostrophes, "&", dots and hyphens.
_WORD = re.compile(r"[^\W\d_][\w'&.-]*")


def title_terms(title: str) -> frozenset[str]:
    """The title's content words: lower case, no stop words, 3+ letters,
    possessives dropped ("Maduro's" is "maduro")."""
    return title_words(title)[0]


def title_words(title: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(content words, those written capitalised, those written in lower case
    after the title's first word). Case tells names from other words only in
    a sentence-case title; a Title Case headline capitalises everything, so
    it gives no case evidence (TermStats.is_name pools the evidence)."""
    tokens = [(raw, _normalise(raw)) for raw in _WORD.findall(title)]
    content = [(position, raw, word) for position, (raw, word) in enumerate(tokens) if word]
    later = [raw for position, raw, _ in content if position > 0]
    sentence_case = bool(later) and sum(raw[0].isupper() for raw in later) / len(later) < 0.6
    capitalised, lowered = set(), set()
    if sentence_case:
        for position, raw, word in content:
            if position > 0:
                (capitalised if raw[0].isupper() else lowered).add(word)
    return frozenset(w for _, _, w in content), frozenset(capitalised), frozenset(lowered)


def _normalise(raw: str) -> str:
    word = raw.strip(".'-’").lower().removesuffix("'s").removesuffix("’s")
    return word if len(word) >= 3 and word not in _stop_words() else ""


@cache
def _stop_words() -> frozenset[str]:
    # Imported on first use: importing scikit-learn costs about two seconds,
    # which every process start (web, worker, each manage.py command) paid.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


@dataclass(frozen=True)
class Member:
    """An article as the clustering sees it."""

    key: int  # unique and increasing with arrival (an article id, a row number)
    vector: np.ndarray
    terms: frozenset[str]
    source: object  # same value = same outlet
    at: datetime
    capitalised: frozenset[str] = frozenset()
    lowered: frozenset[str] = frozenset()

    @classmethod
    def of_title(cls, key: int, vector, title: str, source: object, at: datetime) -> "Member":
        terms, capitalised, lowered = title_words(title)
        return cls(key, np.asarray(vector, dtype=np.float32), terms, source, at, capitalised, lowered)


class TermStats:
    """Word statistics over the members the live stories are judged by:
    document frequencies, so a word's weight follows the live stream (a name
    everyone writes about this week weighs little, a name only one event
    mentions weighs much), and how the word is written in sentence-case
    titles, which tells names ("Jets", "Maduro") from other words."""

    def __init__(self):
        self.frequency: Counter = Counter()
        self.capitalised: Counter = Counter()
        self.lowered: Counter = Counter()
        self.documents = 0

    def add(self, member: "Member") -> None:
        self.frequency.update(member.terms)
        self.capitalised.update(member.capitalised)
        self.lowered.update(member.lowered)
        self.documents += 1

    def remove(self, member: "Member") -> None:
        for counter, words in (
            (self.frequency, member.terms),
            (self.capitalised, member.capitalised),
            (self.lowered, member.lowered),
        ):
            counter.subtract(words)
            for word in words:
                if counter[word] <= 0:
                    del counter[word]
        self.documents -= 1

    def idf(self, word: str) -> float:
        return math.log((self.documents + 1) / (self.frequency.get(word, 0) + 1)) + 1

    def is_name(self, word: str) -> bool:
        """Written capitalised (mid-title, in sentence case) at least three times as often as not."""
        capitalised = self.capitalised.get(word, 0)
        return capitalised > 0 and capitalised >= 3 * self.lowered.get(word, 0)


class StoryProfile:
    """A live story as the scorers see it: its all-time centroid sum, size and
    times, and its latest RECENT_MEMBERS members in time order."""

    def __init__(
        self,
        centroid_sum: np.ndarray,
        size: int,
        first_seen: datetime,
        last_seen: datetime,
        members: list[Member],
    ):
        self.centroid_sum = np.array(centroid_sum, dtype=np.float32)
        self.size = size
        self.first_seen = first_seen
        self.last_seen = last_seen
        self.members = sorted(members, key=lambda m: (m.at, m.key))[-RECENT_MEMBERS:]

    @classmethod
    def of_members(cls, members: list[Member]) -> "StoryProfile":
        return cls(
            np.sum([m.vector for m in members], axis=0),
            len(members),
            min(m.at for m in members),
            max(m.at for m in members),
            members,
        )

    def add(self, member: Member) -> list[Member]:
        """Take one more member; returns the members that fell out of the
        recent window (for TermStats)."""
        self.centroid_sum = self.centroid_sum + member.vector
        self.size += 1
        self.first_seen = min(self.first_seen, member.at)
        self.last_seen = max(self.last_seen, member.at)
        keys = [(m.at, m.key) for m in self.members]
        self.members.insert(bisect.bisect(keys, (member.at, member.key)), member)
        dropped = self.members[:-RECENT_MEMBERS] if len(self.members) > RECENT_MEMBERS else []
        self.members = self.members[-RECENT_MEMBERS:]
        self.__dict__.pop("matrix", None)
        self.__dict__.pop("recent_centroid", None)
        self.__dict__.pop("term_counts", None)
        self.__dict__.pop("source_counts", None)
        self.__dict__.pop("key_terms", None)
        return dropped

    @cached_property
    def matrix(self) -> np.ndarray:
        return np.stack([m.vector for m in self.members]).astype(np.float32)

    @cached_property
    def recent_centroid(self) -> np.ndarray:
        """Unit vector of the members weighted by exp(-age / DECAY_HOURS)."""
        latest = self.members[-1].at
        weights = np.array(
            [math.exp(-(latest - m.at).total_seconds() / 3600 / DECAY_HOURS) for m in self.members],
            dtype=np.float32,
        )
        return unit(weights @ self.matrix)

    @cached_property
    def term_counts(self) -> Counter:
        return Counter(word for m in self.members for word in m.terms)

    @cached_property
    def source_counts(self) -> Counter:
        return Counter(m.source for m in self.members)

    @cached_property
    def key_terms(self) -> list[tuple[str, float]]:
        """(word, share of recent members holding it) for words most members hold."""
        count = len(self.members)
        if count < 2:
            return []
        return [(w, c / count) for w, c in self.term_counts.items() if c / count >= KEY_TERM_SHARE]


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
