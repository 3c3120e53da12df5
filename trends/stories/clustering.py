"""Online story clustering, in plain Python and numpy.

The decision rule (choose_story): the live stories whose all-time centroids
are nearest the article's embedding are candidates (LiveIndex); for each, a
learned join scorer (StoryModel.join) turns a few similarities into the
log-odds that the article tells the same happening as the story, and the
article joins the best candidate when that reaches the join threshold, else
it starts a story. Once an hour a learned merge scorer (StoryModel.merge)
joins two live stories told as one event (find_merge_pairs).

What the scorers look at, and the failure each one answers (measured on the
hand-labelled newsriver window; see docs/decisions/story-clustering.md):
- a story's recent members, not only its all-time centroid: a time-decayed
  centroid and the article's best matches among the latest members, so a
  story that drifted over days is judged by what it is now about;
- key-term agreement with term weights from the live stream (TermStats): a
  rare word shared with most of the story's members counts, a word that is
  everywhere ("Trump", "NFL", "week") does not, and the story's key terms
  missing from the title count against;
- time: hours since the story's last article and since its first, so a
  story that something loosely related reaches every hour stops growing;
- outlets: a story fed by one outlet's template ("promo code ... for X vs Y")
  is not an event many outlets report.

A story compares with its latest RECENT_MEMBERS members only, so a decision
costs the same however big the story or the stored history. Only live
stories are candidates: a story with no article for `live_hours` closes, and
a later article starts a follow-up story.

The same code serves the workers (trends.stories.assignment keeps a LiveStories in
step with the database; trends.stories.converged runs the merge pass) and the
evaluation (OnlineClusterer, in memory)."""

import bisect
import heapq
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

MODEL_PATH = Path(__file__).resolve().parent / "story_model.json"

# A live story is judged by its latest members (by time): enough to know
# what it is about now, few enough that a decision costs the same for a
# 500-article story as for a 5-article one.
RECENT_MEMBERS = 50
# "Latest" for the newest-members similarities.
LATEST_MEMBERS = 8
# Half-life-like time constant of the recent centroid (hours).
DECAY_HOURS = 6.0
# A word in at least this share of a story's recent members is one of its key terms.
KEY_TERM_SHARE = 0.5
# Merge candidates: stories whose all-time centroids are at least this close.
MERGE_FLOOR = 0.35
# Words that carry no news.
_WORD = re.compile(r"[^\W\d_][\w'&.-]*")


class LiveIndex:
    """Unit centroids of live stories in one growable matrix; a row per story."""

    def __init__(self, dimensions: int, capacity: int = 1024):
        self.dimensions = dimensions
        self._vectors = np.zeros((capacity, dimensions), dtype=np.float32)
        self._ids = np.full(capacity, -1, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._free: list[int] = list(range(capacity - 1, -1, -1))

    def __len__(self):
        return len(self._row_of)

    def __contains__(self, story_id):
        return story_id in self._row_of

    def ids(self) -> list[int]:
        return list(self._row_of)

    def put(self, story_id: int, centroid_sum: np.ndarray) -> None:
        row = self._row_of.get(story_id)
        if row is None:
            if not self._free:
                self._grow()
            row = self._free.pop()
            self._row_of[story_id] = row
            self._ids[row] = story_id
        norm = float(np.linalg.norm(centroid_sum))
        self._vectors[row] = centroid_sum / norm if norm else 0.0

    def remove(self, story_id: int) -> None:
        row = self._row_of.pop(story_id, None)
        if row is not None:
            self._vectors[row] = 0.0
            self._ids[row] = -1
            self._free.append(row)

    def nearest(self, vector: np.ndarray, k: int = 1) -> list[tuple[int, float]]:
        """The k most similar live stories as (story_id, cosine), best first."""
        if not self._row_of:
            return []
        scores = self._vectors @ vector
        scores[self._ids < 0] = -2.0  # empty rows never win
        k = min(k, len(self._row_of))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(self._ids[r]), float(scores[r])) for r in top]

    def centroid(self, story_id: int) -> np.ndarray:
        return self._vectors[self._row_of[story_id]]

    def _grow(self):
        old = len(self._ids)
        self._vectors = np.vstack([self._vectors, np.zeros_like(self._vectors)])
        self._ids = np.concatenate([self._ids, np.full(old, -1, dtype=np.int64)])
        self._free.extend(range(2 * old - 1, old - 1, -1))


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
    return word if len(word) >= 3 and word not in ENGLISH_STOP_WORDS else ""


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
        return _unit(weights @ self.matrix)

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


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _hours(delta: timedelta) -> float:
    return max(delta.total_seconds() / 3600, 0.0)


def join_features(
    story: StoryProfile, article: Member, terms: TermStats, rival_cosine: float = 0.0
) -> dict[str, float]:
    """What the join scorer knows of one (article, live story) pair.
    rival_cosine: the best centroid cosine among the other candidates (how
    crowded the article's neighbourhood is)."""
    vector = article.vector
    similarities = story.matrix @ vector
    latest = similarities[-LATEST_MEMBERS:]
    count = len(story.members)
    weight = {word: terms.idf(word) for word in article.terms}
    total = sum(weight.values()) or 1.0
    held = story.term_counts
    shared = [weight[w] for w in article.terms if held.get(w)]
    key_weight = sum(terms.idf(w) * share for w, share in story.key_terms)
    key_missing = sum(terms.idf(w) * share for w, share in story.key_terms if w not in article.terms)
    names = {w for w in article.terms if terms.is_name(w)}
    quiet = math.log1p(_hours(article.at - story.last_seen))
    old = math.log1p(_hours(article.at - story.first_seen))
    top3 = float(np.sort(similarities)[-3:].mean())
    key_names = [(w, share) for w, share in story.key_terms if terms.is_name(w)]
    key_names_weight = sum(terms.idf(w) * share for w, share in key_names)
    centroid_cosine = float(_unit(story.centroid_sum) @ vector)
    return {
        "centroid_cosine": centroid_cosine,
        # A clear winner may be looser than a match among close rivals: in a
        # crowded stream the same cosine means less than among distinct events.
        "margin_over_rival": centroid_cosine - rival_cosine,
        "recent_centroid_cosine": float(story.recent_centroid @ vector),
        "latest_top3_cosine": float(np.sort(latest)[-3:].mean()),
        "latest_max_cosine": float(latest.max()),
        "member_max_cosine": float(similarities.max()),
        "member_top3_cosine": top3,
        "term_cover": sum(weight[w] * held.get(w, 0) / count for w in article.terms) / total,
        # As a share of the rarest possible weight: the scale of IDF follows
        # how many articles are live, which differs from stream to stream.
        "rarest_shared_term": max(shared, default=0.0) / terms.idf(""),
        "term_novelty": sum(weight[w] for w in article.terms if not held.get(w)) / total,
        "key_terms_missing": key_missing / key_weight if key_weight else 0.0,
        # Agreement on names and on the other words apart: sharing a name
        # ("DiCaprio", "Trump") says little about sharing a happening.
        "name_cover": _cover(names, weight, held, count),
        "word_cover": _cover(article.terms - names, weight, held, count),
        "key_names_missing": sum(terms.idf(w) * s for w, s in key_names if w not in article.terms)
        / key_names_weight
        if key_names_weight
        else 0.0,
        "hours_quiet": quiet,
        "hours_old": old,
        # Time apart weighs against a loose match, much less against a close one.
        "quiet_x_distance": quiet * (1 - top3),
        "old_x_distance": old * (1 - top3),
        "same_source_share": story.source_counts.get(article.source, 0) / count,
    }


def _cover(words: set[str], weight: dict[str, float], held: Counter, count: int) -> float:
    """IDF-weighted share of `words` the story holds, each by the share of members holding it."""
    total = sum(weight[w] for w in words)
    return sum(weight[w] * held.get(w, 0) / count for w in words) / total if total else 0.0


def merge_features(kept: StoryProfile, absorbed: StoryProfile, terms: TermStats) -> dict[str, float]:
    """What the merge scorer knows of two live stories."""
    links = kept.matrix[-30:] @ absorbed.matrix[-30:].T
    profiles = []
    for story in (kept, absorbed):
        count = len(story.members)
        profiles.append({w: c / count * terms.idf(w) for w, c in story.term_counts.items()})
    a, b = profiles
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norms = math.sqrt(sum(x * x for x in a.values()) * sum(x * x for x in b.values()))
    keys_a = {w for w, c in kept.term_counts.items() if c / len(kept.members) >= 0.3}
    keys_b = {w for w, c in absorbed.term_counts.items() if c / len(absorbed.members) >= 0.3}
    union = sum(terms.idf(w) for w in keys_a | keys_b)
    names_a = {w for w in keys_a if terms.is_name(w)}
    names_b = {w for w in keys_b if terms.is_name(w)}
    name_union = sum(terms.idf(w) for w in names_a | names_b)
    sources = kept.source_counts + absorbed.source_counts
    return {
        "centroid_cosine": float(_unit(kept.centroid_sum) @ _unit(absorbed.centroid_sum)),
        "recent_centroid_cosine": float(kept.recent_centroid @ absorbed.recent_centroid),
        "average_link": float(links.mean()),
        "max_link": float(links.max()),
        "term_cosine": dot / norms if norms else 0.0,
        "key_term_overlap": sum(terms.idf(w) for w in keys_a & keys_b) / union if union else 0.0,
        "key_name_overlap": sum(terms.idf(w) for w in names_a & names_b) / name_union if name_union else 0.0,
        "hours_apart": math.log1p(abs(_hours(kept.last_seen - absorbed.last_seen) or 0.0)),
        "smaller_size": math.log1p(min(kept.size, absorbed.size)),
        "top_source_share": sources.most_common(1)[0][1] / (len(kept.members) + len(absorbed.members)),
    }


@dataclass(frozen=True)
class Scorer:
    """A logistic scorer: log-odds = bias + sum of weight x feature."""

    weights: dict[str, float]
    bias: float

    def __call__(self, features: dict[str, float]) -> float:
        return self.bias + sum(weight * features[name] for name, weight in self.weights.items())

    @classmethod
    def from_dict(cls, data: dict) -> "Scorer":
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]))

    def to_dict(self) -> dict:
        return {"weights": {k: round(v, 5) for k, v in self.weights.items()}, "bias": round(self.bias, 5)}


@dataclass(frozen=True)
class StoryModel:
    join: Scorer
    merge: Scorer
    # The log-odds at which an article joins / two stories merge.
    join_threshold: float
    merge_threshold: float
    about: dict = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH) -> "StoryModel":
        try:
            data = json.loads(Path(path).read_text())
            return cls(
                Scorer.from_dict(data["join"]),
                Scorer.from_dict(data["merge"]),
                float(data["join_threshold"]),
                float(data["merge_threshold"]),
                data.get("about", {}),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a story model ({exc})") from None

    def to_dict(self) -> dict:
        return {
            "about": self.about,
            "join": self.join.to_dict(),
            "merge": self.merge.to_dict(),
            "join_threshold": self.join_threshold,
            "merge_threshold": self.merge_threshold,
        }


_loaded: dict[str, StoryModel] = {}


def default_model() -> StoryModel:
    return _load_once(str(MODEL_PATH))


def model_from_settings() -> StoryModel:
    from django.conf import settings

    return _load_once(getattr(settings, "STORY_MODEL_PATH", "") or str(MODEL_PATH))


def _load_once(path: str) -> StoryModel:
    """Workers decide with the model per article: read each file once."""
    if path not in _loaded:
        _loaded[path] = StoryModel.load(path)
    return _loaded[path]


@dataclass
class ClusterParams:
    live_hours: float = 36.0
    model: StoryModel = field(default_factory=default_model)
    # Overrides of the model's thresholds (None: the model's own).
    join_threshold: float | None = None
    merge_threshold: float | None = None
    # Stories nearest by centroid that the join scorer looks at.
    candidates: int = 10

    @property
    def join_at(self) -> float:
        return self.model.join_threshold if self.join_threshold is None else self.join_threshold

    @property
    def merge_at(self) -> float:
        return self.model.merge_threshold if self.merge_threshold is None else self.merge_threshold

    @classmethod
    def from_settings(cls) -> "ClusterParams":
        from django.conf import settings

        return cls(live_hours=settings.STORY_LIVE_HOURS, model=model_from_settings())


class LiveStories:
    """The live stories' profiles, their centroid index and the live term
    statistics, kept in step with each other."""

    def __init__(self, dimensions: int):
        self.index = LiveIndex(dimensions)
        self.profiles: dict[int, StoryProfile] = {}
        self.terms = TermStats()

    def __contains__(self, story_id):
        return story_id in self.profiles

    def __len__(self):
        return len(self.profiles)

    def put(self, story_id: int, profile: StoryProfile) -> None:
        self.remove(story_id)
        self.profiles[story_id] = profile
        for member in profile.members:
            self.terms.add(member)
        self.index.put(story_id, profile.centroid_sum)

    def add_member(self, story_id: int, member: Member) -> StoryProfile:
        profile = self.profiles[story_id]
        for dropped in profile.add(member):
            self.terms.remove(dropped)
        self.terms.add(member)
        self.index.put(story_id, profile.centroid_sum)
        return profile

    def remove(self, story_id: int) -> None:
        profile = self.profiles.pop(story_id, None)
        if profile is not None:
            for member in profile.members:
                self.terms.remove(member)
            self.index.remove(story_id)

    def join_scores(self, article: Member, model: StoryModel, candidates: int) -> list[tuple[int, float]]:
        return [
            (story_id, model.join(join_features(self.profiles[story_id], article, self.terms, rival)))
            for story_id, rival in self.candidates(article.vector, candidates)
        ]

    def candidates(self, vector: np.ndarray, count: int, also: int | None = None) -> list[tuple[int, float]]:
        """(story, best centroid cosine among the other candidates) for the
        `count` stories nearest by centroid, plus `also` when live."""
        nearest = self.index.nearest(vector, k=count)
        if also is not None and also in self.profiles and all(s != also for s, _ in nearest):
            nearest.append((also, float(self.index.centroid(also) @ vector)))
        cosines = [c for _, c in nearest]
        return [
            (story_id, max(cosines[:i] + cosines[i + 1 :], default=0.0))
            for i, (story_id, _) in enumerate(nearest)
        ]


def choose_story(live: LiveStories, article: Member, params: ClusterParams) -> tuple[int | None, float]:
    """The one decision rule, shared by workers and evaluation: (story to
    join or None for a new one, best log-odds)."""
    scored = live.join_scores(article, params.model, params.candidates)
    if not scored:
        return None, -math.inf
    best = max(scored, key=lambda pair: pair[1])
    if best[1] >= params.join_at:
        return best
    return None, best[1]


def find_merge_pairs(
    live: LiveStories, params: ClusterParams, eligible: set[int] | None = None
) -> list[tuple[int, int]]:
    """(absorbed, kept) pairs of live stories the merge scorer calls one
    event; the bigger story (then the older id) is kept. Only stories of two
    or more articles take part (a lone article had its chance to join).
    Each story takes part in at most one pair per pass, best pairs first, so
    merges never chain within a pass; the next pass sees the merged stories."""
    ids = [
        story_id
        for story_id, profile in live.profiles.items()
        if profile.size >= 2 and (eligible is None or story_id in eligible)
    ]
    allowed = set(ids)
    scored = []
    for story_id in ids:
        centroid = live.index.centroid(story_id)
        for other, cosine in live.index.nearest(centroid, k=params.candidates + 1):
            if other <= story_id or other not in allowed or cosine < MERGE_FLOOR:
                continue
            kept, absorbed = sorted((story_id, other), key=lambda s: (-live.profiles[s].size, s))
            features = merge_features(live.profiles[kept], live.profiles[absorbed], live.terms)
            score = params.model.merge(features)
            if score >= params.merge_at:
                scored.append((score, absorbed, kept))
    used: set[int] = set()
    pairs = []
    for _, absorbed, kept in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if absorbed in used or kept in used:
            continue
        used.update((absorbed, kept))
        pairs.append((absorbed, kept))
    return pairs


def merged_profile(kept: StoryProfile, absorbed: StoryProfile) -> StoryProfile:
    return StoryProfile(
        kept.centroid_sum + absorbed.centroid_sum,
        kept.size + absorbed.size,
        min(kept.first_seen, absorbed.first_seen),
        max(kept.last_seen, absorbed.last_seen),
        kept.members + absorbed.members,
    )


class OnlineClusterer:
    """In-memory online clustering over a stream: what the evaluation replays.
    Workers use the same LiveStories, choose_story and find_merge_pairs
    through the database (trends.stories.assignment, trends.stories.converged)."""

    def __init__(self, dimensions: int, params: ClusterParams | None = None):
        self.params = params or ClusterParams()
        self.live = LiveStories(dimensions)
        self.merged_into: dict[int, int] = {}
        self._next_id = 0
        self._next_key = 0
        # (last seen, story) in time order; entries for stories seen since are skipped.
        self._expiry: list[tuple[datetime, int]] = []

    def assign(
        self,
        vector: np.ndarray,
        at: datetime,
        title: str,
        *,
        source: object = "",
        now: datetime | None = None,
    ) -> int:
        """The story the article joins (or starts). `at` is its published
        time, `now` when it is assigned (default: `at`)."""
        self.close_stale(now or at)
        member = Member.of_title(self._next_key, vector, title, source, at)
        self._next_key += 1
        story_id, _ = choose_story(self.live, member, self.params)
        if story_id is None:
            return self._start_story(member)
        self.live.add_member(story_id, member)
        heapq.heappush(self._expiry, (self.live.profiles[story_id].last_seen, story_id))
        return story_id

    def start_story(self, vector: np.ndarray, at: datetime, title: str, *, source: object = "") -> int:
        """Open a story of this one article without asking the scorer (benchmarks build history so)."""
        self.close_stale(at)
        member = Member.of_title(self._next_key, vector, title, source, at)
        self._next_key += 1
        return self._start_story(member)

    def _start_story(self, member: Member) -> int:
        story_id = self._next_id
        self._next_id += 1
        self.live.put(story_id, StoryProfile.of_members([member]))
        heapq.heappush(self._expiry, (member.at, story_id))
        return story_id

    def close_stale(self, now: datetime) -> None:
        """Drop stories quiet for live_hours; a heap keeps this independent of
        how many stories are live."""
        cutoff = now - timedelta(hours=self.params.live_hours)
        while self._expiry and self._expiry[0][0] < cutoff:
            seen, story_id = heapq.heappop(self._expiry)
            profile = self.live.profiles.get(story_id)
            if profile is not None and profile.last_seen == seen:
                self.live.remove(story_id)

    def merge_converged(self) -> list[tuple[int, int]]:
        """The hourly merge pass; returns the (absorbed, kept) pairs."""
        pairs = find_merge_pairs(self.live, self.params)
        for absorbed, kept in pairs:
            profile = merged_profile(self.live.profiles[kept], self.live.profiles[absorbed])
            self.live.remove(absorbed)
            self.live.put(kept, profile)
            self.merged_into[absorbed] = kept
            heapq.heappush(self._expiry, (profile.last_seen, kept))
        return pairs

    def final_story(self, story_id: int) -> int:
        """Where a story's articles ended up after merges."""
        while story_id in self.merged_into:
            story_id = self.merged_into[story_id]
        return story_id
