"""Rows for tests, built by hand: sources, feeds, articles, stories and hourly
snapshots with sensible defaults, every field overridable by keyword.

`make_*` saves the row; `build_*` returns it unsaved (for bulk_create). Tests
that mean to exercise the crawler or the pipeline store their rows through them
instead (tests/realdata.py, tests/giveme.py)."""

import itertools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import numpy as np

from ingest.models import Article, Feed, Source
from trends.models import Story, StorySnapshot
from trends.stories.embedding import DIMENSIONS, to_bytes

# The replay's day: 2026-01-03, the morning of the US strikes on Venezuela.
DAY = datetime(2026, 1, 3, tzinfo=UTC)

_numbers = itertools.count(1)  # unique article URLs when a test does not name them


def make_source(domain: str = "outlet.example", **fields) -> Source:
    """The outlet at `domain`, created on first use ("outlet.example" is
    named "Outlet"). Fields apply only when the row is new."""
    fields.setdefault("name", domain.split(".")[0].title())
    source, _ = Source.objects.get_or_create(domain=domain, defaults=fields)
    return source


def make_feed(url: str = "https://outlet.example/rss", source: Source | None = None, **fields) -> Feed:
    """A feed at `url`, of `source` (by default the outlet at the URL's host)."""
    source = source or make_source(urlsplit(url).hostname)
    return Feed.objects.create(url=url, source=source, **fields)


def build_article(
    source: Source | None = None,
    story: Story | None = None,
    title: str = "An article",
    when: datetime = DAY,
    vector: np.ndarray | None = None,
    **fields,
) -> Article:
    """An unsaved article of `source` published and fetched at `when`. In a
    story it is ASSIGNED (as the pipeline leaves it), else NEW; `vector` is
    stored as its embedding. The URL is unique unless given."""
    source = source or make_source()
    fields.setdefault("url", f"https://{source.domain}/{next(_numbers)}")
    fields.setdefault("canonical_url", fields["url"])
    fields.setdefault("published_at", when)
    fields.setdefault("fetched_at", when)
    fields.setdefault("stage", Article.Stage.ASSIGNED if story else Article.Stage.NEW)
    if vector is not None:
        fields["embedding"] = to_bytes(vector)
    return Article(source=source, story=story, title=title, **fields)


def make_article(
    source: Source | None = None,
    story: Story | None = None,
    title: str = "An article",
    when: datetime = DAY,
    vector: np.ndarray | None = None,
    **fields,
) -> Article:
    article = build_article(source, story, title, when, vector, **fields)
    article.save()
    return article


def build_story(headline: str = "A story", when: datetime = DAY, vector: np.ndarray | None = None, **fields):
    """An unsaved story first and last seen at `when`; `vector` is its
    centroid sum (zeros by default: no articles)."""
    fields.setdefault("first_seen_at", when)
    fields.setdefault("last_seen_at", when)
    fields.setdefault("centroid_sum", to_bytes(np.zeros(DIMENSIONS) if vector is None else vector))
    return Story(headline=headline, **fields)


def make_story(headline: str = "A story", when: datetime = DAY, vector: np.ndarray | None = None, **fields):
    story = build_story(headline, when, vector, **fields)
    story.save()
    return story


def story_with_articles(count: int, when: datetime = DAY) -> tuple[Story, list[Article]]:
    """A story of `count` articles from one outlet ("outlet.example"), an hour
    apart from `when`, each with its own unit vector (so the centroid sum has
    `count` ones)."""
    source = make_source()
    vectors = np.eye(DIMENSIONS, dtype=np.float32)[:count]
    story = make_story("Story", when, vectors.sum(axis=0), article_count=count, source_count=1)
    articles = [
        make_article(
            source,
            story,
            f"Article {n}",
            when + timedelta(hours=n),
            vectors[n],
            url=f"https://{source.domain}/{n}",
        )
        for n in range(count)
    ]
    return story, articles


def build_snapshot(story: Story, hour: datetime, velocity: float = 1.0, **fields) -> StorySnapshot:
    """An unsaved hourly snapshot of `story`: one article from one outlet,
    its rate and velocity `velocity`, lifecycle "emerging" unless given."""
    fields.setdefault("articles", 1)
    fields.setdefault("total_articles", 1)
    fields.setdefault("sources", 1)
    fields.setdefault("effective_sources", 1)
    fields.setdefault("article_rate", velocity)
    fields.setdefault("lifecycle", "emerging")
    return StorySnapshot(story=story, hour=hour, velocity=velocity, **fields)


def make_snapshot(story: Story, hour: datetime, velocity: float = 1.0, **fields) -> StorySnapshot:
    snapshot = build_snapshot(story, hour, velocity, **fields)
    snapshot.save()
    return snapshot
