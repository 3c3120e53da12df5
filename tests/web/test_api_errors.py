"""Every answer of the JSON API is JSON, errors included: a missing trend or
page, a bad page number, a method the read-only API does not take (405 with
Allow, never Django's HTML CSRF page), an unknown /api/ path, a crash."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    """A client that checks CSRF tokens as a browser-facing server does."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert isinstance(body.get("error"), str) and body["error"]
    return body


def test_missing_trend_is_a_json_404(api_client):
    assert_json_error(api_client.get(reverse("trends:api_trend", args=[999999])), 404)


def test_hidden_trend_is_a_json_404(api_client):
    story = make_story("Hidden", is_hidden=True)
    assert_json_error(api_client.get(reverse("trends:api_trend", args=[story.pk])), 404)


@pytest.mark.parametrize("page", ["0", "-1"])
def test_page_below_one_is_a_json_400(api_client, page):
    body = assert_json_error(api_client.get(reverse("trends:api_trends"), {"page": page}), 400)
    assert "page" in body["error"]


def test_page_past_the_last_is_a_json_404(api_client):
    make_story("Only one", is_pinned=True, article_count=2)
    assert_json_error(api_client.get(reverse("trends:api_trends"), {"page": "7"}), 404)


def api_urls():
    return [reverse("trends:api_trends"), reverse("trends:api_trend", args=[1]), reverse("trends:openapi")]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options", "trace"])
def test_methods_other_than_get_are_a_json_405_with_allow(api_client, method):
    make_story("Listed", is_pinned=True, article_count=2)
    for url in api_urls():
        response = getattr(api_client, method)(url)
        assert_json_error(response, 405)
        assert response["Allow"] == "GET, HEAD"


def test_head_is_allowed(api_client):
    assert api_client.head(reverse("trends:api_trends")).status_code == 200


@pytest.mark.parametrize("path", ["/api/", "/api/nothing-here/", "/api/trends/abc/"])
def test_unknown_api_path_is_a_json_404(api_client, path):
    assert_json_error(api_client.get(path), 404)


def test_unknown_site_path_is_still_an_html_404(api_client):
    response = api_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_crash_in_the_api_is_a_json_500(api_client, monkeypatch):
    import web.api

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(web.api, "live_trends", broken)
    body = assert_json_error(api_client.get(reverse("trends:api_trends")), 500)
    assert "database on fire" not in body["error"]  # no internals leak


def test_schema_documents_the_error_answers(api_client):
    schema = json.loads(api_client.get(reverse("trends:openapi")).content)
    for path in ("/api/trends/", "/api/trends/{id}/"):
        responses = schema["paths"][path]["get"]["responses"]
        assert responses["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
