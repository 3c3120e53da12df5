"""Fit the story join and merge scorers on a labelled stream.

    manage.py train_story_model ../shared/data/newsriver/events-2026-01-02_04.jsonl.gz \\
        --until 2026-01-04T00:00:00Z [--output trends/stories/story_model.json] \\
        [--join-scorer trees] [--also-uci UCI.tsv.gz] [--also-giveme news_cluster.jsonl.gz]

Trains on the items first seen before --until (the rest stays held out for
evaluate_clustering), picks the join and merge thresholds by cross-fitting
over the training part's days, and writes the model (default: the shipped
trends/stories/story_model.json, fitted with --join-scorer trees and both
--also files)."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lab.clustering import story_training
from lab.clustering.datasets import giveme5w1h_half, load_giveme5w1h, load_labelled_stream, load_uci_days
from lab.embedding_cache import EmbeddingCache
from trends.stories.story_model import MODEL_PATH


class Command(BaseCommand):
    help = "Fit the story clustering's join and merge scorers on a labelled newsriver stream."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a labelled stream (newsriver fields plus `event`)")
        parser.add_argument("--until", default=None, help="train on items first seen before this (ISO 8601)")
        parser.add_argument("--output", type=Path, default=MODEL_PATH)
        parser.add_argument(
            "--also-uci",
            type=Path,
            default=None,
            help="also fit the scorers on these UCI days (the thresholds are still chosen on the stream)",
        )
        parser.add_argument(
            "--uci-days",
            default="2,9",
            help="with --also-uci: days of the file (0 = 2014-03-10), each its own window",
        )

        parser.add_argument(
            "--join-scorer",
            choices=("logistic", "trees"),
            default="logistic",
            help="the join scorer's kind: a logistic regression or gradient-boosted trees",
        )
        parser.add_argument(
            "--also-giveme",
            type=Path,
            default=None,
            help="also fit the scorers on the Giveme5W1H events with even ids (the odd ones stay held out)",
        )

    def handle(self, *args, **options):
        if not options["path"].exists():
            raise CommandError(f"{options['path']} does not exist")
        try:
            articles = load_labelled_stream(options["path"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        until = None
        if options["until"]:
            try:
                until = datetime.fromisoformat(options["until"].replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                raise CommandError(f"--until is not an ISO 8601 time: {options['until']!r}") from None
            articles = [a for a in articles if a.arrived_at < until]
        if len({a.gold_story for a in articles}) < 2:
            raise CommandError("need at least two labelled events to train on")
        self.stderr.write(f"training on {len(articles)} items first seen before {until or 'the end'}")
        cache = EmbeddingCache()
        vectors = cache.vectors([a.text for a in articles])
        also = []
        if options["also_uci"]:
            days = [int(d) for d in options["uci_days"].split(",") if d.strip()]
            uci = load_uci_days(options["also_uci"], days)
            self.stderr.write(f"also fitting on {len(uci)} UCI articles of days {days}")
            also.append((uci, cache.vectors([a.text for a in uci])))
        if options["also_giveme"]:
            giveme = giveme5w1h_half(load_giveme5w1h(options["also_giveme"]), "even")
            self.stderr.write(f"also fitting on {len(giveme)} Giveme5W1H articles (events with even ids)")
            also.append((giveme, cache.vectors([a.text for a in giveme])))
        try:
            model, grid = story_training.train(
                articles,
                vectors,
                settings.STORY_LIVE_HOURS,
                log=lambda line: self.stderr.write(line),
                also=also,
                join_kind=options["join_scorer"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        chosen = next(
            g
            for g in grid
            if (g["join_threshold"], g["merge_threshold"]) == (model.join_threshold, model.merge_threshold)
        )
        chosen = {k: round(v, 4) for k, v in chosen.items()}
        model.about.update(
            {
                "trained_on": options["path"].name,
                "join_scorer": options["join_scorer"],
                "trained_until": until.isoformat() if until else None,
                "items": len(articles),
                "also_fitted_on": (
                    [f"{options['also_uci'].name} days {options['uci_days']}"] if options["also_uci"] else []
                )
                + ([f"{options['also_giveme'].name} events with even ids"] if options["also_giveme"] else []),
                "scores_on_days_left_out": {
                    k: chosen[k] for k in ("bcubed_f1", "top20_purity", "junk_top20", "split_top20")
                },
            }
        )
        options["output"].write_text(model.to_json())
        self.stdout.write(
            f"join threshold {model.join_threshold}, merge threshold {model.merge_threshold}; "
            f"written to {options['output']}"
        )
