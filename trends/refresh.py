"""Re-derive a story's words from its coverage: headline, dek, category and
brief. What an editor locked or approved is left alone.

Deriving takes a while (topics, briefs), and an editor may lock a headline
or approve a brief meanwhile. So the words are written by UPDATEs filtered
on the lock flag as it is at write time: a lock set after we read the story
still wins, without holding any lock while we derive."""

from collections import defaultdict
from datetime import datetime

import numpy as np
from django.db import connection
from django.db.models import Case, Value, When
from django.db.models.functions import Cast

from ingest.models import Article
from trends import categories
from trends.briefs import content_words
from trends.briefs.stories import coverage_by_story, refreshed_brief
from trends.embedding import from_bytes
from trends.models import Story, StoryTopic, Topic, story_search_text
from trends.topics import FoundTopic, extract_topics

MAX_ARTICLES_READ = 60  # the newest ones: a brief needs no more
WRITE_BATCH = 200
# Each group of words is written only where its editorial flag is still False.
WORD_GROUPS = (
    ("headline_locked", ("headline", "dek")),
    ("category_locked", ("category",)),
    ("brief_approved", ("brief", "brief_updated_at")),
)


def refresh_stories(story_ids: list[int], now: datetime) -> None:
    if not story_ids:
        return
    derived, topics_by_story = derive_words(story_ids, now)
    save_topics(topics_by_story)
    write_words(derived)


def derive_words(story_ids: list[int], now: datetime) -> tuple[list[Story], dict[int, list[FoundTopic]]]:
    """The stories with their words re-derived in memory (nothing written),
    and the topics found in each. Only stories with articles are returned."""
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
    coverage = coverage_by_story([pk for pk, s in stories.items() if not s.brief_approved and rows[pk]])
    derived = []
    for story in stories.values():
        if rows[story.pk]:
            _refresh_one(story, rows[story.pk], topics_by_story[story.pk], now)
            if not story.brief_approved:
                topics = [(t.name, t.kind) for t in topics_by_story[story.pk]]
                story.brief = refreshed_brief(story, coverage.get(story.pk, []), topics, now)
                story.brief_updated_at = now
            derived.append(story)
    return derived, topics_by_story


def write_words(stories: list[Story]) -> None:
    """Write each group of derived words, one UPDATE per group and batch,
    filtered on the group's flag being False in the database now. A story
    that was locked when it was read was not derived for that group and is
    left out of it."""
    for flag, fields in WORD_GROUPS:
        unlocked_when_read = [s for s in stories if not getattr(s, flag)]
        for start in range(0, len(unlocked_when_read), WRITE_BATCH):
            batch = unlocked_when_read[start : start + WRITE_BATCH]
            Story.objects.filter(pk__in=[s.pk for s in batch], **{flag: False}).update(
                **{name: _value_by_story(batch, name) for name in fields}
            )
    _write_search_text([s.pk for s in stories])


def _write_search_text(story_ids: list[int]) -> None:
    """Search reads headline, dek and brief as they now are in the database
    (the updates above skipped locked groups), so rebuild it from there."""
    for start in range(0, len(story_ids), WRITE_BATCH):
        rows = list(
            Story.objects.filter(pk__in=story_ids[start : start + WRITE_BATCH])
            .order_by()
            .only("id", "headline", "dek", "brief")
        )
        for row in rows:
            row.search_text = story_search_text(row.headline, row.dek, row.brief)
        Story.objects.bulk_update(rows, ["search_text"])


def _value_by_story(stories: list[Story], name: str):
    """CASE id WHEN … THEN the story's value … END, as bulk_update builds it."""
    field = Story._meta.get_field(name)
    case = Case(
        *[When(pk=s.pk, then=Value(getattr(s, name), output_field=field)) for s in stories],
        output_field=field,
    )
    if connection.features.requires_casted_case_in_updates:
        case = Cast(case, output_field=field)
    return case


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
    centroid = _centroid(story)
    central = _by_centrality(centroid, articles)
    if not story.headline_locked:
        story.headline = headline_choice(centroid, articles).title
        story.dek = _dek(central)
    if not story.category_locked:
        # The feeds' section hints first, the content second, "general" last.
        hints = [a.feed.category_hint if a.feed else "" for a in articles]
        story.category = categories.story_category(hints, centroid)


def _centroid(story: Story) -> np.ndarray | None:
    """The direction of the story's summed vectors; None before it has any."""
    centroid = from_bytes(story.centroid_sum)
    if centroid is None or not centroid.size or not np.any(centroid):
        return None
    return centroid


def _by_centrality(centroid: np.ndarray | None, articles: list[Article]) -> list[Article]:
    """Articles nearest the story's centroid first: the most typical telling."""
    if centroid is None:
        return articles

    def similarity(article):
        vector = from_bytes(article.embedding)
        return float(vector @ centroid) if vector is not None else -1.0

    return sorted(articles, key=similarity, reverse=True)


CORROBORATION_WEIGHT = 1.0


def headline_choice(centroid: np.ndarray | None, articles: list[Article]) -> Article:
    """The headline: a typical telling (near the centroid) whose words other
    outlets' headlines repeat. Centrality alone drifts, on a long story, to
    whichever commentary sits nearest the mean of the newest coverage
    ("'Insanity': analysts stunned by…"); the words of the news itself recur
    across outlets, a columnist's turn of phrase does not."""
    words = {a.pk: content_words(a.title) for a in articles}
    unit = centroid / np.linalg.norm(centroid) if centroid is not None else None

    def recurrence(article: Article) -> float:
        """Mean share of this title's words found in each other outlet's title."""
        own = words[article.pk]
        others = [words[a.pk] for a in articles if a.source_id != article.source_id]
        if not own or not others:
            return 0.0
        return sum(len(own & other) for other in others) / (len(own) * len(others))

    def score(article: Article) -> float:
        vector = from_bytes(article.embedding)
        typical = float(vector @ unit) if unit is not None and vector is not None else 0.0
        return typical + CORROBORATION_WEIGHT * recurrence(article)

    return max(articles, key=score)


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
