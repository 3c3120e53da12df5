"""Conditional GET on the readers' pages: ETags, 304s, and the messages that
must skip a 304, on six real hours of the newsriver stream."""

import pytest
from django.urls import reverse

from tests import sitedata
from trends.models import Story

site_data = sitedata.site_data  # the module-scoped fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_page_answers_304_to_its_etag(client, site_data):
    url = reverse("trends:story", args=[site_data["venezuela"].pk])
    first = client.get(url)
    assert first["ETag"] and "max-age=60" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Story.objects.filter(pk=site_data["venezuela"].pk).update(headline="Changed")
    Story.objects.get(pk=site_data["venezuela"].pk).save()  # editors save: updated_at moves
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# --- Editors, messages and conditional GET ----------------------------------------


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

    from web.views import story_page

    def request(with_message: bool):
        made = rf.get(reverse("trends:story", args=[site_data["venezuela"].pk]), HTTP_IF_NONE_MATCH="*")
        made.user = AnonymousUser()
        made._messages = CookieStorage(made)
        if with_message:
            messages.error(made, "Refused.")
        return made

    assert story_page(request(with_message=False), pk=site_data["venezuela"].pk).status_code == 304
    assert story_page(request(with_message=True), pk=site_data["venezuela"].pk).status_code == 200
