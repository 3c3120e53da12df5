"""An on-disk cache of replayed forecast rows.

Replaying two months of the stream through the clustering takes minutes; the
rows it yields depend only on the stream, the replayed span, the clustering
settings and the code that clusters, measures and builds features. The cache
key hashes all of these (the source of those packages included), so a change
to any of them replays again, and a refit of the forecast model on the same
rows takes seconds. One .npz file per key under $SURGE_VAR_DIR/cache/."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings

from lab.forecast.trajectories import ForecastRows

_ROOT = Path(__file__).resolve().parents[2]
# Code whose change changes the replayed rows: the replay itself, velocity,
# lifecycle, features, and the whole clustering package (its model file included).
_CODE = (
    _ROOT / "lab" / "forecast" / "trajectories.py",
    _ROOT / "lab" / "newsriver.py",
    _ROOT / "trends" / "measure" / "velocity.py",
    _ROOT / "trends" / "measure" / "forecast" / "features.py",
)
_PACKAGES = (_ROOT / "trends" / "stories",)
FORMAT = 1


def rows_key(stream: str | Path, *, days: float | None, settings_text: str) -> str:
    """settings_text: everything else the replay was given (the clustering
    parameters with their story model), as text."""
    stream = Path(stream).resolve()
    stat = stream.stat()
    digest = hashlib.sha256()
    parts = (f"v{FORMAT}", str(stream), str(stat.st_size), str(stat.st_mtime_ns), repr(days), settings_text)
    for part in parts:
        digest.update(part.encode() + b"\0")
    code = list(_CODE) + sorted(p for package in _PACKAGES for p in package.rglob("*") if p.is_file())
    for path in code:
        if path.suffix in (".py", ".json"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def cache_file(key: str) -> Path:
    return Path(settings.VAR_DIR) / "cache" / f"forecast-rows-{key}.npz"


def save_rows(rows: ForecastRows, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez_compressed(
        partial,
        hours=np.array([h.timestamp() for h in rows.hours], dtype=np.int64),
        story_ids=np.array(rows.story_ids, dtype=np.int64),
        features=rows.matrix().reshape(len(rows), -1),
        lifecycles=np.array(rows.lifecycles, dtype=str),
        quiet_hours=np.array(rows.quiet_hours, dtype=np.float64),
        below_fade_share=np.array(rows.below_fade_share, dtype=bool),
        outcomes=np.array([o or "" for o in rows.outcomes], dtype=str),
    )
    partial.replace(path)  # a run interrupted while writing leaves no half file under the key


def load_rows(path: Path) -> ForecastRows:
    with np.load(path) as data:
        return ForecastRows(
            hours=[datetime.fromtimestamp(int(s), tz=UTC) for s in data["hours"]],
            story_ids=data["story_ids"].tolist(),
            features=data["features"].tolist(),
            lifecycles=data["lifecycles"].tolist(),
            quiet_hours=data["quiet_hours"].tolist(),
            below_fade_share=data["below_fade_share"].tolist(),
            outcomes=[o or None for o in data["outcomes"].tolist()],
        )
