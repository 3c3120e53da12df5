"""A small on-disk cache of title embeddings, so that replaying the newsriver
stream embeds each text once, ever.

One .npz file per model under var/cache/embeddings/, holding the SHA-1 of
each text and its vector. Keyed by model name + text hash, so a different
model never reads another model's vectors."""

import hashlib
from pathlib import Path

import numpy as np
from django.conf import settings
from tqdm import tqdm

from trends.embedding import DIMENSIONS, MODEL_NAME, embed_texts

CHUNK = 4096  # texts embedded between saves, so an interrupted run keeps its work


def cache_path(model_name: str = MODEL_NAME) -> Path:
    return Path(settings.BASE_DIR) / "var" / "cache" / "embeddings" / f"{model_name}.npz"


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def cached_embeddings(texts: list[str], *, progress: bool = True) -> np.ndarray:
    """Unit float32 vectors, one row per text; embeds only the unseen texts."""
    path = cache_path()
    known = _load(path)
    keys = [text_key(t) for t in texts]
    missing = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in known and key not in missing:
            missing[key] = text
    if missing:
        todo = list(missing.items())
        bar = tqdm(total=len(todo), desc="embedding titles", unit="text", disable=not progress)
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            vectors = embed_texts([text for _, text in chunk])
            for (key, _), vector in zip(chunk, vectors, strict=True):
                known[key] = vector
            _save(path, known)
            bar.update(len(chunk))
        bar.close()
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)


def _load(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as data:
        return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))


def _save(path: Path, known: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(list(known), dtype="U40")
    vectors = np.stack(list(known.values())).astype(np.float32)
    partial = path.with_suffix(".tmp.npz")
    np.savez(partial, keys=keys, vectors=vectors)
    partial.replace(path)  # atomic: a reader never sees half a file
