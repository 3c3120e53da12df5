"""Feeds for programs: RSS 2.0 and Atom (django.contrib.syndication) and
JSON Feed 1.1, for the top trends, each category, each topic and each
trend's coverage.

Titles are plain text (the feed generator XML-escapes them); descriptions
are HTML by convention, so our text is HTML-escaped before it goes in, and
a link from a feed we read is passed on only when it is http(s)."""

from django.contrib.syndication.views import Feed
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from ingest import clock
from ingest.canonical import is_web_url
from ingest.models import Article
from trends.models import CATEGORIES, Story, Topic
from trends.words.briefs import Brief, as_sentence
from web.caching import ONE_STORY, cacheable
from web.queries import live_trends, public_stories, topic_stories

FEED_SIZE = 30
CATEGORY_NAMES = dict(CATEGORIES)
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def story_summary(story: Story) -> str:
    """Plain text: the dek and the brief's first sentences."""
    sentences = [as_sentence(line.text) for line in Brief.from_dict(story.brief).happened[:2]]
    return " ".join(part for part in [story.dek, *sentences] if part)


def story_brief_html(story: Story) -> str:
    """The brief as a feed reader shows it: the dek, what happened, what to
    watch and how it was made, every piece of text escaped."""
    brief = Brief.from_dict(story.brief)
    parts = [f"<p>{escape(story.dek)}</p>"] if story.dek else []
    if brief.happened:
        happened = " ".join(escape(as_sentence(line.text)) for line in brief.happened)
        parts.append(f"<p><strong>What happened:</strong> {happened}</p>")
    if brief.watch:
        watch = " ".join(escape(as_sentence(line.text)) for line in brief.watch)
        parts.append(f"<p><strong>What to watch:</strong> {watch}</p>")
    if brief.happened:
        parts.append(f"<p><small>{escape(brief.method)}</small></p>")
    return "".join(parts) or escape(story.headline)


def story_brief_data(story: Story) -> dict:
    """The brief's sections as plain data, for the JSON Feed's _surge object."""
    brief = Brief.from_dict(story.brief)
    return {
        "happened": [line.text for line in brief.happened],
        "timeline": [{"at": e.at.isoformat(), "source": e.source, "text": e.text} for e in brief.timeline],
        "angles": [{"words": a.words, "sources": a.sources, "text": a.text} for a in brief.angles],
        "watch": [line.text for line in brief.watch],
        "answers": [{"question": a.question, "answer": a.answer} for a in brief.answers],
        "method": brief.method,
    }


# --- What each feed lists (shared by RSS, Atom and JSON Feed) --------------


class TrendSource:
    """A list of stories: top trends, one category or one topic."""

    def __init__(self, kind: str, key: str = ""):
        self.kind, self.key = kind, key
        self.topic = None
        if kind == "category" and key not in CATEGORY_NAMES:
            raise Http404("no such category")
        if kind == "topic":
            self.topic = get_object_or_404(Topic, slug=key)

    @property
    def title(self) -> str:
        if self.kind == "category":
            return f"Trending in {CATEGORY_NAMES[self.key]}"
        if self.kind == "topic":
            return f"Trends about {self.topic.name}"
        return "Top trends"

    @property
    def page_url(self) -> str:
        if self.kind == "category":
            return reverse("trends:category", args=[self.key])
        if self.kind == "topic":
            return reverse("trends:topic", args=[self.key])
        return reverse("trends:front")

    def stories(self) -> list[Story]:
        now = clock.now()
        if self.kind == "topic":
            stories = topic_stories(self.topic)
        else:
            stories = live_trends(now)
            if self.kind == "category":
                stories = stories.filter(category=self.key)
        return list(stories[:FEED_SIZE])


class TrendsRss(Feed):
    description = "News stories spreading fastest, measured hourly by article rate × source diversity."

    def get_object(self, request, kind="top", key=""):
        return TrendSource(kind, key)

    def title(self, source):
        return source.title

    def link(self, source):
        return source.page_url

    def items(self, source):
        return source.stories()

    def item_title(self, story):
        return story.headline

    def item_description(self, story):
        return story_brief_html(story)

    def item_link(self, story):
        return story.get_absolute_url()

    def item_pubdate(self, story):
        return story.first_seen_at

    def item_updateddate(self, story):
        return story.last_seen_at

    def item_categories(self, story):
        return [story.get_category_display()]


class TrendsAtom(TrendsRss):
    feed_type = Atom1Feed
    subtitle = TrendsRss.description


class CoverageRss(Feed):
    def get_object(self, request, pk):
        story = get_object_or_404(public_stories(), pk=pk)
        return story

    def title(self, story):
        return f"Coverage: {story.headline}"

    def link(self, story):
        return story.get_absolute_url()

    def description(self, story):
        return story.dek or story.headline

    def items(self, story):
        return list(
            Article.objects.filter(story=story)
            .select_related("source")
            .order_by("-published_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, article):
        return f"{article.source.name}: {article.title}"

    def item_description(self, article):
        return escape(article.summary or article.title)

    def item_link(self, article):
        return article.url if is_web_url(article.url) else reverse("trends:story", args=[article.story_id])

    def item_guid(self, article):
        return f"surge-article-{article.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, article):
        return article.published_at


class CoverageAtom(CoverageRss):
    feed_type = Atom1Feed

    def subtitle(self, story):
        return story.dek or story.headline


top_rss = cacheable(TrendsRss())
top_atom = cacheable(TrendsAtom())
story_rss = cacheable(CoverageRss(), scope=ONE_STORY)
story_atom = cacheable(CoverageAtom(), scope=ONE_STORY)


# --- JSON Feed 1.1 ----------------------------------------------------------


def _json_feed(request, *, title, page_url, description, items):
    feed = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": request.build_absolute_uri(page_url),
        "feed_url": request.build_absolute_uri(request.path),
        "description": description,
        "language": "en",
        "items": items,
    }
    response = JsonResponse(feed, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/feed+json; charset=utf-8"
    return response


@cacheable
def trends_json_feed(request, kind="top", key=""):
    source = TrendSource(kind, key)
    items = []
    for story in source.stories():
        url = request.build_absolute_uri(story.get_absolute_url())
        items.append(
            {
                "id": url,
                "url": url,
                "title": story.headline,
                "content_text": story_summary(story) or story.headline,
                "content_html": story_brief_html(story),
                "date_published": story.first_seen_at.isoformat(),
                "date_modified": story.last_seen_at.isoformat(),
                "tags": [story.get_category_display(), story.get_lifecycle_display()],
                "_surge": {
                    "velocity": story.velocity,
                    "lifecycle": story.lifecycle,
                    "brief": story_brief_data(story),
                },
            }
        )
    return _json_feed(
        request,
        title=source.title,
        page_url=source.page_url,
        description=TrendsRss.description,
        items=items,
    )


@cacheable(scope=ONE_STORY)
def story_json_feed(request, pk):
    story = get_object_or_404(public_stories(), pk=pk)
    articles = Article.objects.filter(story=story).select_related("source").order_by("-published_at", "-id")
    items = []
    for article in articles[:FEED_SIZE]:
        item = {
            "id": f"surge-article-{article.pk}",
            "title": f"{article.source.name}: {article.title}",
            "content_text": article.summary or article.title,
            "date_published": article.published_at.isoformat(),
            "authors": [{"name": article.source.name}],
        }
        if is_web_url(article.url):
            item["url"] = article.url
        items.append(item)
    return _json_feed(
        request,
        title=f"Coverage: {story.headline}",
        page_url=story.get_absolute_url(),
        description=story.dek or story.headline,
        items=items,
    )
