"""Reading the newsriver archive (../shared/data/newsriver): a real stream of
headlines from about 100 outlets, used by the replay demo, the forecast
backtest and tests."""

import gzip
import json
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
