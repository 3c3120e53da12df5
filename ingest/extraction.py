"""Article text: fetch the page (robots.txt and per-host limits respected)
and extract it with trafilatura; when that is impossible (paywall, empty
page, error, fetching off, disallowed) fall back to the feed summary and
record why. Then language detection and near-duplicate linking."""

import logging
from datetime import UTC, datetime
from urllib.parse import urljoin

import py3langid
import trafilatura
from django.conf import settings
from django.db import IntegrityError, transaction
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from ingest import dedup
from ingest.canonical import canonical_url, is_web_url
from ingest.models import Article
from ingest.page_downloads import Download, download_pages
from ingest.timing import timed
from surge.bulk_rows import update_rows

log = logging.getLogger(__name__)
MIN_TEXT_CHARS = 250  # shorter "articles" are teasers, paywalls or cookie walls
# py3langid reads character n-grams: title and lead say as much as the whole
# text, at a fraction of the cost.
LANGUAGE_SAMPLE_CHARS = 600


def extract_article(article: Article) -> None:
    """extract_articles for one article; raises what its extraction raised."""
    failed = extract_articles([article])
    if article.pk in failed:
        raise failed[article.pk]


def extract_articles(articles: list[Article]) -> dict[int, Exception]:
    """Fill each article's text, language, extraction note and near-duplicate
    link; adopt the page's rel=canonical URL when it is free, or link the
    article as a duplicate of the one that has it. Saves the articles and
    moves them to EXTRACTED. Running it twice gives the same result. An
    article that raises is left as it was and its exception returned (by
    primary key) while the others go on."""
    failed: dict[int, Exception] = {}
    read = []
    with timed("extract"):
        downloads = download_pages([a for a in articles if _wants_page(a)])
        for article in articles:
            try:
                read_page(article, downloads.get(article.pk))
                read.append(article)
            except Exception as exc:  # noqa: BLE001 -- returned to the caller, who records it
                failed[article.pk] = exc
        # Already a copy by canonical URL: still indexed, so later copies find the group.
        copies = {a.pk: a.duplicate_of_id for a in read if a.duplicate_of_id is not None}
        try:
            dedup.link_near_duplicates(read)
        except Exception:  # noqa: BLE001 -- one article's trouble must not fail its batch-mates
            log.exception("near-duplicate linking of a batch failed; linking one article at a time")
            for article in list(read):
                try:
                    dedup.link_near_duplicates([article])
                except Exception as exc:  # noqa: BLE001
                    failed[article.pk] = exc
                    read.remove(article)
        for article in read:
            if article.pk in copies:
                article.duplicate_of_id = copies[article.pk]
            article.stage = Article.Stage.EXTRACTED
        failed.update(_save_all(read))
    return failed


def read_page(article: Article, download: Download | None = None) -> None:
    """Text, extraction note and language, in memory. download: what
    download_pages got for it (fetched here when not given)."""
    text, note = "", ""
    if not settings.FETCH_ARTICLE_PAGES:
        note = "page fetching is turned off"
    elif not is_web_url(article.url):
        note = "no web link"
    else:
        if download is None:
            download = download_pages([article])[article.pk]
        text, note = _extract_downloaded(article, download)
    if len(text) < MIN_TEXT_CHARS:
        if not note:
            note = "extracted text too short (paywall or teaser)"
        text = ""
    article.text = text
    article.extraction_note = note[:200]
    article.language = detect_language(
        " ".join(filter(None, [article.title, article.summary, text]))[:LANGUAGE_SAMPLE_CHARS]
    )


# What extraction writes; the rest of the row (title, feed, claim) was written
# by the poll and stays as it is.
EXTRACTED_FIELDS = (
    "text",
    "extraction_note",
    "language",
    "canonical_url",
    "published_at",
    "duplicate_of",
    "fingerprint",
    "stage",
)
EXTRACTED_ATTRIBUTES = tuple(Article._meta.get_field(name).attname for name in EXTRACTED_FIELDS)


def _save_all(articles: list[Article]) -> dict[int, Exception]:
    """One statement for the batch (an ORM save an article cost about a
    millisecond of a worker's CPU); when it fails, one article at a time,
    so that one article's trouble (a canonical URL another worker took a
    moment ago) is that article's alone. Returns what failed, by primary key."""
    try:
        with transaction.atomic():
            update_rows(Article, [_extracted_row(a) for a in articles])
        return {}
    except Exception:  # noqa: BLE001 -- sorted out one article at a time below
        log.info("saving a batch's extraction at once failed; saving one article at a time")
    failed = {}
    for article in articles:
        try:
            _save(article)
        except Exception as exc:  # noqa: BLE001
            failed[article.pk] = exc
    return failed


def _extracted_row(article: Article) -> dict:
    return {"id": article.pk, **{name: getattr(article, name) for name in EXTRACTED_ATTRIBUTES}}


def _save(article: Article) -> None:
    try:
        with transaction.atomic():
            article.save(update_fields=EXTRACTED_FIELDS)
    except IntegrityError:
        # Another worker gave its article the same canonical URL a moment ago.
        stored_url = Article.objects.filter(pk=article.pk).values_list("canonical_url", flat=True).first()
        holder = Article.objects.filter(canonical_url=article.canonical_url).exclude(pk=article.pk).first()
        article.canonical_url = stored_url or article.canonical_url
        if holder is not None and article.duplicate_of_id is None:
            article.duplicate_of_id = holder.duplicate_of_id or holder.pk
        article.save(update_fields=EXTRACTED_FIELDS)


def _wants_page(article: Article) -> bool:
    return bool(settings.FETCH_ARTICLE_PAGES) and is_web_url(article.url)


def _extract_downloaded(article: Article, download: Download) -> tuple[str, str]:
    if isinstance(download, Exception):
        raise download
    response, note = download
    if response is None:
        return "", note
    if response.status != 200:
        return "", f"page answered HTTP {response.status}"
    try:
        # Parsed once here: the canonical link and (for an undated item) the
        # page's date are read from the tree, and trafilatura extracts from a
        # copy of it without its metadata pass (author, site name, categories,
        # date search: half its time, and Surge uses none of it).
        tree = load_html(response.text())
        if tree is None:
            return "", "no article text found on the page"
        page_url = _canonical_link(tree, response.url)
        page_date = _page_date(tree, response.url) if _undated(article) else None
        doc = _extract_text(tree, response.url)
    except Exception as exc:  # noqa: BLE001 -- trafilatura raises assorted lxml errors on junk pages
        log.warning("extraction failed for %s: %s", article.url, exc)
        return "", f"extraction failed: {type(exc).__name__}"
    if doc is None or not doc.text:
        return "", "no article text found on the page"
    _adopt_canonical(article, page_url)
    _adopt_date(article, page_date)
    return doc.text.strip(), ""


def _extract_text(tree: HtmlElement, page_url: str):
    # fast: trafilatura's own algorithm without the readability/jusText
    # comparison, a third of its time here; its published benchmark puts
    # the loss at about a point of recall, precision unchanged
    # (docs/decisions/fast-at-any-size.md).
    return trafilatura.bare_extraction(tree, url=page_url, with_metadata=False, fast=True)


def _canonical_link(tree: HtmlElement, page_url: str) -> str:
    """The page's rel=canonical link (made absolute), else its og:url (which
    must be absolute to count), else the URL the page was fetched from (after
    redirects)."""
    for element in tree.iterfind(".//link[@href]"):
        if "canonical" in (element.get("rel") or "").lower().split():
            return urljoin(page_url, element.get("href").strip())
    for element in tree.iterfind(".//meta[@content]"):
        if (element.get("property") or element.get("name") or "").lower() == "og:url":
            url = element.get("content").strip()
            if is_web_url(url):
                return url
    return page_url


def _undated(article: Article) -> bool:
    """The feed gave no time: the item was stamped when it was fetched."""
    return article.published_at == article.fetched_at


def _page_date(tree: HtmlElement, page_url: str) -> str | None:
    # The page's date only stands in for an undated feed item (_adopt_date):
    # htmldate's quick search for the original (not modified) date is enough.
    return find_date(tree, url=page_url, original_date=True, extensive_search=False)


def _adopt_canonical(article: Article, page_url: str | None):
    """The page's rel=canonical becomes the article's key. When another
    article already has that key, this one is the same article under a second
    URL: it is kept and linked to that one as a duplicate."""
    if not page_url or not is_web_url(page_url):
        return
    canonical = canonical_url(page_url)
    if canonical == article.canonical_url:
        return
    holder = Article.objects.filter(canonical_url=canonical).exclude(pk=article.pk).first()
    if holder is not None:
        article.duplicate_of_id = holder.duplicate_of_id or holder.pk
        return
    article.canonical_url = canonical[:2000]


def _adopt_date(article: Article, page_date: str | None):
    """The feed's time is usually more precise (trafilatura gives a day); use
    the page's date only when the feed's item was undated (published_at ==
    fetched_at) and the page's day is earlier."""
    if not page_date or not _undated(article):
        return
    try:
        day = datetime.fromisoformat(page_date).replace(tzinfo=UTC)
    except ValueError:
        return
    if day.date() < article.fetched_at.date():
        article.published_at = day


def warm_up() -> None:
    """Load what the first extraction would otherwise load in the middle of a
    batch: the language model, trafilatura's and htmldate's lazy tables, and
    the public-suffix list read for the page's domain."""
    detect_language("Loading the language model once per process.")
    paragraph = "A sentence of a page, long enough to be taken for an article. " * 8
    tree = load_html(
        f"<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1><p>{paragraph}</p>"
        "</article></body></html>"
    )
    _page_date(tree, "https://warm-up.example/article.html")
    _extract_text(tree, "https://warm-up.example/article.html")


def detect_language(text: str) -> str:
    """ISO 639-1 code, or "" for too little text. py3langid: about 0.2 ms a
    call against langdetect's 20 ms, and deterministic."""
    if len(text.strip()) < 10:
        return ""
    language, _score = py3langid.classify(text)
    return language[:8]
