"""Replay a labelled data set through Surge's story clustering and score it.

    manage.py evaluate_clustering --dataset uci \
        ../shared/data/uci-news-aggregator/newsCorpora-2014-03-10_2014-05-31.tsv.gz \
        --first-week 4 --weeks 1 --json
    manage.py evaluate_clustering --dataset giveme5w1h ../shared/data/giveme5w1h/news_cluster.jsonl.gz --json

Surge's figures come from trends.stories.clustering.OnlineClusterer with the workers'
own parameters (ClusterParams.from_settings()), merge pass included. The
baselines' thresholds were tuned on UCI weeks 1-2, like Surge's; report on
other weeks. The last line with --json is one JSON object."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lab.clustering import online_run
from lab.clustering.baselines import MAX_BATCH_ARTICLES
from lab.clustering.datasets import UCI_CATEGORIES, load_giveme5w1h, load_uci
from lab.embedding_cache import EmbeddingCache
from trends.stories.clustering import ClusterParams
from trends.words import categories

# Tuned on UCI weeks 1-2 (best B-cubed F1 there).
TFIDF_THRESHOLD = 0.10
BATCH_DISTANCE_THRESHOLD = 0.65


class Command(BaseCommand):
    help = "Score Surge's online story clustering against gold story labels, beside two baselines."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", choices=["uci", "giveme5w1h"], required=True)
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--weeks", type=int, default=None, help="UCI: how many week windows (default all)"
        )
        parser.add_argument(
            "--first-week", type=int, default=1, help="UCI: the first window (1 = 2014-03-10)"
        )
        parser.add_argument("--tfidf-threshold", type=float, default=TFIDF_THRESHOLD)
        parser.add_argument("--batch-threshold", type=float, default=BATCH_DISTANCE_THRESHOLD)
        parser.add_argument("--threshold", type=float, default=None, help="override Surge's join threshold")
        parser.add_argument("--merge-threshold", type=float, default=None)
        parser.add_argument(
            "--live-hours",
            type=float,
            default=None,
            help="override the live window (Surge and TF-IDF alike); a diagnostic, e.g. for data whose "
            "events span years",
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
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if not options["path"].exists():
            raise CommandError(f"{options['path']} does not exist")
        if options["dataset"] == "uci":
            weeks = None
            if options["weeks"] is not None:
                weeks = list(range(options["first_week"], options["first_week"] + options["weeks"]))
            articles = load_uci(options["path"], weeks)
        else:
            articles = load_giveme5w1h(options["path"])
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
        if options["threshold"] is not None:
            params.threshold = options["threshold"]
        if options["merge_threshold"] is not None:
            params.merge_threshold = options["merge_threshold"]
        if options["live_hours"] is not None:
            params.live_hours = options["live_hours"]
        self.stderr.write(f"surge: {params}")
        surge = online_run.surge_labels(articles, vectors, params)
        self.stderr.write("tf-idf single pass ...")
        tfidf = online_run.tfidf_labels(articles, options["tfidf_threshold"], params.live_hours)
        results = {"surge": surge, "tfidf_single_pass": tfidf}
        if not options["skip_batch"]:
            self.stderr.write(
                f"batch average linkage (windows over {MAX_BATCH_ARTICLES} articles are refused) ..."
            )
            try:
                results["batch_reference"] = online_run.batch_labels(
                    articles, vectors, options["batch_threshold"]
                )
            except ValueError as error:
                raise CommandError(
                    f"{error}; choose smaller windows with --first-week/--weeks, or --skip-batch"
                ) from error
        report = online_run.summary(articles, results)
        report.setdefault("batch_reference", None)
        category_report = None
        if options["dataset"] == "uci":
            category_report = online_run.story_category_scores(
                articles, vectors, surge, list(UCI_CATEGORIES.values())
            )

        self._print_table(report, options, params)
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

    def _print_table(self, report, options, params):
        self.stdout.write(
            f"{report['articles']} articles, {report['gold_clusters']} gold stories; "
            f"surge threshold {params.threshold}, merge {params.merge_threshold}, live {params.live_hours}h; "
            f"tf-idf threshold {options['tfidf_threshold']}, batch distance {options['batch_threshold']}"
        )
        header = f"{'method':<20}{'B3 P':>8}{'B3 R':>8}{'B3 F1':>8}{'pair F1':>9}{'ARI':>8}{'clusters':>10}"
        self.stdout.write(header)
        for name in ("surge", "tfidf_single_pass", "batch_reference"):
            row = report[name]
            if row is None:
                self.stdout.write(f"{name:<20}{'(skipped)':>8}")
                continue
            self.stdout.write(
                f"{name:<20}{row['bcubed_p']:>8.4f}{row['bcubed_r']:>8.4f}{row['bcubed_f1']:>8.4f}"
                f"{row['pairwise_f1']:>9.4f}{row['ari']:>8.4f}{row['clusters']:>10}"
            )
