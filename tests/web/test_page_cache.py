"""The page cache: a reader's page is served from the cache until something
it shows changes, and every change shows on the next request: an editor's
retitle, a new article, a merge, a hidden story, the hourly pass. The tests
commit (transaction=True), as the site and the workers do."""

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial import operations as editorial
from ingest import clock
from ingest.models import Article, ReplayClock
from tests.factories import make_article, make_source, make_story
from trends import page_versions
from trends.measure.hourly import run_hourly_pass
from trends.models import Story, StoryTopic, Topic
from trends.stories.assignment import assigner
from trends.stories.embedding import DIMENSIONS
from trends.words.refresh import refresh_stories
from web.caching import cacheable

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 1, 3, 12, 30, tzinfo=UTC)
_outlets = itertools.count(1)


def _vector(*axes: int) -> np.ndarray:
    """A unit vector spread evenly over these axes."""
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[list(axes)] = 1.0
    return vector / np.linalg.norm(vector)


def _story(headline: str, axes: tuple[int, ...], articles: int, *, velocity: float = 1.0) -> Story:
    """An open story of `articles` articles from as many outlets, all telling it alike."""
    story = make_story(
        headline,
        NOW - timedelta(hours=6),
        _vector(*axes) * articles,
        last_seen_at=NOW - timedelta(hours=1),
        article_count=articles,
        source_count=articles,
        velocity=velocity,
    )
    for n in range(articles):
        _article(story, f"{headline} — report {n}", axes, NOW - timedelta(hours=6 - n % 5))
    return story


def _article(story: Story | None, title: str, axes: tuple[int, ...], published_at: datetime) -> Article:
    """From an outlet of its own; waiting for assignment when in no story."""
    source = make_source(f"outlet{next(_outlets)}.example")
    stage = Article.Stage.ASSIGNED if story else Article.Stage.EXTRACTED
    return make_article(source, story, title, published_at, _vector(*axes), stage=stage)


@pytest.fixture
def site():
    """Two stories sharing a topic and close in content (so each is the
    other's related trend), on a stopped replay clock: a page's minute never
    ends during a test."""
    ReplayClock.objects.create(simulated_start=NOW, real_start=NOW, speed=0.0)
    clock.reset_cache()
    storm = _story("Storm floods the coast", (0,), articles=4, velocity=3.0)
    vote = _story("Parliament votes on the budget", (0, 1), articles=3, velocity=2.0)
    topic = Topic.objects.create(name="Coast", slug="coast", kind=Topic.Kind.PLACE)
    StoryTopic.objects.create(story=storm, topic=topic, weight=2)
    StoryTopic.objects.create(story=vote, topic=topic, weight=1)
    yield {"storm": storm, "vote": vote}
    clock.reset_cache()


def _page(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.text


def test_second_request_is_answered_from_the_cache(client, site):
    url = reverse("trends:story", args=[site["storm"].pk])
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second.text == first.text and second["ETag"] == first["ETag"]
    assert not [q for q in queries.captured_queries if "trends_" in q["sql"] or "ingest_article" in q["sql"]]


def test_cached_page_answers_304_to_its_etag(client, site):
    url = reverse("trends:front")
    first = client.get(url)
    assert first["ETag"] and "max-age=60" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_editors_retitle_shows_on_the_next_request(client, site):
    storm = site["storm"]
    assert "Storm floods the coast" in _page(client, "trends:story", storm.pk)
    assert "Storm floods the coast" in _page(client, "trends:front")
    assert "Storm floods the coast" in _page(client, "trends:story", site["vote"].pk)  # related
    editorial.retitle(storm, None, "Coastal towns evacuated as the storm floods")
    for page in (
        _page(client, "trends:story", storm.pk),
        _page(client, "trends:front"),
        _page(client, "trends:story", site["vote"].pk),
    ):
        assert "Coastal towns evacuated as the storm floods" in page
        assert "Storm floods the coast" not in page.replace("Storm floods the coast — report", "")


def test_new_article_shows_on_the_next_request(client, site):
    storm = site["storm"]
    before = _page(client, "trends:story", storm.pk)
    assert "Rescue boats reach the flooded villages" not in before
    _page(client, "trends:front")
    article = _article(None, "Rescue boats reach the flooded villages", (0,), NOW)
    assert assigner.assign([article], NOW) == [storm.pk]
    page = _page(client, "trends:story", storm.pk)
    assert "Rescue boats reach the flooded villages" in page
    assert "<strong>5</strong> articles" in page
    front = _page(client, "trends:front")
    assert Story.objects.get(pk=storm.pk).article_count == 5
    card = front[front.index(f'id="trend-{storm.pk}"') :]
    assert "5 articles" in card[: card.index("</article>")]


def test_merge_shows_on_the_next_request(client, site):
    storm, vote = site["storm"], site["vote"]
    _page(client, "trends:story", storm.pk)
    _page(client, "trends:story", vote.pk)
    assert f'id="trend-{vote.pk}"' in _page(client, "trends:front")
    editorial.merge(vote, storm, None)
    response = client.get(reverse("trends:story", args=[vote.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("trends:story", args=[storm.pk])
    page = _page(client, "trends:story", storm.pk)
    assert "Parliament votes on the budget — report 0" in page
    assert "<strong>7</strong> articles" in page
    assert f'id="trend-{vote.pk}"' not in _page(client, "trends:front")


def test_hidden_story_is_gone_on_the_next_request(client, site):
    storm, vote = site["storm"], site["vote"]
    assert f'id="trend-{storm.pk}"' in _page(client, "trends:front")
    _page(client, "trends:story", storm.pk)
    related_url = reverse("trends:story", args=[storm.pk])
    assert f'href="{related_url}"' in _page(client, "trends:story", vote.pk)
    editorial.hide(storm, None)
    assert f'id="trend-{storm.pk}"' not in _page(client, "trends:front")
    assert client.get(reverse("trends:story", args=[storm.pk])).status_code == 404
    # The other story's page linked to it as a related trend: no longer.
    assert f'href="{related_url}"' not in _page(client, "trends:story", vote.pk)


def test_hourly_pass_shows_on_the_next_request(client, site):
    storm = site["storm"]
    page = _page(client, "trends:story", storm.pk)
    assert "velocity <strong>3.0</strong>" in page
    run_hourly_pass(NOW.replace(minute=0))
    measured = Story.objects.get(pk=storm.pk).velocity
    assert round(measured, 1) != 3.0
    assert f"velocity <strong>{measured:.1f}</strong>" in _page(client, "trends:story", storm.pk)


def test_editor_sees_a_fresh_page_never_the_cached_one(client, site):
    from django.contrib.auth.models import User
    from django.test import Client

    editor_client = Client()
    editor_client.force_login(User.objects.create_user("ed", password="a long editor password"))
    storm = site["storm"]
    _page(client, "trends:story", storm.pk)
    Story.objects.filter(pk=storm.pk).update(headline="Changed behind the cache")
    # Readers get the cached page until a version moves; an editor never does.
    assert "Storm floods the coast" in _page(client, "trends:story", storm.pk)
    response = editor_client.get(reverse("trends:story", args=[storm.pk]))
    assert "Changed behind the cache" in response.text
    assert "private" in response["Cache-Control"] and not response.has_header("ETag")


def test_page_built_while_a_version_moves_is_served_but_not_kept(site):
    builds = []

    @cacheable
    def listing_view(request):
        from django.http import HttpResponse

        builds.append(1)
        if len(builds) == 1:
            page_versions.bump([page_versions.LISTING])  # a writer committed meanwhile
        return HttpResponse(f"build {len(builds)}")

    request = RequestFactory().get("/listing-under-test/")
    request.user = _anonymous()
    assert listing_view(request).content == b"build 1"
    assert listing_view(request).content == b"build 2"  # not kept: built again
    assert listing_view(request).content == b"build 2"  # kept this time


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_word_refresh_shows_on_the_next_request(client, site):
    storm = site["storm"]
    assert '<h1 id="story-headline">Storm floods the coast</h1>' in _page(client, "trends:story", storm.pk)
    refresh_stories([storm.pk], NOW)
    headline = Story.objects.get(pk=storm.pk).headline
    assert headline.startswith("Storm floods the coast — report")
    assert f'<h1 id="story-headline">{headline}</h1>' in _page(client, "trends:story", storm.pk)
