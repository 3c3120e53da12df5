"""The refresh re-derives a story's words, but an editor who locks a
headline, a category or a brief while it is deriving keeps their words; a
story's category comes from its feeds' hints, else from its content.

Real data: six hours of the newsriver stream (150 items) stored, embedded and clustered
through the pipeline's cores (no hourly pass: the refresh does not need one)."""

from datetime import UTC, datetime, timedelta

import pytest

from editorial import operations as editorial
from ingest.feeds import FeedItem
from ingest.models import Article, Feed
from ingest.polling import store_item
from lab.newsriver import read_stream
from tests.realdata import NEWSRIVER, _feed_for
from trends.models import CATEGORIES, Story
from trends.stories.assignment import assigner
from trends.stories.embedding import DIMENSIONS
from trends.stories.pipeline import embed_and_assign
from trends.words import categories, refresh

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

START = datetime(2026, 1, 3, 6, tzinfo=UTC)
END = START + timedelta(hours=6)


@pytest.fixture
def story(real_data):
    """The largest story of the morning, refreshed once so it has words."""
    assigner.reset()
    feeds = {}
    ids = []
    for item in read_stream(NEWSRIVER, start=START, end=END):
        feed = feeds.get(item.domain) or _feed_for(item, feeds)
        article_id = store_item(
            feed, FeedItem(item.link, item.link, item.title, "", item.published), item.first_seen
        )
        if article_id:
            ids.append(article_id)
    Article.objects.filter(pk__in=ids).update(stage=Article.Stage.EXTRACTED)
    refresh.refresh_stories(embed_and_assign(ids, END), END)
    found = Story.objects.order_by("-article_count", "pk").first()
    assert found.article_count >= 2, "the morning should hold a story told by several articles"
    # Words a refresh will replace, so the test sees whether it wrote them.
    Story.objects.filter(pk=found.pk).update(
        headline="stale headline", dek="stale dek", category="sport", brief={"sentences": []}
    )
    found.refresh_from_db()
    yield found
    assigner.reset()


def lock_everything_mid_refresh(monkeypatch, story):
    """Run the editor's actions after the refresh has read the story and
    derived its words, just before it writes them."""
    original = refresh.save_topics

    def editor_acts_then_save_topics(topics_by_story):
        editorial.retitle(story, None, "The editor's headline", "The editor's dek")
        editorial.recategorise(story, None, "politics")
        editorial.edit_brief(story, None, ["The desk wrote this."], END)
        original(topics_by_story)

    monkeypatch.setattr(refresh, "save_topics", editor_acts_then_save_topics)


def test_refresh_writes_derived_words_when_nothing_is_locked(story):
    refresh.refresh_stories([story.pk], END)
    story.refresh_from_db()
    assert story.headline != "stale headline"
    assert story.brief["sentences"]


def test_editor_locking_during_the_refresh_keeps_the_editors_words(monkeypatch, story):
    lock_everything_mid_refresh(monkeypatch, story)
    refresh.refresh_stories([story.pk], END)
    story.refresh_from_db()
    assert (story.headline, story.dek) == ("The editor's headline", "The editor's dek")
    assert story.category == "politics"
    assert [s["text"] for s in story.brief["sentences"]] == ["The desk wrote this."]
    assert story.headline_locked and story.category_locked and story.brief_approved


def test_derived_words_are_written_only_where_the_flag_is_still_off(story):
    derived, _topics = refresh.derive_words([story.pk], END)
    editorial.retitle(story, None, "Locked after the read")
    refresh.write_words(derived)
    story.refresh_from_db()
    assert story.headline == "Locked after the read"
    # The other groups were not locked: they take the derived words.
    assert story.brief["sentences"] and story.brief_updated_at == END


def _set_hints(story, hint: str) -> None:
    Feed.objects.filter(articles__story=story).update(category_hint=hint)


def test_story_without_feed_hints_is_categorised_by_its_content(monkeypatch, story):
    _set_hints(story, "")
    seen = []

    def content_says_technology(vectors):
        seen.append(vectors.shape)
        return ["technology"]

    monkeypatch.setattr(categories, "content_categories", content_says_technology)
    refresh.refresh_stories([story.pk], END)
    story.refresh_from_db()
    assert story.category == "technology"
    assert seen == [(1, DIMENSIONS)], "the classifier reads the story's centroid"


def test_feed_hints_on_most_articles_win_over_the_content(monkeypatch, story):
    _set_hints(story, "world")
    monkeypatch.setattr(categories, "content_categories", lambda vectors: ["technology"])
    refresh.refresh_stories([story.pk], END)
    story.refresh_from_db()
    assert story.category == "world"


def test_content_classifier_on_real_coverage_gives_a_known_category(story):
    _set_hints(story, "")
    refresh.refresh_stories([story.pk], END)
    story.refresh_from_db()
    assert story.category in {code for code, _label in CATEGORIES}
    assert story.category != "sport", "the stale category must have been re-derived"
