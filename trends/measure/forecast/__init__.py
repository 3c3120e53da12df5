"""Will the story still matter tomorrow?

FADES means: 24 hours from now its velocity will be below FADE_SHARE of its
peak; the other outcomes are "rising" (velocity then ≥ 1.2 × now) and
"holds" (see trends.measure.forecast.features for the exact rule).

`predict` is the forecast the site shows: the fitted model of
trends.measure.forecast.model. The shown outcome is "fades" when P(fades) ≥ 0.5,
else the likelier of "holds" and "rising".

`rule_forecast` is the first, hand-set rule, kept as the "decay rule"
baseline of the backtest: a stage's chance of fading, raised by each quiet
hour (a comeback gets less likely with every hour without an article)."""

from dataclasses import dataclass

from trends.measure.forecast.features import FADE_SHARE, StoryState, feature_matrix
from trends.measure.forecast.model import ForecastModel, load_model

__all__ = ["FADE_SHARE", "Prediction", "predict", "rule_forecast"]


@dataclass(frozen=True)
class Prediction:
    outcome: str  # "fades", "holds" or "rising"
    probability_fades: float


def predict(states: list[StoryState], model: ForecastModel | None = None) -> list[Prediction]:
    """One prediction per state, in order, from one matrix product."""
    if not states:
        return []
    model = model or load_model()
    probabilities = model.predict_proba(feature_matrix(states))
    fades = model.classes.index("fades")
    holds = model.classes.index("holds")
    rising = model.classes.index("rising")
    predictions = []
    for row in probabilities:
        p = float(row[fades])
        if p >= 0.5:
            label = "fades"
        else:
            label = "rising" if row[rising] > row[holds] else "holds"
        predictions.append(Prediction(label, round(p, 3)))
    return predictions


# P(fades by tomorrow) by lifecycle stage, before the quiet-hours adjustment.
_BASE_PROBABILITY = {
    "emerging": 0.55,
    "rising": 0.35,
    "peaking": 0.6,
    "fading": 0.8,
    "faded": 0.95,
}


def rule_forecast(lifecycle: str, hours_since_last_article: float) -> Prediction:
    p = _BASE_PROBABILITY.get(lifecycle, 0.5)
    p = 1 - (1 - p) * (0.9 ** max(hours_since_last_article - 1, 0))
    if p >= 0.5:
        return Prediction("fades", round(p, 3))
    return Prediction("rising" if lifecycle == "rising" else "holds", round(p, 3))
