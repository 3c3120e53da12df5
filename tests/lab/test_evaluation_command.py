"""evaluate_clustering end to end: the UCI stream's leak protection, the two
baselines, and the command's JSON report (real embeddings, hand-made rows)."""

import gzip
import io
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lab.clustering import baselines
from lab.clustering.datasets import load_uci

DAY1 = datetime(2014, 3, 10, tzinfo=UTC)

STORIES = {
    # story id: (UCI category, titles)
    "sIPHONE": (
        "t",
        [
            "Apple unveils the iPhone 6 with a bigger screen",
            "Apple's new iPhone 6 has a larger display",
            "iPhone 6 revealed: Apple shows off bigger iPhone",
            "Apple launches iPhone 6 and iPhone 6 Plus",
        ],
    ),
    "sEBOLA": (
        "m",
        [
            "Ebola outbreak in Guinea kills dozens",
            "Guinea Ebola death toll rises as outbreak spreads",
            "Aid agency warns of unprecedented Ebola outbreak in Guinea",
            "Ebola virus outbreak in Guinea: death toll climbs",
        ],
    ),
    "sFED": (
        "b",
        [
            "Federal Reserve keeps interest rates unchanged",
            "Fed holds rates steady, Yellen says recovery needs support",
            "Yellen: Fed will keep interest rates low",
            "Federal Reserve leaves rates on hold after meeting",
        ],
    ),
}


def uci_row(row_id, title, category, story, at):
    millis = int(at.timestamp() * 1000)
    return "\t".join(
        [
            str(row_id),
            title,
            f"http://example.org/{row_id}",
            "Example",
            category,
            story,
            "example.org",
            str(millis),
        ]
    )


def write_uci(path, rows):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")
    return path


@pytest.fixture
def uci_file(tmp_path):
    """Three stories on day 1, rows grouped by story with clumped timestamps
    (as in the real file), and one story in week 2."""
    rows = []
    for number, (story, (category, titles)) in enumerate(STORIES.items()):
        for offset, title in enumerate(titles):
            at = DAY1 + timedelta(hours=8 + 3 * number, seconds=offset)
            rows.append(uci_row(len(rows) + 1, title, category, story, at))
    for offset, title in enumerate(
        ["Oscars 2014: Ellen DeGeneres hosts", "Ellen DeGeneres to host the Oscars"]
    ):
        rows.append(uci_row(len(rows) + 1, title, "e", "sOSCARS", DAY1 + timedelta(days=8, seconds=offset)))
    return write_uci(tmp_path / "uci.tsv.gz", rows)


def test_uci_stream_gives_each_article_its_day_start_and_mixes_the_stories_of_a_day(uci_file):
    stream = load_uci(uci_file, [1])
    assert len(stream) == 12
    assert {a.published_at for a in stream} == {DAY1}
    # Stored grouped by story; replayed shuffled, so row order does not leak the answer.
    order = [a.gold_story for a in stream]
    assert order != sorted(order, key=lambda story: list(STORIES).index(story.split(":")[1]))


def test_uci_week_windows_count_from_the_files_first_day(uci_file):
    stream = load_uci(uci_file, [2])
    assert [a.window for a in stream] == [2, 2]
    assert {a.published_at for a in stream} == {DAY1 + timedelta(days=8)}
    assert {a.gold_story for a in stream} == {"2:sOSCARS"}
    assert len(load_uci(uci_file)) == 14


def test_tfidf_single_pass_groups_titles_sharing_words_and_closes_quiet_clusters():
    texts = [
        "Ebola outbreak in Guinea",
        "Guinea Ebola outbreak spreads",
        "Fed holds rates",
        "Guinea Ebola outbreak",
    ]
    times = [DAY1, DAY1, DAY1, DAY1 + timedelta(hours=40)]
    labels = baselines.tfidf_single_pass(texts, times, threshold=0.3, live_hours=36)
    assert labels[0] == labels[1]
    assert labels[2] != labels[0]
    # Same words, but the cluster was quiet for 40 h: a new one.
    assert labels[3] not in labels[:3]


def test_batch_reference_cuts_the_average_linkage_tree_at_the_distance_threshold():
    vectors = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = baselines.batch_agglomerative(vectors, distance_threshold=0.2)
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]


def test_batch_reference_refuses_a_window_too_big_for_exact_linkage(
    uci_file, monkeypatch, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(baselines, "MAX_BATCH_ARTICLES", 5)
    with pytest.raises(CommandError, match="too many for exact batch linkage"):
        call_command(
            "evaluate_clustering",
            "--dataset",
            "uci",
            str(uci_file),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_evaluate_clustering_json_reports_every_figure_for_surge_and_both_baselines(
    uci_file, settings, tmp_path
):
    settings.VAR_DIR = tmp_path  # a private embedding cache
    out = io.StringIO()
    call_command(
        "evaluate_clustering", "--dataset", "uci", str(uci_file), "--weeks", "1", "--json",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["articles"] == 12 and report["gold_clusters"] == 3
    for method in ("surge", "tfidf_single_pass", "batch_reference"):
        figures = report[method]
        assert set(figures) >= {"bcubed_p", "bcubed_r", "bcubed_f1", "pairwise_f1", "ari", "clusters"}
        assert all(0 <= figures[name] <= 1 for name in ("bcubed_p", "bcubed_r", "bcubed_f1", "pairwise_f1"))
    # Three clearly different stories: the workers' clustering finds them.
    assert report["surge"]["bcubed_f1"] >= 0.8
    assert report["categories"]["articles"] == 12
    assert "B3 F1" in out.getvalue()  # the human-readable table comes first


def test_skip_batch_reports_surge_and_tfidf_with_a_null_batch_reference(
    uci_file, monkeypatch, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(baselines, "MAX_BATCH_ARTICLES", 5)
    out = io.StringIO()
    call_command(
        "evaluate_clustering", "--dataset", "uci", str(uci_file), "--weeks", "1", "--skip-batch", "--json",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["batch_reference"] is None
    assert report["surge"]["clusters"] >= 1 and report["tfidf_single_pass"]["clusters"] >= 1
    assert "(skipped)" in out.getvalue()
