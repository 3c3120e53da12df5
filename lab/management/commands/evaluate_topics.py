"""Judge the topic rule (trends/words/topics.py) on real stories.

    DEBUG=1 python manage.py evaluate_topics [--events 20] [--json]

For each of the largest labelled events of the newsriver window, the topics
are extracted from that event's own items exactly as for a story (on-topic
articles only: those close to the event's centroid). Each topic is printed
with the reader's verdict from the judgement file (is it a person,
organisation or place the story is about?), and precision is counted over
the judged topics; a topic nobody has judged yet is reported as unjudged,
never counted as right."""

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from lab.gold_events import DEFAULT_EVENTS, largest_events
from trends.words.topics import extract_topics, on_topic

JUDGEMENTS = Path(__file__).resolve().parents[2] / "judgements" / "topic_judgements.json"


class Command(BaseCommand):
    help = "Extract topics for the largest labelled newsriver events and count how many are right."

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
        judgements = {}
        if options["judgements"].exists():
            judgements = json.loads(options["judgements"].read_text(encoding="utf-8"))
        cache = EmbeddingCache()
        rows, right, wrong, unjudged = [], 0, 0, 0
        for number, event in enumerate(events, 1):
            vectors = cache.vectors([i.title for i in event.items], progress=False)
            centroid = np.mean(vectors, axis=0)
            kept = on_topic({i.key: v for i, v in zip(event.items, vectors, strict=True)}, centroid)
            topics = extract_topics({i.key: [i.title] for i in event.items if i.key in kept})
            verdicts = judgements.get(event.slug, {})
            shown = []
            for topic in topics:
                verdict = verdicts.get(topic.name)
                right += verdict is True
                wrong += verdict is False
                unjudged += verdict is None
                shown.append(
                    {"name": topic.name, "kind": topic.kind, "articles": topic.articles, "ok": verdict}
                )
            rows.append(
                {
                    "rank": number,
                    "event": event.slug,
                    "kept": len(kept),
                    "size": len(event.items),
                    "topics": shown,
                }
            )
            marks = {True: "", False: " ✗", None: " ?"}
            listed = ", ".join(f"{t['name']} ({t['kind']}, {t['articles']}){marks[t['ok']]}" for t in shown)
            on = f"{len(kept)}/{len(event.items)} on topic"
            self.stdout.write(f"{number:>2}. {event.slug} [{on}]: {listed}")
        judged = right + wrong
        precision = round(right / judged, 4) if judged else None
        total = right + wrong + unjudged
        self.stdout.write(f"topics {total}: right {right}, wrong {wrong}, unjudged {unjudged}")
        self.stdout.write(f"precision over judged topics: {precision}")
        if options["json"]:
            report = {"right": right, "wrong": wrong, "unjudged": unjudged, "precision": precision}
            self.stdout.write(json.dumps({**report, "rows": rows}))
