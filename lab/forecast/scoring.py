"""Scores of probability forecasts of "fades by tomorrow", and the baselines
the model must beat:

  base rate:   the share of training forecasts that faded, for everyone;
  persistence: "tomorrow looks like now": the training fade rate of stories
               that were, or were not, already below FADE_SHARE of their peak;
  decay rule:  trends.measure.forecast.rule_forecast, the hand-set rule (a stage's
               chance of fading, raised by each quiet hour)."""

import numpy as np

MIN_DECILE_FORECASTS = 100  # fewer than this in a decile: too few to judge calibration


def brier(probabilities: np.ndarray, happened: np.ndarray) -> float:
    return float(np.mean((probabilities - happened) ** 2)) if len(happened) else float("nan")


def accuracy(probabilities: np.ndarray, happened: np.ndarray) -> float:
    return float(np.mean((probabilities >= 0.5) == (happened == 1))) if len(happened) else float("nan")


def decile_masks(probabilities: np.ndarray) -> list[np.ndarray]:
    """One mask per non-empty decile of predicted probability (0-0.1, …,
    0.9-1), in that order: the rows of `calibration`."""
    deciles = np.minimum((np.asarray(probabilities) * 10).astype(int), 9)
    return [deciles == decile for decile in range(10) if (deciles == decile).any()]


def calibration(probabilities: np.ndarray, happened: np.ndarray) -> list[list[float]]:
    """[[mean predicted, observed share, n], …] for the deciles of predicted
    probability (0-0.1, …, 0.9-1), empty deciles left out."""
    return [
        [
            round(float(probabilities[chosen].mean()), 4),
            round(float(happened[chosen].mean()), 4),
            int(chosen.sum()),
        ]
        for chosen in decile_masks(probabilities)
    ]


def stories_by_decile(probabilities: np.ndarray, story_ids: np.ndarray) -> list[int]:
    """How many distinct stories made the forecasts of each non-empty decile,
    in the order of `calibration`: forecasts of one story hour after hour are
    correlated, so a decile of a few hundred forecasts from a handful of
    stories judges calibration on those few stories."""
    story_ids = np.asarray(story_ids)
    return [len(set(story_ids[chosen].tolist())) for chosen in decile_masks(probabilities)]


def observed_share_ranges(
    probabilities: np.ndarray,
    happened: np.ndarray,
    story_ids: np.ndarray,
    *,
    draws: int = 2000,
    seed: int = 0,
) -> list[tuple[float, float]]:
    """For each non-empty decile (in the order of `calibration`), the range
    holding 90% of the observed share when the decile's stories are drawn
    again with replacement, each with all its forecasts. It shows how far
    the observed share of a decile made of a few stories moves by chance, so
    a calibration gap can be told apart from that noise."""
    happened, story_ids = np.asarray(happened, dtype=np.float64), np.asarray(story_ids)
    rng = np.random.default_rng(seed)
    ranges = []
    for chosen in decile_masks(probabilities):
        stories, index = np.unique(story_ids[chosen], return_inverse=True)
        counts = np.bincount(index, minlength=len(stories)).astype(np.float64)
        fades = np.bincount(index, weights=happened[chosen], minlength=len(stories))
        drawn = rng.integers(0, len(stories), size=(draws, len(stories)))
        shares = fades[drawn].sum(axis=1) / counts[drawn].sum(axis=1)
        low, high = np.quantile(shares, [0.05, 0.95])
        ranges.append((round(float(low), 4), round(float(high), 4)))
    return ranges


def score(probabilities: np.ndarray, happened: np.ndarray) -> dict:
    probabilities = np.asarray(probabilities, dtype=np.float64)
    happened = np.asarray(happened, dtype=np.float64)
    return {
        "brier": round(brier(probabilities, happened), 5),
        "accuracy": round(accuracy(probabilities, happened), 4),
        "calibration": calibration(probabilities, happened),
    }


def worst_calibration_gap(table: list[list[float]], *, min_n: int = MIN_DECILE_FORECASTS) -> float | None:
    """The largest |predicted - observed| over deciles with at least min_n forecasts."""
    gaps = [abs(p - o) for p, o, n in table if n >= min_n]
    return max(gaps) if gaps else None


def persistence_probabilities(
    train_below: np.ndarray, train_fades: np.ndarray, test_below: np.ndarray
) -> np.ndarray:
    rate_below = train_fades[train_below].mean() if train_below.any() else train_fades.mean()
    rate_above = train_fades[~train_below].mean() if (~train_below).any() else train_fades.mean()
    return np.where(test_below, rate_below, rate_above)
