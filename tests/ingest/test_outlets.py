"""Outlets carry a publisher name a reader recognises, never a feed title
with a tagline; an editor's name for an outlet is kept."""

import pytest

from ingest.outlets import publisher_name
from ingest.sources import import_feeds


@pytest.mark.parametrize(
    ("feed_title", "domain", "name"),
    [
        # The curated table: the replay's outlets whose feed titles say little.
        ("Al Jazeera – Breaking News, World News and Video from Al Jazeera", "aljazeera.com", "Al Jazeera"),
        ("NPR Topics: Home Page Top Stories", "npr.org", "NPR"),
        ("Articles | Mail Online", "dailymail.co.uk", "Daily Mail"),
        ("World news | The Guardian", "theguardian.com", "The Guardian"),
        # The default feeds' own names.
        ("BBC News - World", "bbc.co.uk", "BBC News"),
        # The rule: the part of the title that names the site...
        ("Latest – The Example Gazette", "examplegazette.com", "The Example Gazette"),
        (
            "Example Daily – Your trusted source for everything that matters today",
            "example.org",
            "Example Daily",
        ),
        ("Home | Example Daily", "exampledaily.com", "Example Daily"),
        # ...and the domain when the title names nothing.
        ("Latest news", "foo.org", "foo.org"),
        ("", "www.bar.net", "bar.net"),
    ],
)
def test_publisher_name_from_feed_title_and_domain(feed_title, domain, name):
    assert publisher_name(feed_title, domain) == name


@pytest.mark.django_db
def test_an_opml_import_names_the_outlet_not_the_feed():
    import_feeds(
        [
            {
                "url": "https://feeds.example.org/world.xml",
                "title": "Example Daily – Breaking News, World News and Video from Example Daily",
                "site": "https://exampledaily.com/",
            }
        ]
    )
    from ingest.models import Source

    assert Source.objects.get(domain="exampledaily.com").name == "Example Daily"


def _item(source, domain):
    from datetime import UTC, datetime

    from lab.newsriver import StreamItem

    moment = datetime(2026, 1, 3, tzinfo=UTC)
    return StreamItem(source, domain, "A title", f"https://{domain}/a", moment, moment, "")


@pytest.mark.django_db
def test_the_replay_renames_outlets_it_named_after_their_feed_but_not_an_editors_name():
    from datetime import UTC, datetime

    from ingest.models import Source
    from lab.management.commands.replay import Command
    from tests.factories import make_source

    tagline = "Al Jazeera – Breaking News, World News and Video from Al Jazeera"
    make_source("aljazeera.com", name=tagline)  # an earlier replay's name
    make_source("dailymail.co.uk", name="The Daily Mail (UK)")  # an editor's
    items = [_item(tagline, "aljazeera.com"), _item("Articles | Mail Online", "dailymail.co.uk")]
    items.append(_item("NPR Topics: Home Page Top Stories", "npr.org"))
    Command()._register_feeds(items, 8999, datetime(2026, 1, 3, tzinfo=UTC))
    names = dict(Source.objects.values_list("domain", "name"))
    assert names == {
        "aljazeera.com": "Al Jazeera",
        "dailymail.co.uk": "The Daily Mail (UK)",
        "npr.org": "NPR",
    }
