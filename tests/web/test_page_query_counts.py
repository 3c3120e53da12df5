"""Each reader's page runs a fixed number of SQL queries however many stories
and articles there are: lists are paged in SQL, a trend page shows its newest
coverage and numbers its citations with counts, never a walk over every
article. (Inside a test's transaction the page cache stands aside, so every
request here builds its page.)"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ingest import clock
from ingest.models import Article, ReplayClock, Source
from trends.models import Story, StorySnapshot, StoryTopic, Topic

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 3, 12, 30, tzinfo=UTC)


def _grow(story: Story, sources: list[Source], articles: int, *, first: int = 0) -> None:
    rows = []
    for n in range(first, first + articles):
        url = f"https://{sources[n % len(sources)].domain}/{story.pk}/{n}"
        rows.append(
            Article(
                source=sources[n % len(sources)],
                url=url,
                canonical_url=url,
                title=f"Report {n} on story {story.pk}",
                published_at=NOW - timedelta(minutes=n % 600),
                fetched_at=NOW,
                story=story,
                stage=Article.Stage.ASSIGNED,
            )
        )
    made = Article.objects.bulk_create(rows)
    # Every tenth one is a syndicated copy of the one before it.
    copies = [a for i, a in enumerate(made) if i % 10 == 9]
    for copy in copies:
        copy.duplicate_of_id = copy.pk - 1
    Article.objects.bulk_update(copies, ["duplicate_of"])
    Story.objects.filter(pk=story.pk).update(article_count=Article.objects.filter(story=story).count())


def _stories(count: int, topic: Topic, first: int = 0) -> list[Story]:
    stories = Story.objects.bulk_create(
        [
            Story(
                headline=f"Story {n}",
                first_seen_at=NOW - timedelta(hours=5),
                last_seen_at=NOW - timedelta(hours=1),
                centroid_sum=b"",
                article_count=3,
                source_count=3,
                velocity=n % 7,
            )
            for n in range(first, first + count)
        ]
    )
    StoryTopic.objects.bulk_create([StoryTopic(story=s, topic=topic) for s in stories])
    StorySnapshot.objects.bulk_create(
        [
            StorySnapshot(
                story=s,
                hour=NOW.replace(minute=0) - timedelta(hours=h),
                articles=1,
                total_articles=3,
                sources=3,
                effective_sources=1,
                article_rate=1,
                velocity=1,
                lifecycle="rising",
            )
            for s in stories
            for h in range(5)
        ]
    )
    return stories


def _queries(client, url: str, sizes: dict) -> int:
    clock.reset_cache()  # the replay clock's row is read once a second: count it every time
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    sizes[url] = len(response.content)
    return len(captured)


def test_page_query_counts_do_not_grow_with_stories_or_articles(client):
    ReplayClock.objects.create(simulated_start=NOW, real_start=NOW, speed=0.0)
    sources = [Source.objects.create(name=f"Outlet {i}", domain=f"o{i}.example") for i in range(12)]
    topic = Topic.objects.create(name="Weather", slug="weather")
    big = _stories(1, topic)[0]
    Story.objects.filter(pk=big.pk).update(velocity=100)
    _stories(30, topic, first=1)
    _grow(big, sources, 40)
    cited = list(Article.objects.filter(story=big).order_by("published_at")[:3].values_list("pk", flat=True))
    brief = {"sentences": [{"text": "The oldest reports said so.", "citations": cited}]}
    Story.objects.filter(pk=big.pk).update(brief=brief)
    pages = {
        "front": reverse("trends:front"),
        "trend": reverse("trends:story", args=[big.pk]),
        "coverage": reverse("trends:story_coverage", args=[big.pk]) + "?page=1",
        "topic": reverse("trends:topic", args=[topic.slug]),
        "category": reverse("trends:category", args=["general"]),
        "api list": reverse("trends:api_trends"),
    }
    small_bytes, large_bytes = {}, {}
    small = {name: _queries(client, url, small_bytes) for name, url in pages.items()}

    _stories(300, topic, first=31)
    _grow(big, sources, 3000, first=40)
    large = {name: _queries(client, url, large_bytes) for name, url in pages.items()}

    assert Article.objects.filter(story=big).count() == 3040
    assert large == small
    assert small["trend"] <= 12 and small["front"] <= 6
    # The trend page shows the newest coverage only: its size does not follow the story's.
    assert large_bytes[pages["trend"]] < 1.1 * small_bytes[pages["trend"]]
