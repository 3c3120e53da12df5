"""What the join and merge scorers know of a pair: similarities of
embeddings, of key words and names, time apart and outlets."""

import math
from collections import Counter
from datetime import timedelta

import numpy as np

from trends.stories.members import Member, StoryProfile, TermStats, unit

# "Latest" for the newest-members similarities.
LATEST_MEMBERS = 8


def _hours(delta: timedelta) -> float:
    return max(delta.total_seconds() / 3600, 0.0)


def join_features(
    story: StoryProfile, article: Member, terms: TermStats, rival_cosine: float = 0.0
) -> dict[str, float]:
    """What the join scorer knows of one (article, live story) pair.
    rival_cosine: the best centroid cosine among the other candidates (how
    crowded the article's neighbourhood is)."""
    vector = article.vector
    similarities = story.matrix @ vector
    latest = similarities[-LATEST_MEMBERS:]
    count = len(story.members)
    weight = {word: terms.idf(word) for word in article.terms}
    total = sum(weight.values()) or 1.0
    held = story.term_counts
    shared = [weight[w] for w in article.terms if held.get(w)]
    key_weight = sum(terms.idf(w) * share for w, share in story.key_terms)
    key_missing = sum(terms.idf(w) * share for w, share in story.key_terms if w not in article.terms)
    names = {w for w in article.terms if terms.is_name(w)}
    quiet = math.log1p(_hours(article.at - story.last_seen))
    old = math.log1p(_hours(article.at - story.first_seen))
    top3 = float(np.sort(similarities)[-3:].mean())
    key_names = [(w, share) for w, share in story.key_terms if terms.is_name(w)]
    key_names_weight = sum(terms.idf(w) * share for w, share in key_names)
    centroid_cosine = float(unit(story.centroid_sum) @ vector)
    return {
        "centroid_cosine": centroid_cosine,
        # A clear winner may be looser than a match among close rivals: in a
        # crowded stream the same cosine means less than among distinct events.
        "margin_over_rival": centroid_cosine - rival_cosine,
        "recent_centroid_cosine": float(story.recent_centroid @ vector),
        "latest_top3_cosine": float(np.sort(latest)[-3:].mean()),
        "latest_max_cosine": float(latest.max()),
        "member_max_cosine": float(similarities.max()),
        "member_top3_cosine": top3,
        "term_cover": sum(weight[w] * held.get(w, 0) / count for w in article.terms) / total,
        # As a share of the rarest possible weight: the scale of IDF follows
        # how many articles are live, which differs from stream to stream.
        "rarest_shared_term": max(shared, default=0.0) / terms.idf(""),
        "term_novelty": sum(weight[w] for w in article.terms if not held.get(w)) / total,
        "key_terms_missing": key_missing / key_weight if key_weight else 0.0,
        # Agreement on names and on the other words apart: sharing a name
        # ("DiCaprio", "Trump") says little about sharing a happening.
        "name_cover": _cover(names, weight, held, count),
        "word_cover": _cover(article.terms - names, weight, held, count),
        "key_names_missing": sum(terms.idf(w) * s for w, s in key_names if w not in article.terms)
        / key_names_weight
        if key_names_weight
        else 0.0,
        "hours_quiet": quiet,
        "hours_old": old,
        # Time apart weighs against a loose match, much less against a close one.
        "quiet_x_distance": quiet * (1 - top3),
        "old_x_distance": old * (1 - top3),
        "same_source_share": story.source_counts.get(article.source, 0) / count,
    }


def _cover(words: set[str], weight: dict[str, float], held: Counter, count: int) -> float:
    """IDF-weighted share of `words` the story holds, each by the share of members holding it."""
    total = sum(weight[w] for w in words)
    return sum(weight[w] * held.get(w, 0) / count for w in words) / total if total else 0.0


def merge_features(kept: StoryProfile, absorbed: StoryProfile, terms: TermStats) -> dict[str, float]:
    """What the merge scorer knows of two live stories."""
    links = kept.matrix[-30:] @ absorbed.matrix[-30:].T
    profiles = []
    for story in (kept, absorbed):
        count = len(story.members)
        profiles.append({w: c / count * terms.idf(w) for w, c in story.term_counts.items()})
    a, b = profiles
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norms = math.sqrt(sum(x * x for x in a.values()) * sum(x * x for x in b.values()))
    keys_a = {w for w, c in kept.term_counts.items() if c / len(kept.members) >= 0.3}
    keys_b = {w for w, c in absorbed.term_counts.items() if c / len(absorbed.members) >= 0.3}
    union = sum(terms.idf(w) for w in keys_a | keys_b)
    names_a = {w for w in keys_a if terms.is_name(w)}
    names_b = {w for w in keys_b if terms.is_name(w)}
    name_union = sum(terms.idf(w) for w in names_a | names_b)
    sources = kept.source_counts + absorbed.source_counts
    return {
        "centroid_cosine": float(unit(kept.centroid_sum) @ unit(absorbed.centroid_sum)),
        "recent_centroid_cosine": float(kept.recent_centroid @ absorbed.recent_centroid),
        "average_link": float(links.mean()),
        "max_link": float(links.max()),
        "term_cosine": dot / norms if norms else 0.0,
        "key_term_overlap": sum(terms.idf(w) for w in keys_a & keys_b) / union if union else 0.0,
        "key_name_overlap": sum(terms.idf(w) for w in names_a & names_b) / name_union if name_union else 0.0,
        "hours_apart": math.log1p(abs(_hours(kept.last_seen - absorbed.last_seen) or 0.0)),
        "smaller_size": math.log1p(min(kept.size, absorbed.size)),
        "top_source_share": sources.most_common(1)[0][1] / (len(kept.members) + len(absorbed.members)),
    }
