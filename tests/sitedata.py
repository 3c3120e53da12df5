"""Real data for the site's tests: seven hours of the newsriver stream on
2026-01-03 (06:00-13:00 UTC, the start of the Venezuela story) loaded through
the pipeline, plus hostile feed items whose titles carry a <script> payload
and whose link is javascript:. Loaded once per test module (committed, then
deleted), because it embeds ~150 headlines."""

from datetime import UTC, datetime, timedelta

import pytest

from editorial.models import EditorialAction
from ingest import clock
from ingest.feeds import FeedItem
from ingest.models import Article, Feed, ReplayClock, Source
from ingest.polling import store_item
from tests.factories import make_feed, make_source
from tests.realdata import load_stream
from trends.measure.hourly import run_hourly_pass
from trends.models import Story, StorySnapshot, StoryTopic, Topic
from trends.stories.assignment import assigner
from trends.stories.pipeline import embed_and_assign
from trends.words.refresh import refresh_stories

START = datetime(2026, 1, 3, 6, tzinfo=UTC)
END = datetime(2026, 1, 3, 13, tzinfo=UTC)
NOW = END + timedelta(minutes=30)
PAYLOAD = "<script>alert(1)</script>"
HOSTILE_TITLE = f"{PAYLOAD} Zorblax festival opens in Quuxville with record crowds"


def load_site_data() -> dict:
    clear_site_data()
    assigner.reset()
    load_stream(START, END)
    hostile_ids = []
    for number in (1, 2):
        source = make_source(f"hostile{number}.example", name=f"Hostile Outlet {number}")
        feed = make_feed(f"http://127.0.0.1/hostile{number}.xml", source)
        article_id = store_item(
            feed,
            FeedItem(f"hostile-{number}", f"https://hostile{number}.example/a", HOSTILE_TITLE, "", END),
            END,
        )
        hostile_ids.append(article_id)
    # A link a reader must never get: javascript: (stored as a feed might give it).
    Article.objects.filter(pk=hostile_ids[1]).update(url="javascript:alert(1)")
    Article.objects.filter(pk__in=hostile_ids).update(stage=Article.Stage.EXTRACTED)
    touched = embed_and_assign(hostile_ids, END)
    refresh_stories(touched, END)
    run_hourly_pass(END + timedelta(hours=1))
    ReplayClock.objects.create(simulated_start=NOW, real_start=NOW, speed=0.0)
    clock.reset_cache()
    hostile_story = Article.objects.get(pk=hostile_ids[0]).story
    top = (
        Story.objects.filter(headline__icontains="venezuela")
        .exclude(pk=hostile_story.pk)
        .order_by("-article_count")
        .first()
    )
    return {"hostile_story": hostile_story, "venezuela": top}


def clear_site_data() -> None:
    EditorialAction.objects.all().delete()
    StoryTopic.objects.all().delete()
    Topic.objects.all().delete()
    StorySnapshot.objects.all().delete()
    Article.objects.all().delete()
    Story.objects.all().delete()
    Feed.objects.all().delete()
    Source.objects.all().delete()
    ReplayClock.objects.all().delete()
    clock.reset_cache()
    assigner.reset()


@pytest.fixture(scope="module")
def site_data(real_data, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        data = load_site_data()
    yield data
    with django_db_blocker.unblock():
        clear_site_data()
