"""The over-merging readers saw on the real stream, reproduced on a small real
excerpt of the hand-labelled window and fixed: a "Trump" bucket that never
closes because something Trump-related arrives every hour, grown by joins on
a shared name without agreement on what happened, around a centroid that
drifts over the days. Real headlines, real embeddings, in memory."""

from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest

from lab.clustering.datasets import load_labelled_stream
from lab.clustering.online_run import surge_labels
from tests.realdata import DATA
from tests.story_models import cosine_params
from trends.stories.clustering import ClusterParams
from trends.stories.embedding import embed_texts

EVENTS = DATA / "newsriver"
VENEZUELA = "2026-01-03-us-strikes-venezuela-captures-maduro"
START, END = datetime(2026, 1, 2, 12, tzinfo=UTC), datetime(2026, 1, 4, 6, tzinfo=UTC)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trump_excerpt(real_data):
    """Every labelled item of 2 Jan noon - 4 Jan 6:00 that names Trump or is
    about the Venezuela raid (a few hundred items, dozens of events)."""
    articles = [
        a
        for a in load_labelled_stream(EVENTS / "events-2026-01-02_04.jsonl.gz")
        if START <= a.arrived_at < END and ("trump" in a.title.lower() or a.gold_story == VENEZUELA)
    ]
    return articles, embed_texts([a.text for a in articles])


def _stories(articles, labels):
    members: dict[str, Counter] = {}
    for article, label in zip(articles, labels, strict=True):
        members.setdefault(label, Counter())[article.gold_story] += 1
    return members


def _purity(events: Counter) -> float:
    return max(events.values()) / sum(events.values())


def test_a_centroid_rule_loose_enough_to_gather_the_raid_also_grows_a_trump_bucket(trump_excerpt):
    """The failure, reproduced: judged by the all-time centroid alone, the
    raid's coverage and unrelated Trump news end in one story."""
    articles, vectors = trump_excerpt
    stories = _stories(articles, surge_labels(articles, vectors, cosine_params(0.45, merge_at=0.6)))
    biggest = max(stories.values(), key=lambda events: sum(events.values()))
    assert biggest[VENEZUELA] > 100
    assert _purity(biggest) < 0.85
    assert sum(1 for event, n in biggest.items() if event != VENEZUELA) >= 10  # many other happenings


def test_the_shipped_rule_keeps_most_of_the_raid_in_one_story_and_other_trump_news_out(trump_excerpt):
    articles, vectors = trump_excerpt
    stories = _stories(articles, surge_labels(articles, vectors, ClusterParams()))
    raid_items = sum(events[VENEZUELA] for events in stories.values())
    raid = max(stories.values(), key=lambda events: events[VENEZUELA])
    assert raid[VENEZUELA] >= 0.6 * raid_items  # one main story for the raid, not splinters
    assert _purity(raid) >= 0.9
    # No topic bucket: every story a reader would notice is mostly one happening
    # (the tree scorer lets four Trump opinion pieces into the 15-article health
    # story: 0.79; the bucket above mixes dozens of happenings).
    for events in stories.values():
        if sum(events.values()) >= 5:
            assert _purity(events) >= 0.75, events.most_common(3)
            assert len(events) <= 5, events.most_common(6)


def test_trump_health_coverage_does_not_join_the_raid_on_the_name_alone(trump_excerpt):
    articles, vectors = trump_excerpt
    labels = surge_labels(articles, vectors, ClusterParams())
    health = [label for a, label in zip(articles, labels, strict=True) if "health" in a.gold_story]
    raid_label = Counter(
        label for a, label in zip(articles, labels, strict=True) if a.gold_story == VENEZUELA
    )
    raid_story = raid_label.most_common(1)[0][0]
    assert health and np.mean([label == raid_story for label in health]) <= 0.1
