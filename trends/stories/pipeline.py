"""From a stored article to a story: extract, embed, assign.

Workers claim pending articles in batches with a conditional UPDATE (a short
lease in real time, renewed by a heartbeat while the batch is processed:
ingest/leases.py), so two workers never process the same article, and an
article whose worker died is claimed again within about a minute. Every step
is idempotent, so a batch processed twice changes nothing.

Embedding overlaps extraction: what an article is about is its title and
feed summary whenever it has one (trends.stories.embedding.article_text), so
those articles are embedded in a background thread (torch releases the GIL)
while this thread fetches and extracts the batch's pages; only the articles
with no summary wait for their page text."""

import logging
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ingest import leases
from ingest.extraction import extract_articles
from ingest.models import Article
from ingest.timing import timed
from trends.stories.assignment import assigner
from trends.stories.embedding import article_text, embed_texts, to_bytes
from trends.words.refresh import refresh_stories

BATCH_SIZE = 16  # articles a claim; small claims spread a burst evenly over the workers
# During a burst, stories' words are refreshed this often (real seconds).
REFRESH_SECONDS = 10
# An article whose processing raised is retried this many times in all,
# RETRY_DELAY apart, then marked FAILED.
MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=10)
_ATTEMPTS = re.compile(r"processing failed \(attempt (\d+)\)")

log = logging.getLogger(__name__)


def claim_pending_articles(limit: int = BATCH_SIZE) -> str | None:
    """Claim up to `limit` articles not yet in a story. Returns the claim
    token (None when there was nothing to claim)."""
    real_now = timezone.now()
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=real_now)
    pending = Article.objects.filter(unclaimed, story__isnull=True).exclude(stage=Article.Stage.FAILED)
    # In turns across outlets (each outlet's oldest first, then each one's
    # second...): one outlet's backlog of thousands, whose pages wait on the
    # per-host delay, must not hold everyone else's articles for hours.
    turns = pending.annotate(
        turn=Window(RowNumber(), partition_by=[F("source_id")], order_by=[F("fetched_at"), F("pk")])
    )
    candidates = list(turns.order_by("turn", "fetched_at", "pk").values_list("pk", flat=True)[:limit])
    if not candidates:
        return None
    token = str(uuid.uuid4())
    won = pending.filter(pk__in=candidates).update(
        claimed_until=leases.lease_end(real_now), claim_token=token
    )
    return token if won else None


def process_claimed(token: str, now: datetime, *, refresh: bool = True) -> list[int]:
    """Extract, embed and assign the articles claimed with `token`, then
    refresh the changed stories' words (unless refresh=False: the caller
    will). Returns the ids of the stories that changed. An article that
    raises is recorded and retried after a delay (FAILED after MAX_ATTEMPTS)
    while the rest of the batch goes on; the claims are released whatever
    happens."""
    with leases.heartbeat(Article, token):
        return _process_claimed(token, now, refresh=refresh)


def _process_claimed(token: str, now: datetime, *, refresh: bool) -> list[int]:
    articles = list(Article.objects.filter(claim_token=token, story__isnull=True).order_by("pk"))
    failed: set[int] = set()
    touched: list[int] = []
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed") as embedder:
            early = [a for a in articles if a.embedding is None and _about_known(a)]
            early_vectors = embedder.submit(_embed, early)
            # The batch's near-duplicate lookups and band writes are a few
            # queries for the whole claim (ingest.dedup.link_near_duplicates).
            for pk, exc in extract_articles([a for a in articles if a.stage == Article.Stage.NEW]).items():
                log.error("article %s: extraction failed", pk, exc_info=exc)
                _record_failure(pk, "extraction", exc)
                failed.add(pk)
            try:
                embedded = zip(early, early_vectors.result(), strict=True)
                _store_vectors([(a, vector) for a, vector in embedded if a.pk not in failed])
            except Exception:
                log.exception("embedding ahead of extraction failed; embedding with the rest")
        extracted = [a.pk for a in articles if a.pk not in failed]
        try:
            touched = embed_and_assign(extracted, now)
        except Exception:
            log.exception("embedding/assignment of a batch failed; retrying one article at a time")
            touched = _embed_and_assign_one_by_one(extracted, now, failed)
        if refresh:
            with timed("refresh"):
                refresh_stories(touched, now, changed_only=True)
    finally:
        # Failed articles wait out a lease before they are claimed again, so
        # a sweep does not spin on them.
        real_now = timezone.now()
        Article.objects.filter(claim_token=token, pk__in=failed).update(
            claimed_until=real_now + RETRY_DELAY, claim_token=""
        )
        Article.objects.filter(claim_token=token).update(claimed_until=None, claim_token="")
    return touched


def _about_known(article: Article) -> bool:
    """Its embedding text is final: the feed gave a summary, or the page is extracted."""
    return bool(article.summary.strip()) or article.stage != Article.Stage.NEW


def _embed(articles: list[Article]):
    if not articles:
        return []
    with timed("embed"):
        return embed_texts([article_text(a.title, a.summary, a.text) for a in articles])


def _store_vectors(embedded: list[tuple[Article, object]]) -> None:
    """Save the vectors embedded ahead, once extraction has saved the articles
    (a whole-row save would otherwise write the embedding back to NULL)."""
    for article, vector in embedded:
        article.embedding = to_bytes(vector)
    Article.objects.bulk_update([a for a, _ in embedded], ["embedding"])


def _embed_and_assign_one_by_one(article_ids: list[int], now: datetime, failed: set[int]) -> list[int]:
    touched: set[int] = set()
    for pk in article_ids:
        try:
            touched.update(embed_and_assign([pk], now))
        except Exception as exc:
            log.exception("article %s: embedding/assignment failed", pk)
            _record_failure(pk, "embedding/assignment", exc)
            failed.add(pk)
    return sorted(touched)


def _record_failure(article_pk: int, step: str, exc: Exception) -> None:
    """Count the attempt in extraction_note (no extra column for a rare
    event); after MAX_ATTEMPTS the article is FAILED and no longer claimed."""
    previous = Article.objects.filter(pk=article_pk).values_list("extraction_note", flat=True).first() or ""
    match = _ATTEMPTS.match(previous)
    attempt = int(match.group(1)) + 1 if match else 1
    fields = {
        "extraction_note": f"processing failed (attempt {attempt}): {step}: {type(exc).__name__}: {exc}"[:200]
    }
    if attempt >= MAX_ATTEMPTS:
        fields["stage"] = Article.Stage.FAILED
    Article.objects.filter(pk=article_pk).update(**fields)


def process_pending(
    now: datetime,
    *,
    max_batches: int = 50,
    refresh_words: Callable[[list[int], datetime], None] | None = None,
) -> int:
    """Work through pending articles batch by batch; returns how many batches.

    The changed stories' words are refreshed once every REFRESH_SECONDS of
    work and at the end, not after every batch: during a burst a story that
    gains articles in five batches is refreshed once, not five times.
    refresh_words(story_ids, now) does it; by default here and now, while
    the worker's task hands it to the words stage's own task
    (trends.tasks.refresh_story_words), so the next batch's articles reach
    their stories without waiting for the words of the last ones."""
    refresh_words = refresh_words or refresh_words_here
    done = 0
    stale: set[int] = set()
    refreshed_at = time.monotonic()
    try:
        while done < max_batches and (token := claim_pending_articles()):
            stale.update(process_claimed(token, now, refresh=False))
            done += 1
            if stale and time.monotonic() - refreshed_at >= REFRESH_SECONDS:
                refresh_words(sorted(stale), now)
                stale.clear()
                refreshed_at = time.monotonic()
    finally:
        if stale:
            refresh_words(sorted(stale), now)
    return done


def refresh_words_here(story_ids: list[int], now: datetime) -> None:
    with timed("refresh"):
        refresh_stories(story_ids, now, changed_only=True)


def embed_and_assign(article_ids: list[int], now: datetime) -> list[int]:
    """Embed the extracted articles among `article_ids` that have no vector
    yet, then assign them to stories. Returns the ids of changed stories."""
    pending = list(
        Article.objects.filter(pk__in=article_ids, story__isnull=True).exclude(stage=Article.Stage.NEW)
    )
    unembedded = [a for a in pending if a.embedding is None]
    if unembedded:
        with timed("embed"):
            vectors = embed_texts([article_text(a.title, a.summary, a.text) for a in unembedded])
        for article, vector in zip(unembedded, vectors, strict=True):
            article.embedding = to_bytes(vector)
        Article.objects.bulk_update(unembedded, ["embedding"])
    with timed("assign"):
        return assigner.assign(pending, now)
