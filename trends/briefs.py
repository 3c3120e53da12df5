"""Extractive briefs: every sentence is copied from an article in the story
and cites it, plus every other article that says the same thing. Nothing is
generated, so nothing can be invented."""

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“‘(])")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "your",
        "not",
        "no",
        "after",
        "before",
        "over",
        "under",
        "about",
        "into",
        "than",
        "then",
        "so",
        "up",
        "out",
        "says",
        "said",
        "will",
        "would",
        "can",
        "could",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "who",
        "what",
        "when",
        "where",
        "which",
        "while",
        "also",
        "more",
        "most",
        "new",
        "just",
        "may",
        "might",
        "one",
        "two",
    ]
)
MIN_CHARS, MAX_CHARS = 40, 320
SUPPORT_OVERLAP = 0.5  # share of a sentence's content words another article must contain


@dataclass(frozen=True)
class Coverage:
    article_id: int
    source: str
    title: str
    summary: str
    text: str
    published_at: datetime


@dataclass
class BriefSentence:
    text: str
    article_id: int
    source: str
    supporting_ids: list[int]

    def as_dict(self):
        return {
            "text": self.text,
            "citations": [self.article_id] + [i for i in self.supporting_ids if i != self.article_id],
            "source": self.source,
        }


def content_words(text: str) -> set[str]:
    return {w for w in (m.lower() for m in _WORD.findall(text)) if w not in STOPWORDS and len(w) > 2}


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def candidate_sentences(item: Coverage) -> list[str]:
    sentences = split_sentences(item.summary) + split_sentences(item.text)[:8]
    if not sentences:
        sentences = [item.title]
    return [s for s in sentences if MIN_CHARS <= len(s) <= MAX_CHARS] or [item.title]


def build_brief(items: list[Coverage], *, max_sentences: int = 4) -> list[BriefSentence]:
    """The most corroborated, least redundant sentences of the coverage."""
    if not items:
        return []
    vocab_by_article = {
        i.article_id: content_words(" ".join([i.title, i.summary, i.text[:3000]])) for i in items
    }
    document_frequency = Counter(w for words in vocab_by_article.values() for w in words)

    scored = []
    for item in items:
        for position, sentence in enumerate(candidate_sentences(item)):
            words = content_words(sentence)
            if len(words) < 3:
                continue
            weight = sum(math.log1p(document_frequency[w] - 1) for w in words) / math.sqrt(len(words))
            scored.append((weight / (1 + 0.15 * position), sentence, words, item))
    scored.sort(key=lambda row: (-row[0], row[3].published_at))

    chosen: list[BriefSentence] = []
    chosen_words: list[set[str]] = []
    for _score, sentence, words, item in scored:
        if any(_jaccard(words, other) > 0.45 for other in chosen_words):
            continue
        support = [
            aid
            for aid, vocab in vocab_by_article.items()
            if aid != item.article_id and len(words & vocab) >= SUPPORT_OVERLAP * len(words)
        ]
        chosen.append(BriefSentence(sentence, item.article_id, item.source, support))
        chosen_words.append(words)
        if len(chosen) == max_sentences:
            break
    return chosen


def brief_document(sentences: list[BriefSentence], updated_at: datetime) -> dict:
    corroborated = sum(1 for s in sentences if s.supporting_ids)
    return {
        "sentences": [s.as_dict() for s in sentences],
        "method": (
            "extractive: sentences copied from the coverage, ranked by how many articles share their words"
        ),
        "sentences_from_sources": len(sentences),
        "corroborated_share": round(corroborated / len(sentences), 3) if sentences else 0.0,
        "updated_at": updated_at.isoformat(),
    }


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
