"""Turn a fetched feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into
clean items. feedparser does the parsing; this module decides what an item's
identity, link, title and time are, and never trusts the feed's HTML."""

import hashlib
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import nh3
from dateutil import parser as dateparser

from ingest.canonical import is_web_url


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


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(fragment: str) -> str:
    """Feed titles and summaries may carry HTML (even <script>): keep the
    text only. nh3 (ammonia) strips every tag; unescape once for entities."""
    if not fragment:
        return ""
    cleaned = nh3.clean(fragment, tags=set(), clean_content_tags={"script", "style"})
    # C0 controls (raw or as entities) are invalid in XML: Django's RSS/Atom
    # writer would fail on them later.
    text = _CONTROL_CHARS.sub("", html.unescape(cleaned))
    return " ".join(text.split())


def parse_feed(body: bytes, *, base_url: str, content_type: str = "") -> ParsedFeed:
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, base_url)
    # Whitespace before the XML declaration makes the document ill-formed
    # and forces feedparser's lenient parser; real feeds often have it.
    body = body.lstrip(b" \t\r\n")
    parsed = feedparser.parse(
        body,
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
        title=plain_text(meta.get("title", "")),
        link=meta.get("link", "") or base_url,
        ttl_minutes=_int_or_none(meta.get("ttl")),
        warning=str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else "",
    )
    for entry in parsed.entries:
        link = _absolute_link(entry.get("link", ""), base_url)
        title = plain_text(entry.get("title", ""))
        summary = plain_text(entry.get("summary", ""))
        if not title and not summary:
            continue
        feed.items.append(
            FeedItem(
                guid=(entry.get("id") or "").strip()[:1000],
                link=link,
                title=title or _first_words(summary),
                summary=summary,
                published_at=_entry_time(entry),
            )
        )
    if not feed.items and parsed.get("bozo"):
        # Recognised as a feed, but broken before its first item: an error
        # for editors to see, not an empty feed.
        raise NotAFeed(f"malformed feed, no items readable ({parsed.get('bozo_exception')})")
    return feed


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
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAFeed(f"invalid JSON Feed: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise NotAFeed("JSON document is not a JSON Feed (no jsonfeed.org version)")
    feed = ParsedFeed(
        title=plain_text(str(doc.get("title", ""))),
        link=str(doc.get("home_page_url") or base_url),
    )
    for entry in doc.get("items") or []:
        if not isinstance(entry, dict):
            continue
        link = _absolute_link(str(entry.get("url") or entry.get("external_url") or ""), base_url)
        title = plain_text(str(entry.get("title") or ""))
        summary = plain_text(
            str(entry.get("summary") or entry.get("content_html") or entry.get("content_text") or "")
        )
        if not title and not summary:
            continue
        feed.items.append(
            FeedItem(
                guid=str(entry.get("id") or "").strip()[:1000],
                link=link,
                title=title or _first_words(summary),
                summary=summary,
                published_at=_parse_date(
                    str(entry.get("date_published") or entry.get("date_modified") or "")
                ),
            )
        )
    return feed


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
            except (TypeError, ValueError):
                continue
    for key in ("published", "updated", "created"):
        parsed = _parse_date(entry.get(key, ""))
        if parsed:
            return parsed
    return None


def _parse_date(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = dateparser.parse(raw)
    except (ValueError, OverflowError, TypeError):
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


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
