"""A story's category, from its feeds' section hints and its content.

Rule: when at least half of a story's articles come from feeds with a section
hint, the most common hint wins (the outlets' editors filed it there).
Otherwise a small linear classifier over the story centroid decides between
the classes it was trained on (UCI News Aggregator's four: business,
technology, entertainment, health), and a story it is unsure about stays
"general". World, politics, sport and science come only from feed hints: no
labelled data for them was at hand.

The classifier (softmax regression, 4 x 384 weights, a few kB) is trained by
`manage.py evaluate_clustering --train-categories` on UCI weeks that the
evaluation does not report on, and shipped as trends/category_model.npz."""

from collections import Counter
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).with_name("category_model.npz")
# Below this class probability the content says too little: "general".
MIN_CONFIDENCE = 0.4
_model: tuple[list[str], np.ndarray, np.ndarray] | None = None


def story_category(feed_hints: list[str], centroid: np.ndarray | None) -> str:
    """feed_hints: one entry per article ("" where its feed has none)."""
    hints = Counter(h for h in feed_hints if h)
    if hints and sum(hints.values()) * 2 >= len(feed_hints):
        return hints.most_common(1)[0][0]
    if centroid is None:
        return "general"
    return content_categories(np.asarray(centroid, dtype=np.float32)[None, :])[0]


def content_categories(vectors: np.ndarray) -> list[str]:
    """Category per row of embedding vectors (normalised here)."""
    classes, weights, bias = _load()
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    logits = (vectors / np.where(norms > 0, norms, 1.0)) @ weights.T + bias
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    best = probabilities.argmax(axis=1)
    return [classes[b] if probabilities[i, b] >= MIN_CONFIDENCE else "general" for i, b in enumerate(best)]


def train(vectors: np.ndarray, labels: list[str], path: Path = MODEL_PATH) -> None:
    """Fit the content classifier and save it (float32 weights, a few kB)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=4.0, max_iter=2000)
    model.fit(vectors, labels)
    np.savez(
        path,
        classes=np.array(model.classes_),
        weights=model.coef_.astype(np.float32),
        bias=model.intercept_.astype(np.float32),
    )
    global _model
    _model = None


def _load():
    global _model
    if _model is None:
        with np.load(MODEL_PATH) as saved:
            _model = ([str(c) for c in saved["classes"]], saved["weights"], saved["bias"])
    return _model
