"""Article text: fetch the page and extract it with trafilatura; when that is
impossible (paywall, empty page, error, fetching off) fall back to the feed
summary and record why."""

import logging
from datetime import UTC, datetime

import trafilatura
from django.conf import settings
from langdetect import DetectorFactory, LangDetectException, detect

from ingest import http
from ingest.models import Article
from ingest.urls import canonical_url, is_web_url

log = logging.getLogger(__name__)
DetectorFactory.seed = 0  # langdetect is random by default; same text, same answer
MIN_TEXT_CHARS = 250  # shorter "articles" are teasers, paywalls or cookie walls
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


def extract_article(article: Article) -> None:
    """Fill text, language and extraction note; adopt the page's rel=canonical
    URL when it is free. Saves the article and moves it to EXTRACTED."""
    text, note = "", ""
    if not settings.FETCH_ARTICLE_PAGES:
        note = "page fetching is turned off"
    elif not is_web_url(article.url):
        note = "no web link"
    else:
        text, note = _fetch_and_extract(article)
    if len(text) < MIN_TEXT_CHARS:
        if not note:
            note = "extracted text too short (paywall or teaser)"
        text = ""
    article.text = text
    article.extraction_note = note[:200]
    article.language = detect_language(" ".join(filter(None, [article.title, article.summary, text[:2000]])))
    article.stage = Article.Stage.EXTRACTED
    article.save()


def _fetch_and_extract(article: Article) -> tuple[str, str]:
    try:
        response = http.fetch(article.url, accept=PAGE_ACCEPT)
    except http.FetchError as exc:
        return "", f"page fetch failed: {exc.reason}"
    if response.status != 200:
        return "", f"page answered HTTP {response.status}"
    try:
        doc = trafilatura.bare_extraction(response.text(), url=response.url, with_metadata=True)
    except Exception as exc:  # noqa: BLE001 -- trafilatura raises assorted lxml errors on junk pages
        log.warning("extraction failed for %s: %s", article.url, exc)
        return "", f"extraction failed: {type(exc).__name__}"
    if doc is None or not doc.text:
        return "", "no article text found on the page"
    _adopt_canonical(article, doc.url)
    _adopt_date(article, doc.date)
    return doc.text.strip(), ""


def _adopt_canonical(article: Article, page_url: str | None):
    if not page_url or not is_web_url(page_url):
        return
    canonical = canonical_url(page_url)
    if canonical == article.canonical_url:
        return
    if Article.objects.filter(canonical_url=canonical).exclude(pk=article.pk).exists():
        return  # the same article under another URL: the dedup pass links them
    article.canonical_url = canonical[:2000]


def _adopt_date(article: Article, page_date: str | None):
    """The feed's time is usually more precise (trafilatura gives a day); use
    the page's date only when the feed's item was undated (published_at ==
    fetched_at) and the page's day is earlier."""
    if not page_date or article.published_at != article.fetched_at:
        return
    try:
        day = datetime.fromisoformat(page_date).replace(tzinfo=UTC)
    except ValueError:
        return
    if day.date() < article.fetched_at.date():
        article.published_at = day


def detect_language(text: str) -> str:
    if len(text.strip()) < 10:
        return ""
    try:
        return detect(text)[:8]
    except LangDetectException:
        return ""
