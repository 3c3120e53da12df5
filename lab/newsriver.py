"""Reading the newsriver archive (../shared/data/newsriver): a real stream of
headlines from about 100 outlets, used by the replay demo, the forecast
backtest and tests."""

import gzip
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ingest.canonical import domain_of


@dataclass(frozen=True)
class StreamItem:
    source: str
    domain: str
    title: str
    link: str
    published: datetime | None
    first_seen: datetime
    category: str


def read_stream(
    path: str | Path, *, start: datetime | None = None, end: datetime | None = None
) -> list[StreamItem]:
    """Items in first-seen order, optionally only those first seen in [start, end)."""
    items = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                first_seen = _time(row["first_seen"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{line_number}: not a newsriver item ({exc})") from None
            if (start and first_seen < start) or (end and first_seen >= end):
                continue
            if not row.get("title") or not row.get("link"):
                continue
            items.append(
                StreamItem(
                    source=(row.get("source") or row.get("domain") or "unknown").strip(),
                    domain=(row.get("domain") or domain_of(row["link"])).lower(),
                    title=row["title"].strip(),
                    link=row["link"].strip(),
                    published=_time(row["published"]) if row.get("published") else None,
                    first_seen=first_seen,
                    category=(row.get("category") or "").strip(),
                )
            )
    items.sort(key=lambda i: i.first_seen)
    return items


# The archive's own tags, mapped to Surge's categories where they say one.
CATEGORY_HINTS = {
    "business": "business",
    "real estate": "business",
    "energy": "business",
    "tech": "technology",
    "culture": "entertainment",
    "sports": "sport",
}


def category_hint(tag: str) -> str:
    return CATEGORY_HINTS.get(tag.lower(), "")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# A feed's section hint must describe nearly all of it: a general feed with a
# few tagged items (a tenth "culture") is not an entertainment feed.
FEED_HINT_MIN_SHARE = 0.6


def feed_category_hints(items: list[StreamItem]) -> dict[str, str]:
    """Domain → the category its feed is about, where at least
    FEED_HINT_MIN_SHARE of its items carry that tag ("" otherwise)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for item in items:
        counts[item.domain][category_hint(item.category)] += 1
    hints = {}
    for domain, tags in counts.items():
        total = sum(tags.values())
        tagged = [(n, tag) for tag, n in tags.items() if tag]
        best = max(tagged) if tagged else (0, "")
        hints[domain] = best[1] if best[0] >= FEED_HINT_MIN_SHARE * total else ""
    return hints
