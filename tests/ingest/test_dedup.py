"""Near-duplicate text across feeds (ingest/dedup.py), on real article texts
from the Giveme5W1H set: a wire copy republished with its own byline and
tail is linked to the first copy; different articles about the same event
are not."""

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.dedup import (
    MIN_SHINGLES,
    band_keys,
    jaccard,
    link_near_duplicate,
    link_near_duplicates,
    prune_text_bands,
    shingles,
)
from ingest.models import Article, Feed, TextBand
from tests.factories import make_article, make_source
from tests.realdata import DATA

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def real_articles(limit: int) -> list[dict]:
    rows = []
    with gzip.open(DATA / "giveme5w1h" / "news_cluster.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("text") and len(row["text"]) > 800:
                rows.append(row)
            if len(rows) == limit:
                break
    return rows


def store(n: int, title: str, text: str, *, domain: str, fetched=NOW, published=NOW) -> Article:
    source = make_source(domain, name=domain)
    feed, _ = Feed.objects.get_or_create(url=f"https://{domain}/feed", defaults={"source": source})
    return make_article(
        source,
        title=title,
        when=published,
        url=f"https://{domain}/{n}",
        feed=feed,
        text=text,
        fetched_at=fetched,
    )


def dedup(article: Article) -> Article:
    link_near_duplicate(article)
    article.save()
    return article


@pytest.mark.needs_real_data
def test_near_identical_texts_share_band_keys():
    text = real_articles(1)[0]["text"][:1500]
    copy = "By Staff Writer. " + text + " Related: more stories from our partners."
    assert jaccard(shingles(text), shingles(copy)) > 0.8
    shared = set(band_keys(shingles(text))) & set(band_keys(shingles(copy)))
    assert len(shared) >= 4


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_wire_copies_on_three_sites_link_to_the_first_copy():
    row = real_articles(1)[0]
    first = dedup(store(1, row["title"], row["text"], domain="agency.example"))
    copies = [
        dedup(
            store(
                n,
                row["title"] + suffix,
                f"({site}) " + row["text"] + f"\n\nCopyright {site}. All rights reserved.",
                domain=site,
                fetched=NOW + timedelta(minutes=10 * n),
            )
        )
        for n, (site, suffix) in enumerate(
            [("one.example", ""), ("two.example", " | Two"), ("three.example", " - 3")], 2
        )
    ]
    assert first.duplicate_of_id is None
    assert [c.duplicate_of_id for c in copies] == [first.pk] * 3
    assert len(first.fingerprint) == 64
    assert TextBand.objects.filter(article=first).count() == 16


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_different_real_articles_are_not_linked():
    rows = real_articles(60)  # several per event: same topic, different texts
    articles = [dedup(store(n, r["title"], r["text"], domain=f"s{n}.example")) for n, r in enumerate(rows)]
    linked = [
        (a.title, Article.objects.get(pk=a.duplicate_of_id).title) for a in articles if a.duplicate_of_id
    ]
    assert linked == []


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_copy_outside_the_time_window_is_not_a_candidate():
    row = real_articles(1)[0]
    dedup(store(1, row["title"], row["text"], domain="a.example", published=NOW - timedelta(days=30)))
    later = dedup(store(2, row["title"], row["text"], domain="b.example", fetched=NOW + timedelta(hours=1)))
    assert later.duplicate_of_id is None


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_running_dedup_twice_changes_nothing():
    row = real_articles(1)[0]
    first = dedup(store(1, row["title"], row["text"], domain="a.example"))
    copy = dedup(store(2, row["title"], row["text"], domain="b.example", fetched=NOW + timedelta(hours=1)))
    dedup(first)
    dedup(copy)
    first.refresh_from_db()
    copy.refresh_from_db()
    assert (first.duplicate_of_id, copy.duplicate_of_id) == (None, first.pk)
    assert TextBand.objects.count() == 32


@pytest.mark.django_db
def test_bare_headline_is_too_short_to_call_a_copy():
    a = dedup(store(1, "Storm hits coast", "", domain="a.example"))
    b = dedup(store(2, "Storm hits coast", "", domain="b.example", fetched=NOW + timedelta(hours=1)))
    assert len(shingles("Storm hits coast")) < MIN_SHINGLES
    assert a.fingerprint == b.fingerprint == "" and b.duplicate_of_id is None


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_text_bands_older_than_the_lookup_window_are_pruned():
    [row] = real_articles(1)
    old = store(1, row["title"], row["text"], domain="a.example", published=NOW - timedelta(days=30))
    recent = store(2, row["title"], row["text"], domain="b.example", published=NOW - timedelta(days=2))
    for article in (old, recent):
        link_near_duplicate(article)
    assert TextBand.objects.filter(article=old).count() == 16

    prune_text_bands(NOW)

    assert not TextBand.objects.filter(article=old).exists()
    assert TextBand.objects.filter(article=recent).count() == 16


def wire_copies(row: dict, sites: list[str]) -> list[Article]:
    """The same wire text on several sites, fetched ten minutes apart, the first site first."""
    return [
        store(
            n, row["title"], f"({site}) " + row["text"], domain=site, fetched=NOW + timedelta(minutes=10 * n)
        )
        for n, site in enumerate(sites)
    ]


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_copies_in_one_batch_link_to_the_first_copy_of_the_batch():
    first, *copies = wire_copies(real_articles(1)[0], ["agency.example", "one.example", "two.example"])
    link_near_duplicates(list(reversed([first, *copies])))  # the batch's order does not matter
    assert first.duplicate_of_id is None
    assert [c.duplicate_of_id for c in copies] == [first.pk, first.pk]
    assert TextBand.objects.count() == 48


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_a_batch_takes_as_many_queries_as_one_article():
    rows = real_articles(8)
    stored = wire_copies(rows[0], ["agency.example"])
    link_near_duplicates(stored)
    one = store(20, rows[0]["title"], rows[0]["text"], domain="one.example", fetched=NOW + timedelta(hours=1))
    with CaptureQueriesContext(connection) as single:
        link_near_duplicates([one])
    batch = [
        store(30 + n, r["title"], r["text"], domain=f"b{n}.example", fetched=NOW + timedelta(hours=1))
        for n, r in enumerate([rows[0], *rows[1:]])
    ]
    with CaptureQueriesContext(connection) as many:
        link_near_duplicates(batch)
    assert one.duplicate_of_id == stored[0].pk and batch[0].duplicate_of_id == stored[0].pk
    assert len(many.captured_queries) == len(single.captured_queries)
