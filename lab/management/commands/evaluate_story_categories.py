"""Judge story categories (trends/words/categories.py) on real stories.

    DEBUG=1 python manage.py evaluate_story_categories [--events 40] [--json]

For each of the largest labelled events of the newsriver window, the
category is chosen from the event's own items exactly as for a story in the
replay demo: each item's feed hint (lab.newsriver.feed_category_hints
over the whole stream file, as the replay sets them) and the centroid of the
items' MiniLM title vectors. It is compared with the categories a reader
would accept, judged by hand (lab/judgements/event_categories.json)."""

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from lab.gold_events import DEFAULT_EVENTS, largest_events
from lab.newsriver import feed_category_hints, read_stream
from trends.words.categories import story_category

JUDGEMENTS = Path(__file__).resolve().parents[2] / "judgements" / "event_categories.json"
STREAM = Path("../shared/data/newsriver/items-2025-12_2026-01.jsonl.gz")


class Command(BaseCommand):
    help = "Categorise the largest labelled newsriver events and count how many a reader would accept."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=DEFAULT_EVENTS, help="the labelled events file")
        parser.add_argument("--stream", type=Path, default=STREAM, help="the stream the feed hints come from")
        parser.add_argument("--events", type=int, default=40, help="how many of the largest events")
        parser.add_argument("--json", action="store_true", help="also print the report as one JSON line")

    def handle(self, *args, **options):
        from lab.embedding_cache import EmbeddingCache

        try:
            events = largest_events(options["path"], options["events"])
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        if not options["stream"].exists():
            raise CommandError(f"{options['stream']} does not exist")
        hints = feed_category_hints(read_stream(options["stream"]))
        accepted = json.loads(JUDGEMENTS.read_text(encoding="utf-8"))
        cache = EmbeddingCache()
        rows = []
        for number, event in enumerate(events, 1):
            vectors = cache.vectors([i.title for i in event.items], progress=False)
            feed_hints = [hints.get(i.domain, "") for i in event.items]
            titles = [i.title for i in event.items]
            chosen = story_category(feed_hints, np.mean(vectors, axis=0), titles)
            ok = accepted.get(event.slug)
            rows.append(
                {
                    "rank": number,
                    "event": event.slug,
                    "category": chosen,
                    "accepted": ok,
                    "agrees": None if ok is None else chosen in ok,
                }
            )
            mark = {True: "ok", False: "WRONG", None: "unjudged"}[rows[-1]["agrees"]]
            wanted = "/".join(ok or ["?"])
            self.stdout.write(f"{number:>2}. {event.slug:<52} {chosen:<14} reader: {wanted:<24} {mark}")
        tagged = self._tagged_items(options, hints, cache)
        agree = sum(1 for r in rows if r["agrees"] is True)
        judged = sum(1 for r in rows if r["agrees"] is not None)
        self.stdout.write(
            f"agreement {agree} of {judged} judged ({agree / judged:.1%})" if judged else "nothing judged"
        )
        if options["json"]:
            self.stdout.write(json.dumps({"agree": agree, "judged": judged, "tagged": tagged, "rows": rows}))

    def _tagged_items(self, options, hints, cache) -> dict:
        """Every item of every labelled event (two items or more) that comes
        from a single-subject feed (lab.category_training.FEED_CATEGORIES):
        does its story's category match its feed's subject?"""
        from lab.category_training import feed_category

        events = largest_events(options["path"], 10_000)
        matched = total = 0
        for event in events:
            subjects = [feed_category(i.domain, i.source) for i in event.items]
            if not any(subjects):
                continue
            vectors = cache.vectors([i.title for i in event.items], progress=False)
            chosen = story_category(
                [hints.get(i.domain, "") for i in event.items],
                np.mean(vectors, axis=0),
                [i.title for i in event.items],
            )
            for subject in subjects:
                if subject:
                    total += 1
                    matched += subject == chosen
        share = matched / total if total else 0.0
        self.stdout.write(
            f"tagged items of {len(events)} labelled events: {matched} of {total} ({share:.1%})"
        )
        return {"matched": matched, "items": total}
