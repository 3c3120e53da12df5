"""Two real worker processes assigning at once must not create two stories
for one event: StoryAssigner serialises assignment under the database's write
lock (SQLite IMMEDIATE transaction; PostgreSQL advisory lock)."""

import multiprocessing
import os
from datetime import UTC, datetime

import numpy as np
import pytest

NOW = datetime(2026, 1, 3, 12, tzinfo=UTC)


def _assign_in_worker(db_path, article_id, barrier, results):
    os.environ["DEBUG"] = "1"
    os.environ["SQLITE_PATH"] = db_path
    os.environ["DJANGO_SETTINGS_MODULE"] = "surge.settings"
    import django

    django.setup()
    from ingest.models import Article
    from trends.stories.assignment import StoryAssigner

    article = Article.objects.get(pk=article_id)
    barrier.wait()  # both processes reach the assigner together
    results.put(StoryAssigner().assign([article], NOW))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_assigning_near_identical_articles_create_one_story():
    from django.db import connection

    from ingest.models import Article
    from tests.factories import make_article, make_source
    from trends.models import Story

    if connection.vendor != "sqlite":
        pytest.skip("the two processes share the test database as a SQLite file")
    source = make_source("s.example")
    rng = np.random.default_rng(3)
    base = rng.standard_normal(384).astype(np.float32)
    ids = []
    for _ in range(2):
        vector = base + rng.standard_normal(384).astype(np.float32) * 0.01
        article = make_article(
            source,
            title="Quake hits city",
            when=NOW,
            vector=vector / np.linalg.norm(vector),
            stage=Article.Stage.EXTRACTED,
        )
        ids.append(article.pk)

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(
            target=_assign_in_worker, args=(connection.settings_dict["NAME"], pk, barrier, results)
        )
        for pk in ids
    ]
    for worker in workers:
        worker.start()
    touched = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    assert Story.objects.count() == 1
    story = Story.objects.get()
    assert touched == [[story.pk], [story.pk]]
    assert set(Article.objects.filter(story=story).values_list("pk", flat=True)) == set(ids)
    assert story.article_count == 2
