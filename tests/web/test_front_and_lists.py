"""The list pages (front, category, search, digest, how it works) and the query
counts of every page, on six real hours of the newsriver stream."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ingest import clock
from ingest.models import Article
from tests import sitedata
from tests.factories import build_article, build_snapshot, build_story, make_source
from tests.sitedata import NOW
from trends.models import Story, StorySnapshot

site_data = sitedata.site_data  # the module-scoped fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_front_page_ranks_trends_by_velocity(client, site_data):
    response = client.get(reverse("trends:front"))
    assert response.status_code == 200
    ids = [int(i) for i in re.findall(r'<article class="trend-card" id="trend-(\d+)"', response.text)]
    assert site_data["venezuela"].pk in ids or any(
        "venezuela" in Story.objects.get(pk=i).headline.lower() for i in ids
    )
    velocities = [Story.objects.get(pk=i).velocity for i in ids]
    assert velocities == sorted(velocities, reverse=True)


def test_front_page_card_shows_badge_counts_change_and_sparkline(client, site_data):
    story = site_data["venezuela"]
    html = client.get(reverse("trends:front")).text
    card = html[html.index(f'id="trend-{story.pk}"') :]
    card = card[: card.index("</article>")]
    assert "badge-" in card and "sources" in card and "articles" in card and "velocity" in card
    assert "since first seen" in card or "new" in card
    assert '<svg class="sparkline"' in card
    assert f'href="{reverse("trends:story", args=[story.pk])}"' in card


def test_pinned_story_comes_first_and_hidden_and_merged_never_show(client, site_data):
    stories = list(Story.objects.filter(article_count__gte=2).order_by("velocity"))
    slowest, hidden, merged = stories[0], stories[-1], stories[-2]
    Story.objects.filter(pk=slowest.pk).update(is_pinned=True)
    Story.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Story.objects.filter(pk=merged.pk).update(merged_into=slowest)
    html = client.get(reverse("trends:front")).text
    ids = [int(i) for i in re.findall(r'id="trend-(\d+)"', html)]
    assert ids[0] == slowest.pk
    assert hidden.pk not in ids and merged.pk not in ids
    assert client.get(reverse("trends:story", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("trends:story", args=[merged.pk])).url == reverse(
        "trends:story", args=[slowest.pk]
    )


def test_category_filter_shows_only_that_category(client, site_data):
    story = site_data["venezuela"]
    saved = dict(Story.objects.values_list("pk", "category"))
    Story.objects.exclude(pk=story.pk).update(category="sport")
    Story.objects.filter(pk=story.pk).update(category="world")
    try:
        html = client.get(reverse("trends:front"), {"category": "world"}).text
        ids = [int(i) for i in re.findall(r'id="trend-(\d+)"', html)]
        assert ids == [story.pk]
        category_html = client.get(reverse("trends:category", args=["world"])).text
        assert re.findall(r'id="trend-(\d+)"', category_html) == [str(story.pk)]
        assert client.get(reverse("trends:category", args=["nonsense"])).status_code == 404
    finally:
        for pk, category in saved.items():
            Story.objects.filter(pk=pk).update(category=category)


def test_front_page_paginates(client, site_data, settings):
    import web.views

    original = web.views.PAGE_SIZE
    web.views.PAGE_SIZE = 1
    try:
        first = client.get(reverse("trends:front")).text
        second = client.get(reverse("trends:front"), {"page": 2}).text
    finally:
        web.views.PAGE_SIZE = original
    assert len(re.findall(r'class="trend-card"', first)) == 1
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert re.findall(r'id="trend-(\d+)"', first) != re.findall(r'id="trend-(\d+)"', second)


# --- Search, digest and how it works ---------------------------------------


def test_search_finds_headlines_and_brief_words(client, site_data):
    story = Story.objects.get(pk=site_data["venezuela"].pk)
    html = client.get(reverse("trends:search"), {"q": "caracas explosions"}).text
    assert f'id="trend-{story.pk}"' in html
    shown = f"{story.headline} {story.dek}".lower()
    brief_words = {w for s in story.brief["sentences"] for w in re.findall(r"[a-z]{5,}", s["text"].lower())}
    brief_only = sorted(w for w in brief_words if w not in shown)[0]
    assert f'id="trend-{story.pk}"' in client.get(reverse("trends:search"), {"q": brief_only}).text
    assert 'id="trend-' not in client.get(reverse("trends:search"), {"q": "zzqqxx nothing"}).text


def test_digest_gives_two_sentences_with_numbered_sources(client, site_data):
    html = client.get(reverse("trends:digest")).text
    items = re.findall(r'<li class="digest-item">(.*?)</li>', html, re.S)
    assert items
    for item in items:
        assert re.search(r'href="#source-\d+"', item)
    for number in set(re.findall(r'href="#source-(\d+)"', html)):
        assert f'id="source-{number}"' in html


def test_digest_lines_end_with_a_full_stop_and_fold_long_citation_runs(client, site_data):
    html = client.get(reverse("trends:digest")).text
    paragraphs = re.findall(r'<li class="digest-item">.*?<p>(.*?)</p>', html, re.S)
    assert paragraphs
    for paragraph in paragraphs:
        for text in re.split(r"<sup.*?</sup>", paragraph):
            if text.strip():
                assert re.search(r"[.!?…][\"'”’)]*$", text.strip()), text
        for run in re.findall(r"<sup.*?</sup>", paragraph):
            assert len(re.findall(r'href="#source-\d+"', run)) <= 3


def test_how_it_works_states_the_code_constants(client, site_data):
    from trends.measure import velocity

    html = client.get(reverse("trends:how")).text
    assert f"half as much after {velocity.RATE_HALF_LIFE_HOURS:.0f} hours" in html
    assert f"less than {velocity.EMERGING_HOURS} hours old" in html
    assert 'id="forecast-method"' in html and 'id="track-record"' in html


# --- Query counts -----------------------------------------------------------------


def _add_stories(count: int, articles_each: int, story: Story | None = None) -> None:
    """More stories, articles and snapshots, to check query counts don't grow."""
    source = make_source("bulk.example", name="Bulk Outlet")
    hour = NOW.replace(minute=0, second=0, microsecond=0)
    stories = [story] if story else []
    if not story:
        stories = Story.objects.bulk_create(
            [
                build_story(
                    f"Bulk story {i}",
                    first_seen_at=NOW - timedelta(hours=3),
                    last_seen_at=NOW - timedelta(minutes=5),
                    article_count=articles_each,
                    source_count=1,
                    velocity=0.01 * i,
                    category="general",
                )
                for i in range(count)
            ]
        )
    Article.objects.bulk_create(
        [
            build_article(
                source,
                s,
                f"Bulk article {a}",
                NOW - timedelta(minutes=a + 1),
                url=f"https://bulk.example/{s.pk}/{a}",
                fetched_at=NOW,
            )
            for s in stories
            for a in range(articles_each)
        ]
    )
    StorySnapshot.objects.bulk_create(
        [
            build_snapshot(
                s,
                hour - timedelta(hours=h),
                0.5,
                total_articles=articles_each,
                article_rate=1,
                lifecycle="rising",
            )
            for s in stories
            for h in range(1, 4)
        ],
        ignore_conflicts=True,
    )


def _queries(client, url) -> int:
    clock.reset_cache()  # the clock's row is cached for a second: count its query every time
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url_name",
    ["trends:front", "trends:digest", "trends:search"],
)
def test_list_page_queries_do_not_grow_with_stories(client, site_data, url_name):
    url = reverse(url_name) + ("?q=bulk" if url_name == "trends:search" else "")
    _add_stories(3, 2)
    few = _queries(client, url)
    _add_stories(60, 3)
    many = _queries(client, url)
    assert many == few


def test_trend_page_queries_do_not_grow_with_articles(client, site_data, django_assert_max_num_queries):
    story = site_data["venezuela"]
    url = reverse("trends:story", args=[story.pk])
    few = _queries(client, url)
    _add_stories(0, 80, story=story)
    clock.reset_cache()
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


# --- Search in briefs ---------------------------------------------------------------


def test_search_never_matches_the_briefs_json_keys(client, site_data):
    for key in ["citations", "supported_share", "by_editor"]:
        html = client.get(reverse("trends:search"), {"q": key}).text
        assert 'id="trend-' not in html, key


def test_search_finds_a_non_ascii_word_of_a_brief_sentence_in_any_case(client, site_data):
    from editorial import operations as editorial

    story = Story.objects.get(pk=site_data["venezuela"].pk)
    texts = [s["text"] for s in story.brief["sentences"]]
    editorial.edit_brief(story, None, [*texts, "Exiles marched through Zürich on Saturday."], NOW)
    for query in ["zürich", "ZÜRICH"]:
        html = client.get(reverse("trends:search"), {"q": query}).text
        assert f'id="trend-{story.pk}"' in html, query
