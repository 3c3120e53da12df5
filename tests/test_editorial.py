"""Editorial operations, their record, the editors group, the editor views and
the admin; and the survival rule: what an editor did holds after the real
automation runs again (assignment of new articles, the hourly pass, the
refresh of headlines, categories and briefs).

The survival tests replay the real newsriver stream of 2026-01-03 (the US
strikes on Venezuela): 07:00-11:00 before the editor acts, 11:00-14:00 after.
They act on the replay's largest stories, whatever their headlines: which
real articles the clusterer keeps apart changes as it is tuned, and no test
here is about that."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ingest.feeds import FeedItem
from ingest.models import Article, Feed, Source
from ingest.polling import store_item
from tests.realdata import load_stream
from trends import editorial
from trends.assignment import StoryAssigner, assigner
from trends.embedding import DIMENSIONS, from_bytes, to_bytes
from trends.embedding import embed_texts as real_embed_texts
from trends.hourly import run_hourly_pass
from trends.models import EditorialAction, Story, StorySnapshot, StoryTopic, Topic
from trends.pipeline import embed_and_assign
from trends.refresh import refresh_stories

DAY = datetime(2026, 1, 3, tzinfo=UTC)
BEFORE_EDIT = (DAY.replace(hour=7), DAY.replace(hour=11))
AFTER_EDIT = (DAY.replace(hour=11), DAY.replace(hour=14))


# --- Fixtures -------------------------------------------------------------------


@pytest.fixture
def editor(db):
    user = User.objects.create_user("edna", password="a long editor password", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    return User.objects.get(pk=user.pk)  # fresh: permission cache empty


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


_VECTORS: dict[str, np.ndarray] = {}


def _embed_once(texts, **kwargs):
    """The real model's vectors, each text embedded once per test session:
    the survival tests replay the same hours many times."""
    missing = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
    if missing:
        _VECTORS.update(zip(missing, real_embed_texts(missing, **kwargs), strict=True))
    return np.array([_VECTORS[t] for t in texts], dtype=np.float32).reshape(len(texts), DIMENSIONS)


@pytest.fixture
def morning(db, monkeypatch):
    """The stories of 2026-01-03 07:00-11:00, clustered by the real pipeline."""
    monkeypatch.setattr("trends.pipeline.embed_texts", _embed_once)
    assigner.reset()  # the worker's in-memory index must not outlive the test database
    load_stream(*BEFORE_EDIT)
    yield
    assigner.reset()


def two_largest_stories() -> tuple[Story, Story]:
    """The morning's two largest live stories, largest first. The largest
    (the strikes on Venezuela, as the data stands) is the one the later
    hours' coverage keeps joining."""
    stories = list(Story.objects.filter(merged_into__isnull=True).order_by("-article_count", "pk")[:2])
    assert len(stories) == 2, "the replay should make at least two stories"
    assert all(s.article_count >= 2 for s in stories), [(s.headline, s.article_count) for s in stories]
    return stories[0], stories[1]


def largest_story() -> Story:
    return two_largest_stories()[0]


def merge_pair() -> tuple[Story, Story]:
    """(target, source): the second-largest story absorbs the largest. The
    merged centroid then leans to the source's coverage, so what would have
    joined the source must reach the target, and would reach the source
    instead if an index still held it."""
    largest, second = two_largest_stories()
    return second, largest


def continue_stream():
    """The next hours of the real stream, through the same cores as the workers."""
    load_stream(*AFTER_EDIT)


def plain_story(headline: str, **fields) -> Story:
    """A story with no articles, for tests of the views and the admin."""
    fields.setdefault("first_seen_at", DAY)
    fields.setdefault("last_seen_at", DAY)
    fields.setdefault("centroid_sum", to_bytes(np.zeros(DIMENSIONS)))
    return Story.objects.create(headline=headline, **fields)


# --- The survival rule ------------------------------------------------------------


@pytest.mark.slow
def test_retitled_headline_survives_new_articles_refresh_and_hourly_pass(morning, editor):
    story = largest_story()
    articles_before = story.article_count
    editorial.retitle(story, editor, "US strikes Venezuela", "Explosions in Caracas; Maduro taken")

    continue_stream()

    story.refresh_from_db()
    assert story.article_count > articles_before, "the story must have been refreshed with new coverage"
    assert story.headline == "US strikes Venezuela"
    assert story.dek == "Explosions in Caracas; Maduro taken"
    assert story.headline_locked


@pytest.mark.slow
def test_unlocked_headline_is_rederived_by_the_refresh(morning, editor):
    """The control for the test above: without the lock, automation does rewrite it."""
    story = largest_story()
    Story.objects.filter(pk=story.pk).update(headline="placeholder")
    continue_stream()
    story.refresh_from_db()
    assert story.headline != "placeholder"


@pytest.mark.slow
def test_recategorised_category_survives_new_articles(morning, editor):
    story = largest_story()
    editorial.recategorise(story, editor, "world")
    continue_stream()
    story.refresh_from_db()
    assert story.category == "world"
    assert story.category_locked


@pytest.mark.slow
def test_approved_brief_is_not_rewritten_by_new_coverage(morning, editor):
    story = largest_story()
    approved = story.brief
    assert approved["sentences"], "the replay should have produced a brief"
    editorial.approve_brief(story, editor)

    continue_stream()

    story.refresh_from_db()
    assert story.brief == approved
    assert story.brief_approved


@pytest.mark.slow
def test_merged_story_receives_no_new_articles_and_target_does(morning, editor):
    target, source = merge_pair()
    editorial.merge(source, target, editor)
    target.refresh_from_db()
    merged_count = target.article_count

    continue_stream()

    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert not source.is_open
    assert not Article.objects.filter(story=source).exists()
    assert target.article_count > merged_count, "the source's later coverage joins the target"
    assert target.article_count == Article.objects.filter(story=target).count()


@pytest.mark.slow
def test_hourly_pass_stops_tracking_a_merged_story(morning, editor):
    target, source = merge_pair()
    editorial.merge(source, target, editor)
    continue_stream()
    after_merge = StorySnapshot.objects.filter(hour__gt=BEFORE_EDIT[1])
    assert not after_merge.filter(story=source).exists()
    assert after_merge.filter(story=target).exists()


@pytest.mark.slow
def test_merge_adds_centroid_sums_and_counts_and_repoints_articles(morning, editor):
    target, source = merge_pair()
    expected_sum = from_bytes(target.centroid_sum) + from_bytes(source.centroid_sum)
    expected_ids = set(Article.objects.filter(story__in=[target, source]).values_list("pk", flat=True))
    expected_sources = Article.objects.filter(pk__in=expected_ids).values("source").distinct().count()
    first_seen = min(target.first_seen_at, source.first_seen_at)
    updated_before = source.updated_at

    editorial.merge(source, target, editor)

    target.refresh_from_db()
    source.refresh_from_db()
    assert np.allclose(from_bytes(target.centroid_sum), expected_sum)
    assert set(Article.objects.filter(story=target).values_list("pk", flat=True)) == expected_ids
    assert target.article_count == len(expected_ids)
    assert target.source_count == expected_sources
    assert target.first_seen_at == first_seen
    assert source.updated_at > updated_before


@pytest.mark.slow
def test_another_workers_live_index_drops_the_merged_story(morning, editor):
    """A second worker process keeps its own index; it learns of the merge
    from the story's updated_at."""
    target, source = merge_pair()
    other_worker = StoryAssigner()
    other_worker._sync()
    assert source.pk in other_worker.index

    editorial.merge(source, target, editor)
    other_worker._sync()

    assert source.pk not in other_worker.index
    assert target.pk in other_worker.index


@pytest.mark.slow
def test_new_article_like_the_merged_story_goes_to_the_merge_target(morning, editor):
    target, source = merge_pair()
    newest = Article.objects.filter(story=source).order_by("-published_at", "-pk").first()
    editorial.merge(source, target, editor)
    now = BEFORE_EDIT[1] + timedelta(minutes=20)
    follow_up = "Follow-up: " + newest.title  # worded like the merged story's coverage
    article_id = store_item(
        newest.feed,
        FeedItem("https://example.org/follow-up", "https://example.org/follow-up", follow_up, "", now),
        now,
    )
    Article.objects.filter(pk=article_id).update(stage=Article.Stage.EXTRACTED)

    touched = embed_and_assign([article_id], now)

    assert touched == [target.pk]
    assert Article.objects.get(pk=article_id).story_id == target.pk


@pytest.mark.slow
def test_moved_article_stays_in_its_new_story(morning, editor):
    story = largest_story()
    article = Article.objects.filter(story=story).order_by("published_at").first()
    old_sum = from_bytes(story.centroid_sum)

    new_story = editorial.move_article_out(article, editor, BEFORE_EDIT[1])

    story.refresh_from_db()
    assert np.allclose(from_bytes(story.centroid_sum), old_sum - from_bytes(article.embedding), atol=1e-5)
    assert story.article_count == Article.objects.filter(story=story).count()

    continue_stream()
    embed_and_assign([article.pk], AFTER_EDIT[1])  # a retried task for the same article
    refresh_stories([story.pk, new_story.pk], AFTER_EDIT[1])

    article.refresh_from_db()
    assert article.story_id == new_story.pk
    assert article.story_locked
    assert Story.objects.get(pk=new_story.pk).merged_into_id is None


@pytest.mark.slow
def test_pin_and_hide_survive_the_hourly_pass(morning, editor):
    story = largest_story()
    editorial.pin(story, editor)
    editorial.hide(story, editor)
    run_hourly_pass(BEFORE_EDIT[1] + timedelta(hours=1))
    continue_stream()
    story.refresh_from_db()
    assert story.is_pinned and story.is_hidden


@pytest.mark.slow
def test_edited_brief_keeps_citations_only_for_unchanged_sentences(morning, editor):
    story = largest_story()
    kept = story.brief["sentences"][0]
    editorial.edit_brief(story, editor, [kept["text"], "Written by the desk."], BEFORE_EDIT[1])

    continue_stream()

    story.refresh_from_db()
    first, second = story.brief["sentences"]
    assert first["citations"] == kept["citations"]
    assert second == {"text": "Written by the desk.", "citations": [], "source": "", "by_editor": True}
    assert story.brief_approved


# --- Operations and their record ----------------------------------------------------


def test_every_operation_records_who_did_what(db, editor):
    story = plain_story("Original")
    editorial.retitle(story, editor, "  New   headline ")
    editorial.recategorise(story, editor, "science")
    editorial.pin(story, editor)
    editorial.unpin(story, editor)
    editorial.hide(story, editor)
    editorial.unhide(story, editor)
    editorial.approve_brief(story, editor)
    editorial.release(story, editor, "headline")

    actions = list(EditorialAction.objects.filter(story=story).order_by("pk"))
    assert [a.action for a in actions] == [
        "retitle",
        "recategorise",
        "pin",
        "unpin",
        "hide",
        "unhide",
        "approve_brief",
        "release_headline",
    ]
    assert {a.user_id for a in actions} == {editor.pk}
    assert all(a.created_at is not None for a in actions)
    assert actions[0].detail == {"old_headline": "Original", "new_headline": "New headline"}
    story.refresh_from_db()
    assert story.headline == "New headline"
    assert not story.headline_locked
    assert story.category_locked and story.brief_approved


def test_empty_headline_is_refused_and_nothing_is_recorded(db, editor):
    story = plain_story("Original")
    with pytest.raises(editorial.EditorialError):
        editorial.retitle(story, editor, "   ")
    assert not EditorialAction.objects.exists()


def test_unknown_category_is_refused(db, editor):
    with pytest.raises(editorial.EditorialError):
        editorial.recategorise(plain_story("x"), editor, "gossip")


def test_story_cannot_be_merged_into_itself_or_twice(db, editor):
    a, b, c = plain_story("a"), plain_story("b"), plain_story("c")
    with pytest.raises(editorial.EditorialError):
        editorial.merge(a, a, editor)
    editorial.merge(a, b, editor)
    with pytest.raises(editorial.EditorialError):
        editorial.merge(a, c, editor)
    with pytest.raises(editorial.EditorialError):
        editorial.merge(c, a, editor)


def test_merging_a_story_repoints_stories_merged_into_it_earlier(db, editor):
    a, b, c = plain_story("a"), plain_story("b"), plain_story("c")
    editorial.merge(a, b, editor)
    editorial.merge(b, c, editor)
    assert Story.objects.get(pk=a.pk).merged_into_id == c.pk


def test_merge_moves_topics_and_adds_weights(db, editor):
    source, target = plain_story("source"), plain_story("target")
    shared = Topic.objects.create(name="Caracas", slug="caracas", kind="place")
    only_source = Topic.objects.create(name="Maduro", slug="maduro", kind="person")
    StoryTopic.objects.create(story=source, topic=shared, weight=2)
    StoryTopic.objects.create(story=target, topic=shared, weight=3)
    StoryTopic.objects.create(story=source, topic=only_source, weight=1)

    editorial.merge(source, target, editor)

    weights = dict(StoryTopic.objects.filter(story=target).values_list("topic__slug", "weight"))
    assert weights == {"caracas": 5, "maduro": 1}
    assert not StoryTopic.objects.filter(story=source).exists()


def test_moving_every_article_out_of_a_story_is_refused(db, editor):
    source = Source.objects.create(name="Outlet", domain="outlet.example")
    story = plain_story("only one")
    article = Article.objects.create(
        source=source,
        url="https://outlet.example/a",
        canonical_url="https://outlet.example/a",
        title="only one",
        published_at=DAY,
        fetched_at=DAY,
        story=story,
        embedding=to_bytes(np.ones(DIMENSIONS) / np.sqrt(DIMENSIONS)),
    )
    with pytest.raises(editorial.EditorialError):
        editorial.move_article_out(article, editor, DAY)
    assert Article.objects.get(pk=article.pk).story_id == story.pk


def test_pausing_feeds_is_recorded_once_per_change(db, editor):
    source = Source.objects.create(name="Outlet", domain="outlet.example")
    feed = Feed.objects.create(url="https://outlet.example/rss", source=source)
    assert editorial.pause_feeds([feed], editor) == 1
    assert editorial.pause_feeds([feed], editor) == 0  # already paused: nothing to record
    assert editorial.resume_feeds([feed], editor) == 1
    assert list(EditorialAction.objects.order_by("pk").values_list("action", flat=True)) == [
        "pause_feed",
        "resume_feed",
    ]
    assert not Feed.objects.get(pk=feed.pk).paused


# --- The editors group ------------------------------------------------------------------


def test_migrate_leaves_an_editors_group_that_can_change_but_not_delete_stories(editor):
    assert editor.has_perm("trends.change_story")
    assert editor.has_perm("ingest.change_feed")
    assert editor.has_perm("ingest.add_source")
    assert not editor.has_perm("trends.delete_story")
    assert not editor.has_perm("trends.change_editorialaction")


def test_create_editors_group_command_is_idempotent_and_adds_a_user(db, capsys):
    User.objects.create_user("newbie", password="another long password")
    call_command("create_editors_group", "--add-user", "newbie")
    call_command("create_editors_group")
    assert Group.objects.filter(name="editors").count() == 1
    user = User.objects.get(username="newbie")
    assert user.is_staff
    assert user.has_perm("trends.change_story")
    assert "0 newly added" in capsys.readouterr().out


# --- Editor views ----------------------------------------------------------------------


def test_editor_retitles_through_the_view_and_returns_to_the_trend_page(editor_client, editor):
    story = plain_story("Old")
    response = editor_client.post(
        reverse("editor:retitle", args=[story.pk]), {"headline": "New", "dek": "Second line"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("trends:story", args=[story.pk])
    story.refresh_from_db()
    assert (story.headline, story.dek, story.headline_locked) == ("New", "Second line", True)
    assert EditorialAction.objects.get().user == editor


def test_editor_views_refuse_get(editor_client):
    story = plain_story("Old")
    assert editor_client.get(reverse("editor:pin", args=[story.pk])).status_code == 405


def test_editor_views_refuse_readers_and_anonymous_users(db):
    story = plain_story("Old")
    reader = User.objects.create_user("reader", password="a long reader password")
    anonymous, logged_in = Client(), Client()
    logged_in.force_login(reader)
    for client in (anonymous, logged_in):
        assert client.post(reverse("editor:hide", args=[story.pk])).status_code == 403
    assert not Story.objects.get(pk=story.pk).is_hidden


def test_editor_views_check_csrf(editor):
    story = plain_story("Old")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(reverse("editor:hide", args=[story.pk])).status_code == 403
    assert not Story.objects.get(pk=story.pk).is_hidden


def test_merge_view_accepts_the_other_trend_page_address(editor_client):
    target, other = plain_story("Target"), plain_story("Other")
    url = "http://testserver" + reverse("trends:story", args=[other.pk])
    response = editor_client.post(reverse("editor:merge", args=[target.pk]), {"other": url})
    assert response.status_code == 302
    assert Story.objects.get(pk=other.pk).merged_into_id == target.pk


def test_refused_operation_comes_back_as_a_message(editor_client):
    story = plain_story("Old")
    response = editor_client.post(
        reverse("editor:merge", args=[story.pk]), {"other": str(story.pk)}, follow=False
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["A story cannot be merged into itself."]


def test_editor_controls_partial_renders_forms_for_the_story(db, rf, editor):
    from django.template.loader import render_to_string

    story = plain_story("<b>Headline</b>")
    request = rf.get("/")
    request.user = editor
    html = render_to_string("trends/_editor_controls.html", {"story": story}, request=request)
    assert reverse("editor:retitle", args=[story.pk]) in html
    assert reverse("editor:merge", args=[story.pk]) in html
    assert "csrfmiddlewaretoken" in html
    assert "&lt;b&gt;Headline&lt;/b&gt;" in html


# --- Admin ------------------------------------------------------------------------------


def test_admin_story_form_goes_through_editorial_operations(editor_client, editor):
    story = plain_story("Old", category="general")
    url = reverse("admin:trends_story_change", args=[story.pk])
    form = {"headline": "Retitled in the admin", "dek": "", "category": "politics", "is_pinned": "on"}
    for inline in ["story_topics", "editorial_actions"]:  # the read-only inlines' management forms
        form.update({f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"})
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    story.refresh_from_db()
    assert story.headline == "Retitled in the admin" and story.headline_locked
    assert story.category == "politics" and story.category_locked
    assert story.is_pinned
    assert set(EditorialAction.objects.values_list("action", flat=True)) == {"retitle", "recategorise", "pin"}


def test_admin_merge_action_merges_into_the_largest_story(editor_client):
    big = plain_story("Big", article_count=5)
    small = plain_story("Small", article_count=1)
    response = editor_client.post(
        reverse("admin:trends_story_changelist"),
        {"action": "merge_stories", "_selected_action": [big.pk, small.pk]},
    )
    assert response.status_code == 302
    assert Story.objects.get(pk=small.pk).merged_into_id == big.pk
    assert EditorialAction.objects.filter(action="merge", story=big).exists()


def test_editor_cannot_delete_stories_or_edit_the_action_log(editor_client):
    story = plain_story("Old")
    editorial.pin(story, None)
    action = EditorialAction.objects.get()
    assert editor_client.get(reverse("admin:trends_story_delete", args=[story.pk])).status_code == 403
    response = editor_client.post(
        reverse("admin:trends_editorialaction_change", args=[action.pk]), {"action": "forged"}
    )
    assert response.status_code == 403
    assert EditorialAction.objects.get().action == "pin"


def test_feed_admin_lists_health_and_pauses_feeds(editor_client):
    source = Source.objects.create(name="Outlet", domain="outlet.example")
    failing = Feed.objects.create(
        url="https://outlet.example/rss", source=source, error_count=4, last_error="HTTP 503"
    )
    changelist = reverse("admin:ingest_feed_changelist")
    page = editor_client.get(changelist + "?health=failing")
    assert page.status_code == 200
    for column in ["last success", "last error", "error count", "interval", "items/day", "failing"]:
        assert column in page.content.decode().lower()
    assert "HTTP 503" in page.content.decode()

    response = editor_client.post(changelist, {"action": "pause_feeds", "_selected_action": [failing.pk]})
    assert response.status_code == 302
    assert Feed.objects.get(pk=failing.pk).paused
    assert EditorialAction.objects.get().detail == {"feed": failing.pk, "url": failing.url}


def story_with_articles(count: int) -> tuple[Story, list[Article]]:
    """A story of `count` articles from one outlet, each with a unit vector."""
    source = Source.objects.create(name="Outlet", domain="outlet.example")
    vectors = np.eye(DIMENSIONS, dtype=np.float32)[:count]
    story = plain_story(
        "Story", centroid_sum=to_bytes(vectors.sum(axis=0)), article_count=count, source_count=1
    )
    articles = [
        Article.objects.create(
            source=source,
            url=f"https://outlet.example/{n}",
            canonical_url=f"https://outlet.example/{n}",
            title=f"Article {n}",
            published_at=DAY + timedelta(hours=n),
            fetched_at=DAY + timedelta(hours=n),
            story=story,
            stage=Article.Stage.ASSIGNED,
            embedding=to_bytes(vectors[n]),
        )
        for n in range(count)
    ]
    return story, articles


def test_editor_moves_an_article_out_through_the_view(editor_client):
    story, articles = story_with_articles(3)
    response = editor_client.post(reverse("editor:move_out", args=[story.pk]), {"article": articles[2].pk})
    assert response.status_code == 302
    moved = Article.objects.get(pk=articles[2].pk)
    assert moved.story_id != story.pk and moved.story_locked
    story.refresh_from_db()
    assert story.article_count == 2
    assert story.last_seen_at == articles[1].published_at
    assert np.allclose(from_bytes(story.centroid_sum), np.eye(DIMENSIONS)[:2].sum(axis=0))
    assert set(EditorialAction.objects.values_list("action", flat=True)) == {
        "move_out",
        "created_from_articles",
    }


def test_move_out_view_refuses_an_article_of_another_story(editor_client):
    story, _ = story_with_articles(2)
    other = plain_story("Other")
    outsider = Article.objects.create(
        source=Source.objects.get(),
        url="https://outlet.example/x",
        canonical_url="https://outlet.example/x",
        title="Elsewhere",
        published_at=DAY,
        fetched_at=DAY,
        story=other,
    )
    editor_client.post(reverse("editor:move_out", args=[story.pk]), {"article": outsider.pk})
    assert Article.objects.get(pk=outsider.pk).story_id == other.pk
    assert not EditorialAction.objects.exists()


def test_editor_edits_the_brief_through_the_view(editor_client):
    story = plain_story(
        "Story", brief={"sentences": [{"text": "From a source.", "citations": [7], "source": "X"}]}
    )
    response = editor_client.post(
        reverse("editor:edit_brief", args=[story.pk]), {"brief": "From a source.\r\nThe desk adds this.\r\n"}
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert [s["citations"] for s in story.brief["sentences"]] == [[7], []]
    assert story.brief_approved
    assert story.brief["supported_share"] == 0.5


def test_every_admin_page_an_editor_uses_renders(editor_client):
    story, articles = story_with_articles(2)
    editorial.pin(story, None)
    feed = Feed.objects.create(url="https://outlet.example/rss", source=Source.objects.get())
    pages = [
        reverse("admin:trends_story_changelist"),
        reverse("admin:trends_story_change", args=[story.pk]),
        reverse("admin:trends_storysnapshot_changelist"),
        reverse("admin:trends_topic_changelist"),
        reverse("admin:trends_editorialaction_changelist"),
        reverse("admin:ingest_source_changelist"),
        reverse("admin:ingest_source_change", args=[feed.source_id]),
        reverse("admin:ingest_feed_changelist"),
        reverse("admin:ingest_feed_change", args=[feed.pk]),
        reverse("admin:ingest_feed_add"),
        reverse("admin:ingest_article_changelist"),
        reverse("admin:ingest_article_change", args=[articles[0].pk]),
    ]
    for page in pages:
        assert editor_client.get(page).status_code == 200, page


def test_pausing_a_feed_in_its_admin_form_is_recorded(editor_client):
    source = Source.objects.create(name="Outlet", domain="outlet.example")
    feed = Feed.objects.create(url="https://outlet.example/rss", source=source, title="Old title")
    form = {"url": feed.url, "source": source.pk, "title": "New title", "category_hint": "", "paused": "on"}
    response = editor_client.post(reverse("admin:ingest_feed_change", args=[feed.pk]), form)
    assert response.status_code == 302, response.content[:3000]
    feed.refresh_from_db()
    assert feed.paused and feed.title == "New title"
    assert EditorialAction.objects.get().action == "pause_feed"


# --- Review fixes: locks, one merge, ids, admin validation ----------------------------------


def test_editorial_merge_and_move_out_take_the_assignment_lock(db, editor, monkeypatch):
    taken = []
    monkeypatch.setattr(editorial, "take_assignment_lock", lambda: taken.append(True))
    editorial.merge(plain_story("a"), plain_story("b"), editor)
    assert len(taken) == 1
    _story, articles = story_with_articles(2)
    editorial.move_articles_out(articles[:1], editor, DAY)
    assert len(taken) == 2


def test_non_ascii_digit_story_number_is_refused_with_a_message(editor_client):
    story = plain_story("Target")
    response = editor_client.post(reverse("editor:merge", args=[story.pk]), {"other": "²"})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Give the other story's number or its trend page address."]


def _admin_form(**fields) -> dict:
    form = {"headline": "", "dek": "", "category": "general", **fields}
    for inline in ["story_topics", "editorial_actions"]:  # the read-only inlines' management forms
        form.update({f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"})
    return form


def test_admin_shows_a_too_long_headline_on_the_form_and_changes_nothing(editor_client):
    story = plain_story("Old", category="general")
    url = reverse("admin:trends_story_change", args=[story.pk])
    response = editor_client.post(url, _admin_form(headline="x" * 301, category="politics", is_pinned="on"))
    assert response.status_code == 200
    assert "A headline is at most 300 characters." in response.text
    story.refresh_from_db()
    assert (story.headline, story.category, story.is_pinned) == ("Old", "general", False)
    assert not EditorialAction.objects.exists()


def test_admin_save_is_all_or_nothing(editor_client, monkeypatch):
    story = plain_story("Old", category="general")

    def refuse(*args):
        raise editorial.EditorialError("refused")

    monkeypatch.setattr(editorial, "pin", refuse)
    url = reverse("admin:trends_story_change", args=[story.pk])
    with pytest.raises(editorial.EditorialError):
        editor_client.post(url, _admin_form(headline="New", category="politics", is_pinned="on"))
    story.refresh_from_db()
    assert (story.headline, story.category) == ("Old", "general")
    assert not EditorialAction.objects.exists()


def test_admin_merge_action_rolls_back_and_messages_when_one_merge_is_refused(editor_client):
    big = plain_story("Big", article_count=5)
    middle = plain_story("Middle", article_count=3)
    gone = plain_story("Gone", article_count=1)
    editorial.merge(gone, plain_story("Elsewhere"), None)
    response = editor_client.post(
        reverse("admin:trends_story_changelist"),
        {"action": "merge_stories", "_selected_action": [big.pk, middle.pk, gone.pk]},
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already merged" in m for m in messages)
    assert Story.objects.get(pk=middle.pk).merged_into_id is None


def converged_pair(**flags) -> tuple[Story, Story]:
    """Two stories about one event (centroids almost equal), each with
    articles from its own outlets; `flags` are set on the smaller one."""
    rng = np.random.default_rng(5)
    base = rng.standard_normal(DIMENSIONS).astype(np.float32)
    stories = []
    for index, size in enumerate([3, 2]):
        vectors = [base + rng.standard_normal(DIMENSIONS).astype(np.float32) * 0.01 for _ in range(size)]
        vectors = [v / np.linalg.norm(v) for v in vectors]
        story = plain_story(
            f"Story {index}",
            centroid_sum=to_bytes(np.sum(vectors, axis=0)),
            article_count=size,
            source_count=size,
            **(flags if index == 1 else {}),
        )
        for n, vector in enumerate(vectors):
            source = Source.objects.create(name=f"Outlet {index}-{n}", domain=f"o{index}{n}.example")
            Article.objects.create(
                source=source,
                url=f"https://o{index}{n}.example/a",
                canonical_url=f"https://o{index}{n}.example/a",
                title=f"Article {index}-{n}",
                published_at=DAY,
                fetched_at=DAY,
                story=story,
                stage=Article.Stage.ASSIGNED,
                embedding=to_bytes(vector),
            )
        stories.append(story)
    return stories[0], stories[1]


def test_automatic_merge_moves_articles_sources_and_topics_and_is_logged(db):
    from trends.merging import merge_converged_stories

    kept, absorbed = converged_pair()
    topic = Topic.objects.create(name="Caracas", slug="caracas", kind="place")
    StoryTopic.objects.create(story=absorbed, topic=topic, weight=2)
    earlier = plain_story("merged into the absorbed one earlier")
    editorial.merge(earlier, absorbed, None)

    assert merge_converged_stories(threshold=0.9) == [(absorbed.pk, kept.pk)]

    kept.refresh_from_db()
    assert (kept.article_count, kept.source_count) == (5, 5)
    assert StoryTopic.objects.get(topic=topic).story_id == kept.pk
    assert Story.objects.get(pk=earlier.pk).merged_into_id == kept.pk
    logged = EditorialAction.objects.filter(action="auto-merge")
    assert {(a.story_id, a.user_id) for a in logged} == {(kept.pk, None), (absorbed.pk, None)}


@pytest.mark.parametrize(
    "flags",
    [
        {"is_hidden": True},
        {"is_pinned": True},
        {"headline_locked": True},
        {"category_locked": True},
        {"brief_approved": True},
    ],
)
def test_automatic_merge_leaves_a_story_an_editor_flagged_alone(db, flags):
    from trends.merging import merge_converged_stories

    kept, flagged = converged_pair(**flags)
    assert merge_converged_stories(threshold=0.9) == []
    assert Story.objects.get(pk=flagged.pk).merged_into_id is None
    assert Story.objects.get(pk=kept.pk).merged_into_id is None


def test_automatic_merge_leaves_a_story_holding_an_article_an_editor_placed_alone(db):
    from trends.merging import merge_converged_stories

    kept, placed = converged_pair()
    Article.objects.filter(story=placed).update(story_locked=True)
    assert merge_converged_stories(threshold=0.9) == []
    assert Story.objects.get(pk=placed.pk).merged_into_id is None
