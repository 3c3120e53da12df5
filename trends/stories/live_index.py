"""The live stories' unit centroids in one growable matrix, for nearest-story lookups."""

import numpy as np

NEAREST_BLOCK = 256  # stories per matrix product in nearest_each


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

    def nearest_each(self, story_ids: list[int], k: int) -> dict[int, list[tuple[int, float]]]:
        """nearest(centroid, k) for each of these live stories, a block of
        stories per matrix product (one product per story is slower many times
        over; one for all would need stories x capacity floats at once)."""
        found = {}
        k = min(k, len(self._row_of))
        for start in range(0, len(story_ids), NEAREST_BLOCK):
            block = story_ids[start : start + NEAREST_BLOCK]
            scores = self._vectors[[self._row_of[s] for s in block]] @ self._vectors.T
            scores[:, self._ids < 0] = -2.0  # empty rows never win
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            for story_id, row_scores, row_top in zip(block, scores, top, strict=True):
                ordered = row_top[np.argsort(-row_scores[row_top])]
                found[story_id] = [(int(self._ids[r]), float(row_scores[r])) for r in ordered]
        return found

    def centroid(self, story_id: int) -> np.ndarray:
        return self._vectors[self._row_of[story_id]]

    def _grow(self):
        old = len(self._ids)
        self._vectors = np.vstack([self._vectors, np.zeros_like(self._vectors)])
        self._ids = np.concatenate([self._ids, np.full(old, -1, dtype=np.int64)])
        self._free.extend(range(2 * old - 1, old - 1, -1))
