"""The forecast model: two logistic heads over binned curve features, a
calibration of P(fades), stored as plain JSON and evaluated with numpy only.

Why it is built this way: docs/decisions/forecast-calibration.md. Which file
is used: FORECAST_MODEL_PATH, else var/forecast_model.json from
`manage.py retrain_forecast`, else the shipped default_model.json."""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from trends.measure.forecast.features import FEATURE_NAMES

log = logging.getLogger(__name__)

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "default_model.json"
CLASSES = ["fades", "holds", "rising"]
BINS = 10
REGULARISATION_C = 0.5
CALIBRATION_FOLDS = 6
GAP_HOURS = 24


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
    calibration: tuple[float, float, float] = (1.0, 1.0, 0.0)  # (a, b, c) of the beta map above
    info: dict = field(default_factory=dict)  # what it was trained on
    classes: list[str] = field(default_factory=lambda: list(CLASSES))

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        """Probabilities, one row per story, columns in CLASSES order."""
        if len(matrix) == 0:
            return np.zeros((0, len(CLASSES)))
        design = self.encoder.transform(matrix)
        fades = self.fades.probability(design)
        fades = _beta_map(fades, self.calibration)
        rising = (1 - fades) * self.rising.probability(design)
        return np.column_stack([fades, 1 - fades - rising, rising])

    def probability_fades(self, matrix: np.ndarray) -> np.ndarray:
        return self.predict_proba(matrix)[:, 0]

    def to_json(self) -> dict:
        return {
            "kind": "two logistic regressions over standardised + decile-binned features, beta-calibrated",
            "features": list(FEATURE_NAMES),
            "mean": _floats(self.encoder.mean),
            "scale": _floats(self.encoder.scale),
            "edges": self.encoder.edges,  # exact: quantiles coincide with data values
            "fades": {"coef": _floats(self.fades.coef), "intercept": self.fades.intercept},
            "rising": {"coef": _floats(self.rising.coef), "intercept": self.rising.intercept},
            "calibration": list(self.calibration),
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
            _stored_calibration(data),
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
    With the rows' forecast hours, P(fades) is recalibrated (cross-fitted by time)."""
    labels = np.asarray(labels)
    fades = labels == "fades"
    if fades.all() or not fades.any():
        raise ValueError("training needs stories that faded and stories that did not")
    encoder = Encoder.fit(matrix)
    design = encoder.transform(matrix)
    fades_head = _fit_head(design, fades)
    calibration = _cross_fitted_calibration(matrix, fades, hours) if hours is not None else IDENTITY
    rest = ~fades
    return ForecastModel(
        encoder,
        fades_head,
        _fit_head(design[rest], labels[rest] == "rising"),
        calibration,
        dict(info or {}),
    )


IDENTITY = (1.0, 1.0, 0.0)


def _cross_fitted_calibration(
    matrix: np.ndarray, fades: np.ndarray, hours: list
) -> tuple[float, float, float]:
    """Beta calibration fitted on out-of-block predictions (see the module
    docstring). Identity when the history is too short for every block to
    have a fitting set with both outcomes."""
    seconds = np.array(hours, dtype="datetime64[s]").astype(np.int64)
    edges = np.quantile(seconds, np.linspace(0, 1, CALIBRATION_FOLDS + 1))
    gap = GAP_HOURS * 3600
    out_of_block = np.zeros(len(seconds))
    for k in range(CALIBRATION_FOLDS):
        last = k == CALIBRATION_FOLDS - 1
        block = (seconds >= edges[k]) & ((seconds <= edges[k + 1]) if last else (seconds < edges[k + 1]))
        fitting = (seconds < edges[k] - gap) | (seconds > edges[k + 1] + gap)
        if not block.any():
            continue
        if len(set(fades[fitting])) < 2:
            return IDENTITY
        encoder = Encoder.fit(matrix[fitting])
        head = _fit_head(encoder.transform(matrix[fitting]), fades[fitting])
        out_of_block[block] = head.probability(encoder.transform(matrix[block]))
    return _fit_beta(out_of_block, fades)


def _fit_beta(p: np.ndarray, target: np.ndarray) -> tuple[float, float, float]:
    from sklearn.linear_model import LogisticRegression

    p = np.clip(p, 1e-6, 1 - 1e-6)
    beta = LogisticRegression(C=100.0).fit(np.column_stack([np.log(p), -np.log(1 - p)]), target)
    a, b = (float(v) for v in beta.coef_[0])
    if a >= 0 and b >= 0:
        return (a, b, float(beta.intercept_[0]))
    platt = LogisticRegression(C=100.0).fit(_logit(p)[:, None], target)
    a = float(platt.coef_[0][0])
    return (a, a, float(platt.intercept_[0]))


def _beta_map(p: np.ndarray, calibration: tuple[float, float, float]) -> np.ndarray:
    a, b, c = calibration
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return 1 / (1 + np.exp(-(a * np.log(p) - b * np.log(1 - p) + c)))


def _stored_calibration(data: dict) -> tuple[float, float, float]:
    """The beta map of a model file; an older file's Platt pair (A, B) is the
    beta map (A, A, B)."""
    if "calibration" in data:
        return tuple(float(v) for v in data["calibration"])
    a, b = data.get("platt", (1.0, 0.0))
    return (float(a), float(a), float(b))


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
    configured = settings.FORECAST_MODEL_PATH
    if configured:
        return Path(configured)
    retrained = Path(settings.VAR_DIR) / "forecast_model.json"
    return retrained if retrained.exists() else DEFAULT_MODEL_PATH


_cache: dict[tuple[str, float], ForecastModel] = {}


def load_model(path: str | Path | None = None) -> ForecastModel:
    """The model, re-read only when its file changes (a retrain takes effect
    at the next hourly pass without a restart). A retrained file fitted on
    other features than today's (written before the features changed) gives
    way to the shipped default until `retrain_forecast` runs again, so the
    hourly pass keeps forecasting."""
    if path is not None:
        return _read_model(Path(path))
    path = model_path()
    try:
        return _read_model(path)
    except ValueError as exc:
        if settings.FORECAST_MODEL_PATH or path == DEFAULT_MODEL_PATH:
            raise
        log.warning("%s: %s; using the shipped default model", path, exc)
        return _read_model(DEFAULT_MODEL_PATH)


def _read_model(path: Path) -> ForecastModel:
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        model = ForecastModel.from_json(json.loads(path.read_text()))
        _cache.clear()
        _cache[key] = model
    return _cache[key]
