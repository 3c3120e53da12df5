"""A load-size database for bench_site: synthetic stories, articles,
snapshots, topics and briefs written in bulk (the shape of real data, not
its words), history laid out over time."""

import random
from datetime import timedelta

import numpy as np
from tqdm import tqdm

ARTICLES_PER_STORY = 20
# Stories in the last two days, however big the history: a database grows by
# time, not by its live trends (2,500 live stories is about 50,000 articles
# in two days, a large deployment's rate). Older stories spread back in time
# at the same rate, so 1,000,000 articles hold 40 days.
LIVE_STORIES = 2500
SOURCES = 120
TOPICS = 400
SNAPSHOT_HOURS = 24
WORDS = ["markets", "storm", "election", "match"]
WRITE_BATCH = 5000


def build_site_data(article_total: int) -> None:
    """Synthetic stories of varied size, each with articles from several
    outlets, hourly snapshots, topics (people, organisations and places among
    them, a few of them in many stories) and a brief: up to LIVE_STORIES in
    the last two days, the rest spread back over the history before."""
    from django.db import transaction
    from django.db.models import Count, Min

    from ingest import clock
    from ingest.models import Article, Source
    from surge.bulk_rows import insert_rows
    from trends.models import Story, StorySnapshot, StoryTopic, Topic
    from trends.stories.embedding import to_bytes

    rng = random.Random(7)
    vectors = np.random.default_rng(7)
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        sources = Source.objects.bulk_create(
            [Source(name=f"Outlet {i}", domain=f"outlet{i}.example") for i in range(SOURCES)]
        )
        kinds = [Topic.Kind.PERSON, Topic.Kind.ORGANISATION, Topic.Kind.PLACE, Topic.Kind.TERM]
        topics = Topic.objects.bulk_create(
            [Topic(name=f"Topic {i}", slug=f"topic-{i}", kind=kinds[i % 4]) for i in range(TOPICS)]
        )
        topic_vectors = vectors.standard_normal((TOPICS, 384)).astype(np.float32)
        story_total = max(article_total // ARTICLES_PER_STORY, 1)
        live = min(story_total, LIVE_STORIES)
        history_hours = 48 * story_total / live
        # Ids follow time, as stories are created when their first article
        # arrives: the history's first, then the live ones (the last `live`).
        history = story_total - live
        firsts = sorted(rng.uniform(48, history_hours) for _ in range(history))[::-1]
        firsts += sorted(rng.uniform(1, 47) for _ in range(live))[::-1]
        stories, story_topics = [], []
        for i, hours_ago in enumerate(firsts):
            first = now - timedelta(hours=hours_ago)
            velocity = rng.expovariate(1.0)
            # Topics by Zipf's law: a few ("Topic 0") are in many stories, as some names are.
            chosen = sorted({min(int(rng.paretovariate(0.8)) - 1, TOPICS - 1) for _ in range(3)})
            story_topics.append(chosen)
            centroid = topic_vectors[chosen].sum(axis=0) + vectors.standard_normal(384).astype(np.float32)
            stories.append(
                Story(
                    headline=f"Synthetic story {i}: {rng.choice(WORDS)} update",
                    dek="A second line chosen from the coverage.",
                    category=rng.choice(["world", "politics", "business", "technology", "sport"]),
                    first_seen_at=first,
                    last_seen_at=min(first + timedelta(hours=rng.uniform(0, 20)), now),
                    centroid_sum=to_bytes(centroid),
                    article_count=0,
                    source_count=0,
                    lifecycle=rng.choice(["emerging", "rising", "peaking", "fading"]),
                    velocity=velocity,
                    first_velocity=velocity * rng.uniform(0.1, 1.5),
                    peak_velocity=velocity * 1.5,
                    forecast="fades",
                    forecast_probability=0.6,
                )
            )
        stories = Story.objects.bulk_create(stories, batch_size=2000)

        # The live stories get two days' articles, a few of them many (the
        # big trend); the history's stories get the rest, evenly.
        live_articles = min(article_total, live * ARTICLES_PER_STORY)
        articles, per_story = [], {}
        for n in tqdm(range(article_total), desc="articles", unit="art", mininterval=1):
            if n >= live_articles:
                story = stories[(n - live_articles) % history]
            elif n % 3 == 0:
                story = stories[history + min(int(rng.paretovariate(1.2)) - 1, live - 1)]
            else:
                story = stories[history + n % live]
            source = sources[rng.randrange(SOURCES)]
            per_story.setdefault(story.pk, set()).add(source.pk)
            published = story.first_seen_at + (story.last_seen_at - story.first_seen_at) * rng.random()
            articles.append(
                {
                    "source_id": source.pk,
                    "url": f"https://{source.domain}/a/{n}",
                    "canonical_url": f"https://{source.domain}/a/{n}",
                    "title": f"Article {n} about story {story.pk}",
                    "summary": "A summary sentence from the feed about what happened today in this story.",
                    "published_at": published,
                    "fetched_at": published,
                    "stage": Article.Stage.ASSIGNED.value,
                    "story_id": story.pk,
                }
            )
            if len(articles) == WRITE_BATCH:
                insert_rows(Article, articles)
                articles = []
        insert_rows(Article, articles)

        counts = {}
        for story_id, count in Article.objects.values_list("story_id").annotate(n=Count("id")):
            counts[story_id] = count
        first_articles = dict(Article.objects.values_list("story_id").annotate(first=Min("id")))
        for story in stories:
            story.article_count = counts.get(story.pk, 0)
            story.source_count = len(per_story.get(story.pk, ()))
            cited = first_articles.get(story.pk)
            story.brief = {
                "sentences": [
                    {"text": "A summary sentence from the feed about what happened.", "citations": [cited]}
                ]
                if cited
                else [],
                "supported_share": 1.0,
                "corroborated_share": 0.0,
            }
            story.brief_updated_at = now
        Story.objects.bulk_update(
            stories, ["article_count", "source_count", "brief", "brief_updated_at"], batch_size=2000
        )

        snapshots = [
            {
                "story_id": story.pk,
                "hour": hour - timedelta(hours=h),
                "articles": 1,
                "total_articles": story.article_count,
                "sources": story.source_count,
                "effective_sources": 1.0,
                "article_rate": 1.0,
                "velocity": story.velocity * rng.uniform(0.5, 1.5),
                "lifecycle": story.lifecycle,
            }
            for story in stories
            for h in range(SNAPSHOT_HOURS)
            if hour - timedelta(hours=h) >= story.first_seen_at
        ]
        for first in range(0, len(snapshots), WRITE_BATCH):
            insert_rows(StorySnapshot, snapshots[first : first + WRITE_BATCH])
        links = [
            {"story_id": story.pk, "topic_id": topics[t].pk, "weight": 1.0}
            for story, chosen in zip(stories, story_topics, strict=True)
            for t in chosen
        ]
        for first in range(0, len(links), WRITE_BATCH):
            insert_rows(StoryTopic, links[first : first + WRITE_BATCH])
