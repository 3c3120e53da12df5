"""A story's category, from its feeds' section hints and its content.

Rule: when at least half of a story's articles come from feeds filed under
one section, that section wins (the outlets' editors filed it there); a
story whose hinted articles disagree goes to the content classifier.
Otherwise a linear classifier over the story centroid picks one of Surge's
categories, and a story it is unsure about stays "general".

The classifier (category_model.npz) and why it is built this way:
docs/decisions/category-classifier.md."""

from collections import Counter
from pathlib import Path

import numpy as np

from ingest.category_hints import CATEGORY_CODES

MODEL_PATH = Path(__file__).with_name("category_model.npz")
# Used when a saved model carries no threshold of its own.
MIN_CONFIDENCE = 0.4
# Equal-count confidence bins for measuring the abstain threshold.
BINS = 40
REGULARISATION_C = 1.0
CLASS_WEIGHT_POWER = 0.5
_model: tuple[list[str], np.ndarray, np.ndarray, float] | None = None


def story_category(
    feed_hints: list[str], centroid: np.ndarray | None, titles: list[str] | None = None
) -> str:
    """feed_hints: one entry per article ("" where its feed has none; a hint
    that is not one of Surge's categories counts as none); titles: the
    articles' titles, when known (see abroad_share)."""
    hints = Counter(h for h in feed_hints if h in CATEGORY_CODES)
    if hints:
        hint, count = hints.most_common(1)[0]
        if count * 2 >= len(feed_hints):
            return hint
    if centroid is None:
        return "general"
    category = content_categories(np.asarray(centroid, dtype=np.float32)[None, :])[0]
    if category == "politics" and titles and abroad_share(titles) >= ABROAD_SHARE:
        # The politics class learnt US politics: a story about another country is world news.
        return "world"
    return category


# A "politics" story most of whose titles name a country other than the US
# (or its people: "Venezuelan") is world news.
ABROAD_SHARE = 0.5
HOME_COUNTRIES = frozenset({"United States", "US"})


def abroad_share(titles: list[str]) -> float:
    """The share of titles that name a country other than the US."""
    from trends.words.places import countries_named

    if not titles:
        return 0.0
    abroad = sum(1 for title in titles if countries_named(title) - HOME_COUNTRIES)
    return abroad / len(titles)


def content_categories(vectors: np.ndarray) -> list[str]:
    """Category per row of embedding vectors (normalised here); "general"
    where the classifier is unsure."""
    classes, probabilities = category_probabilities(vectors)
    min_confidence = _load()[3]
    best = probabilities.argmax(axis=1)
    return [
        classes[b] if probabilities[row, b] >= min_confidence else "general" for row, b in enumerate(best)
    ]


def category_probabilities(vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The classes and one row of class probabilities per vector."""
    classes, weights, bias, _min_confidence = _load()
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    logits = (vectors / np.where(norms > 0, norms, 1.0)) @ weights.T + bias
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return classes, probabilities


def min_confidence() -> float:
    return _load()[3]


def fit(vectors: np.ndarray, labels: list[str]):
    """A fitted sklearn LogisticRegression with the shipped hyperparameters."""
    from sklearn.linear_model import LogisticRegression

    counts = Counter(labels)
    largest = max(counts.values())
    weights = {label: (largest / n) ** CLASS_WEIGHT_POWER for label, n in counts.items()}
    model = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight=weights)
    model.fit(vectors, labels)
    return model


def break_even_threshold(confidence: np.ndarray, correct: np.ndarray, bins: int = BINS) -> float:
    """The lowest confidence from which predictions are right at least as
    often as wrong: held-out predictions are cut into equal-count confidence
    bins, and the threshold is the lower edge of the lowest bin from which
    every bin up is right at least half the time."""
    order = np.argsort(confidence)
    threshold = 1.0
    for chunk in reversed(np.array_split(order, bins)):
        if not chunk.size:
            continue
        if correct[chunk].mean() < 0.5:
            break
        threshold = float(confidence[chunk].min())
    return threshold


def train(
    vectors: np.ndarray, labels: list[str], path: Path = MODEL_PATH, min_confidence: float | None = None
) -> None:
    """Fit the content classifier and save it (float32 weights, a few kB)."""
    model = fit(vectors, labels)
    save(model, MIN_CONFIDENCE if min_confidence is None else min_confidence, path)


def save(model, min_confidence: float, path: Path = MODEL_PATH) -> None:
    np.savez(
        path,
        classes=np.array(model.classes_),
        weights=model.coef_.astype(np.float32),
        bias=model.intercept_.astype(np.float32),
        min_confidence=np.float32(min_confidence),
    )
    global _model
    _model = None


def _load():
    global _model
    if _model is None:
        with np.load(MODEL_PATH) as saved:
            threshold = float(saved["min_confidence"]) if "min_confidence" in saved else MIN_CONFIDENCE
            _model = ([str(c) for c in saved["classes"]], saved["weights"], saved["bias"], threshold)
    return _model
