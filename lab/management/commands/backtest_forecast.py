"""Backtest the "fades by tomorrow" forecast on a real stream.

    python manage.py backtest_forecast ../shared/data/newsriver/items-2025-12_2026-01.jsonl.gz \
        [--days N] [--split 2026-01-01] [--json] [--save-model PATH] [--model PATH|default]

Trains on the forecasts of the first part of the stream (outcome known before
the split), scores model and baselines on the forecasts made after it. With
--model, the given model (a file, or "default": the one shipped in the repo)
is scored as it is, without retraining."""

import json
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from lab.forecast.backtest import run_backtest
from lab.forecast.scoring import MIN_DECILE_FORECASTS, worst_calibration_gap
from trends.measure.forecast.model import DEFAULT_MODEL_PATH, load_model

METHODS = (
    ("model", "model (logistic, calibrated)"),
    ("base_rate", "base rate"),
    ("persistence", "persistence"),
    ("decay", "decay rule"),
)


class Command(BaseCommand):
    help = "Replay a newsriver stream, forecast every live story every hour, score against 24h later."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a newsriver .jsonl.gz file")
        parser.add_argument("--days", type=float, help="replay only the first N days of the stream")
        parser.add_argument(
            "--split",
            help="UTC date: train before, score after (default 2026-01-01, else the middle)",
        )
        parser.add_argument("--json", action="store_true", help="last line: the scores as one JSON object")
        parser.add_argument("--save-model", help="write the model trained here to this JSON file")
        parser.add_argument(
            "--model",
            help='score this model file ("default": the shipped one) without retraining',
        )

    def handle(self, *args, path, days, split, json: bool, save_model, model, **options):
        as_json = json
        split_at = None
        if split:
            try:
                split_at = datetime.fromisoformat(split).replace(tzinfo=UTC)
            except ValueError as exc:
                raise CommandError(f"--split: {exc}") from None
        given = None
        if model:
            if save_model:
                raise CommandError("--model scores a model as it is: there is nothing to --save-model")
            try:
                given = load_model(DEFAULT_MODEL_PATH if model == "default" else model)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"--model {model}: not a forecast model ({exc})") from None
        try:
            result = run_backtest(
                path, days=days, split=split_at, progress=options["verbosity"] > 0, model=given
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if save_model:
            result.model.save(save_model)
        self._report(result, save_model)
        if as_json:
            self.stdout.write(_json_line(result.scores))

    def _report(self, result, save_model):
        s = result.scores
        out = self.stdout.write
        trained_on = result.model.info.get("trained_on") if result.given_model else None
        if result.given_model:
            out(f"model as given, not retrained (fitted on forecasts made {trained_on or 'elsewhere'})")
        out(
            ("baselines " if result.given_model else "")
            + f"trained on forecasts made {result.train_span[0]:%Y-%m-%d %H:%M} .. "
            f"{result.train_span[1]:%Y-%m-%d %H:%M} UTC ({result.train_forecasts} forecasts, "
            f"{result.train_fade_rate:.1%} faded)"
        )
        out(
            f"scored on forecasts made {result.test_span[0]:%Y-%m-%d %H:%M} .. "
            f"{result.test_span[1]:%Y-%m-%d %H:%M} UTC ({s['forecasts']} forecasts, "
            f"{s['stories']} stories)"
        )
        out("")
        out(f"{'method':30} {'Brier':>8} {'accuracy':>9} {'worst decile gap':>17}")
        for key, name in METHODS:
            gap = worst_calibration_gap(s[key]["calibration"])
            gap_text = f"{gap * 100:.1f} pts" if gap is not None else "-"
            out(f"{name:30} {s[key]['brier']:8.4f} {s[key]['accuracy']:9.3f} {gap_text:>17}")
        best_key = min(("base_rate", "persistence", "decay"), key=lambda k: s[k]["brier"])
        gain = 1 - s["model"]["brier"] / s[best_key]["brier"] if s[best_key]["brier"] else 0.0
        out("")
        out(f"model Brier vs best baseline ({best_key}): {gain:+.1%} better (goal: +20%)")
        gap = worst_calibration_gap(s["model"]["calibration"])
        out(
            f"model worst calibration gap in deciles with ≥{MIN_DECILE_FORECASTS} forecasts: "
            + (f"{gap * 100:.1f} points (goal: ≤5)" if gap is not None else "-")
        )
        multi = result.multi_article
        gap = worst_calibration_gap(multi["model"]["calibration"])
        out(
            f"stories with ≥2 articles only ({multi['forecasts']} forecasts): model Brier "
            f"{multi['model']['brier']:.4f} vs persistence {multi['persistence']['brier']:.4f}, "
            "worst decile gap " + (f"{gap * 100:.1f} points" if gap is not None else "-")
        )
        out("")
        out("model calibration by decile: predicted, observed, forecasts, stories, and the range")
        out("holding 90% of the observed share when the decile's stories are drawn again (its noise):")
        rows = zip(s["model"]["calibration"], result.decile_stories, result.decile_ranges, strict=True)
        outside = 0
        for (predicted, observed, n), stories, (low, high) in rows:
            beyond = n >= MIN_DECILE_FORECASTS and not low <= predicted <= high
            outside += beyond
            mark = "  predicted outside the range" if beyond else ""
            out(f"  {predicted:6.3f} {observed:6.3f} {n:8d} {stories:8d}   {low:.3f}-{high:.3f}{mark}")
        out(f"deciles with ≥{MIN_DECILE_FORECASTS} forecasts predicted outside their noise range: {outside}")
        if save_model:
            out(f"\nmodel written to {save_model}")


def _json_line(scores: dict) -> str:
    return json.dumps(scores, separators=(", ", ": "))
