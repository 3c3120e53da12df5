"""Every real-world feed file from three feed readers' test suites
(../shared/data/feeds) is served from a local server and polled: each parses
to the expected number of items and stores the expected number of articles,
and the fragments that are not feeds are recorded as feed errors."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.feeds import parse_feed
from ingest.models import Article, Feed
from ingest.polling import poll_feed
from tests.realdata import DATA

FEEDS_DIR = DATA / "feeds"
NOT_A_FEED = "not a feed"
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)

# (file, items parsed, articles stored). Parsed counts equal the <item>/<entry>
# elements of each file (JSON: its items), less items with neither title nor
# text. Stored is lower where items have no link (nothing to show or fetch)
# or share one link once the fragment is dropped (rss_2.0_spec_1).
EXPECTED = [
    ("feed-rs/atom_content_src.xml", 1, 1),
    ("feed-rs/atom_entry_1.xml", 1, 0),
    ("feed-rs/atom_example_1.xml", 1, 1),
    ("feed-rs/atom_example_2.xml", 2, 2),
    ("feed-rs/atom_example_3.xml", 1, 1),
    ("feed-rs/atom_example_4.xml", 1, 1),
    ("feed-rs/atom_example_5.xml", 1, 1),
    ("feed-rs/atom_example_6.xml", 4, 4),
    ("feed-rs/atom_example_7.xml", 1, 0),
    ("feed-rs/atom_example_reddit.xml", 1, 1),
    ("feed-rs/atom_mediarss_newscred_1.xml", 1, 1),
    ("feed-rs/atom_mediarss_reddit_1.xml", 25, 25),
    ("feed-rs/atom_mediarss_youtube_1.xml", 1, 1),
    ("feed-rs/atom_pub_spec_1.xml", 1, 0),
    ("feed-rs/atom_relative.xml", 1, 1),
    ("feed-rs/atom_scattered.xml", 1, 1),
    ("feed-rs/atom_spec_1.xml", 1, 1),
    ("feed-rs/atom_xml_base.xml", 1, 1),
    ("feed-rs/jsonfeed_elastic_1.1.json", 3, 3),
    ("feed-rs/jsonfeed_example_1.json", 2, 2),
    ("feed-rs/jsonfeed_spec_1.json", 1, 1),
    ("feed-rs/rss_0.91_encoding_1.xml", 1, 1),
    ("feed-rs/rss_0.91_encoding_2.xml", 1, 1),
    ("feed-rs/rss_0.91_missing_id.xml", 1, 0),
    ("feed-rs/rss_0.91_spec_1.xml", 2, 2),
    ("feed-rs/rss_0.92_spec_1.xml", 3, 0),
    ("feed-rs/rss_1.0_biorxiv.xml", 1, 1),
    ("feed-rs/rss_1.0_debian.xml", 1, 1),
    ("feed-rs/rss_1.0_example_1.xml", 2, 2),
    ("feed-rs/rss_1.0_example_2.xml", 1, 1),
    ("feed-rs/rss_1.0_iso8859.xml", 1, 1),
    ("feed-rs/rss_1.0_spec_1.xml", 2, 2),
    ("feed-rs/rss_1.0_spec_2.xml", 1, 1),
    ("feed-rs/rss_2.0_anchorfm.xml", 1, 1),
    ("feed-rs/rss_2.0_bbc.xml", 1, 1),
    ("feed-rs/rss_2.0_ch9.xml", 1, 1),
    ("feed-rs/rss_2.0_cloudflare.xml", 1, 1),
    ("feed-rs/rss_2.0_dbengines.xml", 1, 1),
    ("feed-rs/rss_2.0_element_io.xml", 1, 1),
    ("feed-rs/rss_2.0_encoding_1.xml", 1, 1),
    ("feed-rs/rss_2.0_example_1.xml", 1, 1),
    ("feed-rs/rss_2.0_example_2.xml", 1, 1),
    ("feed-rs/rss_2.0_example_3.xml", 1, 1),
    ("feed-rs/rss_2.0_example_4.xml", 1, 1),
    ("feed-rs/rss_2.0_example_5.xml", 1, 1),
    ("feed-rs/rss_2.0_example_6.xml", 1, 1),
    ("feed-rs/rss_2.0_ghost_1.xml", 1, 0),
    ("feed-rs/rss_2.0_ghost_2.xml", 1, 1),
    ("feed-rs/rss_2.0_heated.xml", 1, 1),
    ("feed-rs/rss_2.0_ilgiornale.xml", 1, 1),
    ("feed-rs/rss_2.0_ilmessaggero.xml", 1, 1),
    ("feed-rs/rss_2.0_invalid_1.xml", NOT_A_FEED, 0),
    ("feed-rs/rss_2.0_kdist.xml", 1, 1),
    ("feed-rs/rss_2.0_matrix.xml", 1, 1),
    ("feed-rs/rss_2.0_nbcny.xml", 1, 1),
    ("feed-rs/rss_2.0_nightvale.xml", 1, 1),
    ("feed-rs/rss_2.0_reddit.xml", 1, 1),
    ("feed-rs/rss_2.0_relurl_1.xml", 2, 2),
    ("feed-rs/rss_2.0_relurl_2.xml", 1, 1),
    ("feed-rs/rss_2.0_rps.xml", 1, 1),
    ("feed-rs/rss_2.0_spec_1.xml", 2, 1),
    ("feed-rs/rss_2.0_spiegel.xml", 1, 1),
    ("feed-rs/rss_2.0_spreaker.xml", 1, 1),
    ("feed-rs/rss_2.0_vimeo_media.xml", 1, 1),
    ("feed-rs/rss_2.0_wirecutter.xml", 1, 1),
    ("feed-rs/xml_iso8859.xml", 1, 0),
    ("feed-rs/xml_sample_1.xml", NOT_A_FEED, 0),
    ("feed-rs/xml_sample_2.xml", NOT_A_FEED, 0),
    ("feedjira/AmazonWebServicesBlog.xml", 10, 10),
    ("feedjira/AmazonWebServicesBlogFirstEntryContent.xml", NOT_A_FEED, 0),
    ("feedjira/AtomEscapedHTMLInPreTag.xml", 1, 0),
    ("feedjira/AtomFeedWithSpacesAroundEquals.xml", 1, 1),
    ("feedjira/AtomWithITunesInCDATA.xml", 1, 1),
    ("feedjira/CRE.xml", 30, 30),
    ("feedjira/DuplicateContentAtomFeed.xml", 10, 10),
    ("feedjira/FeedBurnerUrlNoAlternate.xml", 1, 1),
    ("feedjira/FeedBurnerXHTML.xml", 10, 10),
    ("feedjira/FeedjiraBlog.xml", 1, 1),
    ("feedjira/GiantRobotsSmashingIntoOtherGiantRobots.xml", 3, 3),
    ("feedjira/GoogleDocsList.xml", 2, 2),
    ("feedjira/HREFConsideredHarmful.xml", 10, 10),
    ("feedjira/HREFConsideredHarmfulFirstEntry.xml", NOT_A_FEED, 0),
    ("feedjira/HuffPostCanada.xml", 2, 2),
    ("feedjira/ITunesWithSingleQuotedAttributes.xml", 3, 3),
    ("feedjira/ITunesWithSpacesInAttributes.xml", 3, 3),
    ("feedjira/InvalidDateFormat.xml", 2, 2),
    ("feedjira/PaulDixExplainsNothing.xml", 5, 5),
    ("feedjira/PaulDixExplainsNothingAlternate.xml", 5, 5),
    ("feedjira/PaulDixExplainsNothingFirstEntryContent.xml", NOT_A_FEED, 0),
    ("feedjira/PaulDixExplainsNothingWFW.xml", 5, 5),
    ("feedjira/Permalinks.xml", 4, 3),
    ("feedjira/RSSWithComments.xml", 30, 30),
    ("feedjira/SamRuby.xml", 20, 20),
    ("feedjira/TechCrunch.xml", 20, 20),
    ("feedjira/TechCrunchFirstEntry.xml", NOT_A_FEED, 0),
    ("feedjira/TechCrunchFirstEntryDescription.xml", NOT_A_FEED, 0),
    ("feedjira/TenderLovemaking.xml", 10, 10),
    ("feedjira/TenderLovemakingFirstEntry.xml", NOT_A_FEED, 0),
    ("feedjira/TrotterCashionHome.xml", 14, 14),
    ("feedjira/TypePadNews.xml", 10, 10),
    ("feedjira/a10.xml", 5, 5),
    ("feedjira/atom_simple_single_entry.xml", 1, 1),
    ("feedjira/atom_simple_single_entry_link_self.xml", 1, 1),
    ("feedjira/atom_with_link_tag_for_url_unmarked.xml", 1, 1),
    ("feedjira/google_alerts_atom.xml", 20, 20),
    ("feedjira/itunes.xml", 3, 3),
    ("feedjira/itunes_feedburner.xml", 3, 3),
    ("feedjira/json_feed.json", 20, 20),
    ("feedjira/json_feed_with_escaped_uris.json", 30, 30),
    ("feedjira/pet_atom.xml", 10, 10),
    ("feedjira/youtube_atom.xml", 15, 15),
    ("miniflux/encoding_ISO-8859-1.xml", 40, 40),
    ("miniflux/encoding_WINDOWS-1251.xml", 50, 50),
    ("miniflux/large_atom.xml", 25, 25),
    ("miniflux/large_rss.xml", 25, 25),
    ("miniflux/no_encoding_ISO-8859-1.xml", 9, 9),
    ("miniflux/rdf_UTF8.xml", 60, 60),
    ("miniflux/small_atom.xml", 20, 20),
    ("miniflux/urdu_UTF8.xml", 26, 26),
]


@pytest.mark.needs_real_data
def test_table_covers_every_file_in_the_data_set():
    on_disk = {str(p.relative_to(FEEDS_DIR)) for p in FEEDS_DIR.rglob("*") if p.is_file()}
    assert on_disk == {name for name, _, _ in EXPECTED}


def _content_type(name: str) -> str:
    return "application/feed+json" if name.endswith(".json") else "application/xml"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "items", "stored"), EXPECTED, ids=[e[0] for e in EXPECTED])
@pytest.mark.needs_real_data
def test_feed_file_is_polled_with_expected_counts(name, items, stored, fakeweb, crawler):
    body = (FEEDS_DIR / name).read_bytes()
    fakeweb.route("/feed", body=body, headers={"Content-Type": _content_type(name)})
    feed = crawler(fakeweb.url("/feed"))

    result = poll_feed(feed, NOW)

    feed = Feed.objects.get(pk=feed.pk)
    assert Article.objects.filter(feed=feed).count() == stored
    assert feed.next_poll_at > NOW
    if items == NOT_A_FEED:
        assert result.status == "error"
        assert feed.error_count == 1
        assert feed.last_error.startswith(("not a feed", "malformed feed"))
    else:
        assert result.status == "ok"
        assert feed.error_count == 0
        parsed = parse_feed(body, base_url=fakeweb.url("/feed"), content_type=_content_type(name))
        assert len(parsed.items) == items
        assert feed.items_seen == items


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_no_stored_article_has_a_future_or_missing_time(fakeweb, crawler):
    for i, name in enumerate(("feedjira/InvalidDateFormat.xml", "feed-rs/rss_0.91_spec_1.xml")):
        fakeweb.route(f"/f{i}", body=(FEEDS_DIR / name).read_bytes(), headers={"Content-Type": "text/xml"})
        poll_feed(crawler(fakeweb.url(f"/f{i}")), NOW)
    assert Article.objects.count() > 0
    assert not Article.objects.filter(published_at__gt=NOW).exists()


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_windows_1251_feed_titles_are_decoded(fakeweb, crawler):
    body = Path(FEEDS_DIR / "miniflux/encoding_WINDOWS-1251.xml").read_bytes()
    fakeweb.route("/feed", body=body, headers={"Content-Type": "application/rss+xml"})
    poll_feed(crawler(fakeweb.url("/feed")), NOW)
    titles = " ".join(Article.objects.values_list("title", flat=True))
    assert any("\u0400" <= ch <= "\u04ff" for ch in titles)  # Cyrillic, not mojibake
    assert "\ufffd" not in titles


def test_control_characters_are_stripped_from_json_feed_titles_and_summaries():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Wire\u0002 desk",
            "items": [
                {
                    "id": "1",
                    "url": "https://n.example/1",
                    "title": "Council\u0001 votes\u001f on bridge\u007f budget",
                    "summary": "The vote\u0000 was\u000b close.",
                }
            ],
        }
    ).encode()
    parsed = parse_feed(body, base_url="https://n.example/feed.json", content_type="application/feed+json")
    [item] = parsed.items
    assert item.title == "Council votes on bridge budget"
    assert item.summary == "The vote was close."
    assert parsed.title == "Wire desk"
