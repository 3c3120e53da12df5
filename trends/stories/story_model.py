"""The learned story scorers (logistic, or boosted trees) and the model file they live in."""

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "story_model.json"


@dataclass(frozen=True)
class Scorer:
    """A logistic scorer: log-odds = bias + sum of weight x feature."""

    weights: dict[str, float]
    bias: float

    def __call__(self, features: dict[str, float]) -> float:
        return self.bias + sum(weight * features[name] for name, weight in self.weights.items())

    def score_all(self, pairs: list[dict[str, float]]) -> list[float]:
        return [self(features) for features in pairs]

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(self.weights)

    @classmethod
    def from_dict(cls, data: dict) -> "Scorer":
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"]))

    def to_dict(self) -> dict:
        return {"weights": {k: round(v, 5) for k, v in self.weights.items()}, "bias": round(self.bias, 5)}


@dataclass(frozen=True)
class TreeScorer:
    """Boosted regression trees: log-odds = bias + the sum of one leaf value
    per tree. Each tree is a list of nodes; a node [feature, threshold, left,
    right, value] sends a pair left when its feature <= threshold, and a leaf
    has feature -1. Trees can weigh interactions a logistic scorer cannot,
    such as "a day apart, but a close match"."""

    names: tuple[str, ...]
    bias: float
    trees: tuple[tuple[tuple[int, float, int, int, float], ...], ...]

    def __call__(self, features: dict[str, float]) -> float:
        return self.score_all([features])[0]

    def score_all(self, pairs: list[dict[str, float]]) -> list[float]:
        """Every pair down every tree at once (an article's candidates)."""
        if not pairs:
            return []
        x = np.array([[p[name] for name in self.names] for p in pairs], dtype=np.float64)
        feature, threshold, left, right, value, depth = self._arrays
        trees = np.arange(len(self.trees))
        node = np.zeros((len(pairs), len(self.trees)), dtype=np.intp)
        pair_rows = np.arange(len(pairs))[:, None]
        for _ in range(depth):
            at = (trees, node)
            node = np.where(x[pair_rows, feature[at]] <= threshold[at], left[at], right[at])
        return (self.bias + value[trees, node].sum(axis=1)).tolist()

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.names

    @cached_property
    def _arrays(self):
        """The trees as padded arrays, leaves pointing at themselves, so all
        trees step down together."""
        width = max(len(tree) for tree in self.trees)
        feature = np.zeros((len(self.trees), width), dtype=np.intp)
        threshold = np.full((len(self.trees), width), np.inf)
        left = np.tile(np.arange(width), (len(self.trees), 1))
        right = left.copy()
        value = np.zeros((len(self.trees), width))
        for t, tree in enumerate(self.trees):
            for n, (feat, cut, low, high, leaf_value) in enumerate(tree):
                value[t, n] = leaf_value
                if feat >= 0:
                    feature[t, n], threshold[t, n], left[t, n], right[t, n] = feat, cut, low, high
        return feature, threshold, left, right, value, _depth(self.trees)

    @classmethod
    def from_dict(cls, data: dict) -> "TreeScorer":
        names = tuple(str(n) for n in data["names"])
        trees = tuple(
            tuple((int(f), float(c), int(lo), int(hi), float(v)) for f, c, lo, hi, v in tree)
            for tree in data["trees"]
        )
        for tree in trees:
            for n, (feat, _, low, high, _) in enumerate(tree):
                # Children come after their parent, so a tree can hold no loop.
                if feat >= len(names) or (feat >= 0 and not (n < low < len(tree) and n < high < len(tree))):
                    raise ValueError("a tree node points outside its tree or back up it")
        if not trees:
            raise ValueError("no trees")
        return cls(names, float(data["bias"]), trees)

    def to_dict(self) -> dict:
        return {"kind": "trees", "names": list(self.names), "bias": round(self.bias, 6), "trees": self.trees}


def _depth(trees) -> int:
    def below(tree, node: int) -> int:
        feat, _, low, high, _ = tree[node]
        return 0 if feat < 0 else 1 + max(below(tree, low), below(tree, high))

    return max(below(tree, 0) for tree in trees)


def scorer_from_dict(data: dict) -> Scorer | TreeScorer:
    return TreeScorer.from_dict(data) if data.get("kind") == "trees" else Scorer.from_dict(data)


@dataclass(frozen=True)
class StoryModel:
    join: Scorer | TreeScorer
    merge: Scorer | TreeScorer
    # The log-odds at which an article joins / two stories merge.
    join_threshold: float
    merge_threshold: float
    about: dict = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH) -> "StoryModel":
        try:
            data = json.loads(Path(path).read_text())
            return cls(
                scorer_from_dict(data["join"]),
                scorer_from_dict(data["merge"]),
                float(data["join_threshold"]),
                float(data["merge_threshold"]),
                data.get("about", {}),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a story model ({exc})") from None

    def to_json(self) -> str:
        """Indented, each tree node on one line (not one line per number)."""
        text = json.dumps(self.to_dict(), indent=2)
        flat = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        return flat + "\n"

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
