"""The queries the pages, feeds and API share. Each helper runs a fixed
number of SQL queries whatever the number of stories or articles: lists are
paginated in SQL, and what a page needs per story (its sparkline, cited
articles) is fetched for the whole page at once."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Count, Min, Q, QuerySet

from ingest.canonical import is_web_url
from ingest.models import Article
from trends.measure.velocity import change_since_first_seen
from trends.models import Story, StorySnapshot, Topic
from trends.stories.embedding import from_bytes
from web.charts import Point

# A trend on the lists: at least this many articles (a pinned story always shows).
MIN_ARTICLES = 2
# Live: an article within this many hours (as long as the hourly pass tracks it).
LIVE_HOURS = 48
SPARK_HOURS = 24
PAGE_SIZE = 20
CARD_FIELDS = (
    "id",
    "headline",
    "dek",
    "category",
    "first_seen_at",
    "last_seen_at",
    "article_count",
    "source_count",
    "lifecycle",
    "velocity",
    "first_velocity",
    "forecast",
    "forecast_probability",
    "is_pinned",
    "brief",
    "brief_updated_at",
)


def public_stories() -> QuerySet:
    """Stories a reader may see: not hidden, not merged into another."""
    return Story.objects.filter(is_hidden=False, merged_into__isnull=True)


def listed_stories() -> QuerySet:
    """The listing rule every list shares: public, and at least MIN_ARTICLES
    articles unless an editor pinned it."""
    return public_stories().filter(Q(article_count__gte=MIN_ARTICLES) | Q(is_pinned=True))


def live_trends(now: datetime) -> QuerySet:
    """Front-page order: pinned first, then by velocity."""
    recent = Q(last_seen_at__gte=now - timedelta(hours=LIVE_HOURS), article_count__gte=MIN_ARTICLES)
    # The few pinned ids are read first: "recent or one of these ids" is an
    # index range or a key lookup, where "recent or pinned" scanned every
    # story ever stored.
    pinned = list(Story.objects.filter(is_pinned=True).order_by().values_list("pk", flat=True))
    return (
        public_stories()
        .filter(recent | Q(pk__in=pinned))
        .only(*CARD_FIELDS)
        .order_by("-is_pinned", "-velocity", "-last_seen_at", "-id")
    )


@dataclass
class Card:
    story: Story
    spark: list[float] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        return change_since_first_seen(self.story.first_velocity, self.story.velocity)


def cards(stories: list[Story], now: datetime) -> list[Card]:
    """Stories with their last SPARK_HOURS of velocity: one query for the page."""
    if not stories:
        return []
    curves: dict[int, list[float]] = defaultdict(list)
    rows = (
        StorySnapshot.objects.filter(
            story_id__in=[s.pk for s in stories], hour__gte=now - timedelta(hours=SPARK_HOURS)
        )
        .order_by("hour")
        .values_list("story_id", "velocity")
    )
    for story_id, velocity in rows:
        curves[story_id].append(velocity)
    return [Card(story, curves[story.pk]) for story in stories]


def snapshots(story: Story) -> list[Point]:
    rows = StorySnapshot.objects.filter(story=story).order_by("hour").values_list("hour", "velocity")
    return [Point(hour, velocity) for hour, velocity in rows]


@dataclass
class CoverageEntry:
    article: Article
    number: int
    copies: list[Article] = field(default_factory=list)

    @property
    def safe_url(self) -> str:
        return self.article.url if is_web_url(self.article.url) else ""


COVERAGE_FIELDS = (
    "id",
    "title",
    "url",
    "published_at",
    "duplicate_of_id",
    "source__name",
    "source__domain",
    "story_id",
)


def _coverage_rows(articles: QuerySet) -> QuerySet:
    return articles.select_related("source").only(*COVERAGE_FIELDS).order_by("-published_at", "-id")


def originals(story: Story) -> QuerySet:
    """The story's articles that are not a syndicated copy of another article
    in it: one entry each on the coverage list."""
    return Article.objects.filter(story=story).exclude(duplicate_of__story=story)


def coverage_page(story: Story, start: int, size: int) -> list[CoverageEntry]:
    """Entries start+1 … start+size of the coverage list (see coverage), in
    two queries whatever the story's size; numbered across the whole list."""
    rows = list(_coverage_rows(originals(story))[start : start + size])
    copies: dict[int, list[Article]] = defaultdict(list)
    if rows:
        # By duplicate_of only (its index), the story checked here: filtering
        # on the story too lets the database walk all the story's articles.
        copied = Article.objects.filter(duplicate_of__in=[a.pk for a in rows])
        for copy in _coverage_rows(copied):
            if copy.story_id == story.pk:
                copies[copy.duplicate_of_id].append(copy)
    return [CoverageEntry(a, start + i + 1, copies[a.pk]) for i, a in enumerate(rows)]


def coverage_numbers(story: Story, article_ids) -> dict[int, int]:
    """Article id → its number on the whole coverage list (a copy shares its
    original's) for these articles of the story, in two queries: an entry's
    number is one more than the count of originals listed before it."""
    rows = Article.objects.filter(story=story, pk__in=list(article_ids)).values_list(
        "id", "published_at", "duplicate_of_id", "duplicate_of__story_id", "duplicate_of__published_at"
    )
    place = {}  # article id → (published_at, id) of its entry's original
    for pk, published_at, copy_of, copy_of_story, original_published_at in rows:
        if copy_of is not None and copy_of_story == story.pk:
            place[pk] = (original_published_at, copy_of)
        else:
            place[pk] = (published_at, pk)
    if not place:
        return {}
    entries = sorted(set(place.values()))
    before = originals(story).aggregate(
        **{
            f"n{i}": Count("id", filter=Q(published_at__gt=when) | Q(published_at=when, id__gt=pk))
            for i, (when, pk) in enumerate(entries)
        }
    )
    number = {entry: before[f"n{i}"] + 1 for i, entry in enumerate(entries)}
    return {pk: number[entry] for pk, entry in place.items()}


def coverage(story: Story) -> list[CoverageEntry]:
    """Every article newest first, syndicated copies under their original
    (a copy whose original is in another story stands on its own)."""
    articles = list(_coverage_rows(Article.objects.filter(story=story)))
    present = {a.pk for a in articles}
    entries: list[CoverageEntry] = []
    by_id: dict[int, CoverageEntry] = {}
    copies: dict[int, list[Article]] = defaultdict(list)
    for article in articles:
        if article.duplicate_of_id in present:
            copies[article.duplicate_of_id].append(article)
            continue
        entry = CoverageEntry(article, len(entries) + 1)
        entries.append(entry)
        by_id[article.pk] = entry
    for original_id, copied in copies.items():
        by_id[original_id].copies = copied
    return entries


def citation_numbers(entries: list[CoverageEntry]) -> dict[int, int]:
    """Article id → its number on the coverage list (copies share their original's)."""
    numbers = {}
    for entry in entries:
        numbers[entry.article.pk] = entry.number
        for copy in entry.copies:
            numbers[copy.pk] = entry.number
    return numbers


def story_topics(story: Story) -> list[Topic]:
    return list(
        Topic.objects.filter(story_topics__story=story).order_by("-story_topics__weight", "name")[:12]
    )


# Related trends share a named topic (a person, organisation or place) and
# are close in content: their centroids' cosine similarity is at least this.
RELATED_MIN_SIMILARITY = 0.45
RELATED_CANDIDATES = 40
# Related trends are the story's contemporaries: first seen no more than this
# many days before its last article (the clustering keeps a story open 72 h
# after its last one), which bounds the query however long the history.
RELATED_DAYS = 3
NAMED_KINDS = (Topic.Kind.PERSON, Topic.Kind.ORGANISATION, Topic.Kind.PLACE)


# What the related list shows, and the centroid to compare: the candidates are
# grouped and sorted in the database, and a card's brief made those rows wide
# enough to spill the sort to disk on PostgreSQL at a million articles.
RELATED_FIELDS = ("id", "headline", "lifecycle", "velocity", "centroid_sum")


def related(story: Story, topics: list[Topic], *, limit: int = 5) -> list[Story]:
    """Other listed stories that share a named topic with this one and are
    close in content, most shared topics first, then the closest. One query:
    the candidates sharing a topic, with their centroids."""
    named = [t for t in topics if t.kind in NAMED_KINDS]
    own = _unit(story.centroid_sum)
    if not named or own is None:
        return []
    span = timedelta(days=RELATED_DAYS)
    window = (story.last_seen_at - span, story.last_seen_at + span)
    candidates = list(
        listed_stories()
        .exclude(pk=story.pk)
        .filter(
            first_seen_at__range=window,
            story_topics__topic__in=named,
            story_topics__story_id__gte=_first_story_id_in(window),
        )
        .annotate(shared=Count("story_topics"))
        .only(*RELATED_FIELDS)
        .order_by("-shared", "-velocity", "-id")[:RELATED_CANDIDATES]
    )
    close = []
    for other in candidates:
        vector = _unit(other.centroid_sum)
        similarity = float(vector @ own) if vector is not None else -1.0
        if similarity >= RELATED_MIN_SIMILARITY:
            close.append((other.shared, similarity, other))
    close.sort(key=lambda item: (-item[0], -item[1], item[2].pk))
    return [other for _shared, _similarity, other in close[:limit]]


def _first_story_id_in(window: tuple[datetime, datetime]) -> int:
    """The lowest id of the stories first seen in the window: each named
    topic's links are read from it on, an index range that follows time
    (ids grow with time), rather than over the topic's whole history."""
    return Story.objects.filter(first_seen_at__range=window).aggregate(first=Min("id"))["first"] or 0


def _unit(centroid_sum) -> np.ndarray | None:
    vector = from_bytes(centroid_sum)
    if vector is None or not vector.size:
        return None
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None


def topic_stories(topic: Topic) -> QuerySet:
    return (
        listed_stories()
        .filter(story_topics__topic=topic)
        .only(*CARD_FIELDS)
        .order_by("-is_pinned", "-velocity", "-last_seen_at", "-id")
    )


def cited_articles(briefs: list[dict]) -> dict[int, Article]:
    """The articles the given briefs cite, in one query (for the digest)."""
    ids = {aid for brief in briefs for line in brief for aid in line.get("citations", [])}
    if not ids:
        return {}
    rows = (
        Article.objects.filter(pk__in=ids)
        .select_related("source")
        .only("id", "title", "url", "published_at", "source__name")
    )
    return {a.pk: a for a in rows}
