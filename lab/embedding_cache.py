"""An on-disk cache of sentence embeddings, keyed by model and text.

Embedding a week of UCI headlines costs minutes on a shared CPU; the cache
makes a rerun of the evaluation take seconds. One SQLite file per model under
var/cache/, a row per text (key = SHA-256 of model name and text)."""

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
from django.conf import settings
from tqdm import tqdm

from trends.stories.embedding import DIMENSIONS, MODEL_NAME, embed_texts

CHUNK = 512  # texts embedded and committed together, so an interrupted run keeps its work


def cache_path(model_name: str = MODEL_NAME) -> Path:
    return Path(settings.VAR_DIR) / "cache" / f"embeddings-{model_name}.sqlite3"


def text_key(model_name: str, text: str) -> str:
    return hashlib.sha256(f"{model_name}\0{text}".encode()).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path | None = None, model_name: str = MODEL_NAME, embed=embed_texts):
        self.model_name = model_name
        self.embed = embed
        path = path or cache_path(model_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def vectors(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Unit vectors for the texts, one row each; only unseen texts are embedded."""
        keys = [text_key(self.model_name, t) for t in texts]
        found = self._lookup(set(keys))
        missing = list({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        bar = tqdm(total=len(missing), desc="embedding", unit="text", disable=not progress or not missing)
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            vectors = self.embed([t for _, t in chunk])
            rows = [(k, v.astype(np.float32).tobytes()) for (k, _), v in zip(chunk, vectors, strict=True)]
            self.db.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?)", rows)
            self.db.commit()
            found.update({k: v for k, v in zip((k for k, _ in chunk), vectors, strict=True)})
            bar.update(len(chunk))
        bar.close()
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out

    def _lookup(self, keys: set[str]) -> dict[str, np.ndarray]:
        found = {}
        ordered = list(keys)
        for start in range(0, len(ordered), 500):  # SQLite caps bound parameters
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, vector FROM embedding WHERE key IN ({marks})"
            for key, blob in self.db.execute(query, chunk):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found
