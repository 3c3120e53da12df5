"""From a stored article to a story: extract, embed, assign.

Workers claim pending articles in batches with a conditional UPDATE (a lease
in real time), so two workers never process the same article, and an article
whose worker died is claimed again when the lease runs out. Every step is
idempotent, so a batch processed twice changes nothing."""

import uuid
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ingest.extraction import extract_article
from ingest.models import Article
from ingest.timing import timed
from trends.assignment import assigner
from trends.embedding import article_text, embed_texts, to_bytes
from trends.refresh import refresh_stories

CLAIM_LEASE = timedelta(minutes=10)
BATCH_SIZE = 32  # one embedding batch


def claim_pending_articles(limit: int = BATCH_SIZE) -> str | None:
    """Claim up to `limit` articles not yet in a story. Returns the claim
    token (None when there was nothing to claim)."""
    real_now = timezone.now()
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=real_now)
    pending = Article.objects.filter(unclaimed, story__isnull=True).exclude(stage=Article.Stage.FAILED)
    candidates = list(pending.order_by("fetched_at", "pk").values_list("pk", flat=True)[:limit])
    if not candidates:
        return None
    token = str(uuid.uuid4())
    won = pending.filter(pk__in=candidates).update(claimed_until=real_now + CLAIM_LEASE, claim_token=token)
    return token if won else None


def process_claimed(token: str, now: datetime) -> list[int]:
    """Extract, embed and assign the articles claimed with `token`. Returns
    the ids of the stories that changed."""
    articles = list(Article.objects.filter(claim_token=token, story__isnull=True).order_by("pk"))
    for article in articles:
        if article.stage == Article.Stage.NEW:
            extract_article(article)
    touched = embed_and_assign([a.pk for a in articles], now)
    refresh_stories(touched, now)
    Article.objects.filter(claim_token=token).update(claimed_until=None, claim_token="")
    return touched


def process_pending(now: datetime, *, max_batches: int = 50) -> int:
    """Work through pending articles batch by batch; returns how many batches."""
    done = 0
    while done < max_batches and (token := claim_pending_articles()):
        process_claimed(token, now)
        done += 1
    return done


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
