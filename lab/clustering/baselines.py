"""The two reference clusterings the evaluation runs beside Surge's own: a
TF-IDF single pass (the classic sparse baseline) and exact average-linkage
over the same embeddings (an upper reference, refused above
MAX_BATCH_ARTICLES). Why these two: docs/decisions/batch-reference.md."""

import math
from datetime import datetime, timedelta

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist
from sklearn.feature_extraction.text import TfidfVectorizer

MAX_BATCH_ARTICLES = 24_000


def tfidf_single_pass(
    texts: list[str], times: list[datetime], threshold: float, live_hours: float = 36.0
) -> list[int]:
    """Cluster label per text, in stream order."""
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts).tocsr()
    # Inverted index over cluster centroid sums: term -> {cluster: weight sum}.
    postings: dict[int, dict[int, float]] = {}
    terms_of: dict[int, set[int]] = {}
    norm_sq: dict[int, float] = {}
    last_seen: dict[int, datetime] = {}
    live: set[int] = set()
    labels = []
    for row, at in enumerate(times):
        cutoff = at - timedelta(hours=live_hours)
        for cluster in [c for c in live if last_seen[c] < cutoff]:
            live.discard(cluster)
            for term in terms_of.pop(cluster):
                postings[term].pop(cluster, None)
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        terms, weights = matrix.indices[start:end], matrix.data[start:end]
        dots: dict[int, float] = {}
        for term, weight in zip(terms, weights, strict=True):
            for cluster, total in postings.get(term, {}).items():
                dots[cluster] = dots.get(cluster, 0.0) + weight * total
        best, best_score = None, -1.0
        for cluster, dot in dots.items():
            score = dot / math.sqrt(norm_sq[cluster])
            if score > best_score:
                best, best_score = cluster, score
        if best is None or best_score < threshold:
            best = len(norm_sq)
            norm_sq[best] = 0.0
            terms_of[best] = set()
            live.add(best)
            dot_with_best = 0.0
        else:
            dot_with_best = dots[best]
        # |s + x|^2 = |s|^2 + 2 s.x + |x|^2, and |x| = 1.
        norm_sq[best] += 2 * dot_with_best + 1.0
        for term, weight in zip(terms, weights, strict=True):
            bucket = postings.setdefault(term, {})
            bucket[best] = bucket.get(best, 0.0) + weight
            terms_of[best].add(int(term))
        last_seen[best] = at
        labels.append(best)
    return labels


def batch_agglomerative(vectors: np.ndarray, distance_threshold: float) -> list[int]:
    """Cluster label per row of unit vectors."""
    if len(vectors) > MAX_BATCH_ARTICLES:
        raise ValueError(f"{len(vectors)} articles: too many for exact batch linkage in memory")
    if len(vectors) < 2:
        return [0] * len(vectors)
    distances = pdist(vectors.astype(np.float64), metric="cosine")
    tree = linkage(distances, method="average")
    del distances
    return [int(label) for label in fcluster(tree, t=distance_threshold, criterion="distance")]
