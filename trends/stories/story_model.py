"""The learned story scorers (logistic) and the model file they live in."""

import json
from dataclasses import dataclass, field
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent / "story_model.json"


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
