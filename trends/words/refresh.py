"""Re-derive a story's words from its coverage: headline, dek, category and
brief. What an editor locked or approved is left alone.

Deriving takes a while (topics, briefs), and an editor may lock a headline
or approve a brief meanwhile. So the words are written by UPDATEs filtered
on the lock flag as it is at write time: a lock set after we read the story
still wins, without holding any lock while we derive."""

from collections import defaultdict, deque
from datetime import datetime

import numpy as np
from django.db import connection
from django.db.models import Case, F, Q, Value, When, Window
from django.db.models.functions import Cast, RowNumber

from ingest.models import Article
from trends import page_versions
from trends.models import Story, StoryTopic, Topic, story_search_text
from trends.stories.embedding import from_bytes
from trends.words import categories, headlines
from trends.words.briefs.stories import coverage_by_story, refreshed_brief
from trends.words.topics import FoundTopic, extract_topics, on_topic

MAX_ARTICLES_READ = 60  # the newest ones: a brief needs no more
# The headline also weighs the first reports, which name the happening itself.
EARLIEST_ARTICLES_READ = 40
WRITE_BATCH = 200
# Each group of words is written only where its editorial flag is still False.
WORD_GROUPS = (
    ("headline_locked", ("headline", "dek")),
    ("category_locked", ("category",)),
    ("brief_approved", ("brief", "brief_updated_at")),
)


def refresh_stories(story_ids: list[int], now: datetime, *, changed_only: bool = False) -> None:
    """Re-derive and write these stories' words. changed_only (the ingest's
    refresh after its bursts): leave out a story whose words were derived
    since it last changed (Story.words_derived_for == updated_at), as when two
    workers' bursts both touched it and the first refresh already saw every
    article. Editors' and merges' refreshes derive whatever the stamp says."""
    if not story_ids:
        return
    derived, topics_by_story = derive_words(story_ids, now, changed_only=changed_only)
    save_topics(topics_by_story)
    write_words(derived)
    page_versions.stories_changed([s.pk for s in derived] if changed_only else story_ids)


def derive_words(
    story_ids: list[int], now: datetime, *, changed_only: bool = False
) -> tuple[list[Story], dict[int, list[FoundTopic]]]:
    """The stories with their words re-derived in memory (nothing written),
    and the topics found in each. Only stories with articles are returned."""
    stories = {s.pk: s for s in Story.objects.filter(pk__in=story_ids)}
    if changed_only:
        stories = {pk: s for pk, s in stories.items() if s.words_derived_for != s.updated_at}
        story_ids = list(stories)
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
        # The newest MAX_ARTICLES_READ and earliest EARLIEST_ARTICLES_READ of
        # each story, chosen by the database: a story of thousands of
        # articles costs no more than one of a hundred.
        .annotate(
            newest_rank=Window(RowNumber(), partition_by=F("story_id"), order_by=F("published_at").desc()),
            earliest_rank=Window(RowNumber(), partition_by=F("story_id"), order_by=F("published_at").asc()),
        )
        .filter(Q(newest_rank__lte=MAX_ARTICLES_READ) | Q(earliest_rank__lte=EARLIEST_ARTICLES_READ))
        .order_by("-published_at")
    )
    earliest: dict[int, deque] = defaultdict(lambda: deque(maxlen=EARLIEST_ARTICLES_READ))
    for article in articles:
        if len(rows[article.story_id]) < MAX_ARTICLES_READ:
            rows[article.story_id].append(article)
        else:
            earliest[article.story_id].append(article)
    topics_by_story = {story_id: _topics(story, rows[story_id]) for story_id, story in stories.items()}
    coverage = coverage_by_story([pk for pk, s in stories.items() if not s.brief_approved and rows[pk]])
    derived = []
    for story in stories.values():
        if rows[story.pk]:
            _refresh_one(story, rows[story.pk], list(earliest[story.pk]), topics_by_story[story.pk], now)
            if not story.brief_approved:
                topics = [(t.name, t.kind) for t in topics_by_story[story.pk]]
                story.brief = refreshed_brief(story, coverage.get(story.pk, []), topics, now)
                story.brief_updated_at = now
            derived.append(story)
    return derived, topics_by_story


def _topics(story: Story, articles: list[Article]) -> list[FoundTopic]:
    """Topics named by the story's on-topic articles only: a stray member
    never brings its names (trends.words.topics.on_topic)."""
    kept = on_topic({a.pk: from_bytes(a.embedding) for a in articles}, _centroid(story))
    return extract_topics({a.pk: [a.title, a.summary] for a in articles if a.pk in kept})


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
    _write_search_text_and_stamp({s.pk: s.updated_at for s in stories})


def _write_search_text_and_stamp(derived_for: dict[int, datetime]) -> None:
    """Search reads headline, dek and brief as they now are in the database
    (the updates above skipped locked groups), so rebuild it from there; and
    stamp each story with the updated_at its words were derived from (an
    assignment since then moved updated_at, so the next refresh derives it)."""
    story_ids = list(derived_for)
    for start in range(0, len(story_ids), WRITE_BATCH):
        rows = list(
            Story.objects.filter(pk__in=story_ids[start : start + WRITE_BATCH])
            .order_by()
            .only("id", "headline", "dek", "brief")
        )
        for row in rows:
            row.search_text = story_search_text(row.headline, row.dek, row.brief)
            row.words_derived_for = derived_for[row.pk]
        Story.objects.bulk_update(rows, ["search_text", "words_derived_for"])


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


def _refresh_one(
    story: Story, articles: list[Article], earliest: list[Article], topics: list[FoundTopic], now: datetime
) -> None:
    """articles: the newest MAX_ARTICLES_READ; earliest: the first reports
    beyond those (empty for a small story)."""
    centroid = _centroid(story)
    if not story.headline_locked:
        choice = headlines.choose([_telling(a) for a in [*articles, *earliest]], centroid)
        story.headline = choice.headline
        story.dek = choice.dek
    if not story.category_locked:
        # The feeds' section hints first, the content second, "general" last.
        hints = [a.feed.category_hint if a.feed else "" for a in articles]
        story.category = categories.story_category(hints, centroid, [a.title for a in articles])


def _centroid(story: Story) -> np.ndarray | None:
    """The direction of the story's summed vectors; None before it has any."""
    centroid = from_bytes(story.centroid_sum)
    if centroid is None or not centroid.size or not np.any(centroid):
        return None
    return centroid


def _telling(article: Article) -> headlines.Telling:
    return headlines.Telling(
        article.pk,
        article.source_id,
        article.title,
        article.published_at,
        from_bytes(article.embedding),
        article.source.name,
    )
