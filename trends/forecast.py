"""Will the story still matter tomorrow?

FADES means: 24 hours from now its velocity will be below FADE_SHARE of its
peak. This is the first, rule-based forecast: a story's chance of fading
follows its lifecycle stage and how long it has been quiet."""

from dataclasses import dataclass

FADE_SHARE = 0.25

# P(fades by tomorrow) by lifecycle stage, before the quiet-hours adjustment.
_BASE_PROBABILITY = {
    "emerging": 0.55,
    "rising": 0.35,
    "peaking": 0.6,
    "fading": 0.8,
    "faded": 0.95,
}


@dataclass(frozen=True)
class Prediction:
    outcome: str  # "fades", "holds" or "rising"
    probability_fades: float


def rule_forecast(lifecycle: str, hours_since_last_article: float) -> Prediction:
    p = _BASE_PROBABILITY.get(lifecycle, 0.5)
    # Each quiet hour makes a comeback less likely.
    p = 1 - (1 - p) * (0.9 ** max(hours_since_last_article - 1, 0))
    if p >= 0.5:
        return Prediction("fades", round(p, 3))
    return Prediction("rising" if lifecycle == "rising" else "holds", round(p, 3))
