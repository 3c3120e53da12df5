"""Playwright (Python) driving Debian's Chromium against pytest-django's
live_server. Playwright's own browser download does not work here, so the
system Chromium is launched by path."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SURGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The replayed morning of 2026-01-03: the US strikes on Venezuela.
REPLAY_START = datetime(2026, 1, 3, 7, tzinfo=UTC)
REPLAY_END = datetime(2026, 1, 3, 12, tzinfo=UTC)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API keeps an asyncio loop in this thread, which makes
    # Django refuse ORM calls from the test body; the calls are synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh browser profile (no cookies, no cache) at desktop size. Every
    JavaScript dialog is recorded, so a test can assert none opened, and so is
    every Content-Security-Policy violation Chromium reports."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.dialogs = []
    page.csp_violations = []

    def record(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    def record_console(message):
        if "Content Security Policy" in message.text:
            page.csp_violations.append(f"{page.url}: {message.text}")

    page.on("dialog", record)
    page.on("console", record_console)
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture
def replayed(real_data, transactional_db):
    """The real stream of that morning, clustered by the real pipeline, with
    Surge's clock set to its end (so the stories are live on the front page)."""
    from django.utils import timezone as django_timezone

    from ingest import clock
    from ingest.models import ReplayClock
    from tests.realdata import load_stream
    from trends.stories.assignment import assigner

    assigner.reset()
    load_stream(REPLAY_START, REPLAY_END)
    ReplayClock.objects.create(simulated_start=REPLAY_END, real_start=django_timezone.now(), speed=1.0)
    clock.reset_cache()
    yield
    assigner.reset()
    clock.reset_cache()
