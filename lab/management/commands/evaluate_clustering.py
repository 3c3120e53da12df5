"""Replay a labelled data set through Surge's story clustering and score it.

    manage.py evaluate_clustering --dataset stream \\
        ../shared/data/newsriver/events-2026-01-02_04.jsonl.gz --held-out-from 2026-01-04T00:00:00Z --json
    manage.py evaluate_clustering --dataset stream ../shared/data/newsriver/events-2026-01-02_04.jsonl.gz \\
        --from-database --json   # the stories of this database (e.g. after make demo)
    manage.py evaluate_clustering --dataset uci \\
        ../shared/data/uci-news-aggregator/newsCorpora-2014-03-10_2014-05-31.tsv.gz \\
        --first-week 4 --weeks 1 --json
    manage.py evaluate_clustering --dataset giveme5w1h ../shared/data/giveme5w1h/news_cluster.jsonl.gz \\
        [--events odd] --json

A labelled stream (newsriver fields plus `event`) is replayed in first_seen
order with its real times through the workers' own code path on a throwaway
database (lab.clustering.database_replay): storing, claim batches,
assignment with the live window, the hourly task's merge pass and snapshots.
--in-memory scores the same clustering through OnlineClusterer instead
(seconds, for tuning); UCI and Giveme5W1H always run in memory. Surge's
parameters are the workers' (ClusterParams.from_settings()). The baselines
run on the same items: TF-IDF single pass (threshold tuned on UCI weeks 1-2,
or for a stream on the newsriver window) and exact average-linkage batch
clustering of the same embeddings.

Each method's figures: B-cubed and pairwise precision/recall/F1, ARI,
cluster count, and the reader's front-page figures (lab.clustering.metrics.
reader_scores). The last line with --json is one JSON object."""

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from lab.clustering import database_replay, metrics, online_run
from lab.clustering.baselines import MAX_BATCH_ARTICLES
from lab.clustering.datasets import (
    UCI_CATEGORIES,
    giveme5w1h_half,
    load_giveme5w1h,
    load_labelled_stream,
    load_uci,
    shuffled_within_arrivals,
)
from lab.embedding_cache import EmbeddingCache
from lab.scratch_db import throwaway_database
from trends.stories.clustering import ClusterParams
from trends.stories.story_model import StoryModel
from trends.words import categories

# Tuned on UCI weeks 1-2 (best B-cubed F1 there).
TFIDF_THRESHOLD = 0.10
BATCH_DISTANCE_THRESHOLD = 0.65
# Tuned on the labelled newsriver window (best B-cubed F1 there, in the
# baselines' favour: they are references, not contenders).
STREAM_TFIDF_THRESHOLD = 0.25
STREAM_BATCH_DISTANCE_THRESHOLD = 0.50
# The single pass's live window, as in the references the figures are compared with.
BASELINE_LIVE_HOURS = 36.0
METHODS = ("surge", "tfidf_single_pass", "batch_reference")


class Command(BaseCommand):
    help = "Score Surge's online story clustering against gold story labels, beside two baselines."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", choices=["uci", "giveme5w1h", "stream"], required=True)
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--weeks", type=int, default=None, help="UCI: how many week windows (default all)"
        )
        parser.add_argument(
            "--first-week", type=int, default=1, help="UCI: the first window (1 = 2014-03-10)"
        )
        parser.add_argument("--tfidf-threshold", type=float, default=None)
        parser.add_argument("--batch-threshold", type=float, default=None)
        parser.add_argument(
            "--threshold", type=float, default=None, help="override the join threshold (log-odds)"
        )
        parser.add_argument(
            "--merge-threshold", type=float, default=None, help="override the merge threshold (log-odds)"
        )
        parser.add_argument(
            "--live-hours",
            type=float,
            default=None,
            help="override the live window (Surge and TF-IDF alike); a diagnostic, e.g. for data whose "
            "events span years",
        )
        parser.add_argument(
            "--in-memory",
            action="store_true",
            help="stream: run Surge's clustering in memory (OnlineClusterer) instead of the workers' path",
        )
        parser.add_argument(
            "--from-database",
            action="store_true",
            help="stream: score the stories already in this database (e.g. after a replay) instead of "
            "replaying; items the database lacks are left out of every method's score",
        )
        parser.add_argument(
            "--held-out-from",
            default=None,
            help="stream: also score the items first seen from this time on (ISO 8601), e.g. the part "
            "the story model was not trained on",
        )
        parser.add_argument(
            "--arrival-seed",
            type=int,
            default=None,
            help="stream: shuffle the items that arrive at the same moment with this seed (every method "
            "sees the same order); runs with several seeds show how much a figure is chance",
        )
        parser.add_argument(
            "--train-categories",
            action="store_true",
            help="UCI: fit the category classifier on these weeks and save it (then report on others)",
        )
        parser.add_argument(
            "--skip-batch",
            action="store_true",
            help="leave out the batch reference (its exact linkage refuses windows over "
            f"{MAX_BATCH_ARTICLES} articles); batch_reference is then null",
        )
        parser.add_argument(
            "--events",
            choices=["all", "even", "odd"],
            default="all",
            help="giveme5w1h: only the events with even or odd ids (the story model is fitted on the even "
            "ones; the odd ones are held out)",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if not options["path"].exists():
            raise CommandError(f"{options['path']} does not exist")
        stream = options["dataset"] == "stream"
        if options["events"] != "all" and options["dataset"] != "giveme5w1h":
            raise CommandError("--events odd|even apply to --dataset giveme5w1h")
        stream_only = [options["in_memory"], options["from_database"], options["held_out_from"]]
        if not stream and (any(stream_only) or options["arrival_seed"] is not None):
            raise CommandError(
                "--in-memory, --from-database, --held-out-from and --arrival-seed apply to --dataset stream"
            )
        if options["from_database"] and options["arrival_seed"] is not None:
            raise CommandError("--arrival-seed orders a replay; --from-database scores stories already built")
        held_out_from = _time_option(options["held_out_from"], "--held-out-from")
        articles = self._load(options)
        if not articles:
            raise CommandError("no articles in the chosen windows")
        windows = sorted({a.window for a in articles})
        self.stderr.write(f"{len(articles)} articles in window(s) {windows}")

        vectors = EmbeddingCache().vectors([a.text for a in articles])
        if options["train_categories"]:
            if options["dataset"] != "uci":
                raise CommandError("--train-categories needs the UCI data set")
            categories.train(vectors, [a.gold_category for a in articles])
            self.stderr.write(f"category classifier saved to {categories.MODEL_PATH}")
            return

        params = ClusterParams.from_settings()
        params.join_threshold = options["threshold"]
        params.merge_threshold = options["merge_threshold"]
        if options["live_hours"] is not None:
            params.live_hours = options["live_hours"]
        self.stderr.write(
            f"surge: join at {params.join_at}, merge at {params.merge_at} (log-odds), "
            f"live {params.live_hours}h"
        )
        surge, how = self._surge(articles, vectors, params, options)
        if None in surge:
            kept = [row for row, label in enumerate(surge) if label is not None]
            self.stderr.write(f"{len(articles) - len(kept)} labelled items are not in the database: left out")
            if not kept:
                raise CommandError("none of the labelled items is in this database")
            articles, vectors, surge = [articles[r] for r in kept], vectors[kept], [surge[r] for r in kept]

        self.stderr.write("tf-idf single pass ...")
        tfidf_threshold = options["tfidf_threshold"]
        if tfidf_threshold is None:
            tfidf_threshold = STREAM_TFIDF_THRESHOLD if stream else TFIDF_THRESHOLD
        tfidf_live_hours = options["live_hours"] or BASELINE_LIVE_HOURS
        tfidf = online_run.tfidf_labels(articles, tfidf_threshold, tfidf_live_hours)
        results = {"surge": surge, "tfidf_single_pass": tfidf}
        batch_threshold = options["batch_threshold"]
        if batch_threshold is None:
            batch_threshold = STREAM_BATCH_DISTANCE_THRESHOLD if stream else BATCH_DISTANCE_THRESHOLD
        if not options["skip_batch"]:
            self.stderr.write(
                f"batch average linkage (windows over {MAX_BATCH_ARTICLES} articles are refused) ..."
            )
            try:
                results["batch_reference"] = online_run.batch_labels(articles, vectors, batch_threshold)
            except ValueError as error:
                raise CommandError(
                    f"{error}; choose smaller windows with --first-week/--weeks, or --skip-batch"
                ) from error
        report = online_run.summary(articles, results)
        report.setdefault("batch_reference", None)
        report["surge_path"] = how
        if held_out_from is not None:
            report["held_out"] = self._held_out(articles, results, held_out_from)
        category_report = None
        if options["dataset"] == "uci":
            category_report = online_run.story_category_scores(
                articles, vectors, surge, list(UCI_CATEGORIES.values())
            )

        self._print_table(report, params, how, tfidf_threshold, batch_threshold)
        if category_report:
            self.stdout.write(
                f"categories (story category vs UCI CATEGORY, per article): accuracy "
                f"{category_report['accuracy']:.4f}, macro-F1 {category_report['macro_f1']:.4f} "
                f"over {category_report['articles']} articles"
            )
        if options["json"]:
            if category_report:
                report["categories"] = category_report
            self.stdout.write(json.dumps(report))

    def _load(self, options):
        if options["dataset"] == "uci":
            weeks = None
            if options["weeks"] is not None:
                weeks = list(range(options["first_week"], options["first_week"] + options["weeks"]))
            return load_uci(options["path"], weeks)
        if options["dataset"] == "giveme5w1h":
            articles = load_giveme5w1h(options["path"])
            return articles if options["events"] == "all" else giveme5w1h_half(articles, options["events"])
        try:
            articles = load_labelled_stream(options["path"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["arrival_seed"] is not None:
            articles = shuffled_within_arrivals(articles, options["arrival_seed"])
        return articles

    def _surge(self, articles, vectors, params, options) -> tuple[list, str]:
        """Surge's story per article, and which path produced it."""
        if options["from_database"]:
            return database_replay.labels_from_database(articles), "this database's stories"
        if options["dataset"] != "stream" or options["in_memory"]:
            return online_run.surge_labels(articles, vectors, params), "in memory (OnlineClusterer)"
        # The workers read their parameters from settings: hand them these.
        model = StoryModel(params.model.join, params.model.merge, params.join_at, params.merge_at)
        with tempfile.TemporaryDirectory(prefix="surge-eval-") as scratch:
            model_path = Path(scratch) / "story_model.json"
            model_path.write_text(json.dumps(model.to_dict()))
            with (
                override_settings(STORY_MODEL_PATH=str(model_path), STORY_LIVE_HOURS=params.live_hours),
                throwaway_database(),
            ):
                labels = database_replay.replay_through_workers(articles, vectors)
        return labels, "the workers' path on a throwaway database"

    def _held_out(self, articles, results, since: datetime) -> dict:
        rows = [row for row, a in enumerate(articles) if a.arrived_at >= since]
        if not rows:
            raise CommandError(f"no item first seen from {since.isoformat()} on")
        gold = [articles[r].gold_story for r in rows]
        part = {name: metrics.score(gold, [labels[r] for r in rows]) for name, labels in results.items()}
        part.update({"from": since.isoformat(), "articles": len(rows), "gold_clusters": len(set(gold))})
        return part

    def _print_table(self, report, params, how, tfidf_threshold, batch_threshold):
        self.stdout.write(
            f"{report['articles']} articles, {report['gold_clusters']} gold stories; surge: {how}, join at "
            f"{params.join_at}, merge at {params.merge_at} (log-odds), live {params.live_hours}h; "
            f"tf-idf threshold {tfidf_threshold}, batch distance {batch_threshold}"
        )
        self._table(report)
        if "held_out" in report:
            part = report["held_out"]
            self.stdout.write(
                f"held-out part: {part['articles']} articles first seen from {part['from']}, "
                f"{part['gold_clusters']} gold stories"
            )
            self._table(part)

    def _table(self, report):
        header = (
            f"{'method':<20}{'B3 P':>8}{'B3 R':>8}{'B3 F1':>8}{'pair P':>8}{'pair R':>8}{'pair F1':>9}"
            f"{'ARI':>8}{'clusters':>10}{'top20 pur':>11}{'junk':>6}{'split':>7}"
        )
        self.stdout.write(header)
        for name in METHODS:
            row = report.get(name)
            if row is None:
                self.stdout.write(f"{name:<20}{'(skipped)':>8}")
                continue
            self.stdout.write(
                f"{name:<20}{row['bcubed_p']:>8.4f}{row['bcubed_r']:>8.4f}{row['bcubed_f1']:>8.4f}"
                f"{row['pairwise_p']:>8.4f}{row['pairwise_r']:>8.4f}{row['pairwise_f1']:>9.4f}"
                f"{row['ari']:>8.4f}{row['clusters']:>10}{row['top20_purity']:>11.4f}"
                f"{row['junk_top20']:>6}{row['split_top20']:>7}"
            )


def _time_option(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"{name} is not an ISO 8601 time: {value!r}") from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
