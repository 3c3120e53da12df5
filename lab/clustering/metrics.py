"""Clustering scores against gold labels: B-cubed, pairwise, adjusted Rand, and
what a reader sees on a front page.

B-cubed (Bagga & Baldwin 1998) scores each article: precision is the share of
its predicted cluster that shares its gold cluster, recall the share of its
gold cluster that shares its predicted cluster; both are averaged over
articles. Pairwise F1 counts article pairs put together.

The reader's figures look at the biggest stories only, as a front page does
(reader_scores): whether the 20 largest stories are each one event (purity,
junk) and whether the 20 largest events are each one story (split)."""

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


TOP = 20
# A story a reader notices as a second story about one event has this many items.
SPLIT_MIN_ITEMS = 3


def largest(labels: Sequence[Hashable], count: int) -> list[Hashable]:
    """The `count` most frequent labels, biggest first; ties go to the label
    seen first in stream order, so the answer never depends on hashing."""
    sizes = Counter(labels)
    first_row = {}
    for row, label in enumerate(labels):
        first_row.setdefault(label, row)
    return sorted(sizes, key=lambda label: (-sizes[label], first_row[label]))[:count]


def reader_scores(gold: Sequence[Hashable], predicted: Sequence[Hashable], top: int = TOP) -> dict:
    """What a reader of the front page sees, over the `top` largest stories and events:
    - top20_purity: over the largest stories, the size-weighted share of each
      story's items that belong to its majority gold event;
    - junk_top20: how many items of those stories are not of their story's
      majority event;
    - split_top20: of the largest gold events, how many have SPLIT_MIN_ITEMS or
      more of their items in each of two or more stories."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted label one article each")
    joint = Counter(zip(predicted, gold, strict=True))
    events_of: dict[Hashable, Counter] = {}
    for (story, event), count in joint.items():
        events_of.setdefault(story, Counter())[event] = count
    stories = largest(predicted, top)
    items = sum(sum(events_of[s].values()) for s in stories)
    majority = sum(max(events_of[s].values()) for s in stories)
    stories_of: dict[Hashable, list[int]] = {}
    for (_story, event), count in joint.items():
        stories_of.setdefault(event, []).append(count)
    split = sum(
        1 for event in largest(gold, top) if sum(c >= SPLIT_MIN_ITEMS for c in stories_of[event]) >= 2
    )
    return {
        "top20_purity": round(majority / items, 4) if items else 0.0,
        "junk_top20": items - majority,
        "split_top20": split,
    }


def score(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict:
    """The figures the evaluation command reports for one method."""
    b_p, b_r, b_f1 = bcubed(gold, predicted)
    pair_p, pair_r, pair_f1 = pairwise(gold, predicted)
    return {
        "bcubed_p": round(b_p, 4),
        "bcubed_r": round(b_r, 4),
        "bcubed_f1": round(b_f1, 4),
        "pairwise_p": round(pair_p, 4),
        "pairwise_r": round(pair_r, 4),
        "pairwise_f1": round(pair_f1, 4),
        "ari": round(adjusted_rand(gold, predicted), 4),
        "clusters": len(set(predicted)),
        **reader_scores(gold, predicted),
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
