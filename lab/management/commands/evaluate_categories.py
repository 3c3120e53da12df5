"""Retrain and score the story-category classifier (trends/categories.py).

    DEBUG=1 python manage.py evaluate_categories --retrain   # refit, save, then score
    DEBUG=1 python manage.py evaluate_categories             # score the shipped model
    DEBUG=1 python manage.py evaluate_categories --model /tmp/other.npz --json

Scores: UCI weeks 3-5 over its four classes (per headline, and per gold story
centroid, the way Surge categorises a story), newsriver January headlines from
single-subject feeds, and Giveme5W1H headlines (outlets never trained on).
"general" (abstaining) counts as wrong in accuracy and macro-F1; "kept" is the
share not abstained on and "kept acc" the accuracy there."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lab import category_training
from trends.words import categories


class Command(BaseCommand):
    help = "Retrain (--retrain) and score the story-category classifier on held-out real data."

    def add_arguments(self, parser):
        parser.add_argument("--retrain", action="store_true", help="refit and save the shipped model first")
        parser.add_argument("--model", type=Path, default=None, help="score this saved model instead")
        parser.add_argument("--json", action="store_true", help="also print the report as one JSON line")

    def handle(self, *args, **options):
        if options["model"] is not None:
            if options["retrain"]:
                raise CommandError("--model and --retrain exclude each other")
            if not options["model"].exists():
                raise CommandError(f"{options['model']} does not exist")
            categories.MODEL_PATH = options["model"]
            categories._model = None
        if options["retrain"]:
            trained = category_training.retrain()
            self.stdout.write(f"saved {categories.MODEL_PATH}")
            for key, value in trained.items():
                self.stdout.write(f"  {key}: {value}")
        self.stderr.write(f"scoring {categories.MODEL_PATH} ...")
        report = category_training.evaluate()
        self.stdout.write(f"abstain below confidence {report['min_confidence']}")
        self.stdout.write(f"{'data':<22}{'n':>7}{'acc':>8}{'macroF1':>9}{'kept':>7}{'kept acc':>10}")
        for name, scores in report.items():
            if not isinstance(scores, dict):
                continue
            self.stdout.write(
                f"{name:<22}{scores['articles']:>7}{scores['accuracy']:>8.4f}{scores['macro_f1']:>9.4f}"
                f"{scores['kept']:>7.2f}{scores['kept_accuracy']:>10.4f}"
            )
        for name in ("uci_week4", "newsriver_january", "giveme5w1h"):
            recall = ", ".join(f"{c} {r:.2f}" for c, r in report[name]["recall"].items())
            self.stdout.write(f"{name} recall: {recall}")
            self.stdout.write(
                f"{name} confusions (gold->predicted): {'; '.join(report[name]['top_confusions'])}"
            )
        if options["json"]:
            self.stdout.write(json.dumps(report))
