import pytest


@pytest.fixture
def fakeweb():
    """A local web server on 127.0.0.1 (see tests/fakeweb.py), stopped after the test.

    Fetching from it needs settings.ALLOW_PRIVATE_ADDRESSES = True."""
    from tests.fakeweb import FakeWeb

    server = FakeWeb()
    yield server
    server.stop()
