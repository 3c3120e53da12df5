"""The readers' pages, on six real hours of the newsriver stream."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ingest.models import Article, Source
from surge import clock
from tests import sitedata
from tests.sitedata import NOW, PAYLOAD
from trends.models import Story, StorySnapshot, StoryTopic

site_data = sitedata.site_data  # the module-scoped fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ESCAPED_PAYLOAD = "&lt;script&gt;alert(1)&lt;/script&gt;"


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
    import trends.views

    original = trends.views.PAGE_SIZE
    trends.views.PAGE_SIZE = 1
    try:
        first = client.get(reverse("trends:front")).text
        second = client.get(reverse("trends:front"), {"page": 2}).text
    finally:
        trends.views.PAGE_SIZE = original
    assert len(re.findall(r'class="trend-card"', first)) == 1
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert re.findall(r'id="trend-(\d+)"', first) != re.findall(r'id="trend-(\d+)"', second)


def test_trend_page_shows_the_reference_layout_in_order(client, site_data):
    story = site_data["venezuela"]
    html = client.get(reverse("trends:story", args=[story.pk])).text
    markers = [
        'id="story-lifecycle"',
        'id="story-category"',
        'id="story-headline"',
        'id="story-counts"',
        "How fast coverage is spreading",
        'class="velocity-chart"',
        'id="brief"',
        'id="quick-answers"',
        'id="coverage"',
        'id="topics"',
    ]
    positions = [html.index(m) for m in markers]
    assert positions == sorted(positions)
    assert "since first seen" in html or "<strong>new</strong>" in html
    assert re.search(r"first detected <time[^>]*>\d+h ago</time>", html)
    assert reverse("trends:how") in html


def test_trend_page_times_follow_the_replay_clock(client, site_data):
    story = site_data["venezuela"]
    html = client.get(reverse("trends:story", args=[story.pk])).text
    hours = int((NOW - story.first_seen_at) / timedelta(hours=1))
    assert "first detected <time" in html and f">{hours}h ago</time>" in html


def test_brief_sentences_cite_articles_on_the_coverage_list(client, site_data):
    story = Story.objects.get(pk=site_data["venezuela"].pk)
    html = client.get(reverse("trends:story", args=[story.pk])).text
    brief = html[html.index('id="brief"') : html.index('id="quick-answers"')]
    cited = set(re.findall(r'href="#ref-(\d+)"', brief))
    assert cited
    for number in cited:
        assert f'id="ref-{number}"' in html
    for sentence in story.brief["sentences"]:
        assert Article.objects.filter(pk__in=sentence["citations"], story=story).exists()
    assert "Supported by the sources: 100%" in brief


def test_quick_answers_say_when_coverage_is_silent(client, site_data):
    html = client.get(reverse("trends:story", args=[site_data["venezuela"].pk])).text
    answers = html[html.index('id="quick-answers"') : html.index('id="coverage"')]
    assert answers.count("<dt>") == 3
    # No article in these hours looks ahead: the page must not invent a next step.
    assert "What happens next?</dt>" in answers
    assert "The coverage does not say." in answers


def test_coverage_is_newest_first_and_groups_syndicated_copies(client, site_data):
    story = site_data["venezuela"]
    articles = list(Article.objects.filter(story=story).order_by("-published_at"))
    original, copy = articles[0], articles[1]
    Article.objects.filter(pk=copy.pk).update(duplicate_of=original)
    html = client.get(reverse("trends:story", args=[story.pk])).text
    coverage = html[html.index('id="coverage"') :]
    times = re.findall(
        r'<li id="ref-\d+" class="coverage-item"[^>]*>\s*'
        r'<span class="outlet">[^<]*</span>\s*<time datetime="([^"]+)"',
        coverage,
    )
    assert times == sorted(times, reverse=True)
    assert len(times) == len(articles) - 1
    assert "1 syndicated copy" in coverage


def test_topics_link_to_topic_pages_listing_the_story(client, site_data):
    story = site_data["venezuela"]
    link = StoryTopic.objects.filter(story=story).select_related("topic").order_by("-weight").first()
    html = client.get(reverse("trends:story", args=[story.pk])).text
    topic_url = reverse("trends:topic", args=[link.topic.slug])
    assert f'href="{topic_url}"' in html
    assert f'id="trend-{story.pk}"' in client.get(topic_url).text


def test_related_trends_share_topics(client, site_data):
    story = site_data["venezuela"]
    html = client.get(reverse("trends:story", args=[story.pk])).text
    related = html[html.index('id="related"') :]
    other_ids = [int(i) for i in re.findall(r'href="/trend/(\d+)/"', related[: related.index("</section>")])]
    assert other_ids and story.pk not in other_ids
    topics = set(StoryTopic.objects.filter(story=story).values_list("topic_id", flat=True))
    for other in other_ids:
        assert StoryTopic.objects.filter(story_id=other, topic_id__in=topics).exists()


def test_search_finds_headlines_and_brief_words(client, site_data):
    story = Story.objects.get(pk=site_data["venezuela"].pk)
    html = client.get(reverse("trends:search"), {"q": "caracas explosions"}).text
    assert f'id="trend-{story.pk}"' in html
    shown = f"{story.headline} {story.dek}".lower()
    brief_words = {w for s in story.brief["sentences"] for w in re.findall(r"[a-z]{5,}", s["text"].lower())}
    brief_only = sorted(w for w in brief_words if w not in shown)[0]
    assert f'id="trend-{story.pk}"' in client.get(reverse("trends:search"), {"q": brief_only}).text
    assert 'id="trend-' not in client.get(reverse("trends:search"), {"q": "zzqqxx nothing"}).text


def test_how_it_works_states_the_code_constants(client, site_data):
    from trends import velocity

    html = client.get(reverse("trends:how")).text
    assert "article rate × source diversity" in html
    assert f"half-life of {velocity.RATE_HALF_LIFE_HOURS} hours" in html
    assert f"younger than {velocity.EMERGING_HOURS} hours" in html
    assert 'id="forecast-method"' in html and 'id="track-record"' in html


def test_digest_gives_two_sentences_with_numbered_sources(client, site_data):
    html = client.get(reverse("trends:digest")).text
    items = re.findall(r'<li class="digest-item">(.*?)</li>', html, re.S)
    assert items
    for item in items:
        assert re.search(r'href="#source-\d+"', item)
    for number in set(re.findall(r'href="#source-(\d+)"', html)):
        assert f'id="source-{number}"' in html


def test_script_in_a_feed_title_is_escaped_on_every_page(client, site_data):
    hostile = site_data["hostile_story"]
    topic_slug = StoryTopic.objects.filter(story=hostile).values_list("topic__slug", flat=True).first()
    urls = [
        reverse("trends:front"),
        reverse("trends:story", args=[hostile.pk]),
        reverse("trends:search") + "?q=zorblax",
        reverse("trends:digest"),
        reverse("trends:category", args=[hostile.category]),
    ]
    if topic_slug:
        urls.append(reverse("trends:topic", args=[topic_slug]))
    for url in urls:
        html = client.get(url).text
        assert PAYLOAD not in html, url
    story_html = client.get(reverse("trends:story", args=[hostile.pk])).text
    assert ESCAPED_PAYLOAD in story_html
    assert "javascript:" not in story_html


def test_page_answers_304_to_its_etag(client, site_data):
    url = reverse("trends:story", args=[site_data["venezuela"].pk])
    first = client.get(url)
    assert first["ETag"] and "max-age=60" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Story.objects.filter(pk=site_data["venezuela"].pk).update(headline="Changed")
    Story.objects.get(pk=site_data["venezuela"].pk).save()  # editors save: updated_at moves
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# --- Editors, messages and conditional GET ------------------------------------------


@pytest.fixture
def editor_client(site_data):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user("polish-editor", password="a long editor password", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client = Client()
    client.force_login(user)
    yield client
    user.delete()


def test_refused_editor_action_message_shows_instead_of_a_304(editor_client, site_data):
    story = site_data["venezuela"]
    url = reverse("trends:story", args=[story.pk])
    # Merging a story into itself is refused: nothing changes that the ETag hashes.
    editor_client.post(reverse("editor:merge", args=[story.pk]), {"other": str(story.pk)})
    response = editor_client.get(url, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 200
    assert "A story cannot be merged into itself." in response.text
    assert not response.has_header("ETag") and "private" in response["Cache-Control"]


def test_pending_message_skips_the_304_for_any_visitor(rf, site_data):
    from django.contrib import messages
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.cookie import CookieStorage

    from trends.views import story_page

    def request(with_message: bool):
        made = rf.get(reverse("trends:story", args=[site_data["venezuela"].pk]), HTTP_IF_NONE_MATCH="*")
        made.user = AnonymousUser()
        made._messages = CookieStorage(made)
        if with_message:
            messages.error(made, "Refused.")
        return made

    assert story_page(request(with_message=False), pk=site_data["venezuela"].pk).status_code == 304
    assert story_page(request(with_message=True), pk=site_data["venezuela"].pk).status_code == 200


# --- How the brief reads ------------------------------------------------------------------


@pytest.fixture
def restored_brief(site_data):
    """The Venezuela story, its brief and approval put back after the test."""
    story = Story.objects.get(pk=site_data["venezuela"].pk)
    saved = (story.brief, story.brief_approved, story.brief_updated_at)
    yield story
    Story.objects.filter(pk=story.pk).update(
        brief=saved[0], brief_approved=saved[1], brief_updated_at=saved[2]
    )


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end)]


def _sentence_texts(section: str) -> list[str]:
    """The words of each brief sentence or answer, citations left off."""
    import html as html_lib

    spans = re.findall(
        r'<span class="brief-sentence[^"]*">(.*?)(?:<sup|<span class="editor-mark"|</span>)', section
    )
    answers = re.findall(r"<dd>(.*?)(?:<sup|</dd>)", section, re.S)
    return [html_lib.unescape(t).strip() for t in spans + answers]


def test_headline_sentences_each_end_with_a_full_stop(client, restored_brief):
    story = restored_brief
    stored = [s["text"] for s in story.brief["sentences"]] + [a["answer"] for a in story.brief["answers"]]
    assert any(not re.search(r"[.!?…]\W*$", t) for t in stored), "the real brief should hold bare headlines"
    html = client.get(reverse("trends:story", args=[story.pk])).text
    shown = _sentence_texts(_section(html, 'id="brief"', 'id="coverage"'))
    assert len(shown) == len(stored)
    for text in shown:
        assert re.search(r"[.!?…][\"'”’)]*$", text), text


def test_long_citation_run_shows_three_links_and_a_link_to_the_rest(client, restored_brief):
    story = restored_brief
    article_ids = list(Article.objects.filter(story=story, duplicate_of=None).values_list("pk", flat=True))
    assert len(article_ids) > 5
    brief = dict(story.brief)
    brief["sentences"] = [dict(brief["sentences"][0], citations=article_ids)] + brief["sentences"][1:]
    Story.objects.filter(pk=story.pk).update(brief=brief)
    html = client.get(reverse("trends:story", args=[story.pk])).text
    first = re.search(r'<span class="brief-sentence">.*?</sup>', html).group(0)
    assert len(re.findall(r'href="#ref-\d+"', first)) == 3
    more = re.search(r'<a href="#coverage" class="cite cite-more" title="also sources ([\d, ]+)"', first)
    assert more and f"+{len(article_ids) - 3} more</a>" in first
    shown = re.findall(r'href="#ref-(\d+)"', first) + more.group(1).split(", ")
    assert len(set(shown)) == len(article_ids)
    for number in shown:
        assert f'id="ref-{number}"' in html


def test_editor_written_sentence_is_marked_and_the_method_says_so(client, restored_brief):
    from trends import editorial

    story = restored_brief
    kept = story.brief["sentences"][0]["text"]
    editorial.edit_brief(story, None, [kept, "The desk adds this line"], NOW)
    html = client.get(reverse("trends:story", args=[story.pk])).text
    brief = _section(html, 'id="brief"', 'id="quick-answers"')
    marked = re.findall(r'<span class="brief-sentence brief-sentence-editor">(.*?)</span></span>', brief)
    assert len(marked) == 1 and "The desk adds this line." in marked[0] and "editor-mark" in marked[0]
    assert 'class="citations"' not in marked[0]
    method = brief[brief.index('id="brief-method"') :]
    assert "1 sentence marked “editor” was written by an editor" in method
    assert "every sentence is copied" not in method


def test_unedited_brief_says_every_sentence_is_copied(client, restored_brief):
    html = client.get(reverse("trends:story", args=[restored_brief.pk])).text
    method = html[html.index('id="brief-method"') :]
    assert "every sentence is copied from the coverage" in method
    assert "editor-mark" not in html


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


def _add_stories(count: int, articles_each: int, story: Story | None = None) -> None:
    """More stories, articles and snapshots, to check query counts don't grow."""
    source, _ = Source.objects.get_or_create(domain="bulk.example", defaults={"name": "Bulk Outlet"})
    hour = NOW.replace(minute=0, second=0, microsecond=0)
    stories = [story] if story else []
    if not story:
        stories = Story.objects.bulk_create(
            [
                Story(
                    headline=f"Bulk story {i}",
                    first_seen_at=NOW - timedelta(hours=3),
                    last_seen_at=NOW - timedelta(minutes=5),
                    centroid_sum=b"",
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
            Article(
                source=source,
                url=f"https://bulk.example/{s.pk}/{a}",
                canonical_url=f"https://bulk.example/{s.pk}/{a}",
                title=f"Bulk article {a}",
                published_at=NOW - timedelta(minutes=a + 1),
                fetched_at=NOW,
                stage=Article.Stage.ASSIGNED,
                story=s,
            )
            for s in stories
            for a in range(articles_each)
        ]
    )
    StorySnapshot.objects.bulk_create(
        [
            StorySnapshot(
                story=s,
                hour=hour - timedelta(hours=h),
                articles=1,
                total_articles=articles_each,
                sources=1,
                effective_sources=1,
                article_rate=1,
                velocity=0.5,
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


def test_search_never_matches_the_briefs_json_keys(client, site_data):
    for key in ["citations", "supported_share", "by_editor"]:
        html = client.get(reverse("trends:search"), {"q": key}).text
        assert 'id="trend-' not in html, key


def test_search_finds_a_non_ascii_word_of_a_brief_sentence_in_any_case(client, site_data):
    from trends import editorial

    story = Story.objects.get(pk=site_data["venezuela"].pk)
    texts = [s["text"] for s in story.brief["sentences"]]
    editorial.edit_brief(story, None, [*texts, "Exiles marched through Zürich on Saturday."], NOW)
    for query in ["zürich", "ZÜRICH"]:
        html = client.get(reverse("trends:search"), {"q": query}).text
        assert f'id="trend-{story.pk}"' in html, query
