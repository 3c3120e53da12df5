"""Labelled news data sets as time-ordered streams for the clustering evaluation.

UCI News Aggregator: the data README warns that timestamps are clumped per
story and that row order follows stories. Both would leak the gold answer
into an online replay, so articles are bucketed by UTC day, shuffled within
the day (fixed seed), and every article of a day gets the same time (the
day's start). Week windows are counted from the first day of the file
(week 1 = 2014-03-10 .. 03-16) and each window is replayed on its own.

Giveme5W1H: 383 full-text articles labelled by event; publish dates are often
midnight only, so ties are shuffled the same way.

A labelled newsriver stream (../shared/data/newsriver/events-*.jsonl.gz: the
archive's fields plus `event`) needs none of that: its items arrive in
first_seen order with their real times, as the replay demo serves them. An
item's published time is what the replay's feed says (its pubDate, or its
first sighting when the pubDate is missing or later), and its arrival time
(seen_at) is its first sighting."""

import gzip
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby
from pathlib import Path

from trends.stories.embedding import article_text

UCI_CATEGORIES = {"b": "business", "t": "technology", "e": "entertainment", "m": "health"}
SEED = 20140310


@dataclass
class LabelledArticle:
    title: str
    text: str  # what gets embedded: the same article_text() the workers embed
    published_at: datetime
    gold_story: str
    gold_category: str  # a Surge category name
    window: int  # the week (UCI) or 1; stories never span windows in the replay
    source: str = ""
    # When Surge saw it (the worker's "now"); None: at its published time.
    seen_at: datetime | None = None
    link: str = ""

    @property
    def arrived_at(self) -> datetime:
        return self.seen_at or self.published_at


def load_uci(
    path: Path, weeks: list[int] | None = None, *, days: set[int] | None = None
) -> list[LabelledArticle]:
    """Articles of the chosen 1-based week windows, in replay order. With
    `days` (0 = the file's first day), only those days, each its own window
    (numbered by its day)."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 8:
                continue
            _id, title, _url, publisher, category, story, _host, timestamp = fields
            rows.append((title, publisher, category, story, int(timestamp)))
    first_day = min(datetime.fromtimestamp(r[4] / 1000, UTC).date() for r in rows)
    by_day: dict[int, list[LabelledArticle]] = {}
    for title, publisher, category, story, timestamp in rows:
        day = (datetime.fromtimestamp(timestamp / 1000, UTC).date() - first_day).days
        week = day // 7 + 1
        if (weeks is not None and week not in weeks) or (days is not None and day not in days):
            continue
        day_start = datetime.combine(first_day, datetime.min.time(), UTC) + timedelta(days=day)
        by_day.setdefault(day, []).append(
            LabelledArticle(
                title=title,
                text=article_text(title),
                published_at=day_start,
                gold_story=f"{week}:{story}",
                gold_category=UCI_CATEGORIES[category],
                window=week if days is None else day,
                source=publisher,
            )
        )
    return _shuffled_by_bucket(by_day)


def load_uci_days(path: Path, days: list[int]) -> list[LabelledArticle]:
    """The articles of the chosen days of the UCI file (0 = its first day),
    each day its own window, in the same leak-proof order as load_uci."""
    chosen = load_uci(path, sorted({day // 7 + 1 for day in days}), days=set(days))
    for article in chosen:
        article.window = 1000 + article.window  # one window per day (see load_uci)
    return chosen


def load_giveme5w1h(path: Path) -> list[LabelledArticle]:
    by_day: dict[str, list[LabelledArticle]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            cluster = item["newsCluster"]
            published = datetime.fromisoformat(item["date_publish"]).replace(tzinfo=UTC)
            by_day.setdefault(published.isoformat(), []).append(
                LabelledArticle(
                    title=item["title"],
                    text=article_text(item["title"], item.get("description") or "", item.get("text") or ""),
                    published_at=published,
                    gold_story=str(cluster["EventId"]),
                    gold_category=str(cluster["Category"]).lower(),
                    window=1,
                    source=item.get("source_domain") or "",
                )
            )
    return _shuffled_by_bucket(by_day)


def giveme5w1h_half(articles: list[LabelledArticle], half: str) -> list[LabelledArticle]:
    """The articles of the events with even (or odd) ids: one half to fit on, the other held out."""
    if half not in ("even", "odd"):
        raise ValueError(f"half is 'even' or 'odd', not {half!r}")
    remainder = 0 if half == "even" else 1
    return [a for a in articles if int(a.gold_story) % 2 == remainder]


def load_labelled_stream(path: Path) -> list[LabelledArticle]:
    """A newsriver stream with an `event` per item, in first_seen order (ties
    keep the file's order). A line that is not a labelled item is an error
    naming the line."""
    from lab.newsriver import category_hint

    articles = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                first_seen = _utc(item["first_seen"])
                published = _utc(item["published"]) if item.get("published") else None
                title, event = item["title"].strip(), str(item["event"])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise ValueError(f"{path}:{number}: not a labelled newsriver item ({exc!r})") from None
            if published is None or published > first_seen:
                published = first_seen  # what the replay's feed would say
            articles.append(
                LabelledArticle(
                    title=title,
                    text=article_text(title),  # the replay serves headlines only
                    published_at=published,
                    gold_story=event,
                    gold_category=category_hint(item.get("category") or ""),
                    window=1,
                    source=item.get("domain") or item.get("source") or "",
                    seen_at=first_seen,
                    link=(item.get("link") or "").strip(),
                )
            )
    articles.sort(key=lambda a: a.seen_at)
    return articles


def shuffled_within_arrivals(articles: list[LabelledArticle], seed: int) -> list[LabelledArticle]:
    """The same stream with the items that arrive at the same moment (one
    archive snapshot: up to 54 items in the labelled window) in a seeded
    random order: which of two such items the workers meet first is chance,
    and a figure that moves with it is noise."""
    rng = random.Random(seed)
    shuffled = []
    for _moment, group in groupby(articles, key=lambda a: a.arrived_at):
        group = list(group)
        rng.shuffle(group)
        shuffled.extend(group)
    return shuffled


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment.astimezone(UTC)


def _shuffled_by_bucket(buckets: dict) -> list[LabelledArticle]:
    rng = random.Random(SEED)
    stream = []
    for key in sorted(buckets):
        bucket = buckets[key]
        rng.shuffle(bucket)
        stream.extend(bucket)
    return stream
