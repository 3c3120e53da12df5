"""Helpers shared by the editorial tests (test_editorial_actions,
test_editorial_survival, test_editorial_admin): the replay's day and small
stories built by hand. The `editor` and `editor_client` fixtures live in
tests/conftest.py."""

from datetime import UTC, datetime, timedelta

import numpy as np

from ingest.models import Article, Source
from trends.models import Story
from trends.stories.embedding import DIMENSIONS, to_bytes

DAY = datetime(2026, 1, 3, tzinfo=UTC)


def plain_story(headline: str, **fields) -> Story:
    """A story with no articles, for tests of the views and the admin."""
    fields.setdefault("first_seen_at", DAY)
    fields.setdefault("last_seen_at", DAY)
    fields.setdefault("centroid_sum", to_bytes(np.zeros(DIMENSIONS)))
    return Story.objects.create(headline=headline, **fields)


def story_with_articles(count: int) -> tuple[Story, list[Article]]:
    """A story of `count` articles from one outlet, each with a unit vector."""
    source = Source.objects.create(name="Outlet", domain="outlet.example")
    vectors = np.eye(DIMENSIONS, dtype=np.float32)[:count]
    story = plain_story(
        "Story", centroid_sum=to_bytes(vectors.sum(axis=0)), article_count=count, source_count=1
    )
    articles = [
        Article.objects.create(
            source=source,
            url=f"https://outlet.example/{n}",
            canonical_url=f"https://outlet.example/{n}",
            title=f"Article {n}",
            published_at=DAY + timedelta(hours=n),
            fetched_at=DAY + timedelta(hours=n),
            story=story,
            stage=Article.Stage.ASSIGNED,
            embedding=to_bytes(vectors[n]),
        )
        for n in range(count)
    ]
    return story, articles
