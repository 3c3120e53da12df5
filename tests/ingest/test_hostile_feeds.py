"""Hostile or broken feed documents: a body that names a local file, entries
with impossible dates, a JSON Feed of the wrong shape, absurd headlines. Each
is read as data, each bad entry is skipped and counted, and an unreadable
document is a recorded feed error with back-off."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from ingest.feeds import NotAFeed, parse_feed
from ingest.models import Article, Feed
from ingest.polling import poll_feed
from ingest.sources import FeedNotFound, add_feed
from tests.ingest.test_polling_faults import RSS, THREE, rss

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
JSON_FEED = {"Content-Type": "application/feed+json"}


def local_feed_file(tmp_path) -> str:
    path = tmp_path / "local.xml"
    path.write_bytes(rss([("Read from the local disk", "https://local.example/secret", "local")]))
    return str(path)


# --- a body is data, never a file name --------------------------------------


@pytest.mark.parametrize("padding", ["", "\n  "])
def test_feed_body_naming_a_local_file_is_not_read(tmp_path, padding):
    body = (padding + local_feed_file(tmp_path)).encode()
    with pytest.raises(NotAFeed):
        parse_feed(body, base_url="https://feeds.example/rss")


def test_feed_body_naming_an_endless_device_is_not_read():
    with pytest.raises(NotAFeed):
        parse_feed(b"/dev/zero", base_url="https://feeds.example/rss")


@pytest.mark.django_db
def test_poll_of_a_feed_whose_body_is_a_file_name_stores_nothing(tmp_path, fakeweb, crawler):
    fakeweb.route("/feed", body=local_feed_file(tmp_path), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    result = poll_feed(feed, NOW)
    assert result.status == "error"
    assert Article.objects.count() == 0
    assert Feed.objects.get(pk=feed.pk).error_count == 1


@pytest.mark.django_db
def test_add_feed_never_reads_the_local_file_a_body_names(tmp_path, fakeweb, crawler):
    fakeweb.route("/feed", body=local_feed_file(tmp_path), headers=RSS)
    with pytest.raises(FeedNotFound):
        add_feed(fakeweb.url("/feed"))
    assert Feed.objects.count() == 0


# --- one bad entry costs that entry only ---------------------------------------


def rss_with_dates(dates: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.example/{i}</link><guid>g{i}</guid>"
        f"<pubDate>{date}</pubDate></item>"
        for i, date in enumerate(dates)
    )
    channel = f"<channel><title>T</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def atom_with_dates(dates: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>Item {i}</title><link href="https://news.example/{i}"/><id>g{i}</id>'
        f"<updated>{date}</updated></entry>"
        for i, date in enumerate(dates)
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{entries}</feed>'.encode()


EDGE_DATES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]


@pytest.mark.parametrize("build", [rss_with_dates, atom_with_dates])
def test_entries_dated_beyond_the_calendar_keep_the_rest_of_the_feed(build):
    feed = parse_feed(build([*EDGE_DATES, "2026-01-05T10:00:00Z"]), base_url="https://news.example/")
    assert [item.title for item in feed.items] == ["Item 0", "Item 1", "Item 2"]
    assert feed.items[2].published_at == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert [item.published_at for item in feed.items[:2]] == [None, None]


def json_feed(items) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}).encode()


def test_json_feed_entries_with_impossible_dates_are_undated_not_fatal():
    items = [
        {"id": str(i), "url": f"https://news.example/{i}", "title": f"Item {i}", "date_published": date}
        for i, date in enumerate(EDGE_DATES)
    ]
    feed = parse_feed(json_feed(items), base_url="https://news.example/", content_type="application/json")
    assert [item.published_at for item in feed.items] == [None, None]


def test_json_feed_entry_of_the_wrong_shape_is_skipped_and_counted():
    items = [
        {"id": "1", "url": "https://news.example/1", "title": "Kept"},
        {"id": "2", "url": ["not", "a", "string"], "title": {"nested": "object"}},
        "a bare string",
        {"id": "3", "url": "https://news.example/3", "title": "Also kept"},
    ]
    feed = parse_feed(json_feed(items), base_url="https://news.example/", content_type="application/json")
    assert [item.title for item in feed.items] == ["Kept", "Also kept"]
    assert feed.skipped == 2


@pytest.mark.parametrize("items", [5, "five", {"id": "1"}])
def test_json_feed_whose_items_are_not_a_list_is_not_a_feed(items):
    with pytest.raises(NotAFeed, match="items"):
        parse_feed(json_feed(items), base_url="https://news.example/", content_type="application/json")


@pytest.mark.django_db
def test_poll_stores_the_good_entries_and_counts_the_bad(fakeweb, crawler, monkeypatch):
    import ingest.feeds

    real = ingest.feeds._rss_item

    def explode_on_second(entry, base_url):
        if entry.get("title") == "Item 1":
            raise RuntimeError("a parser bug on one entry")
        return real(entry, base_url)

    monkeypatch.setattr(ingest.feeds, "_rss_item", explode_on_second)
    fakeweb.route("/feed", body=rss_with_dates(["2026-01-05T10:00:00Z"] * 3), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "ok"
    feed = Feed.objects.get(pk=feed.pk)
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Item 0", "Item 2"]
    assert feed.items_skipped == 1
    assert feed.error_count == 0


@pytest.mark.django_db
def test_json_feed_with_items_not_a_list_is_a_recorded_error_with_backoff(fakeweb, crawler):
    fakeweb.route("/feed.json", body=json_feed(5), headers=JSON_FEED)
    feed = crawler(fakeweb.url("/feed.json"))
    for expected_errors in (1, 2):
        result = poll_feed(Feed.objects.get(pk=feed.pk), NOW)
        assert result.status == "error"
        stored = Feed.objects.get(pk=feed.pk)
        assert stored.error_count == expected_errors
        assert "items" in stored.last_error
    assert stored.next_poll_at >= NOW + timedelta(seconds=540)  # second back-off step: 10 min, jittered


@pytest.mark.django_db
def test_an_unexpected_parser_failure_is_a_recorded_error_not_a_crash(fakeweb, crawler, monkeypatch):
    import ingest.polling

    def broken(*args, **kwargs):
        raise TypeError("feedparser fell over")

    monkeypatch.setattr(ingest.polling, "parse_feed", broken)
    fakeweb.route("/feed", body=rss(THREE), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "error"
    stored = Feed.objects.get(pk=feed.pk)
    assert stored.error_count == 1 and "TypeError" in stored.last_error
    assert stored.next_poll_at > NOW and stored.claim_token == ""


# --- headline content -----------------------------------------------------------


def one_item_rss(title: str, summary: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>{title}</title><description>{summary}</description>"
        "<link>https://news.example/1</link></item></channel></rss>"
    ).encode()


def test_a_100_kb_title_is_cut_to_a_display_length_at_a_word():
    title = "Breaking " + "word " * 20_000
    item = parse_feed(one_item_rss(title), base_url="https://news.example/").items[0]
    assert len(item.title) <= 300
    assert item.title.endswith("word…")


@pytest.mark.parametrize(
    "hostile, shown",
    [
        ("Bank \u202egnp.exe\u202c statement", "Bank gnp.exe statement"),  # right-to-left override
        ("\u2067Isolated\u2069 \u200fmark\u200e", "Isolated mark"),
        ("Pay\u200bPal sec\u2060urity\ufeff", "PayPal security"),  # zero-width space, word joiner, BOM
        ("soft\u00adhyphen and \u3164 filler", "softhyphen and filler"),
        ("\u200dLeading and trailing joiners\u200c", "Leading and trailing joiners"),
    ],
)
def test_bidi_controls_and_invisible_characters_are_stripped(hostile, shown):
    item = parse_feed(one_item_rss(hostile, hostile), base_url="https://news.example/").items[0]
    assert item.title == shown
    assert item.summary == shown


@pytest.mark.parametrize(
    "text",
    [
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: the ZWNJ is spelling
        "Coder \U0001f469\u200d\U0001f4bb of the year",  # an emoji ZWJ sequence
    ],
)
def test_joiners_between_visible_characters_are_kept(text):
    assert parse_feed(one_item_rss(text), base_url="https://news.example/").items[0].title == text


# --- OPML that says nothing useful says why ------------------------------------------

LAUGHS = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10 if n else "lol"}">' for n in range(9))
OPML_WITH_DTD = f"""<?xml version="1.0"?>
<!DOCTYPE opml [{LAUGHS}]>
<opml version="2.0"><head><title>&l8;</title></head><body>
<outline text="Wire" xmlUrl="https://wire.example/rss"/>
</body></opml>""".encode()


def test_opml_with_a_dtd_is_refused_with_the_reason():
    from ingest.opml import NotOpml, read_opml

    with pytest.raises(NotOpml, match="DTD"):
        read_opml(OPML_WITH_DTD)


@pytest.mark.django_db
def test_import_opml_with_a_dtd_fails_and_says_why(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "feeds.opml"
    path.write_bytes(OPML_WITH_DTD)
    with pytest.raises(CommandError, match="DTD"):
        call_command("import_opml", str(path))
    assert Feed.objects.count() == 0


@pytest.mark.django_db
def test_import_opml_listing_no_feeds_fails_and_says_why(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "feeds.opml"
    path.write_bytes(b'<opml version="2.0"><body><outline text="Just a folder"/></body></opml>')
    with pytest.raises(CommandError, match="no feed"):
        call_command("import_opml", str(path))
