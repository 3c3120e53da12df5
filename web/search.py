"""Site search: trends whose headline, dek, brief, topics or outlets name
every word of the query, after folding (trends.folding: "Crans-Montana" is
"crans montana", "Zürich" is "zurich"), under the same listing rules as every
other list (public, at least MIN_ARTICLES articles unless pinned).

Ranking, best first: relevance + RECENCY_WEIGHT · recency, where
  relevance = for each query word, the best place it is found:
              WEIGHTS[headline] 3, dek 2, topic 2, outlet 1, brief 1,
              halved when only part of a word matches ("venezuel" in
              "venezuelan"); plus PHRASE_BONUS when the whole query stands
              in the headline as typed;
  recency   = 0.5 ** (hours since the story's last article / RECENCY_HALF_LIFE_HOURS).
A fixed number of queries: the outlets whose names match, then at most
MAX_CANDIDATES matching stories (newest first) with their topic names."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from ingest.models import Article, Source
from trends.models import Story, StoryTopic
from trends.words.folding import fold
from web.queries import CARD_FIELDS, listed_stories

MAX_WORDS = 8
MAX_CANDIDATES = 500
WEIGHTS = {"headline": 3.0, "dek": 2.0, "topic": 2.0, "outlet": 1.0, "brief": 1.0}
PARTIAL_MATCH = 0.5
PHRASE_BONUS = 3.0
RECENCY_WEIGHT = 2.0
RECENCY_HALF_LIFE_HOURS = 24.0


@dataclass
class Hit:
    story: Story
    score: float


def query_words(query: str) -> list[str]:
    return fold(query).split()[:MAX_WORDS]


def search(query: str, now: datetime) -> list[Story]:
    """The listed stories matching every word of the query, best first."""
    words = query_words(query)
    if not words:
        return []
    outlets = _matching_outlets(words)
    stories = listed_stories()
    for word in words:
        in_topics = StoryTopic.objects.filter(story=OuterRef("pk"), topic__slug__contains=word)
        condition = Q(search_text__contains=word) | Q(Exists(in_topics))
        if outlets[word]:
            from_outlets = Article.objects.filter(story=OuterRef("pk"), source_id__in=outlets[word])
            condition |= Q(Exists(from_outlets))
        stories = stories.filter(condition)
    candidates = list(
        stories.only(*CARD_FIELDS, "search_text").order_by("-last_seen_at", "-id")[:MAX_CANDIDATES]
    )
    topics: dict[int, list[str]] = defaultdict(list)
    outlet_stories: dict[int, set[int]] = defaultdict(set)
    if candidates:
        ids = [s.pk for s in candidates]
        for story_id, name in StoryTopic.objects.filter(story_id__in=ids).values_list(
            "story_id", "topic__name"
        ):
            topics[story_id].append(fold(name))
        matched_sources = {sid for ids_ in outlets.values() for sid in ids_}
        if matched_sources:
            rows = (
                Article.objects.filter(story_id__in=ids, source_id__in=matched_sources)
                .values_list("story_id", "source_id")
                .distinct()
            )
            for story_id, source_id in rows:
                outlet_stories[story_id].add(source_id)
    phrase = fold(query)
    hits = [
        Hit(s, _score(s, words, phrase, topics[s.pk], outlet_stories[s.pk], outlets, now)) for s in candidates
    ]
    hits.sort(key=lambda h: (-h.score, -h.story.last_seen_at.timestamp(), -h.story.pk))
    return [h.story for h in hits]


def _matching_outlets(words: list[str]) -> dict[str, list[int]]:
    """Query word → ids of the outlets whose folded name has it as a word."""
    found: dict[str, list[int]] = {word: [] for word in words}
    for source_id, name in Source.objects.values_list("id", "name"):
        names = fold(name).split()
        for word in words:
            if word in names:
                found[word].append(source_id)
    return found


def _score(story, words, phrase, topic_names, story_outlets, outlets, now) -> float:
    headline, dek, *brief = (story.search_text or "").split("\n") + ["", ""]
    places = {
        "headline": headline,
        "dek": dek,
        "topic": " ".join(topic_names),
        "brief": " ".join(brief),
    }
    relevance = 0.0
    for word in words:
        best = 0.0
        for place, text in places.items():
            padded = f" {text} "
            if f" {word} " in padded:
                best = max(best, WEIGHTS[place])
            elif word in text:
                best = max(best, WEIGHTS[place] * PARTIAL_MATCH)
        if story_outlets & set(outlets[word]):
            best = max(best, WEIGHTS["outlet"])
        relevance += best
    if len(words) > 1 and f" {phrase} " in f" {headline} ":
        relevance += PHRASE_BONUS
    hours = max((now - story.last_seen_at).total_seconds() / 3600, 0.0)
    recency = 0.5 ** (hours / RECENCY_HALF_LIFE_HOURS)
    return relevance + RECENCY_WEIGHT * recency
