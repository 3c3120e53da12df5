"""Retrain the forecast from Surge's own history (StorySnapshot rows).

    python manage.py retrain_forecast [--days N] [--output PATH]

Writes var/forecast_model.json by default, which the hourly pass then uses in
place of the shipped default (trends/measure/forecast/default_model.json)."""

from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingest import clock
from lab.forecast.history import rows_from_snapshots
from trends.measure.forecast.model import train

MIN_FORECASTS = 200


class Command(BaseCommand):
    help = "Fit the fades-by-tomorrow model on the stored hourly snapshots."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, help="only the last N days of snapshots")
        parser.add_argument("--output", help="model file (default: var/forecast_model.json)")

    def handle(self, *args, days, output, **options):
        since = clock.now() - timedelta(days=days) if days else None
        rows = rows_from_snapshots(since)
        known = np.array([o is not None for o in rows.outcomes], dtype=bool)
        if known.sum() < MIN_FORECASTS:
            raise CommandError(
                f"only {int(known.sum())} forecasts with a known outcome; need {MIN_FORECASTS}"
            )
        labels = [o for o in rows.outcomes if o is not None]
        hours = [h for h, o in zip(rows.hours, rows.outcomes, strict=True) if o is not None]
        try:
            model = train(
                rows.matrix(known),
                labels,
                hours=[h.replace(tzinfo=None) for h in hours],
                info={
                    "source": "StorySnapshot history",
                    "trained_on": f"{min(hours).isoformat()} .. {max(hours).isoformat()}",
                    "forecasts": len(labels),
                },
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        path = Path(output) if output else Path(settings.VAR_DIR) / "forecast_model.json"
        model.save(path)
        fades = labels.count("fades") / len(labels)
        self.stdout.write(
            f"trained on {len(labels)} forecasts ({fades:.1%} faded), "
            f"{min(hours):%Y-%m-%d %H:%M} .. {max(hours):%Y-%m-%d %H:%M}; written to {path}"
        )
