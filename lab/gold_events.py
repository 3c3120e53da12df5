"""The labelled newsriver window (../shared/data/newsriver/events-*.jsonl.gz)
read as gold events, with the one-line descriptions of the largest ones from
EVENTS.md, for judging what Surge says about a story (headline, topics,
category) against what the story is."""

import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DEFAULT_EVENTS = Path("../shared/data/newsriver/events-2026-01-02_04.jsonl.gz")


@dataclass(frozen=True)
class EventItem:
    key: int  # line number in the file: a stable id
    source: str  # the feed's title, as the archive recorded it
    domain: str
    title: str
    first_seen: datetime
    tag: str  # the archive's own category tag ("" when none)


@dataclass(frozen=True)
class GoldEvent:
    slug: str
    description: str
    items: list[EventItem]

    @property
    def outlets(self) -> int:
        return len({i.domain for i in self.items})


def largest_events(path: Path = DEFAULT_EVENTS, count: int = 20) -> list[GoldEvent]:
    """The `count` largest labelled events (singletons never), largest first,
    ties by slug, each with its EVENTS.md description when it has one."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    by_event: dict[str, list[EventItem]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            slug = row.get("event") or ""
            if not slug or slug.startswith("single-"):
                continue
            by_event[slug].append(
                EventItem(
                    key=number,
                    source=(row.get("source") or row.get("domain") or "").strip(),
                    domain=(row.get("domain") or "").lower(),
                    title=" ".join((row.get("title") or "").split()),
                    first_seen=datetime.fromisoformat(row["first_seen"].replace("Z", "+00:00")),
                    tag=(row.get("category") or "").strip(),
                )
            )
    descriptions = event_descriptions(path.with_name("EVENTS.md"))
    ranked = sorted(by_event.items(), key=lambda pair: (-len(pair[1]), pair[0]))[:count]
    return [GoldEvent(slug, descriptions.get(slug, ""), items) for slug, items in ranked]


_TABLE_ROW = re.compile(r"^\|\s*\d+\s*\|\s*`([^`]+)`\s*\|\s*\d+\s*\|\s*\d+\s*\|\s*(.+?)\s*\|\s*$")


def event_descriptions(path: Path) -> dict[str, str]:
    """Slug → "what it is", from the 40-largest table of EVENTS.md."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _TABLE_ROW.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found
