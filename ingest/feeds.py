"""Turn a fetched feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into
clean items. feedparser does the parsing; this module decides what an item's
identity, link, title and time are, and never trusts the feed's HTML."""

import hashlib
import html
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import nh3
from dateutil import parser as dateparser

from ingest.canonical import is_web_url
from ingest.text import cap_title, clean_line

log = logging.getLogger(__name__)


class NotAFeed(ValueError):
    """The document is not a feed (an HTML page, garbage, an empty body)."""


@dataclass
class FeedItem:
    guid: str
    link: str
    title: str
    summary: str
    published_at: datetime | None  # None when missing or invalid


@dataclass
class ParsedFeed:
    title: str
    link: str
    items: list[FeedItem] = field(default_factory=list)
    ttl_minutes: int | None = None
    warning: str = ""  # feedparser's "bozo" complaint when it still got items
    skipped: int = 0  # entries that could not be read


def plain_text(fragment: str) -> str:
    """Feed titles and summaries may carry HTML (even <script>): keep the
    text only. nh3 (ammonia) strips every tag; unescape once for entities;
    then control, bidi and invisible characters go (ingest/text.py), raw or
    as entities."""
    if not fragment:
        return ""
    if not isinstance(fragment, str):
        raise TypeError(f"text is a {type(fragment).__name__}, not a string")
    cleaned = nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"})
    return clean_line(html.unescape(cleaned))


def _title(fragment: str) -> str:
    return cap_title(plain_text(fragment))


def _text_or_empty(value) -> str:
    return value if isinstance(value, str) else ""


def parse_feed(body: bytes, *, base_url: str, content_type: str = "") -> ParsedFeed:
    """The document's items. An entry that cannot be read (a value of the
    wrong type, a parser failure) is skipped and counted in .skipped; a
    document that cannot be read at all raises NotAFeed."""
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, base_url)
    # Whitespace before the XML declaration makes the document ill-formed
    # and forces feedparser's lenient parser; real feeds often have it.
    body = body.lstrip(b" \t\r\n")
    # A stream, never bytes or str: feedparser opens a str or bytes that
    # names a file ("/etc/passwd", "/dev/zero") or fetches one that is a URL.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": base_url, "content-type": content_type},
    )
    version = parsed.get("version") or ""
    if not parsed.entries and not version:
        problem = parsed.get("bozo_exception")
        raise NotAFeed(
            f"not a feed ({problem})" if problem else "not a feed: no RSS, Atom or JSON Feed found"
        )
    meta = parsed.get("feed", {})
    feed = ParsedFeed(
        title=_title(meta.get("title", "")),
        link=_text_or_empty(meta.get("link", "")) or base_url,
        ttl_minutes=_int_or_none(meta.get("ttl")),
        warning=str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else "",
    )
    for entry in parsed.entries:
        try:
            item = _rss_item(entry, base_url)
        except Exception as exc:  # noqa: BLE001 -- one hostile entry must not cost the others
            log.warning("feed %s: entry skipped (%s: %s)", base_url, type(exc).__name__, exc)
            feed.skipped += 1
            continue
        if item is not None:
            feed.items.append(item)
    if not feed.items and parsed.get("bozo"):
        # Recognised as a feed, but broken before its first item: an error
        # for editors to see, not an empty feed.
        raise NotAFeed(f"malformed feed, no items readable ({parsed.get('bozo_exception')})")
    return feed


def _rss_item(entry, base_url: str) -> FeedItem | None:
    """One feedparser entry (RSS, RDF or Atom); None when it has no text."""
    title = _title(entry.get("title", ""))
    summary = plain_text(entry.get("summary", ""))
    if not title and not summary:
        return None
    return FeedItem(
        guid=_text_or_empty(entry.get("id")).strip()[:1000],
        link=_absolute_link(_text_or_empty(entry.get("link", "")), base_url),
        title=title or _first_words(summary),
        summary=summary,
        published_at=_entry_time(entry),
    )


def item_key(item: FeedItem) -> str:
    """Identity of an item within its feed. The GUID when the feed gives one;
    feeds that give none get a key from the link (or, with no link, the text)."""
    if item.guid:
        return item.guid
    return _derived_key(item)


def item_keys(items: list[FeedItem]) -> list[str]:
    """item_key for each item of one document, except that a GUID the
    document gives to more than one item identifies none of them (some feeds
    give every item the same GUID): those items are keyed by their link."""
    counts = Counter(item.guid for item in items if item.guid)
    return [_derived_key(item) if counts[item.guid] > 1 else item_key(item) for item in items]


def _derived_key(item: FeedItem) -> str:
    # The link, not the title: a headline edited between polls is the same item.
    basis = item.link or f"{item.title}\n{item.summary}"
    return "surge:" + hashlib.sha1(basis.encode()).hexdigest()


def _parse_json_feed(body: bytes, base_url: str) -> ParsedFeed:
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise NotAFeed(f"invalid JSON Feed: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise NotAFeed("JSON document is not a JSON Feed (no jsonfeed.org version)")
    entries = doc.get("items")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise NotAFeed(f"invalid JSON Feed: items is a {type(entries).__name__}, not a list")
    feed = ParsedFeed(
        title=_title(_json_string(doc, "title")),
        link=_json_string(doc, "home_page_url") or base_url,
    )
    for entry in entries:
        try:
            item = _json_item(entry, base_url)
        except (TypeError, ValueError) as exc:
            log.warning("JSON Feed %s: item skipped (%s)", base_url, exc)
            feed.skipped += 1
            continue
        if item is not None:
            feed.items.append(item)
    return feed


def _json_item(entry, base_url: str) -> FeedItem | None:
    """One JSON Feed item; TypeError when it is not an object of strings."""
    if not isinstance(entry, dict):
        raise TypeError(f"an item is a {type(entry).__name__}, not an object")
    link = _json_string(entry, "url") or _json_string(entry, "external_url")
    title = _title(_json_string(entry, "title"))
    summary = plain_text(
        _json_string(entry, "summary")
        or _json_string(entry, "content_html")
        or _json_string(entry, "content_text")
    )
    if not title and not summary:
        return None
    return FeedItem(
        guid=_json_string(entry, "id", numbers=True).strip()[:1000],
        link=_absolute_link(link, base_url),
        title=title or _first_words(summary),
        summary=summary,
        published_at=_parse_date(
            _json_string(entry, "date_published") or _json_string(entry, "date_modified")
        ),
    )


def _json_string(obj: dict, key: str, *, numbers: bool = False) -> str:
    """obj[key] when it is a string ("" when absent or null); an id may be a
    number. Anything else is an item of the wrong shape."""
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{key} is a {type(value).__name__}, not a string")


def _looks_like_json(body: bytes, content_type: str) -> bool:
    if "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _entry_time(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    for key in ("published", "updated", "created"):
        parsed = _parse_date(_text_or_empty(entry.get(key, "")))
        if parsed:
            return parsed
    return None


def _parse_date(raw: str) -> datetime | None:
    """UTC time of a date string; None when missing or impossible (year 1
    east of UTC and year 9999 west of it overflow when moved to UTC)."""
    if not raw:
        return None
    try:
        value = dateparser.parse(raw)
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError, TypeError):
        return None


def _absolute_link(link: str, base_url: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    absolute = urljoin(base_url, link)
    return absolute if is_web_url(absolute) else ""


def _int_or_none(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _first_words(text: str, limit: int = 12) -> str:
    words = text.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")
