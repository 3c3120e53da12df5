"""Near-duplicate text across feeds: the same agency story on ten sites.

MinHash over word 3-shingles of an article's title and lead estimates the
Jaccard similarity of two texts; banded LSH turns the signature into 16 keys
(4 minhashes each) stored in TextBand, so a new article meets only the
articles sharing a key within a few days of it: the cost per article does not
grow with the history. Candidates are then confirmed by their exact shingle
overlap. A near-duplicate gets duplicate_of = the first copy (the root of its
group); it stays in the coverage but counts once for source diversity."""

import hashlib
import re
from datetime import datetime, timedelta

import numpy as np

from ingest.models import Article, TextBand

SHINGLE_WORDS = 3
BANDS = 16
ROWS = 4  # minhashes per band: a pair at Jaccard 0.6 shares a key with p ≈ 0.9
NUM_HASHES = BANDS * ROWS
SIMILARITY = 0.6  # exact Jaccard of shingles that makes a copy
MIN_SHINGLES = 8  # shorter texts (a bare headline) say too little to call copies
LEAD_CHARS = 1500  # title + the lead: wire copies differ in their tails (bylines, related links)
WINDOW = timedelta(days=3)
# Bands are kept a few days beyond the window: an article that arrives late
# (published days before it is fetched) still meets its copies.
BAND_RETENTION = WINDOW + timedelta(days=4)
MAX_CANDIDATES = 50

_WORD = re.compile(r"\w+", re.UNICODE)
_rng = np.random.default_rng(20240611)  # fixed: keys must be the same in every process, forever
_MUL = _rng.integers(1, 2**63 - 1, size=NUM_HASHES, dtype=np.uint64) | np.uint64(1)
_ADD = _rng.integers(0, 2**63 - 1, size=NUM_HASHES, dtype=np.uint64)


def comparable_text(title: str, summary: str, text: str) -> str:
    return f"{title} {(text or summary)[:LEAD_CHARS]}"


def shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    grams = (" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams}


def band_keys(shingle_set: set[int]) -> list[str]:
    """16 LSH keys: band index + a hash of that band's 4 minhashes."""
    values = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    with np.errstate(over="ignore"):  # multiply-add modulo 2**64 is the hash family
        hashed = values[None, :] * _MUL[:, None] + _ADD[:, None]
    signature = hashed.min(axis=1)
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(f"{band:x}{hashlib.blake2b(rows, digest_size=4).hexdigest()}")
    return keys


def fingerprint_of(keys: list[str]) -> str:
    """Article.fingerprint: 4 hex digits of each band key (64 characters)."""
    return "".join(key[1:5] for key in keys)


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def link_near_duplicate(article: Article) -> Article | None:
    """Fingerprint a saved article, index its band keys, and point
    duplicate_of at the first copy when an earlier near-duplicate exists.
    Sets fields on `article` without saving it; idempotent. Returns the
    original it was linked to, if any."""
    own = shingles(comparable_text(article.title, article.summary, article.text))
    TextBand.objects.filter(article=article).delete()
    if len(own) < MIN_SHINGLES:
        article.fingerprint = ""
        return None
    keys = band_keys(own)
    article.fingerprint = fingerprint_of(keys)
    around = (article.published_at - WINDOW, article.published_at + WINDOW)
    candidate_ids = set(
        TextBand.objects.filter(key__in=keys, published_at__range=around)
        .exclude(article_id=article.pk)
        .values_list("article_id", flat=True)[:MAX_CANDIDATES]
    )
    original = None
    if candidate_ids:
        candidates = Article.objects.filter(pk__in=candidate_ids).only(
            "title", "summary", "text", "published_at", "fetched_at", "duplicate_of_id"
        )
        copies = [
            c
            for c in candidates
            if jaccard(own, shingles(comparable_text(c.title, c.summary, c.text))) >= SIMILARITY
        ]
        # Only an earlier copy can be the original (a re-run must not flip them).
        earlier = [c for c in copies if (c.fetched_at, c.pk) < (article.fetched_at, article.pk)]
        if earlier:
            first = min(earlier, key=lambda c: (c.fetched_at, c.pk))
            root_id = first.duplicate_of_id or first.pk
            if root_id != article.pk:
                article.duplicate_of_id = root_id
                original = first
    TextBand.objects.bulk_create(
        [TextBand(key=key, published_at=article.published_at, article=article) for key in keys]
    )
    return original


def prune_text_bands(now: datetime) -> int:
    """Delete band keys too old for any lookup to read. Returns how many."""
    deleted, _ = TextBand.objects.filter(published_at__lt=now - BAND_RETENTION).delete()
    return deleted
