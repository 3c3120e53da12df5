"""Replay a labelled stream through Surge's clustering and the baselines, and score them."""

from collections import Counter
from datetime import datetime

import numpy as np

from lab.clustering import baselines, metrics
from lab.clustering.datasets import LabelledArticle
from trends.stories.clustering import ClusterParams, OnlineClusterer
from trends.words import categories


def surge_labels(articles: list[LabelledArticle], vectors: np.ndarray, params: ClusterParams) -> list[str]:
    """Story per article from the workers' own clustering code, in memory.
    Each window is a fresh stream; the merge pass runs whenever the clock
    (the articles' arrival times) enters a new hour, as the hourly task does."""
    labels: list[tuple[int, int]] = []
    clusterers: dict[int, OnlineClusterer] = {}
    last_hour: dict[int, datetime] = {}
    for article, vector in zip(articles, vectors, strict=True):
        window = article.window
        clusterer = clusterers.setdefault(window, OnlineClusterer(vectors.shape[1], params))
        hour = article.arrived_at.replace(minute=0, second=0, microsecond=0)
        if window in last_hour and hour > last_hour[window]:
            clusterer.merge_converged()
        last_hour[window] = hour
        story = clusterer.assign(
            vector, article.published_at, article.title, source=article.source, now=article.arrived_at
        )
        labels.append((window, story))
    return [f"{w}:{clusterers[w].final_story(s)}" for w, s in labels]


def tfidf_labels(articles: list[LabelledArticle], threshold: float, live_hours: float) -> list[str]:
    labels = []
    for window in sorted({a.window for a in articles}):
        members = [a for a in articles if a.window == window]
        found = baselines.tfidf_single_pass(
            [a.title for a in members], [a.arrived_at for a in members], threshold, live_hours
        )
        labels.extend((id(a), f"{window}:{label}") for a, label in zip(members, found, strict=True))
    return _in_stream_order(articles, labels)


def batch_labels(
    articles: list[LabelledArticle], vectors: np.ndarray, distance_threshold: float
) -> list[str]:
    labels = []
    for window in sorted({a.window for a in articles}):
        rows = [i for i, a in enumerate(articles) if a.window == window]
        found = baselines.batch_agglomerative(vectors[rows], distance_threshold)
        labels.extend((id(articles[i]), f"{window}:{label}") for i, label in zip(rows, found, strict=True))
    return _in_stream_order(articles, labels)


def _in_stream_order(articles, labels):
    by_article = dict(labels)
    return [by_article[id(a)] for a in articles]


def summary(articles: list[LabelledArticle], results: dict[str, list[str]]) -> dict:
    gold = [a.gold_story for a in articles]
    report = {name: metrics.score(gold, predicted) for name, predicted in results.items()}
    report["gold_clusters"] = len(Counter(gold))
    report["articles"] = len(articles)
    return report


def story_category_scores(
    articles: list[LabelledArticle], vectors: np.ndarray, story_labels: list[str], classes: list[str]
) -> dict:
    """Each Surge story gets its category from its centroid (the data has no
    feed hints); every article is scored by its story's category."""
    members: dict[str, list[int]] = {}
    for row, story in enumerate(story_labels):
        members.setdefault(story, []).append(row)
    category_of = {
        story: categories.story_category([""] * len(rows), vectors[rows].sum(axis=0))
        for story, rows in members.items()
    }
    gold = [a.gold_category for a in articles]
    return metrics.classification(gold, [category_of[s] for s in story_labels], classes)
