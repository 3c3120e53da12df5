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


def link_near_duplicate(article: Article) -> None:
    """link_near_duplicates for one article."""
    link_near_duplicates([article])


def link_near_duplicates(articles: list[Article]) -> None:
    """Fingerprint saved articles, index their band keys, and point each
    one's duplicate_of at the first copy when an earlier near-duplicate
    exists, stored or in this batch. Sets fields on the articles without
    saving them; idempotent. A batch costs the queries of one article: four."""
    if not articles:
        return
    batch_ids = [a.pk for a in articles]
    TextBand.objects.filter(article_id__in=batch_ids).delete()
    own = {a.pk: shingles(comparable_text(a.title, a.summary, a.text)) for a in articles}
    keys: dict[int, list[str]] = {}
    for article in articles:
        if len(own[article.pk]) < MIN_SHINGLES:
            article.fingerprint = ""
        else:
            keys[article.pk] = band_keys(own[article.pk])
            article.fingerprint = fingerprint_of(keys[article.pk])
    indexed = [a for a in articles if a.pk in keys]
    if not indexed:
        return
    stored = _stored_candidates(indexed, keys, batch_ids)
    stored_shingles = {
        c.pk: shingles(comparable_text(c.title, c.summary, c.text))
        for found in stored.values()
        for c in found
    }
    by_key: dict[str, list[Article]] = {}
    for article in indexed:
        for key in keys[article.pk]:
            by_key.setdefault(key, []).append(article)
    # Oldest first, so that a batch-mate's own link is known before a later
    # copy takes its root.
    for article in sorted(indexed, key=lambda a: (a.fetched_at, a.pk)):
        mates = {
            m.pk: m
            for key in keys[article.pk]
            for m in by_key[key]
            if m.pk != article.pk and abs(m.published_at - article.published_at) <= WINDOW
        }
        candidates = [(c, stored_shingles[c.pk]) for c in stored[article.pk]]
        candidates += [(m, own[m.pk]) for m in mates.values()]
        # Only an earlier copy can be the original (a re-run must not flip them).
        earlier = [
            c
            for c, their in candidates
            if (c.fetched_at, c.pk) < (article.fetched_at, article.pk)
            and jaccard(own[article.pk], their) >= SIMILARITY
        ]
        if earlier:
            first = min(earlier, key=lambda c: (c.fetched_at, c.pk))
            root_id = first.duplicate_of_id or first.pk
            if root_id != article.pk:
                article.duplicate_of_id = root_id
    TextBand.objects.bulk_create(
        [TextBand(key=key, published_at=a.published_at, article=a) for a in indexed for key in keys[a.pk]]
    )


def _stored_candidates(
    articles: list[Article], keys: dict[int, list[str]], batch_ids: list[int]
) -> dict[int, list[Article]]:
    """For each of `articles`, the stored articles (not in the batch) sharing
    a band key with it within the window of its publish time, at most
    MAX_CANDIDATES each; two queries for the whole batch."""
    wanted = {key for article in articles for key in keys[article.pk]}
    earliest = min(a.published_at for a in articles) - WINDOW
    latest = max(a.published_at for a in articles) + WINDOW
    rows = (
        TextBand.objects.filter(key__in=wanted, published_at__range=(earliest, latest))
        .exclude(article_id__in=batch_ids)
        .values_list("key", "published_at", "article_id")
    )
    by_key: dict[str, list[tuple[datetime, int]]] = {}
    for key, published_at, article_id in rows[: MAX_CANDIDATES * BANDS * len(articles)]:
        by_key.setdefault(key, []).append((published_at, article_id))
    wanted_ids = {}
    for article in articles:
        found = {
            article_id
            for key in keys[article.pk]
            for published_at, article_id in by_key.get(key, ())
            if abs(published_at - article.published_at) <= WINDOW
        }
        wanted_ids[article.pk] = sorted(found)[:MAX_CANDIDATES]
    all_ids = {pk for ids in wanted_ids.values() for pk in ids}
    read = {}
    if all_ids:
        read = {
            c.pk: c
            for c in Article.objects.filter(pk__in=all_ids).only(
                "title", "summary", "text", "published_at", "fetched_at", "duplicate_of_id"
            )
        }
    return {pk: [read[i] for i in ids if i in read] for pk, ids in wanted_ids.items()}


def prune_text_bands(now: datetime) -> int:
    """Delete band keys too old for any lookup to read. Returns how many."""
    deleted, _ = TextBand.objects.filter(published_at__lt=now - BAND_RETENTION).delete()
    return deleted
