"""The trend page: its layout, brief, answers, coverage and topics, and escaping
of hostile feed titles, on six real hours of the newsriver stream."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from ingest.models import Article
from tests import sitedata
from tests.sitedata import NOW, PAYLOAD
from trends.models import Story, StoryTopic
from web.queries import _unit, listed_stories, originals
from web.views import COVERAGE_ON_PAGE

site_data = sitedata.site_data  # the module-scoped fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ESCAPED_PAYLOAD = "&lt;script&gt;alert(1)&lt;/script&gt;"


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
        'id="topics"',
        'id="coverage"',
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
    assert "every sentence is copied from the coverage and cites its article" in brief


def test_quick_answers_are_answered_with_citations_or_said_unanswered_once(client, site_data):
    html = client.get(reverse("trends:story", args=[site_data["venezuela"].pk])).text
    answers = html[html.index('id="quick-answers"') : html.index('id="coverage"')]
    assert 2 <= answers.count("<dt>") <= 4
    answered = re.findall(r"<dd>(.*?)</dd>", answers, re.S)
    unanswered = [a for a in answered if "The coverage does not say yet." in a]
    assert len(unanswered) <= 1
    assert all('class="citations"' in a for a in answered if a not in unanswered)


def _coverage_times(html: str) -> list[str]:
    return re.findall(
        r'<li id="ref-\d+" class="coverage-item"[^>]*>\s*'
        r'<span class="outlet">[^<]*</span>\s*<time datetime="([^"]+)"',
        html[html.index('id="coverage"') :],
    )


def test_coverage_is_newest_first_and_groups_syndicated_copies(client, site_data):
    story = site_data["venezuela"]
    articles = list(Article.objects.filter(story=story).order_by("-published_at"))
    assert len(articles) - 1 > COVERAGE_ON_PAGE, "the story must be longer than one page of coverage"
    original, copy = articles[0], articles[1]
    Article.objects.filter(pk=copy.pk).update(duplicate_of=original)
    html = client.get(reverse("trends:story", args=[story.pk])).text
    times = _coverage_times(html)
    assert times == sorted(times, reverse=True)
    assert len(times) == COVERAGE_ON_PAGE
    assert "1 syndicated copy" in html[html.index('id="coverage"') :]
    # The rest is one link away, numbered as on the trend page.
    all_url = reverse("trends:story_coverage", args=[story.pk])
    assert f'href="{all_url}"' in html and f"All {story.article_count} articles" in html
    full = client.get(all_url).text
    all_times = _coverage_times(full)
    assert all_times == sorted(all_times, reverse=True)
    assert len(all_times) == len(articles) - 1
    assert all_times[:COVERAGE_ON_PAGE] == times
    assert "1 syndicated copy" in full


def test_trend_page_html_stays_small_however_long_the_coverage(client, site_data):
    story = site_data["venezuela"]
    html = client.get(reverse("trends:story", args=[story.pk])).text
    full = client.get(reverse("trends:story_coverage", args=[story.pk])).text
    assert html.count('class="coverage-item"') == COVERAGE_ON_PAGE
    assert full.count('class="coverage-item"') > COVERAGE_ON_PAGE


def test_topics_link_to_topic_pages_listing_the_story(client, site_data):
    story = site_data["venezuela"]
    link = StoryTopic.objects.filter(story=story).select_related("topic").order_by("-weight").first()
    html = client.get(reverse("trends:story", args=[story.pk])).text
    topic_url = reverse("trends:topic", args=[link.topic.slug])
    assert f'href="{topic_url}"' in html
    assert f'id="trend-{story.pk}"' in client.get(topic_url).text


def test_related_trends_share_topics(client, site_data):
    story = site_data["venezuela"]
    # The nearest other story in content, given one of the story's places as
    # the words stage would (which stories the stream's seven hours leave
    # related depends on the clustering).
    place = StoryTopic.objects.filter(story=story, topic__kind="place").select_related("topic").first()
    own = _unit(story.centroid_sum)
    nearest = max(
        listed_stories().exclude(pk__in=[story.pk, site_data["hostile_story"].pk]),
        key=lambda other: float(_unit(other.centroid_sum) @ own),
    )
    link = StoryTopic.objects.create(story=nearest, topic=place.topic, weight=1.0)
    try:
        html = client.get(reverse("trends:story", args=[story.pk])).text
    finally:
        link.delete()
    related = html[html.index('id="related"') :]
    other_ids = [int(i) for i in re.findall(r'href="/trend/(\d+)/"', related[: related.index("</section>")])]
    assert nearest.pk in other_ids and story.pk not in other_ids
    topics = set(StoryTopic.objects.filter(story=story).values_list("topic_id", flat=True)) | {place.topic_id}
    for other in other_ids:
        assert other == nearest.pk or StoryTopic.objects.filter(story_id=other, topic_id__in=topics).exists()


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


# --- How the brief reads ----------------------------------------------------------


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

    paragraphs = " ".join(re.findall(r'<p class="brief-(?:happened|watch)">(.*?)</p>', section, re.S))
    spans = re.findall(
        r'<span class="brief-sentence[^"]*">(.*?)(?:<sup|<span class="editor-mark"|</span>)', paragraphs
    )
    answers = re.findall(r"<dd>(.*?)(?:<sup|</dd>)", section, re.S)
    return [html_lib.unescape(t).strip() for t in spans + answers]


def test_headline_sentences_each_end_with_a_full_stop(client, restored_brief):
    story = restored_brief
    stored = [s["text"] for s in story.brief["sentences"] + story.brief["watch_next"]]
    stored += [a["answer"] for a in story.brief["answers"]]
    assert any(not re.search(r"[.!?…]\W*$", t) for t in stored), "the real brief should hold bare headlines"
    html = client.get(reverse("trends:story", args=[story.pk])).text
    shown = _sentence_texts(_section(html, 'id="brief"', 'id="coverage"'))
    assert len(shown) == len(stored)
    for text in shown:
        assert re.search(r"[.!?…][\"'”’)]*$", text), text


def test_an_angle_is_shown_under_its_name_with_a_capital(client, restored_brief):
    story = restored_brief
    cited = list(Article.objects.filter(story=story).values_list("pk", flat=True)[:2])
    angle = {"words": ["dozen feared dead"], "sources": ["BBC News", "Global News"], "articles": 8}
    angle |= {"text": "Several dozen feared dead in Swiss ski resort bar fire", "citations": cited}
    angles = [angle, dict(angle, words=["Sparkler"])]
    Story.objects.filter(pk=story.pk).update(brief=dict(story.brief, angles=angles))
    html = client.get(reverse("trends:story", args=[story.pk])).text
    shown = '<strong class="angle-words">Dozen feared dead</strong>: 8 articles from BBC News, Global News'
    assert shown in html


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
    # Entries past the trend page's share of the coverage are on the coverage pages.
    assert max(int(n) for n in shown) > COVERAGE_ON_PAGE
    full = client.get(reverse("trends:story_coverage", args=[story.pk])).text
    for number in shown:
        assert f'id="ref-{number}"' in (html if int(number) <= COVERAGE_ON_PAGE else full)


def test_citation_of_an_older_article_links_to_its_coverage_page(client, restored_brief):
    story = restored_brief
    oldest = Article.objects.filter(story=story, duplicate_of=None).order_by("published_at", "id").first()
    brief = dict(story.brief)
    brief["sentences"] = [dict(brief["sentences"][0], citations=[oldest.pk])] + brief["sentences"][1:]
    Story.objects.filter(pk=story.pk).update(brief=brief)
    html = client.get(reverse("trends:story", args=[story.pk])).text
    first = re.search(r'<span class="brief-sentence">.*?</sup>', html).group(0)
    link = re.search(r'<a href="([^"]+)" class="cite" aria-label="source (\d+)">', first)
    number = int(link.group(2))
    assert number == originals(story).count() > COVERAGE_ON_PAGE
    url, anchor = link.group(1).replace("&amp;", "&").split("#")
    assert url == reverse("trends:story_coverage", args=[story.pk]) + "?page=1"
    assert anchor == f"ref-{number}"
    page = client.get(url).text
    entry = page[page.index(f'id="{anchor}"') :]
    assert escape(oldest.title) in entry[: entry.index("</li>")]


def test_editor_written_sentence_is_marked_and_the_method_says_so(client, restored_brief):
    from editorial import operations as editorial

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
