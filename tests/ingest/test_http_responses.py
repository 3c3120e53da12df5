"""What ingest.http.fetch returns from well-behaved and sloppy servers:
statuses, Retry-After, redirects followed, compressed and mis-sized bodies,
conditional GET, request headers and charsets (see tests/httpcheck.py)."""

import email.utils
import time
import zlib

import pytest

from ingest import http
from ingest.http import ConnectionFailed, fetch
from tests import httpcheck
from tests.fakeweb import http_date, raw, redirect

allow_private = httpcheck.allow_private  # the fixture, taken by name

# --- statuses and redirects --------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 404])
def test_error_status_returned_not_raised(status, fakeweb, allow_private):
    fakeweb.route("/x", b"oops", status=status)
    response = fetch(fakeweb.url("/x"))
    assert (response.status, response.body) == (status, b"oops")


@pytest.mark.parametrize(
    "value, expected",
    [("30", 30.0), ("date+120", 120), ("0", 0.0), ("soon", None), ("-5", None), (None, None)],
)
def test_429_retry_after(value, expected, fakeweb, allow_private):
    if value == "date+120":  # made here, not at collection, so the clock has not moved on
        value = http_date(120)
    fakeweb.route("/x", b"slow down", status=429, headers={"Retry-After": value} if value else {})
    response = fetch(fakeweb.url("/x"))
    assert response.status == 429
    if expected is None:
        assert response.retry_after_seconds is None
    else:
        assert response.retry_after_seconds == pytest.approx(expected, abs=2)


def test_301_302_chain_followed(fakeweb, allow_private):
    fakeweb.route("/a", handler=redirect("/b", status=301))
    fakeweb.route("/b", handler=redirect("sub/c?x=1", status=302))  # relative to /b
    fakeweb.route("/sub/c", b"done")
    response = fetch(fakeweb.url("/a"))
    assert (response.status, response.body) == (200, b"done")
    assert response.url == fakeweb.url("/sub/c?x=1")
    assert response.redirects == [(301, fakeweb.url("/b")), (302, fakeweb.url("/sub/c?x=1"))]
    assert [r.path for r in fakeweb.requests] == ["/a", "/b", "/sub/c?x=1"]


@pytest.mark.parametrize(
    "statuses, permanent",
    [
        ((), False),
        ((301,), True),
        ((301, 308), True),
        ((301, 302), False),
        ((307,), False),
        ((308, 303), False),
    ],
)
def test_permanent_redirect_only_for_all_301_308_chain(statuses, permanent, fakeweb, allow_private):
    for i, status in enumerate(statuses):
        fakeweb.route(f"/{i}", handler=redirect(f"/{i + 1}", status=status))
    fakeweb.route(f"/{len(statuses)}", b"final")
    response = fetch(fakeweb.url("/0"))
    assert response.body == b"final"
    assert response.permanent_redirect == (fakeweb.url(f"/{len(statuses)}") if permanent else None)


def test_retry_after_http_date_in_the_past_is_zero():
    response = http.Response("http://x/", 503, email.message_from_string(""), b"")
    response.headers["Retry-After"] = email.utils.formatdate(time.time() - 60, usegmt=True)
    assert response.retry_after_seconds == 0


# --- bodies ------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, compress",
    [
        ("gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("deflate", zlib.compress),  # zlib-wrapped, as the standard says
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as some servers send
    ],
)
def test_compressed_body_decoded(encoding, compress, fakeweb, allow_private):
    text = b"<rss><channel><title>News</title></channel></rss>" * 200
    fakeweb.route("/feed", compress(text), headers={"Content-Encoding": encoding})
    assert fetch(fakeweb.url("/feed")).body == text


@pytest.mark.parametrize(
    "raw_response, expected",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly twenty bytes...", ConnectionFailed),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello and more", b"hello"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\nread to the end", b"read to the end"),
    ],
    ids=["short", "long", "junk"],
)
def test_wrong_content_length(raw_response, expected, fakeweb, allow_private):
    fakeweb.route("/x", handler=raw(raw_response))
    if expected is ConnectionFailed:
        with pytest.raises(ConnectionFailed):
            fetch(fakeweb.url("/x"), total_timeout=2)
    else:
        assert fetch(fakeweb.url("/x"), total_timeout=2).body == expected


# --- request headers and text -------------------------------------------------


def test_conditional_get(fakeweb, allow_private):
    def feed(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"}, b"<rss/>"

    fakeweb.route("/feed", handler=feed)
    first = fetch(fakeweb.url("/feed"))
    assert (first.status, first.body) == (200, b"<rss/>")
    assert fakeweb.requests[0].headers.get("If-None-Match") is None
    assert fakeweb.requests[0].headers.get("If-Modified-Since") is None

    second = fetch(
        fakeweb.url("/feed"), etag=first.headers["etag"], last_modified=first.headers["last-modified"]
    )
    assert (second.status, second.body) == (304, b"")
    sent = fakeweb.requests[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 05 Jan 2026 10:00:00 GMT"


def test_user_agent_and_accept_headers_sent(fakeweb, allow_private, settings):
    settings.USER_AGENT = "SurgeTest/1.0 (+http://surge.test/how-it-works/)"
    fakeweb.route("/feed", b"<rss/>")
    fetch(fakeweb.url("/feed"), accept="application/rss+xml")
    sent = fakeweb.requests[0].headers
    assert sent["User-Agent"] == "SurgeTest/1.0 (+http://surge.test/how-it-works/)"
    assert sent["Accept"] == "application/rss+xml"
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert sent["Host"] == f"127.0.0.1:{fakeweb.port}"


@pytest.mark.parametrize(
    "content_type, body, expected",
    [
        ("text/html; charset=ISO-8859-1", "Café crème, naïve".encode("latin-1"), "Café crème, naïve"),
        ('text/xml; charset="utf-8"', "Zürich – 東京".encode(), "Zürich – 東京"),
        ("text/html", "naïve".encode() + b"\xff", "naïve\ufffd"),  # no charset: UTF-8, junk replaced
        ("text/html; charset=x-no-such-charset", "naïve".encode(), "naïve"),
    ],
)
def test_text_decodes_declared_charset(content_type, body, expected, fakeweb, allow_private):
    fakeweb.route("/page", body, headers={"Content-Type": content_type})
    assert fetch(fakeweb.url("/page")).text() == expected
