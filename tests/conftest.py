import pytest

# --- real data (../shared/data) -------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before -m selects, so `-m "not needs_real_data"` sees these marks
def pytest_collection_modifyitems(config, items):
    """A test needs the real data when it is marked `needs_real_data` or uses
    a fixture that requests `real_data`. When ../shared/data is absent, those
    tests skip, saying where it was looked for (instead of failing on a file)."""
    from tests.realdata import real_data_missing

    reason = real_data_missing()
    for item in items:
        if "real_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.needs_real_data)
        if reason and item.get_closest_marker("needs_real_data"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def real_data():
    """The real data folder, for fixtures that load it (a fixture cannot carry
    a mark); tests using them are marked `needs_real_data` by the hook above."""
    from tests.realdata import DATA, real_data_missing

    reason = real_data_missing()
    if reason:
        pytest.skip(reason)
    return DATA


@pytest.fixture
def fakeweb():
    """A local web server on 127.0.0.1 (see tests/fakeweb.py), stopped after the test.

    Fetching from it needs settings.ALLOW_PRIVATE_ADDRESSES = True."""
    from tests.fakeweb import FakeWeb

    server = FakeWeb()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_story_index():
    """Each worker process keeps an in-memory index of live stories; tests roll
    the database back, so the index must start empty for every test."""
    from trends.stories.assignment import assigner

    assigner.reset()
    yield
    assigner.reset()


# --- crawler (issue 4) -------------------------------------------------------


@pytest.fixture
def crawler(settings):
    """Settings for crawling the local fakeweb server: loopback allowed, no
    per-host delay, short timeouts. Returns a factory for a Feed at a URL."""
    settings.ALLOW_PRIVATE_ADDRESSES = True
    settings.HOST_MIN_DELAY_SECONDS = 0
    settings.FETCH_CONNECT_TIMEOUT = 1
    settings.FETCH_TOTAL_TIMEOUT = 2
    settings.FETCH_ARTICLE_PAGES = True

    def feed_at(url: str, domain: str = "example.org"):
        from tests.factories import make_feed, make_source

        return make_feed(url, source=make_source(domain, name=domain))

    return feed_at


# --- editorial (tests/test_editorial_*.py) -----------------------------------


@pytest.fixture
def editor(db):
    """A staff user in the editors group (the group comes from a migration)."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("edna", password="a long editor password", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    return User.objects.get(pk=user.pk)  # fresh: permission cache empty


@pytest.fixture
def editor_client(editor):
    """A test client logged in as `editor`."""
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def no_kept_robots_rules():
    """Workers keep parsed robots.txt rules per origin in memory; the local
    test server's origin comes back in other tests with other rules."""
    from ingest import robots

    robots.forget_kept_rules()
    yield
    robots.forget_kept_rules()


@pytest.fixture(autouse=True)
def empty_page_cache():
    """The page cache lives in files under SURGE_VAR_DIR and outlives a test's
    database: a page cached for story 1 in one test must not answer for
    another test's story 1."""
    from django.core.cache import cache

    cache.clear()
    yield
