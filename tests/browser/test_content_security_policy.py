"""Every page passes Surge's Content-Security-Policy in Chromium: readers'
pages, the editor's controls and the admin load with no script, style or
image blocked (the policy allows nothing inline, so any inline code would be
reported here), and they still work.

Run: DEBUG=1 .venv/bin/python -m pytest tests/browser -m browser -k policy"""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from trends.models import Story, StoryTopic

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_readers_and_editors_pages_pass_the_content_security_policy(live_server, page, replayed):
    story = Story.objects.filter(merged_into__isnull=True).order_by("-article_count", "pk").first()
    topic = StoryTopic.objects.filter(story=story).values_list("topic__slug", flat=True).first()
    reader_pages = [
        reverse("trends:front"),
        reverse("trends:front") + "?category=world",
        reverse("trends:story", args=[story.pk]),
        reverse("trends:category", args=[story.category]),
        reverse("trends:topic", args=[topic]),
        reverse("trends:search") + "?q=venezuela",
        reverse("trends:how"),
        reverse("trends:digest"),
    ]
    for path in reader_pages:
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")

    editor = User.objects.create_user("edna", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="editors"))
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "edna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    editor_pages = [
        reverse("trends:story", args=[story.pk]),
        reverse("admin:trends_story_changelist"),
        reverse("admin:trends_story_change", args=[story.pk]),
        reverse("admin:ingest_feed_changelist"),
        reverse("admin:ingest_article_changelist"),
    ]
    for path in editor_pages:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")

    # The editor's controls still work under the policy (their form posts to 'self').
    page.goto(live_server.url + reverse("trends:story", args=[story.pk]))
    controls = page.locator("#editor-controls")
    controls.get_by_text("Headline and category").click()
    page.fill("#editor-headline", "Retitled under the policy")
    controls.get_by_role("button", name="Save headline").click()
    page.wait_for_load_state()
    assert page.locator("#story-headline").inner_text() == "Retitled under the policy"

    assert page.csp_violations == []
