"""The read-only JSON API. Answers are built through the typed shapes of
web/api_schema.py, from which web/openapi.py generates /api/openapi.json.
Conditional GET: every answer has an ETag, and a matching If-None-Match is
answered 304. Every error is JSON too, {"error": "..."}: a missing trend or
page (404), a bad parameter (400), a method other than GET or HEAD (405 with
Allow; the API takes no writes, so it needs no CSRF token), an unknown /api/
path and a crash (surge/urls.py's handlers)."""

from functools import wraps

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

from ingest import clock
from ingest.canonical import is_web_url
from trends.models import CATEGORIES, Lifecycle, StorySnapshot
from trends.words.briefs import Brief
from web import api_schema as shapes
from web.caching import ONE_STORY, cacheable
from web.queries import coverage, live_trends, public_stories, story_topics

API_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CATEGORY_CODES = {code for code, _ in CATEGORIES}


ALLOWED_METHODS = ("GET", "HEAD")
API_PREFIX = "/api/"


def api_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _bad_request(message: str) -> JsonResponse:
    return api_error(400, message)


def api_endpoint(view):
    """GET and HEAD only (405 with Allow for anything else), and a JSON 404.
    csrf_exempt: the methods that would need a token are refused here."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ALLOWED_METHODS:
            response = api_error(405, f"{request.method} is not allowed: the API is read-only (GET, HEAD)")
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        try:
            return view(request, *args, **kwargs)
        except Http404 as exc:
            return api_error(404, str(exc) or "not found")

    return csrf_exempt(wrapper)


def handler404(request, exception):
    """The site's 404 (surge/urls.py): JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return api_error(404, f"no such API resource: {request.path}")
    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith(API_PREFIX):
        return api_error(500, "internal error; it has been logged")
    return server_error(request)


def _story_summary(request, story) -> dict:
    return dict(
        id=story.pk,
        url=request.build_absolute_uri(story.get_absolute_url()),
        api_url=request.build_absolute_uri(f"/api/trends/{story.pk}/"),
        headline=story.headline,
        dek=story.dek,
        # Within the schema's enum whatever is stored.
        category=story.category if story.category in CATEGORY_CODES else "general",
        lifecycle=story.lifecycle,
        velocity=round(story.velocity, 4),
        first_velocity=round(story.first_velocity, 4),
        article_count=story.article_count,
        source_count=story.source_count,
        first_seen_at=story.first_seen_at,
        last_seen_at=story.last_seen_at,
        is_pinned=story.is_pinned,
        forecast=shapes.Forecast(
            outcome=story.forecast or None, probability_fades=story.forecast_probability
        ),
    )


def _json(shape: shapes.Shape) -> JsonResponse:
    return JsonResponse(shape.model_dump(mode="json"), json_dumps_params={"ensure_ascii": False})


@api_endpoint
@cacheable
def trends_list(request):
    """Live trends, pinned first then by velocity; filters: category,
    lifecycle, topic (slug); pagination: page, page_size."""
    stories = live_trends(clock.now())
    category = request.GET.get("category")
    if category:
        if category not in CATEGORY_CODES:
            return _bad_request(f"unknown category {category!r}")
        stories = stories.filter(category=category)
    lifecycle = request.GET.get("lifecycle")
    if lifecycle:
        if lifecycle not in Lifecycle.values:
            return _bad_request(f"unknown lifecycle {lifecycle!r}")
        stories = stories.filter(lifecycle=lifecycle)
    topic = request.GET.get("topic")
    if topic:
        stories = stories.filter(story_topics__topic__slug=topic)
    try:
        page_number = int(request.GET.get("page", "1"))
        page_size = min(int(request.GET.get("page_size", API_PAGE_SIZE)), MAX_PAGE_SIZE)
    except ValueError:
        return _bad_request("page and page_size must be whole numbers")
    if page_size < 1:
        return _bad_request("page_size must be at least 1")
    if page_number < 1:
        return _bad_request("page must be at least 1")
    paginator = Paginator(stories, page_size)
    try:
        page = paginator.page(page_number)
    except EmptyPage:
        raise Http404(f"no page {page_number}: there are {paginator.num_pages}") from None
    return _json(
        shapes.TrendPage(
            count=paginator.count,
            page=page.number,
            pages=paginator.num_pages,
            page_size=page_size,
            results=[shapes.TrendSummary(**_story_summary(request, s)) for s in page.object_list],
        )
    )


@api_endpoint
@cacheable(scope=ONE_STORY)
def trend_detail(request, pk):
    story = get_object_or_404(public_stories(), pk=pk)
    articles = [
        shapes.Article(
            id=article.pk,
            title=article.title,
            outlet=article.source.name,
            url=article.url if is_web_url(article.url) else None,
            published_at=article.published_at,
            copy_of=article.duplicate_of_id,
        )
        for entry in coverage(story)
        for article in [entry.article, *entry.copies]
    ]
    snapshots = [
        shapes.Snapshot(
            hour=s.hour,
            articles=s.articles,
            total_articles=s.total_articles,
            sources=s.sources,
            effective_sources=round(s.effective_sources, 4),
            article_rate=round(s.article_rate, 4),
            velocity=round(s.velocity, 4),
            lifecycle=s.lifecycle,
        )
        for s in StorySnapshot.objects.filter(story=story).order_by("hour")
    ]
    return _json(
        shapes.Trend(
            **_story_summary(request, story),
            brief=Brief.from_dict(story.brief).to_dict() if story.brief else None,
            brief_updated_at=story.brief_updated_at,
            brief_approved=story.brief_approved,
            topics=[shapes.Topic(name=t.name, slug=t.slug, kind=t.kind) for t in story_topics(story)],
            coverage=articles,
            snapshots=snapshots,
        )
    )
