"""Judge the headline rule (trends/words/headlines.py) on real stories.

    DEBUG=1 python manage.py evaluate_headlines [--events 20] [--json]

For each of the largest labelled events of the newsriver window, the rule
chooses a headline and dek among that event's own items, exactly as it does
for a story (outlet = domain, centroid = mean of the MiniLM title vectors).
Each choice is printed beside the event's description from EVENTS.md, with
the reader's verdict from the judgement file: a person read each chosen
headline against the description and said whether a reader would accept it
as the story's headline. A choice nobody has judged yet (the rule changed)
is counted as unjudged, never as accepted."""

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from lab.gold_events import DEFAULT_EVENTS, largest_events
from trends.words.headlines import Telling, choose, kinds_of, ranked

JUDGEMENTS = Path(__file__).resolve().parents[2] / "judgements" / "headline_judgements.json"


class Command(BaseCommand):
    help = "Choose headlines for the largest labelled newsriver events and count the accepted ones."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=DEFAULT_EVENTS, help="the labelled events file")
        parser.add_argument("--events", type=int, default=20, help="how many of the largest events")
        parser.add_argument("--judgements", type=Path, default=JUDGEMENTS, help="the reader's verdicts")
        parser.add_argument("--json", action="store_true", help="also print the report as one JSON line")

    def handle(self, *args, **options):
        from lab.embedding_cache import EmbeddingCache

        try:
            events = largest_events(options["path"], options["events"])
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        judgements = _read_judgements(options["judgements"])
        cache = EmbeddingCache()
        titles = [item.title for event in events for item in event.items]
        vectors = dict(zip(titles, cache.vectors(titles), strict=True))

        rows = []
        for number, event in enumerate(events, 1):
            tellings = [
                Telling(i.key, i.domain, i.title, i.first_seen, vectors[i.title], i.source)
                for i in event.items
            ]
            centroid = np.mean([t.vector for t in tellings], axis=0)
            choice = choose(tellings, centroid)
            chosen_raw = next(t.title for t in tellings if t.key == choice.headline_key)
            verdict = judgements.get(event.slug, {}).get(choice.headline)
            rows.append(
                {
                    "rank": number,
                    "event": event.slug,
                    "size": len(event.items),
                    "outlets": event.outlets,
                    "description": event.description,
                    "headline": choice.headline,
                    "kinds": kinds_of(chosen_raw),
                    "dek": choice.dek,
                    "accepted": verdict,
                    "alternatives": _alternatives(tellings, centroid) if options["verbosity"] > 1 else [],
                }
            )
        for row in rows:
            mark = {True: "ACCEPT", False: "reject", None: "unjudged"}[row["accepted"]]
            size = f"{row['size']} items, {row['outlets']} outlets"
            self.stdout.write(f"{row['rank']:>2}. {row['event']} ({size})")
            self.stdout.write(f"    event:    {row['description']}")
            self.stdout.write(f"    headline: {row['headline']}  [{mark}]")
            self.stdout.write(f"    dek:      {row['dek']}")
            for alt in row.get("alternatives", []):
                self.stdout.write(f"      {alt}")
        accepted = sum(1 for r in rows if r["accepted"] is True)
        rejected = sum(1 for r in rows if r["accepted"] is False)
        unjudged = len(rows) - accepted - rejected
        self.stdout.write(f"accepted {accepted} of {len(rows)} (rejected {rejected}, unjudged {unjudged})")
        if options["json"]:
            report = {"events": len(rows), "accepted": accepted, "rejected": rejected, "unjudged": unjudged}
            self.stdout.write(json.dumps({**report, "rows": rows}))


def _read_judgements(path: Path) -> dict[str, dict[str, bool]]:
    """{event slug: {chosen headline: accepted}}; no file means nothing judged yet."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {slug: {h: bool(v) for h, v in verdicts.items()} for slug, verdicts in data.items()}


def _alternatives(tellings, centroid) -> list[str]:
    """The six best-scored tellings, for -v 2."""
    return [f"{score:.3f} {t.title[:110]} {kinds_of(t.title)}" for score, t in ranked(tellings, centroid)[:6]]
