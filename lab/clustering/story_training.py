"""Fitting the story model (trends/stories/story_model.json) on a labelled stream.

Both scorers are logistic regressions over the very features the workers
compute (trends.stories.features.join_features / merge_features), so what is
trained is what runs.

- Join scorer, in two rounds. First on the gold state: the stream is
  replayed with each event's articles so far as one live story, and every
  article is scored against its nearest live stories (its own event's story
  among them when live). Then on the states the clustering itself reaches:
  the stream is replayed with the first scorer making the decisions, and
  each (article, candidate story) pair is labelled by whether the story's
  majority event is the article's. The second scorer is fitted on both sets,
  so it has seen the fragments and buckets it will meet.
- Merge scorer: the stream replayed with the final join scorer; at every
  hour, each pair of merge candidates (two live stories of 2+ articles whose
  centroids are at least MERGE_FLOOR apart) is labelled by whether the two
  stories' majority events are the same.

Thresholds are chosen out of sample, by cross-fitting over the days of the
training part (see train); report on another part."""

import math
from collections import Counter
from datetime import datetime, timedelta

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

from lab.clustering import metrics, online_run
from lab.clustering.datasets import LabelledArticle
from trends.stories.clustering import MERGE_FLOOR, ClusterParams, LiveStories
from trends.stories.features import join_features, merge_features
from trends.stories.members import Member, StoryProfile
from trends.stories.story_model import Scorer, StoryModel, TreeScorer

FIRST_ROUND_THRESHOLD = 1.0  # log-odds the first join scorer decides with in round two
JOIN_THRESHOLDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
MERGE_THRESHOLDS = (0.5, 1.0, 2.0, 3.0)


def members_of(articles: list[LabelledArticle], vectors: np.ndarray) -> list[Member]:
    return [
        Member.of_title(row, vectors[row], a.title, a.source, a.published_at)
        for row, a in enumerate(articles)
    ]


def _close_stale(live: LiveStories, now: datetime, live_hours: float) -> None:
    cutoff = now - timedelta(hours=live_hours)
    for story_id in [s for s, p in live.profiles.items() if p.last_seen < cutoff]:
        live.remove(story_id)


def gold_state_pairs(articles, members, candidates: int, live_hours: float):
    """(features, same event?) for each article against its nearest live gold stories."""
    live = LiveStories(len(members[0].vector))
    story_of: dict[str, int] = {}
    opened = 0
    rows, labels = [], []
    for article, member in zip(tqdm(articles, desc="join pairs (gold state)"), members, strict=True):
        _close_stale(live, article.arrived_at, live_hours)
        own = story_of.get(article.gold_story)
        if own not in live:
            own = None
        for story_id, rival in live.candidates(member.vector, candidates, also=own):
            rows.append(join_features(live.profiles[story_id], member, live.terms, rival))
            labels.append(story_id == own)
        if own is None:
            own = story_of[article.gold_story] = opened
            opened += 1
            live.put(own, StoryProfile.of_members([member]))
        else:
            live.add_member(own, member)
    return rows, labels


def system_state_pairs(articles, members, params: ClusterParams, collect_merges: bool = False):
    """Replay with params' join scorer deciding (no merges). Returns the join
    pairs (features, candidate's majority event is the article's?) and, with
    collect_merges, the merge pairs seen at each hour boundary."""
    live = LiveStories(len(members[0].vector))
    majority: dict[int, Counter] = {}
    join_rows, join_labels, merge_rows, merge_labels = [], [], [], []
    last_hour = None
    for article, member in zip(tqdm(articles, desc="pairs (system state)"), members, strict=True):
        _close_stale(live, article.arrived_at, params.live_hours)
        hour = article.arrived_at.replace(minute=0, second=0, microsecond=0)
        if collect_merges and last_hour is not None and hour > last_hour:
            for features, same in _merge_candidates(live, majority, params.candidates):
                merge_rows.append(features)
                merge_labels.append(same)
        last_hour = hour
        best, best_score = None, -math.inf
        for story_id, rival in live.candidates(member.vector, params.candidates):
            features = join_features(live.profiles[story_id], member, live.terms, rival)
            join_rows.append(features)
            join_labels.append(_majority(majority[story_id]) == article.gold_story)
            score = params.model.join(features)
            if score > best_score:
                best, best_score = story_id, score
        if best is None or best_score < params.join_at:
            best = len(majority)
            majority[best] = Counter()
            live.put(best, StoryProfile.of_members([member]))
        else:
            live.add_member(best, member)
        majority[best][article.gold_story] += 1
    return join_rows, join_labels, merge_rows, merge_labels


def _majority(events: Counter) -> str:
    return events.most_common(1)[0][0]


def _merge_candidates(live: LiveStories, majority: dict[int, Counter], candidates: int):
    ids = [s for s, p in live.profiles.items() if p.size >= 2]
    allowed = set(ids)
    for story_id in ids:
        for other, cosine in live.index.nearest(live.index.centroid(story_id), k=candidates + 1):
            if other <= story_id or other not in allowed or cosine < MERGE_FLOOR:
                continue
            kept, absorbed = sorted((story_id, other), key=lambda s: (-live.profiles[s].size, s))
            features = merge_features(live.profiles[kept], live.profiles[absorbed], live.terms)
            yield features, _majority(majority[kept]) == _majority(majority[absorbed])


def fit_scorer(rows: list[dict[str, float]], labels: list[bool], kind: str = "logistic"):
    if not rows or len(set(labels)) < 2:
        raise ValueError("need pairs of both kinds (same event and not) to fit a scorer")
    names = list(rows[0])
    matrix = np.array([[row[name] for name in names] for row in rows])
    if kind == "trees":
        return fit_trees(names, matrix, np.array(labels))
    model = LogisticRegression(C=1.0, max_iter=5000).fit(matrix, np.array(labels))
    return Scorer(
        dict(zip(names, (float(w) for w in model.coef_[0]), strict=True)), float(model.intercept_[0])
    )


TREES = 150
TREE_DEPTH = 3
# No leaf fitted on fewer pairs: with single-pair leaves (sklearn's exact
# GradientBoostingClassifier) a title identical to a story's members scored
# below a merely close one, because exact repeats are rare and UCI's topic
# labels split some of them.
MIN_PAIRS_PER_LEAF = 20


def boosting_classifier() -> HistGradientBoostingClassifier:
    """The boosting model fit_trees writes out (unfitted)."""
    return HistGradientBoostingClassifier(
        max_iter=TREES,
        max_depth=TREE_DEPTH,
        learning_rate=0.1,
        min_samples_leaf=MIN_PAIRS_PER_LEAF,
        early_stopping=False,
    )


def fit_trees(names: list[str], matrix: np.ndarray, labels: np.ndarray) -> TreeScorer:
    """Gradient-boosted trees, written out as plain nodes (see TreeScorer)."""
    model = boosting_classifier().fit(matrix, labels)
    trees = []
    for (predictor,) in model._predictors:  # one tree per round for a two-class problem
        trees.append(
            tuple(
                (-1, 0.0, -1, -1, float(node["value"]))
                if node["is_leaf"]
                else (
                    int(node["feature_idx"]),
                    float(node["num_threshold"]),
                    int(node["left"]),
                    int(node["right"]),
                    0.0,
                )
                for node in predictor.nodes
            )  # fmt: skip
        )
    return TreeScorer(tuple(names), float(model._baseline_prediction.ravel()[0]), tuple(trees))


Stream = tuple[list[LabelledArticle], np.ndarray]


def fit_model(
    streams: list[Stream], live_hours: float, log=print, join_kind: str = "logistic"
) -> tuple[Scorer | TreeScorer, Scorer]:
    """Both scorers fitted on the pairs of every stream (each replayed on its
    own, window by window); thresholds are still to choose."""
    windows = [
        (
            [a for a in articles if a.window == w],
            vectors[[r for r, a in enumerate(articles) if a.window == w]],
        )
        for articles, vectors in streams
        for w in sorted({a.window for a in articles})
    ]
    members = [members_of(articles, vectors) for articles, vectors in windows]
    seed = StoryModel(Scorer({}, 0.0), Scorer({}, 0.0), FIRST_ROUND_THRESHOLD, math.inf)
    candidates = ClusterParams(live_hours=live_hours, model=seed).candidates

    rows, labels = [], []
    for (articles, _), found in zip(windows, members, strict=True):
        more_rows, more_labels = gold_state_pairs(articles, found, candidates, live_hours)
        rows, labels = rows + more_rows, labels + more_labels
    first = fit_scorer(rows, labels, join_kind)
    log(f"join scorer, round one: {len(rows)} pairs, {sum(labels)} same-event")
    params = ClusterParams(
        live_hours=live_hours, model=StoryModel(first, seed.merge, FIRST_ROUND_THRESHOLD, math.inf)
    )
    for (articles, _), found in zip(windows, members, strict=True):
        more_rows, more_labels, _, _ = system_state_pairs(articles, found, params)
        rows, labels = rows + more_rows, labels + more_labels
    join = fit_scorer(rows, labels, join_kind)
    log(f"join scorer, round two: {len(rows)} pairs with those from the clustering's own states")

    params = ClusterParams(
        live_hours=live_hours, model=StoryModel(join, seed.merge, FIRST_ROUND_THRESHOLD, math.inf)
    )
    merge_rows, merge_labels = [], []
    for (articles, _), found in zip(windows, members, strict=True):
        _, _, more_rows, more_labels = system_state_pairs(articles, found, params, collect_merges=True)
        merge_rows, merge_labels = merge_rows + more_rows, merge_labels + more_labels
    merge = fit_scorer(merge_rows, merge_labels)
    log(f"merge scorer: {len(merge_rows)} story pairs, {sum(merge_labels)} same-event")
    return join, merge


def train(
    articles: list[LabelledArticle],
    vectors: np.ndarray,
    live_hours: float,
    log=print,
    also: list[Stream] = (),
    join_kind: str = "logistic",
) -> tuple[StoryModel, list[dict]]:
    """Choose the thresholds out of sample, then fit the model on everything.

    Scorers fitted on a stream are over-confident on that same stream, so
    thresholds picked there come out too loose. So the thresholds are chosen
    by cross-fitting over days: for each UTC day of the stream, scorers are
    fitted on the other days, the whole stream is replayed with each pair of
    thresholds, and the day left out is scored. The pair with the best mean
    of B-cubed F1 + top-20 purity over the days left out wins (readers and
    the overall grouping count alike). The final scorers are fitted on all
    days. `also`: more labelled streams whose pairs join every fit (not the
    threshold choice), so the scorers see other kinds of stories and text.
    Returns the model and the grid's mean scores."""
    days = sorted({a.arrived_at.date() for a in articles})
    if len(days) < 2:
        raise ValueError("need at least two days of labelled stream to choose thresholds out of sample")
    gold = [a.gold_story for a in articles]
    totals: dict[tuple[float, float], list[dict]] = {}
    for day in days:
        rows = [r for r, a in enumerate(articles) if a.arrived_at.date() != day]
        log(f"fold: fitted without {day}, scored on {day}")
        join, merge = fit_model(
            [([articles[r] for r in rows], vectors[rows]), *also], live_hours, log, join_kind
        )
        scored = [r for r, a in enumerate(articles) if a.arrived_at.date() == day]
        for join_at in JOIN_THRESHOLDS:
            for merge_at in MERGE_THRESHOLDS:
                params = ClusterParams(
                    live_hours=live_hours, model=StoryModel(join, merge, join_at, merge_at)
                )
                predicted = online_run.surge_labels(articles, vectors, params)
                scores = metrics.score([gold[r] for r in scored], [predicted[r] for r in scored])
                totals.setdefault((join_at, merge_at), []).append(scores)
    grid = []
    for (join_at, merge_at), folds in totals.items():
        mean = {key: float(np.mean([f[key] for f in folds])) for key in folds[0]}
        grid.append({"join_threshold": join_at, "merge_threshold": merge_at, **mean})
        log(
            f"  join {join_at:4.1f} merge {merge_at:4.1f}: mean over days left out: B3 F1 "
            f"{mean['bcubed_f1']:.4f} purity {mean['top20_purity']:.4f} junk {mean['junk_top20']:.1f} "
            f"split {mean['split_top20']:.1f}"
        )
    best = max(grid, key=threshold_objective)
    log("final fit on every day")
    join, merge = fit_model([(articles, vectors), *also], live_hours, log, join_kind)
    return StoryModel(join, merge, best["join_threshold"], best["merge_threshold"]), grid


def threshold_objective(scores: dict) -> float:
    return scores["bcubed_f1"] + scores["top20_purity"]
