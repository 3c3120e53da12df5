"""Adding outlets and feeds: the default list loaded on first run."""

import json
from pathlib import Path

from django.db import transaction

from ingest.models import Feed, Source

DEFAULT_FEEDS_FILE = Path(__file__).with_name("default_feeds.json")


def load_default_feeds(path: Path = DEFAULT_FEEDS_FILE) -> int:
    """Create the sources and feeds listed in the file; existing ones are left
    as they are (an editor may have paused or moved them). Returns how many
    feeds were added."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    with transaction.atomic():
        for entry in entries:
            source, _ = Source.objects.get_or_create(
                domain=entry["domain"],
                defaults={
                    "name": entry["source"],
                    "homepage": entry.get("homepage", ""),
                    "country": entry.get("country", ""),
                    "language": entry.get("language", ""),
                },
            )
            _, created = Feed.objects.get_or_create(
                url=entry["url"], defaults={"source": source, "category_hint": entry.get("category", "")}
            )
            added += created
    return added
