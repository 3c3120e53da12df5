"""Hand-set story models for tests: decisions that follow one cosine, so a
test can place vectors on either side of a threshold."""

import math

from trends.stories.clustering import ClusterParams
from trends.stories.story_model import Scorer, StoryModel

STEEP = 50.0  # log-odds per unit of cosine: the decision flips right at the threshold


def cosine_model(join_at: float = 0.8, merge_at: float = math.inf) -> StoryModel:
    """Join when the article's cosine to the story centroid reaches join_at;
    merge two stories when their centroids' cosine reaches merge_at."""
    join = Scorer({"centroid_cosine": STEEP}, -STEEP * join_at)
    merge = Scorer({"centroid_cosine": STEEP}, -STEEP * merge_at if math.isfinite(merge_at) else -1e9)
    return StoryModel(join, merge, 0.0, 0.0)


def cosine_params(
    join_at: float = 0.8, merge_at: float = math.inf, live_hours: float = 36.0
) -> ClusterParams:
    return ClusterParams(live_hours=live_hours, model=cosine_model(join_at, merge_at))
