"""The editors group, the trend page's editor views and the admin: each
goes through editorial.operations, checks who may act, and shows refusals."""

import numpy as np
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from editorial import operations as editorial
from editorial.models import EditorialAction
from ingest.models import Article, Feed, Source
from tests.factories import make_article, make_feed, make_source, make_story, story_with_articles
from trends.models import Story
from trends.stories.embedding import DIMENSIONS, from_bytes

# --- The editors group ------------------------------------------------------------------


def test_migrate_leaves_an_editors_group_that_can_change_but_not_delete_stories(editor):
    assert editor.has_perm("trends.change_story")
    assert editor.has_perm("ingest.change_feed")
    assert editor.has_perm("ingest.add_source")
    assert not editor.has_perm("trends.delete_story")
    assert not editor.has_perm("editorial.change_editorialaction")


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
    story = make_story("Old")
    response = editor_client.post(
        reverse("editor:retitle", args=[story.pk]), {"headline": "New", "dek": "Second line"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("trends:story", args=[story.pk])
    story.refresh_from_db()
    assert (story.headline, story.dek, story.headline_locked) == ("New", "Second line", True)
    assert EditorialAction.objects.get().user == editor


def test_editor_views_refuse_get(editor_client):
    story = make_story("Old")
    assert editor_client.get(reverse("editor:pin", args=[story.pk])).status_code == 405


def test_editor_views_refuse_readers_and_anonymous_users(db):
    story = make_story("Old")
    reader = User.objects.create_user("reader", password="a long reader password")
    anonymous, logged_in = Client(), Client()
    logged_in.force_login(reader)
    for client in (anonymous, logged_in):
        assert client.post(reverse("editor:hide", args=[story.pk])).status_code == 403
    assert not Story.objects.get(pk=story.pk).is_hidden


def test_editor_views_check_csrf(editor):
    story = make_story("Old")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(reverse("editor:hide", args=[story.pk])).status_code == 403
    assert not Story.objects.get(pk=story.pk).is_hidden


def test_merge_view_accepts_the_other_trend_page_address(editor_client):
    target, other = make_story("Target"), make_story("Other")
    url = "http://testserver" + reverse("trends:story", args=[other.pk])
    response = editor_client.post(reverse("editor:merge", args=[target.pk]), {"other": url})
    assert response.status_code == 302
    assert Story.objects.get(pk=other.pk).merged_into_id == target.pk


def test_refused_operation_comes_back_as_a_message(editor_client):
    story = make_story("Old")
    response = editor_client.post(
        reverse("editor:merge", args=[story.pk]), {"other": str(story.pk)}, follow=False
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["A story cannot be merged into itself."]


def test_editor_controls_partial_renders_forms_for_the_story(db, rf, editor):
    from django.template.loader import render_to_string

    story = make_story("<b>Headline</b>")
    request = rf.get("/")
    request.user = editor
    html = render_to_string("trends/_editor_controls.html", {"story": story}, request=request)
    assert reverse("editor:retitle", args=[story.pk]) in html
    assert reverse("editor:merge", args=[story.pk]) in html
    assert "csrfmiddlewaretoken" in html
    assert "&lt;b&gt;Headline&lt;/b&gt;" in html


# --- Admin ------------------------------------------------------------------------------


def test_admin_story_form_goes_through_editorial_operations(editor_client, editor):
    story = make_story("Old", category="general")
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
    big = make_story("Big", article_count=5)
    small = make_story("Small", article_count=1)
    response = editor_client.post(
        reverse("admin:trends_story_changelist"),
        {"action": "merge_stories", "_selected_action": [big.pk, small.pk]},
    )
    assert response.status_code == 302
    assert Story.objects.get(pk=small.pk).merged_into_id == big.pk
    assert EditorialAction.objects.filter(action="merge", story=big).exists()


def test_editor_cannot_delete_stories_or_edit_the_action_log(editor_client):
    story = make_story("Old")
    editorial.pin(story, None)
    action = EditorialAction.objects.get()
    assert editor_client.get(reverse("admin:trends_story_delete", args=[story.pk])).status_code == 403
    response = editor_client.post(
        reverse("admin:editorial_editorialaction_change", args=[action.pk]), {"action": "forged"}
    )
    assert response.status_code == 403
    assert EditorialAction.objects.get().action == "pin"


def test_feed_admin_lists_health_and_pauses_feeds(editor_client):
    failing = make_feed("https://outlet.example/rss", error_count=4, last_error="HTTP 503")
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
    other = make_story("Other")
    outsider = make_article(Source.objects.get(), other, "Elsewhere", url="https://outlet.example/x")
    editor_client.post(reverse("editor:move_out", args=[story.pk]), {"article": outsider.pk})
    assert Article.objects.get(pk=outsider.pk).story_id == other.pk
    assert not EditorialAction.objects.exists()


def test_editor_edits_the_brief_through_the_view(editor_client):
    story = make_story(
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
    feed = make_feed("https://outlet.example/rss", source=Source.objects.get())
    pages = [
        reverse("admin:trends_story_changelist"),
        reverse("admin:trends_story_change", args=[story.pk]),
        reverse("admin:trends_storysnapshot_changelist"),
        reverse("admin:trends_topic_changelist"),
        reverse("admin:editorial_editorialaction_changelist"),
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
    source = make_source()
    feed = make_feed("https://outlet.example/rss", source=source, title="Old title")
    form = {"url": feed.url, "source": source.pk, "title": "New title", "category_hint": "", "paused": "on"}
    response = editor_client.post(reverse("admin:ingest_feed_change", args=[feed.pk]), form)
    assert response.status_code == 302, response.content[:3000]
    feed.refresh_from_db()
    assert feed.paused and feed.title == "New title"
    assert EditorialAction.objects.get().action == "pause_feed"


# --- Review fixes: locks, one merge, ids, admin validation ----------------------------------


def test_non_ascii_digit_story_number_is_refused_with_a_message(editor_client):
    story = make_story("Target")
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
    story = make_story("Old", category="general")
    url = reverse("admin:trends_story_change", args=[story.pk])
    response = editor_client.post(url, _admin_form(headline="x" * 301, category="politics", is_pinned="on"))
    assert response.status_code == 200
    assert "A headline is at most 300 characters." in response.text
    story.refresh_from_db()
    assert (story.headline, story.category, story.is_pinned) == ("Old", "general", False)
    assert not EditorialAction.objects.exists()


def test_admin_save_is_all_or_nothing(editor_client, monkeypatch):
    story = make_story("Old", category="general")

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
    big = make_story("Big", article_count=5)
    middle = make_story("Middle", article_count=3)
    gone = make_story("Gone", article_count=1)
    editorial.merge(gone, make_story("Elsewhere"), None)
    response = editor_client.post(
        reverse("admin:trends_story_changelist"),
        {"action": "merge_stories", "_selected_action": [big.pk, middle.pk, gone.pk]},
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already merged" in m for m in messages)
    assert Story.objects.get(pk=middle.pk).merged_into_id is None
