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

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from trends.stories.features import join_features, merge_features
from trends.stories.live_index import LiveIndex
from trends.stories.members import Member, StoryProfile, TermStats
from trends.stories.story_model import StoryModel, default_model, model_from_settings

# Merge candidates: stories whose all-time centroids are at least this close.
MERGE_FLOOR = 0.35


@dataclass
class ClusterParams:
    live_hours: float = 72.0
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
        nearest = self.candidates(article.vector, candidates)
        pairs = [join_features(self.profiles[s], article, self.terms, rival) for s, rival in nearest]
        return list(zip((s for s, _ in nearest), model.join.score_all(pairs), strict=True))

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
    for story_id, nearest in live.index.nearest_each(ids, k=params.candidates + 1).items():
        for other, cosine in nearest:
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
