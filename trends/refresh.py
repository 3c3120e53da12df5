"""Re-derive a story's words from its coverage: headline, dek, category and
brief. What an editor locked or approved is left alone."""

from collections import Counter, defaultdict
from datetime import datetime

import numpy as np

from ingest.models import Article
from trends.briefs import Coverage, reader_brief
from trends.embedding import from_bytes
from trends.models import Story, StoryTopic, Topic
from trends.topics import FoundTopic, extract_topics

MAX_ARTICLES_READ = 60  # the newest ones: a brief needs no more


def refresh_stories(story_ids: list[int], now: datetime) -> None:
    if not story_ids:
        return
    stories = {s.pk: s for s in Story.objects.filter(pk__in=story_ids)}
    rows = defaultdict(list)
    articles = (
        Article.objects.filter(story_id__in=story_ids)
        .select_related("source", "feed")
        .only(
            "id",
            "story_id",
            "title",
            "summary",
            "text",
            "published_at",
            "embedding",
            "source__name",
            "feed__category_hint",
            "duplicate_of_id",
        )
        .order_by("-published_at")
    )
    for article in articles:
        if len(rows[article.story_id]) < MAX_ARTICLES_READ:
            rows[article.story_id].append(article)
    topics_by_story = {
        story_id: extract_topics({a.pk: [a.title, a.summary] for a in rows[story_id]}) for story_id in stories
    }
    for story in stories.values():
        _refresh_one(story, rows[story.pk], topics_by_story[story.pk], now)
    save_topics(topics_by_story)
    Story.objects.bulk_update(
        stories.values(),
        ["headline", "dek", "category", "brief", "brief_updated_at"],
        batch_size=200,
    )


def save_topics(topics_by_story: dict[int, list[FoundTopic]]) -> None:
    """Replace the stories' topic links; a fixed number of queries however
    many stories and topics."""
    by_slug = {t.slug: t for found in topics_by_story.values() for t in found}
    if by_slug:
        Topic.objects.bulk_create(
            [Topic(name=t.name[:200], slug=t.slug, kind=t.kind) for t in by_slug.values()],
            ignore_conflicts=True,
            batch_size=500,
        )
    topic_ids = dict(Topic.objects.filter(slug__in=list(by_slug)).values_list("slug", "id"))
    StoryTopic.objects.filter(story_id__in=list(topics_by_story)).delete()
    links = [
        StoryTopic(story_id=story_id, topic_id=topic_ids[t.slug], weight=t.articles)
        for story_id, found in topics_by_story.items()
        for t in found
        if t.slug in topic_ids
    ]
    StoryTopic.objects.bulk_create(links, ignore_conflicts=True, batch_size=500)


def _refresh_one(story: Story, articles: list[Article], topics: list[FoundTopic], now: datetime) -> None:
    if not articles:
        return
    central = _by_centrality(story, articles)
    if not story.headline_locked:
        story.headline = central[0].title
        story.dek = _dek(central)
    if not story.category_locked:
        hints = Counter(a.feed.category_hint for a in articles if a.feed and a.feed.category_hint)
        if hints:
            story.category = hints.most_common(1)[0][0]
    if not story.brief_approved:
        originals = [a for a in central if a.duplicate_of_id is None]
        coverage = [
            Coverage(a.pk, a.source.name, a.title, a.summary, a.text, a.published_at) for a in originals
        ]
        story.brief = reader_brief(coverage, [(t.name, t.kind) for t in topics], now)
        story.brief_updated_at = now


def _by_centrality(story: Story, articles: list[Article]) -> list[Article]:
    """Articles nearest the story's centroid first: the most typical telling."""
    centroid = from_bytes(story.centroid_sum)
    if centroid is None or not np.any(centroid):
        return articles

    def similarity(article):
        vector = from_bytes(article.embedding)
        return float(vector @ centroid) if vector is not None else -1.0

    return sorted(articles, key=similarity, reverse=True)


def _dek(central: list[Article]) -> str:
    """A second line: the lead of the most typical article that has one, or
    else the headline another outlet gave the story."""
    for article in central:
        lead = " ".join(article.summary.split())
        if len(lead) >= 40 and lead.lower() != article.title.lower():
            return lead[:280] + ("…" if len(lead) > 280 else "")
    first_source = central[0].source_id
    for article in central[1:]:
        if article.source_id != first_source and article.title != central[0].title:
            return f"{article.source.name}: {article.title}"
    return ""
