"""Training and scoring the story-category classifier (trends/words/categories.py)
on real labelled headlines (UCI categories; single-subject newsriver feeds),
with their MiniLM vectors from the shared cache (lab/embedding_cache.py).
`manage.py evaluate_categories` runs it; why these labels:
docs/decisions/category-labels.md."""

import gzip
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from lab.clustering import metrics
from trends.stories.embedding import article_text
from trends.words import categories

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
UCI_PATH = DATA / "uci-news-aggregator" / "newsCorpora-2014-03-10_2014-05-31.tsv.gz"
NEWSRIVER_PATH = DATA / "newsriver" / "items-2025-12_2026-01.jsonl.gz"
GIVEME5W1H_PATH = DATA / "giveme5w1h" / "news_cluster.jsonl.gz"

UCI_CATEGORIES = {"b": "business", "t": "technology", "e": "entertainment", "m": "health"}
UCI_TRAIN_WEEKS = (1, 2)  # 2014-03-10 .. 03-23; weeks 3+ are for reporting
UCI_REPORT_WEEKS = (3, 4, 5)
# December trains, January reports.
NEWSRIVER_TRAIN = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
NEWSRIVER_REPORT = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
# The abstain threshold is measured on the later part of the training period.
UCI_THRESHOLD_WEEK = 2
NEWSRIVER_THRESHOLD_FROM = datetime(2025, 12, 22, tzinfo=UTC)

# domain -> category, for feeds whose every item is one subject. A domain
# with several feeds in the archive is keyed by (domain, feed title).
FEED_CATEGORIES = {
    # world
    "aljazeera.com": "world",
    "theguardian.com": "world",  # only its "World news" feed is in the archive
    # politics (US)
    "rawstory.com": "politics",
    "mediaite.com": "politics",
    # business: tags Business, Energy, Real Estate
    "cointelegraph.com": "business",
    "coindesk.com": "business",
    "oilprice.com": "business",
    "boereport.com": "business",
    "mining.com": "business",
    "federalreserve.gov": "business",
    "marketwatch.com": "business",
    "canadianmortgagetrends.com": "business",
    "financialpost.com": "business",
    "storeys.com": "business",
    ("npr.org", "NPR Topics: Economy"): "business",
    # technology: tag Tech, and tech-only outlets
    "mobilesyrup.com": "technology",
    "techcouver.com": "technology",
    "betakit.com": "technology",
    "wired.com": "technology",
    # science: the archive's "Youth" science outlets
    "newscientist.com": "science",
    "nasa.gov": "science",
    "science.nasa.gov": "science",
    "nautil.us": "science",
    "arstechnica.com": "science",  # its Science feed only
    # health
    "theatlantic.com": "health",  # its Health feed only
    # entertainment: tag Culture, and film/TV/music/celebrity outlets
    "deadline.com": "entertainment",
    "variety.com": "entertainment",
    "hollywoodreporter.com": "entertainment",
    "thewrap.com": "entertainment",
    "tmz.com": "entertainment",
    "pagesix.com": "entertainment",
    "decider.com": "entertainment",
    "showbiz411.com": "entertainment",
    "nme.com": "entertainment",
    "rollingstone.com": "entertainment",
    "consequence.net": "entertainment",
    "stereogum.com": "entertainment",
    "pitchfork.com": "entertainment",
    "aquariumdrunkard.com": "entertainment",
    "canadianbeats.ca": "entertainment",
    "cultmtl.com": "entertainment",
    "gorillavsbear.net": "entertainment",
    # sport: tag Sports
    ("nypost.com", "NY Post Sports – Latest News, Scores, Stats & Videos"): "sport",
    "mlbtraderumors.com": "sport",
    "boston.com": "sport",  # its team feeds only
    "mlb.com": "sport",
}


@dataclass
class Labelled:
    texts: list[str]  # what gets embedded (article_text of the title)
    labels: list[str]
    outlets: list[str]
    vectors: np.ndarray


def feed_category(domain: str, source: str) -> str | None:
    return FEED_CATEGORIES.get((domain, source)) or FEED_CATEGORIES.get(domain)


def uci(weeks: tuple[int, ...], path: Path = UCI_PATH) -> Labelled:
    """UCI headlines of the chosen 1-based weeks (week 1 starts 2014-03-10)."""
    first_day = datetime(2014, 3, 10, tzinfo=UTC).date()
    texts, labels, outlets = [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 8:
                continue
            _id, title, _url, publisher, category, _story, _host, timestamp = fields
            day = datetime.fromtimestamp(int(timestamp) / 1000, UTC).date()
            if (day - first_day).days // 7 + 1 not in weeks:
                continue
            texts.append(article_text(title))
            labels.append(UCI_CATEGORIES[category])
            outlets.append(publisher)
    from lab.embedding_cache import EmbeddingCache

    return Labelled(texts, labels, outlets, EmbeddingCache().vectors(texts))


def newsriver(period: tuple[datetime, datetime], path: Path = NEWSRIVER_PATH) -> Labelled:
    """Items first seen in [start, end) from the single-subject feeds."""
    from lab.embedding_cache import EmbeddingCache
    from lab.newsriver import read_stream

    texts, labels, outlets = [], [], []
    for item in read_stream(path, start=period[0], end=period[1]):
        category = feed_category(item.domain, item.source)
        if category:
            texts.append(article_text(item.title))
            labels.append(category)
            outlets.append(item.domain)
    return Labelled(texts, labels, outlets, EmbeddingCache().vectors(texts))


def giveme5w1h(path: Path = GIVEME5W1H_PATH) -> Labelled:
    """Giveme5W1H's 383 articles (2013-2018, 94 outlets none of which trained
    the classifier), by headline; its "sports" is Surge's "sport"."""
    from lab.embedding_cache import EmbeddingCache

    texts, labels, outlets = [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            category = str(item["newsCluster"]["Category"]).lower()
            texts.append(article_text(item["title"]))
            labels.append("sport" if category == "sports" else category)
            outlets.append(item.get("source_domain") or "")
    return Labelled(texts, labels, outlets, EmbeddingCache().vectors(texts))


def joined(*parts: Labelled) -> Labelled:
    return Labelled(
        [t for p in parts for t in p.texts],
        [label for p in parts for label in p.labels],
        [o for p in parts for o in p.outlets],
        np.concatenate([p.vectors for p in parts]),
    )


def retrain(path: Path = categories.MODEL_PATH) -> dict:
    """Measure the abstain threshold on held-out training weeks, refit on all
    training data, save the model; returns what was measured."""
    uci_weeks = {week: uci((week,)) for week in UCI_TRAIN_WEEKS}
    early = newsriver((NEWSRIVER_TRAIN[0], NEWSRIVER_THRESHOLD_FROM))
    late = newsriver((NEWSRIVER_THRESHOLD_FROM, NEWSRIVER_TRAIN[1]))
    fitting = joined(*(d for w, d in uci_weeks.items() if w != UCI_THRESHOLD_WEEK), early)
    held_out = joined(uci_weeks[UCI_THRESHOLD_WEEK], late)
    model = categories.fit(fitting.vectors, fitting.labels)
    probabilities = model.predict_proba(held_out.vectors)
    predicted = model.classes_[probabilities.argmax(axis=1)]
    from_uci = np.arange(len(predicted)) < len(uci_weeks[UCI_THRESHOLD_WEEK].labels)
    # UCI's "t" is science and technology: science is right there.
    predicted = np.where(from_uci & (predicted == "science"), "technology", predicted)
    confidence = probabilities.max(axis=1)
    correct = predicted == np.array(held_out.labels)
    threshold = categories.break_even_threshold(confidence, correct)
    everything = joined(*uci_weeks.values(), early, late)
    categories.save(categories.fit(everything.vectors, everything.labels), threshold, path)
    kept = confidence >= threshold
    return {
        "training_headlines": dict(Counter(everything.labels)),
        "threshold_headlines": len(held_out.labels),
        "min_confidence": round(threshold, 4),
        "threshold_set_accuracy": round(float(correct.mean()), 4),
        "threshold_set_kept": round(float(kept.mean()), 4),
        "threshold_set_kept_accuracy": round(float(correct[kept].mean()), 4),
    }


def evaluate() -> dict:
    """Scores of the shipped model on the reporting data (nothing it trained on)."""
    report = {"min_confidence": round(categories.min_confidence(), 4)}
    uci_classes = list(UCI_CATEGORIES.values())
    for week in UCI_REPORT_WEEKS:
        data = uci((week,))
        # UCI's "t" is science and technology, so science counts as technology.
        predicted = [
            p if p != "science" else "technology" for p in categories.content_categories(data.vectors)
        ]
        report[f"uci_week{week}"] = _scores(data.labels, predicted, uci_classes)
        stories = _gold_story_categories(week)
        report[f"uci_week{week}_stories"] = _scores(stories[0], stories[1], uci_classes)
    january = newsriver(NEWSRIVER_REPORT)
    report["newsriver_january"] = _scores(
        january.labels, categories.content_categories(january.vectors), sorted(set(january.labels))
    )
    other = giveme5w1h()
    report["giveme5w1h"] = _scores(
        other.labels, categories.content_categories(other.vectors), sorted(set(other.labels))
    )
    return report


def _gold_story_categories(week: int) -> tuple[list[str], list[str]]:
    """Per article: its UCI category, and the category of its gold story's
    centroid, as Surge categorises a story (no clustering errors involved)."""
    from lab.clustering.datasets import load_uci
    from lab.embedding_cache import EmbeddingCache

    articles = load_uci(UCI_PATH, [week])
    vectors = EmbeddingCache().vectors([a.text for a in articles], progress=False)
    members: dict[str, list[int]] = {}
    for row, article in enumerate(articles):
        members.setdefault(article.gold_story, []).append(row)
    category_of = {
        story: categories.story_category([], vectors[rows].sum(axis=0)) for story, rows in members.items()
    }
    predicted = [category_of[a.gold_story] for a in articles]
    predicted = [p if p != "science" else "technology" for p in predicted]
    return [a.gold_category for a in articles], predicted


def _scores(gold: list[str], predicted: list[str], classes: list[str]) -> dict:
    """Accuracy and macro-F1 with abstentions counted wrong, the share kept
    and the accuracy on it, and the commonest confusions."""
    scores = metrics.classification(gold, predicted, classes)
    kept = [(g, p) for g, p in zip(gold, predicted, strict=True) if p != "general"]
    scores["kept"] = round(len(kept) / len(gold), 4) if gold else 0.0
    scores["kept_accuracy"] = round(sum(g == p for g, p in kept) / len(kept), 4) if kept else 0.0
    scores["recall"] = {
        cls: round(sum(g == p == cls for g, p in zip(gold, predicted, strict=True)) / n, 4)
        for cls, n in sorted(Counter(gold).items())
    }
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    scores["top_confusions"] = [f"{g}->{p}: {n}" for (g, p), n in confusions.most_common(8)]
    return scores
