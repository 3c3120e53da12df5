"""The replayed-forecast cache: rows come back as they were saved, and the
key changes with anything that changes the replay."""

import gzip
from datetime import UTC, datetime

from lab.forecast.rows_cache import load_rows, rows_key, save_rows
from lab.forecast.trajectories import ForecastRows

HOUR = datetime(2026, 1, 3, 12, tzinfo=UTC)


def test_saved_rows_load_back_unchanged(tmp_path):
    rows = ForecastRows(
        hours=[HOUR, HOUR],
        story_ids=[7, 9],
        features=[[0.5, 1.25], [2.0, -1.0]],
        lifecycles=["emerging", "fading"],
        quiet_hours=[0.5, 3.0],
        below_fade_share=[False, True],
        outcomes=["fades", None],
    )
    path = tmp_path / "rows.npz"
    save_rows(rows, path)
    assert load_rows(path) == rows
    assert list(tmp_path.iterdir()) == [path]


def test_key_changes_with_the_stream_the_span_and_the_settings(tmp_path):
    stream = tmp_path / "items.jsonl.gz"
    stream.write_bytes(gzip.compress(b"{}\n"))
    key = rows_key(stream, days=None, settings_text="36.0")
    assert rows_key(stream, days=None, settings_text="36.0") == key
    assert rows_key(stream, days=2.0, settings_text="36.0") != key
    assert rows_key(stream, days=None, settings_text="24.0") != key
    stream.write_bytes(gzip.compress(b"{}\n{}\n"))
    assert rows_key(stream, days=None, settings_text="36.0") != key
