"""Online story clustering, in plain Python and numpy.

An article joins the nearest *live* story when the cosine similarity of its
embedding to the story's centroid reaches the threshold; otherwise it starts
a new story. Only live stories are candidates, held in an in-memory matrix,
so assigning an article costs the same whatever the stored history.

The same code serves the workers (through trends.assignment, which keeps the
index in step with the database) and the evaluation command (in memory)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np


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


@dataclass
class ClusterParams:
    threshold: float = 0.55
    live_hours: float = 36.0


def choose_story(index: LiveIndex, vector: np.ndarray, threshold: float) -> tuple[int | None, float]:
    """The one decision rule, shared by workers and evaluation."""
    best = index.nearest(vector, k=1)
    if best and best[0][1] >= threshold:
        return best[0]
    return None, best[0][1] if best else 0.0


class OnlineClusterer:
    """In-memory online clustering over a stream: what the evaluation replays.
    Workers use the same LiveIndex and choose_story through the database."""

    def __init__(self, dimensions: int, params: ClusterParams | None = None):
        self.params = params or ClusterParams()
        self.index = LiveIndex(dimensions)
        self.sums: dict[int, np.ndarray] = {}
        self.last_seen: dict[int, datetime] = {}
        self._next_id = 0

    def assign(self, vector: np.ndarray, at: datetime) -> int:
        self.close_stale(at)
        story_id, _ = choose_story(self.index, vector, self.params.threshold)
        if story_id is None:
            story_id = self._next_id
            self._next_id += 1
            self.sums[story_id] = np.zeros_like(vector)
        self.sums[story_id] = self.sums[story_id] + vector
        self.last_seen[story_id] = max(at, self.last_seen.get(story_id, at))
        self.index.put(story_id, self.sums[story_id])
        return story_id

    def close_stale(self, at: datetime) -> None:
        cutoff = at - timedelta(hours=self.params.live_hours)
        for story_id in [s for s in self.index.ids() if self.last_seen[s] < cutoff]:
            self.index.remove(story_id)
