"""Extractive briefs: every sentence is copied from an article in the story
and cites it, plus every other article that says the same thing. Nothing is
generated, so nothing can be invented."""

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

# A line already ends a sentence: . ! ? … possibly inside closing quotes or brackets.
_ENDS_A_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*$")
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


def as_sentence(text: str) -> str:
    """A brief line that reads as a sentence of its own: a headline copied
    from the coverage has no full stop and would run into the next line."""
    text = (text or "").rstrip()
    if not text or _ENDS_A_SENTENCE.search(text):
        return text
    return text.rstrip(":;,–—- ") + "."


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


# --- The reader's brief: what happened, how outlets differ, what to watch ---

# Words that point forward: a sentence carrying one says what may come next.
_FUTURE_CUE = re.compile(
    r"\b(will|won't|expected|expects|expecting|plans?|planned|planning|next (?:week|month|year)|"
    r"tomorrow|upcoming|set to|due to|scheduled|deadline|vows?|pledges?|promises?|threatens?|"
    r"warns?|could|may|might|would|likely|prepares?|preparing|to vote|to decide|talks)\b",
    re.IGNORECASE,
)
NO_ANSWER = "The coverage does not say."
MAX_ANGLES = 3
MAX_WATCH = 2


def outlet_angles(items: list[Coverage], *, max_outlets: int = MAX_ANGLES) -> list[dict]:
    """Which outlets stress which angle: for each outlet, the words of its
    headlines and leads that the other outlets' coverage uses least, and
    the outlet's own sentence that carries most of them (quoted, cited)."""
    by_source: dict[str, list[Coverage]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item)
    if len(by_source) < 2:
        return []
    words_by_source = {
        source: Counter(w for i in group for w in content_words(f"{i.title} {i.summary}"))
        for source, group in by_source.items()
    }
    all_words = Counter()
    for counts in words_by_source.values():
        all_words.update(counts)
    angles = []
    for source, group in sorted(by_source.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        own = words_by_source[source]
        others_total = sum(all_words.values()) - sum(own.values())
        own_total = sum(own.values())

        def distinctiveness(word, own=own, own_total=own_total, others_total=others_total):
            elsewhere = all_words[word] - own[word]
            # Smoothed log-ratio of the word's share here and elsewhere.
            return math.log((own[word] + 0.5) / (own_total + 1)) - math.log(
                (elsewhere + 0.5) / (others_total + 1)
            )

        distinctive = [w for w in own if not w.isdigit() and all_words[w] - own[w] == 0]
        distinctive.sort(key=lambda w: (-distinctiveness(w), w))
        distinctive = distinctive[:3]
        if not distinctive:
            continue
        best = max(
            ((s, i) for i in group for s in candidate_sentences(i) + [i.title]),
            key=lambda pair: (len(content_words(pair[0]) & set(distinctive)), -len(pair[0])),
        )
        angles.append(
            {"source": source, "words": distinctive, "text": best[0], "citations": [best[1].article_id]}
        )
        if len(angles) == max_outlets:
            break
    return angles


def watch_next(items: list[Coverage], *, skip: set[str] = frozenset()) -> list[BriefSentence]:
    """Sentences that look ahead (will, expected, plans, next week...)."""
    found: list[BriefSentence] = []
    seen_words: list[set[str]] = []
    for item in sorted(items, key=lambda i: i.published_at, reverse=True):
        for sentence in candidate_sentences(item) + [item.title]:
            if sentence in skip or not _FUTURE_CUE.search(sentence):
                continue
            words = content_words(sentence)
            if len(words) < 3 or any(_jaccard(words, other) > 0.45 for other in seen_words):
                continue
            found.append(BriefSentence(sentence, item.article_id, item.source, []))
            seen_words.append(words)
            break
        if len(found) == MAX_WATCH:
            break
    return found


def quick_answers(
    items: list[Coverage], topics: list[tuple[str, str]], watch: list[BriefSentence]
) -> list[dict]:
    """Three questions a reader asks, answered only with sentences from the
    coverage that name the story's people/organisations or places; when none
    does, the answer says the coverage does not say. topics: (name, kind)."""
    # Without a named-entity model a capitalised "term" is usually a who or a what, too.
    people = [name for name, kind in topics if kind != "place"]
    places = [name for name, kind in topics if kind == "place"]
    answers = [
        _answer("Who is involved?", items, people),
        _answer("Where is this happening?", items, places),
    ]
    next_answer = {"question": "What happens next?", "answer": NO_ANSWER, "citations": []}
    if watch:
        next_answer = {
            "question": "What happens next?",
            "answer": watch[0].text,
            "citations": [watch[0].article_id],
        }
    answers.append(next_answer)
    return answers


def _answer(question: str, items: list[Coverage], names: list[str]) -> dict:
    if not names:
        return {"question": question, "answer": NO_ANSWER, "citations": [], "names": []}
    wanted = [n.lower() for n in names[:3]]
    best = None
    for item in items:
        for sentence in candidate_sentences(item) + [item.title]:
            hits = sum(1 for n in wanted if n in sentence.lower())
            if hits and (best is None or hits > best[0]):
                best = (hits, sentence, item.article_id)
    if best is None:
        return {"question": question, "answer": NO_ANSWER, "citations": [], "names": []}
    return {"question": question, "answer": best[1], "citations": [best[2]], "names": names[:3]}


def reader_brief(items: list[Coverage], topics: list[tuple[str, str]], updated_at: datetime) -> dict:
    """The whole brief a trend page shows, every sentence with its citations."""
    happened = build_brief(items, max_sentences=3)
    shown = {s.text for s in happened}
    watch = watch_next(items, skip=shown)
    angles = outlet_angles(items)
    document = brief_document(happened, updated_at)
    every = [s.as_dict() for s in happened] + [s.as_dict() for s in watch] + angles
    corroborated = sum(1 for s in happened if s.supporting_ids)
    document.update(
        {
            "watch_next": [s.as_dict() for s in watch],
            "angles": angles,
            "answers": quick_answers(items, topics, watch),
            "sentences_total": len(every),
            # Every sentence is copied from a cited article: supported by construction.
            "supported_share": 1.0 if every else 0.0,
            "corroborated_share": round(corroborated / len(happened), 3) if happened else 0.0,
        }
    )
    return document


def digest_lines(brief: dict, *, count: int = 2, headline: str = "") -> list[dict]:
    """The first sentences of a brief, for the daily digest; a sentence that
    only repeats the headline printed above it is left out, unless it is
    all the brief has."""
    lines = list(brief.get("sentences") or [])
    lines += [s for s in brief.get("watch_next") or [] if s not in lines]
    repeat = _same_words(headline)
    fresh = [s for s in lines if not repeat or _same_words(s.get("text", "")) != repeat]
    return (fresh or lines)[:count]


def _same_words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))
