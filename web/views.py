"""The readers' pages. Server-rendered, cacheable (ETag, short max-age) and
a fixed number of SQL queries each, whatever the size of the database."""

from datetime import UTC, date, datetime, time

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from ingest import clock
from ingest.health import crawl_health
from trends.measure import forecast, velocity
from trends.measure.track_record import forecast_track_record
from trends.models import CATEGORIES, Story, Topic
from trends.page_versions import story_key
from trends.words.briefs import Brief, digest_lines
from trends.words.topics import MIN_ARTICLES as TOPIC_MIN_ARTICLES
from web import charts, digest
from web.caching import ONE_STORY, cacheable, depends_on, kept_until_story_changes
from web.queries import (
    MIN_ARTICLES,
    PAGE_SIZE,
    cards,
    citation_numbers,
    cited_articles,
    coverage_numbers,
    coverage_page,
    live_trends,
    originals,
    related,
    snapshots,
    story_topics,
    topic_stories,
)
from web.search import search

CATEGORY_NAMES = dict(CATEGORIES)
DIGEST_SIZE = 10
# Entries on a trend page; the rest are on its coverage pages, this many a page.
COVERAGE_ON_PAGE = 25
COVERAGE_PAGE_SIZE = 100


def _paged(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _list_page(request, template, queryset, now, **context):
    page = _paged(request, queryset)
    context.update({"page": page, "cards": cards(list(page.object_list), now), "now": now})
    return render(request, template, context)


@cacheable
def front_page(request):
    now = clock.now()
    category = request.GET.get("category", "")
    stories = live_trends(now)
    if category in CATEGORY_NAMES:
        stories = stories.filter(category=category)
    else:
        category = ""
    # Readers learn why nothing new appears when most feeds fail; editors get the feeds.
    crawl = crawl_health(details=request.user.is_staff)
    return _list_page(request, "trends/front.html", stories, now, category=category, crawl=crawl)


@cacheable
def category_page(request, slug):
    if slug not in CATEGORY_NAMES:
        raise Http404("no such category")
    now = clock.now()
    stories = live_trends(now).filter(category=slug)
    return _list_page(
        request,
        "trends/category.html",
        stories,
        now,
        category=slug,
        category_name=CATEGORY_NAMES[slug],
    )


@cacheable
def topic_page(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    now = clock.now()
    return _list_page(request, "trends/topic.html", topic_stories(topic), now, topic=topic)


@cacheable
def search_page(request):
    now = clock.now()
    query = " ".join(request.GET.get("q", "").split())[:200]
    if not query:
        return render(request, "trends/search.html", {"query": "", "page": None, "cards": [], "now": now})
    return _list_page(
        request,
        "trends/search.html",
        search(query, now),
        now,
        query=query,
        empty_message=f"No trends match “{query}”.",
    )


def _story_for_reader(request, pk, view_name: str):
    """(story, None), or (None, a redirect to the same view of the story it
    was merged into); a hidden story is not found, except by editors."""
    story = get_object_or_404(Story, pk=pk)
    if story.merged_into_id:
        return None, redirect(view_name, pk=story.merged_into_id)
    if story.is_hidden and not request.user.has_perm("trends.change_story"):
        raise Http404("no such trend")
    return story, None


@cacheable(scope=ONE_STORY)
def story_page(request, pk):
    story, merged = _story_for_reader(request, pk, "trends:story")
    if merged:
        return merged
    now = clock.now()
    # The newest entries only: a story of thousands of articles links to its
    # full coverage pages instead (story_coverage).
    entries = coverage_page(story, 0, COVERAGE_ON_PAGE + 1)
    more_coverage = len(entries) > COVERAGE_ON_PAGE
    entries = entries[:COVERAGE_ON_PAGE]
    numbers = citation_numbers(entries)
    topics = story_topics(story)
    brief = Brief.from_dict(story.brief)
    cited = {aid for line in brief.cited_lines() for aid in line.citations}
    older = sorted(cited - numbers.keys())
    if older:
        numbers.update(
            kept_until_story_changes(
                story.pk, f"coverage-numbers:{older}", lambda: coverage_numbers(story, older)
            )
        )
    related_stories = related(story, topics)
    depends_on(request, [story_key(other.pk) for other in related_stories])
    context = {
        "story": story,
        "now": now,
        "change": velocity.change_since_first_seen(story.first_velocity, story.velocity),
        "chart": charts.velocity_chart(snapshots(story)),
        "brief": brief,
        "numbers": numbers,
        "citation_href": CitationLinks(story, shown=len(entries)),
        "coverage": entries,
        "more_coverage": more_coverage,
        "outlets": story.source_count,
        "topics": topics,
        "related": related_stories,
    }
    return render(request, "trends/story.html", context)


class CitationLinks:
    """Where citation [n] points: the entry on this page, or on the story's
    full coverage pages when it is older than the entries shown here."""

    do_not_call_in_templates = True

    def __init__(self, story: Story, shown: int):
        self.shown = shown
        self.coverage_url = reverse("trends:story_coverage", args=[story.pk])

    def __call__(self, number: int) -> str:
        if number <= self.shown:
            return f"#ref-{number}"
        page = (number - 1) // COVERAGE_PAGE_SIZE + 1
        return f"{self.coverage_url}?page={page}#ref-{number}"


@cacheable(scope=ONE_STORY)
def story_coverage(request, pk):
    """Every entry of a story's coverage, COVERAGE_PAGE_SIZE at a time."""
    story, merged = _story_for_reader(request, pk, "trends:story_coverage")
    if merged:
        return merged
    page = Paginator(originals(story).order_by("-published_at", "-id"), COVERAGE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = coverage_page(story, page.start_index() - 1, COVERAGE_PAGE_SIZE) if page.paginator.count else []
    context = {"story": story, "now": clock.now(), "page": page, "coverage": entries}
    return render(request, "trends/coverage.html", context)


@cacheable
def how_it_works(request):
    track_record = forecast_track_record(clock.now())
    context = {
        "v": velocity,
        "topic_min_articles": TOPIC_MIN_ARTICLES,
        "fade_share_percent": round(forecast.FADE_SHARE * 100),
        "peak_share_percent": round(velocity.PEAK_SHARE * 100),
        "peak_drop_percent": round((1 - velocity.PEAK_SHARE) * 100),
        "faded_share_percent": round(velocity.FADED_SHARE * 100),
        "rising_growth_percent": round((velocity.RISING_GROWTH - 1) * 100),
        "track_record": track_record,
        "min_articles": MIN_ARTICLES,
    }
    return render(request, "trends/how.html", context)


@cacheable
def digest_page(request, day: str | None = None):
    """A day's top stories (days on Surge's clock, UTC), two sentences each,
    with source references numbered across the whole digest. Without a day:
    the latest day that has trends."""
    now = clock.now()
    today = now.date()
    if day is None:
        shown = digest.latest_day(now) or today
    else:
        try:
            shown = date.fromisoformat(day)
        except ValueError:
            raise Http404("no such day") from None
        if shown > today:
            raise Http404("that day has not come yet")
    day_start = datetime.combine(shown, time.min, tzinfo=UTC)
    stories = digest.day_stories(shown, DIGEST_SIZE)
    lines_by_story = [(story, digest_lines(story.brief or {}, headline=story.headline)) for story in stories]
    articles = cited_articles([lines for _story, lines in lines_by_story])
    references, number_of = [], {}
    items = []
    for story, lines in lines_by_story:
        shown_lines = []
        for line in lines:
            refs = []
            for aid in line.get("citations", []):
                if aid not in articles:
                    continue
                if aid not in number_of:
                    references.append(articles[aid])
                    number_of[aid] = len(references)
                refs.append(number_of[aid])
            shown_lines.append({"text": line["text"], "refs": refs, "by_editor": bool(line.get("by_editor"))})
        items.append({"story": story, "lines": shown_lines})
    previous_day, next_day = digest.neighbour_days(shown, now)
    context = {
        "now": now,
        "day": day_start,
        "is_today": shown == today,
        "items": items,
        "references": [(number_of[a.pk], a) for a in references],
        "previous_day": previous_day,
        "next_day": next_day,
    }
    return render(request, "trends/digest.html", context)
