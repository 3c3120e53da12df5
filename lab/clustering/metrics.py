"""Clustering scores against gold labels: B-cubed, pairwise F1, adjusted Rand.

B-cubed (Bagga & Baldwin 1998) scores each article: precision is the share of
its predicted cluster that shares its gold cluster, recall the share of its
gold cluster that shares its predicted cluster; both are averaged over
articles. Pairwise F1 counts article pairs put together."""

from collections import Counter
from collections.abc import Hashable, Sequence

from sklearn.metrics import adjusted_rand_score


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def bcubed(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float, float]:
    """(precision, recall, F1)."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted label one article each")
    if not gold:
        return 0.0, 0.0, 0.0
    joint = Counter(zip(gold, predicted, strict=True))
    gold_size = Counter(gold)
    predicted_size = Counter(predicted)
    # Each of the n articles in cell (g, p) sees n same-cell articles.
    precision = sum(n * n / predicted_size[p] for (_, p), n in joint.items()) / len(gold)
    recall = sum(n * n / gold_size[g] for (g, _), n in joint.items()) / len(gold)
    return precision, recall, _f1(precision, recall)


def pairwise(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float, float]:
    """(precision, recall, F1) over unordered article pairs."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted label one article each")

    def pairs(sizes):
        return sum(n * (n - 1) // 2 for n in sizes)

    together_both = pairs(Counter(zip(gold, predicted, strict=True)).values())
    together_predicted = pairs(Counter(predicted).values())
    together_gold = pairs(Counter(gold).values())
    precision = together_both / together_predicted if together_predicted else 1.0
    recall = together_both / together_gold if together_gold else 1.0
    return precision, recall, _f1(precision, recall)


def adjusted_rand(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    # sklearn wants numbers or strings of one type: map labels to ints first.
    def codes(labels):
        seen: dict = {}
        return [seen.setdefault(label, len(seen)) for label in labels]

    return float(adjusted_rand_score(codes(gold), codes(predicted)))


def score(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict:
    """The figures the evaluation command reports for one method."""
    b_p, b_r, b_f1 = bcubed(gold, predicted)
    _, _, pair_f1 = pairwise(gold, predicted)
    return {
        "bcubed_p": round(b_p, 4),
        "bcubed_r": round(b_r, 4),
        "bcubed_f1": round(b_f1, 4),
        "pairwise_f1": round(pair_f1, 4),
        "ari": round(adjusted_rand(gold, predicted), 4),
        "clusters": len(set(predicted)),
    }


def classification(gold: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> dict:
    """Accuracy and macro-F1 over the given classes (a prediction outside them is simply wrong)."""
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    f1s = []
    for cls in classes:
        tp = sum(g == cls and p == cls for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != cls and p == cls for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == cls and p != cls for g, p in zip(gold, predicted, strict=True))
        f1s.append(_f1(tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0))
    return {
        "accuracy": round(correct / len(gold), 4) if gold else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "articles": len(gold),
    }
