"""evaluate_clustering on a labelled stream: items replayed in first_seen order
with their real times, through the workers' own path, and a database's
stories scored against the labels. Hand-made stream, hand-set embeddings
(pre-filled into the evaluation's embedding cache), so no model is loaded."""

import gzip
import io
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lab.clustering.datasets import load_labelled_stream
from lab.embedding_cache import EmbeddingCache
from trends.stories.embedding import DIMENSIONS, article_text

T0 = datetime(2026, 1, 3, 6, 0, tzinfo=UTC)

EVENTS = {
    # event: (embedding axis, titles)
    "quake": (0, ["Strong earthquake hits Chile coast", "Chile earthquake: tsunami warning issued"]),
    "final": (1, ["Littler wins world darts final", "Littler beats Van Veen in darts final"]),
    "vote": (2, ["Dutch parliament votes on budget", "Budget vote passes in Dutch parliament"]),
}


def _item(title, event, first_seen, published, domain):
    return {
        "source": domain.split(".")[0].title(),
        "domain": domain,
        "feed_url": None,
        "title": title,
        "link": f"https://{domain}/{abs(hash(title)) % 10**8}",
        "published": published.isoformat().replace("+00:00", "Z") if published else None,
        "first_seen": first_seen.isoformat().replace("+00:00", "Z"),
        "last_seen": first_seen.isoformat().replace("+00:00", "Z"),
        "n_snapshots": 1,
        "summary": None,
        "category": "General",
        "region": None,
        "event": event,
    }


def stream_items():
    """Six items over three hours, written to the file out of first_seen order.
    One pubDate lies after the first sighting (the replay's feed caps it)."""
    rows = []
    for hour, (event, (_, titles)) in enumerate(EVENTS.items()):
        for n, title in enumerate(titles):
            seen = T0 + timedelta(hours=hour, minutes=20 * n)
            published = seen - timedelta(minutes=15) if n == 0 else seen + timedelta(minutes=30)
            rows.append(_item(title, event, seen, published, ["a.example", "b.example"][n]))
    return list(reversed(rows))


@pytest.fixture
def stream_file(tmp_path):
    path = tmp_path / "events.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in stream_items():
            handle.write(json.dumps(row) + "\n")
    return path


@pytest.fixture
def cached_vectors(settings, tmp_path):
    """Each event's titles share one axis (plus a little noise): pre-filled
    into the cache the command reads, so it embeds nothing."""
    settings.VAR_DIR = tmp_path
    rng = np.random.default_rng(3)
    by_text = {}
    for axis, titles in EVENTS.values():
        for title in titles:
            vector = rng.standard_normal(DIMENSIONS).astype(np.float32) * 0.01
            vector[axis] += 1
            by_text[article_text(title)] = vector / np.linalg.norm(vector)

    def embed(texts):
        return np.stack([by_text[t] for t in texts])

    EmbeddingCache(embed=embed).vectors(list(by_text), progress=False)
    return by_text


def test_labelled_stream_comes_in_first_seen_order_with_the_replays_published_times(stream_file):
    articles = load_labelled_stream(stream_file)
    arrivals = [a.arrived_at for a in articles]
    assert arrivals == sorted(arrivals) and arrivals[0] == T0
    assert articles[0].gold_story == "quake" and articles[0].source == "a.example"
    # A pubDate before the first sighting is kept; one after it is capped to it.
    assert articles[0].published_at == T0 - timedelta(minutes=15)
    assert articles[1].published_at == articles[1].arrived_at == T0 + timedelta(minutes=20)


def test_labelled_stream_line_without_an_event_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "bad.jsonl.gz"
    row = _item("A title", "e", T0, T0, "a.example")
    del row["event"]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(_item("Another", "e", T0, T0, "a.example")) + "\n" + json.dumps(row) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl.gz:2: not a labelled newsriver item"):
        load_labelled_stream(path)


@pytest.mark.django_db
def test_replay_through_workers_stores_in_first_seen_order_on_the_streams_own_clock(
    stream_file, cached_vectors
):
    from ingest.models import Article
    from lab.clustering.database_replay import replay_through_workers
    from trends.models import Story, StorySnapshot

    articles = load_labelled_stream(stream_file)
    vectors = np.stack([cached_vectors[a.text] for a in articles])
    labels = replay_through_workers(articles, vectors, progress=False)

    stored = list(Article.objects.order_by("pk"))
    assert [a.fetched_at for a in stored] == [a.arrived_at for a in articles]
    assert [a.published_at for a in stored] == [a.published_at for a in articles]
    assert all(a.stage == Article.Stage.ASSIGNED for a in stored)
    # Story times are the stream's, and the hourly work ran on its hours.
    first = Story.objects.get(pk=stored[0].story_id)
    assert first.first_seen_at == T0 - timedelta(minutes=15)
    hours = set(StorySnapshot.objects.values_list("hour", flat=True))
    assert T0 + timedelta(hours=1) in hours and T0 + timedelta(hours=3) in hours
    assert max(hours) == T0 + timedelta(hours=3)
    # One story per event: clearly apart, clearly together.
    assert labels[0] == labels[1] != labels[2] == labels[3] != labels[4] == labels[5]


@pytest.mark.django_db
def test_from_database_scores_the_stories_a_replay_left_against_the_labels(stream_file, cached_vectors):
    from lab.clustering.database_replay import replay_through_workers

    articles = load_labelled_stream(stream_file)
    replay_through_workers(articles, np.stack([cached_vectors[a.text] for a in articles]), progress=False)
    out = io.StringIO()
    call_command(
        "evaluate_clustering", "--dataset", "stream", str(stream_file), "--from-database", "--json",
        "--skip-batch", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["surge_path"] == "this database's stories"
    assert report["surge"]["bcubed_f1"] == 1.0 and report["surge"]["clusters"] == 3


@pytest.mark.django_db
def test_brief_evaluation_loads_the_stream_through_the_workers_path(stream_file, cached_vectors):
    """evaluate_briefs --load stores what the workers would: the same stories
    as the replay evaluate_clustering scores, hourly work included."""
    from ingest.models import Article
    from lab.briefs.stream import load_labelled_stream as load_for_briefs
    from lab.clustering.database_replay import labels_from_database
    from trends.models import StorySnapshot

    assert load_for_briefs(stream_file) == 6
    labels = labels_from_database(load_labelled_stream(stream_file))
    assert labels[0] == labels[1] != labels[2] == labels[3] != labels[4] == labels[5]
    assert all(a.stage == Article.Stage.ASSIGNED for a in Article.objects.all())
    assert StorySnapshot.objects.filter(hour=T0 + timedelta(hours=3)).exists()


@pytest.mark.django_db
def test_from_database_refuses_when_no_labelled_item_is_stored(stream_file, cached_vectors):
    with pytest.raises(CommandError, match="none of the labelled items"):
        call_command(
            "evaluate_clustering", "--dataset", "stream", str(stream_file), "--from-database",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip


def test_stream_json_keeps_todays_shape_with_the_reader_figures_and_a_held_out_part(
    stream_file, cached_vectors
):
    out = io.StringIO()
    call_command(
        "evaluate_clustering", "--dataset", "stream", str(stream_file), "--in-memory", "--json",
        "--held-out-from", "2026-01-03T08:00:00Z", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["articles"] == 6 and report["gold_clusters"] == 3
    for method in ("surge", "tfidf_single_pass", "batch_reference"):
        assert {"bcubed_f1", "pairwise_p", "pairwise_r", "ari", "clusters"} <= set(report[method])
        assert {"top20_purity", "junk_top20", "split_top20"} <= set(report[method])
    assert report["surge"]["bcubed_f1"] == 1.0
    assert report["held_out"]["articles"] == 2 and report["held_out"]["surge"]["clusters"] == 1
    assert "top20 pur" in out.getvalue()


def test_stream_only_options_are_refused_for_other_datasets(stream_file):
    with pytest.raises(CommandError, match="apply to --dataset stream"):
        call_command("evaluate_clustering", "--dataset", "giveme5w1h", str(stream_file), "--in-memory")
    with pytest.raises(CommandError, match="apply to --dataset stream"):
        call_command("evaluate_clustering", "--dataset", "uci", str(stream_file), "--arrival-seed", "0")
    with pytest.raises(CommandError, match="orders a replay"):
        call_command(
            "evaluate_clustering", "--dataset", "stream", str(stream_file), "--from-database",
            "--arrival-seed", "1",
        )  # fmt: skip


def test_an_arrival_seed_shuffles_only_the_items_that_arrive_at_the_same_moment():
    from lab.clustering.datasets import LabelledArticle, shuffled_within_arrivals

    moments = [T0] * 6 + [T0 + timedelta(minutes=5)] * 6
    articles = [
        LabelledArticle(f"item {n}", f"item {n}", at, "event", "General", 1, seen_at=at)
        for n, at in enumerate(moments)
    ]
    orders = {seed: [a.title for a in shuffled_within_arrivals(articles, seed)] for seed in range(4)}
    for order in orders.values():
        assert set(order[:6]) == {f"item {n}" for n in range(6)}  # no item crosses to another moment
        assert set(order[6:]) == {f"item {n}" for n in range(6, 12)}
    assert len({tuple(order) for order in orders.values()}) > 1
    assert orders[1] == [a.title for a in shuffled_within_arrivals(articles, 1)]  # seeded


def test_event_halves_are_refused_for_datasets_other_than_giveme5w1h(stream_file):
    with pytest.raises(CommandError, match="apply to --dataset giveme5w1h"):
        call_command("evaluate_clustering", "--dataset", "stream", str(stream_file), "--events", "odd")


def test_story_model_thresholds_are_chosen_on_days_the_scorers_were_not_fitted_on(monkeypatch):
    from lab.clustering import story_training
    from lab.clustering.datasets import LabelledArticle
    from tests.story_models import cosine_model

    rng = np.random.default_rng(5)
    articles, vectors = [], []
    for day in range(2):
        for event in range(4):
            axis = 4 * day + event
            for n in range(3):
                at = T0 + timedelta(days=day, hours=event, minutes=10 * n)
                title = f"Event {axis} report {n}"
                articles.append(LabelledArticle(title, title, at, f"e{axis}", "", 1, f"s{n}.example", at))
                vector = rng.standard_normal(DIMENSIONS).astype(np.float32) * 0.01
                vector[axis] += 1
                vectors.append(vector / np.linalg.norm(vector))
    fitted_on = []

    def fit_model(streams, live_hours, log, join_kind="logistic"):
        fitted_on.append(sorted({a.arrived_at.date() for a in streams[0][0]}))
        model = cosine_model(0.9, merge_at=0.95)
        return model.join, model.merge

    monkeypatch.setattr(story_training, "fit_model", fit_model)
    model, grid = story_training.train(articles, np.stack(vectors), 36.0, log=lambda line: None)
    days = [T0.date(), (T0 + timedelta(days=1)).date()]
    assert fitted_on == [[days[1]], [days[0]], days]  # each day left out once, then all
    assert len(grid) == len(story_training.JOIN_THRESHOLDS) * len(story_training.MERGE_THRESHOLDS)
    best = max(grid, key=story_training.threshold_objective)
    assert (model.join_threshold, model.merge_threshold) == (best["join_threshold"], best["merge_threshold"])
    assert best["bcubed_f1"] == 1.0  # distinct events, each on its own axis


def test_story_model_training_refuses_a_single_day():
    from lab.clustering import story_training
    from lab.clustering.datasets import LabelledArticle

    articles = [LabelledArticle("t", "t", T0, "e", "", 1, "s", T0)]
    with pytest.raises(ValueError, match="at least two days"):
        story_training.train(articles, np.zeros((1, DIMENSIONS), dtype=np.float32), 36.0)
