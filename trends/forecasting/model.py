"""The forecast model, fitted with scikit-learn and stored as plain JSON, so
that loading it runs no pickled code and predicting needs only numpy.

Two logistic regressions over the same encoded curve features:
  P(fades)                  — the forecast's headline probability;
  P(rising | does not fade) — splits the rest into "still rising" / "holds".
The encoding lets a linear model bend: each feature enters standardised AND
as one-hot bins between its training deciles (a step function per feature),
so "quiet for 2 hours" and "quiet for 20 hours" need not lie on one line.
Given the forecasts' hours, the P(fades) head is fitted on the earlier part
of the training period and recalibrated (Platt scaling: a logistic fit on its
logit) on the last CALIBRATION_SHARE of it, by time: forecasts of one story hour after hour are
correlated, so in-sample confidence overstates out-of-sample confidence.

Which model the site uses: settings.FORECAST_MODEL_PATH when set, else
var/forecast_model.json (written by `manage.py retrain_forecast`) when it
exists, else the default shipped in the repo (default_model.json, fitted by
`manage.py backtest_forecast --save-model` on December 2025 of the
newsriver stream)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from trends.forecasting.features import FEATURE_NAMES

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "default_model.json"
CLASSES = ["fades", "holds", "rising"]
BINS = 10
REGULARISATION_C = 0.5
CALIBRATION_SHARE = 0.25


@dataclass
class Encoder:
    mean: np.ndarray
    scale: np.ndarray
    edges: list[list[float]]  # per feature: the inner bin edges (empty: no bins)

    @classmethod
    def fit(cls, matrix: np.ndarray) -> "Encoder":
        mean = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        edges = []
        for column in matrix.T:
            inner = np.unique(np.quantile(column, np.linspace(0, 1, BINS + 1)[1:-1]))
            edges.append(inner.tolist() if len(np.unique(column)) > 2 else [])
        return cls(mean, scale, edges)

    def transform(self, matrix: np.ndarray) -> np.ndarray:
        parts = [(matrix - self.mean) / self.scale]
        for j, inner in enumerate(self.edges):
            if inner:
                bins = np.searchsorted(np.array(inner), matrix[:, j], side="right")
                parts.append(np.eye(len(inner) + 1)[bins])
        return np.hstack(parts)


@dataclass
class LogisticHead:
    coef: np.ndarray
    intercept: float

    def probability(self, design: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(design @ self.coef + self.intercept)))


@dataclass
class ForecastModel:
    encoder: Encoder
    fades: LogisticHead
    rising: LogisticHead  # among stories that do not fade
    platt: tuple[float, float] = (1.0, 0.0)  # P(fades) = σ(a · logit(p) + b)
    info: dict = field(default_factory=dict)  # what it was trained on
    classes: list[str] = field(default_factory=lambda: list(CLASSES))

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        """Probabilities, one row per story, columns in CLASSES order."""
        if len(matrix) == 0:
            return np.zeros((0, len(CLASSES)))
        design = self.encoder.transform(matrix)
        fades = self.fades.probability(design)
        a, b = self.platt
        fades = 1 / (1 + np.exp(-(a * _logit(fades) + b)))
        rising = (1 - fades) * self.rising.probability(design)
        return np.column_stack([fades, 1 - fades - rising, rising])

    def probability_fades(self, matrix: np.ndarray) -> np.ndarray:
        return self.predict_proba(matrix)[:, 0]

    def to_json(self) -> dict:
        return {
            "kind": "two logistic regressions over standardised + decile-binned features",
            "features": list(FEATURE_NAMES),
            "mean": _floats(self.encoder.mean),
            "scale": _floats(self.encoder.scale),
            "edges": self.encoder.edges,  # exact: quantiles coincide with data values
            "fades": {"coef": _floats(self.fades.coef), "intercept": self.fades.intercept},
            "rising": {"coef": _floats(self.rising.coef), "intercept": self.rising.intercept},
            "platt": list(self.platt),
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ForecastModel":
        if list(data["features"]) != list(FEATURE_NAMES):
            raise ValueError("forecast model was fitted on other features; retrain it")
        encoder = Encoder(np.array(data["mean"]), np.array(data["scale"]), data["edges"])
        return cls(
            encoder,
            LogisticHead(np.array(data["fades"]["coef"]), float(data["fades"]["intercept"])),
            LogisticHead(np.array(data["rising"]["coef"]), float(data["rising"]["intercept"])),
            tuple(data.get("platt", (1.0, 0.0))),
            data.get("info", {}),
        )

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")) + "\n")


def _floats(values: np.ndarray) -> list[float]:
    return [float(v) for v in values]


def train(
    matrix: np.ndarray, labels: list[str], *, hours: list | None = None, info: dict | None = None
) -> ForecastModel:
    """Fit on feature rows and their outcomes ("fades", "holds", "rising").
    With the rows' forecast hours, P(fades) is recalibrated on the latest part."""
    labels = np.asarray(labels)
    fades = labels == "fades"
    if fades.all() or not fades.any():
        raise ValueError("training needs stories that faded and stories that did not")
    encoder = Encoder.fit(matrix)
    design = encoder.transform(matrix)
    if hours is not None:
        fades_head, platt = _fit_calibrated_head(design, fades, hours)
    else:
        fades_head, platt = _fit_head(design, fades), (1.0, 0.0)
    rest = ~fades
    return ForecastModel(
        encoder,
        fades_head,
        _fit_head(design[rest], labels[rest] == "rising"),
        platt,
        dict(info or {}),
    )


def _fit_calibrated_head(
    design: np.ndarray, fades: np.ndarray, hours: list
) -> tuple[LogisticHead, tuple[float, float]]:
    """The P(fades) head fitted on the earlier part, Platt-scaled on the later part."""
    from sklearn.linear_model import LogisticRegression

    order = np.argsort(np.array(hours, dtype="datetime64[s]"), kind="stable")
    cut = int(len(order) * (1 - CALIBRATION_SHARE))
    early, late = order[:cut], order[cut:]
    if len(set(fades[early])) < 2 or len(set(fades[late])) < 2:
        return _fit_head(design, fades), (1.0, 0.0)
    head = _fit_head(design[early], fades[early])
    calibrator = LogisticRegression(C=100.0).fit(_logit(head.probability(design[late]))[:, None], fades[late])
    return head, (float(calibrator.coef_[0][0]), float(calibrator.intercept_[0]))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _fit_head(design: np.ndarray, target: np.ndarray) -> LogisticHead:
    from sklearn.linear_model import LogisticRegression

    if target.all() or not target.any():  # one outcome only: a constant
        share = float(np.clip(target.mean(), 1e-4, 1 - 1e-4))
        return LogisticHead(np.zeros(design.shape[1]), float(np.log(share / (1 - share))))
    regression = LogisticRegression(C=REGULARISATION_C, max_iter=5000)
    regression.fit(design, target)
    return LogisticHead(regression.coef_[0], float(regression.intercept_[0]))


def model_path() -> Path:
    configured = getattr(settings, "FORECAST_MODEL_PATH", "")
    if configured:
        return Path(configured)
    retrained = Path(settings.VAR_DIR) / "forecast_model.json"
    return retrained if retrained.exists() else DEFAULT_MODEL_PATH


_cache: dict[tuple[str, float], ForecastModel] = {}


def load_model(path: str | Path | None = None) -> ForecastModel:
    """The model, re-read only when its file changes (a retrain takes effect
    at the next hourly pass without a restart)."""
    path = Path(path or model_path())
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache.clear()
        _cache[key] = ForecastModel.from_json(json.loads(path.read_text()))
    return _cache[key]
