"""Embed extracted articles and put them in stories: the core the
trends.embed_and_assign task wraps."""

from datetime import datetime

from ingest.models import Article
from trends.assignment import assigner
from trends.embedding import article_text, embed_texts, to_bytes


def embed_and_assign(article_ids: list[int], now: datetime) -> list[int]:
    """Returns the ids of the stories that changed. Safe to run twice."""
    pending = list(
        Article.objects.filter(pk__in=article_ids, story__isnull=True).exclude(stage=Article.Stage.NEW)
    )
    unembedded = [a for a in pending if a.embedding is None]
    if unembedded:
        vectors = embed_texts([article_text(a.title, a.summary, a.text) for a in unembedded])
        for article, vector in zip(unembedded, vectors, strict=True):
            article.embedding = to_bytes(vector)
        Article.objects.bulk_update(unembedded, ["embedding"])
    return assigner.assign(pending, now)
