"""The stream part of evaluate_briefs: the built-in writer's briefs of the
largest stories of the labelled newsriver stream, scored against its event
labels."""

import gzip
import json
from pathlib import Path

from lab.briefs.evaluation import share

REDUNDANT_COSINE = 0.8  # two what-happened sentences closer than this say the same thing (MiniLM)


def stream_labels(path: Path) -> dict[str, str]:
    """Event label by link (as the feed gave it and as canonicalised)."""
    from ingest.canonical import canonical_url

    labels = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            labels[row["link"].strip()] = row["event"]
            labels[canonical_url(row["link"].strip())] = row["event"]
    return labels


def load_labelled_stream(path: Path) -> int:
    """Put the stream into this database through the workers' own path
    (lab.clustering.database_replay: store, claim batches, assignment, word
    refresh, the hourly merge and snapshots), on the stream's own clock.
    Returns the articles stored."""
    from lab.clustering import database_replay, datasets
    from lab.embedding_cache import EmbeddingCache

    articles = datasets.load_labelled_stream(path)
    vectors = EmbeddingCache().vectors([a.text for a in articles])
    stories = database_replay.replay_through_workers(articles, vectors)
    return sum(1 for story in stories if story is not None)


def score_stream_briefs(labels: dict[str, str], *, top: int = 20, now=None) -> dict:
    """The built-in brief of the `top` largest stories holding labelled
    articles, rebuilt now: citation purity, redundancy, outlets cited."""
    from ingest.models import Article
    from trends.models import Story, StoryTopic
    from trends.stories.embedding import embed_texts
    from trends.words.briefs.stories import coverage_by_story
    from trends.words.briefs.writer import write_brief

    label_of = {}
    for pk, url, canonical in Article.objects.values_list("pk", "url", "canonical_url"):
        label = labels.get(url) or labels.get(canonical)
        if label:
            label_of[pk] = label
    story_ids = set(Article.objects.filter(pk__in=list(label_of)).values_list("story_id", flat=True))
    stories = list(
        Story.objects.filter(pk__in=story_ids, merged_into__isnull=True).order_by("-article_count", "pk")[
            :top
        ]
    )
    coverage = coverage_by_story([s.pk for s in stories])
    rows, pure, cited_known, cited_unknown = [], 0, 0, 0
    # The clustering's share in it: how pure the stories themselves are, and the
    # briefs' purity on stories whose main event holds most (80%) of their articles.
    story_known = story_main = clean_known = clean_pure = 0
    redundancy_ok, max_cosines, outlets_cited = [], [], []
    for story in stories:
        members = Article.objects.filter(story=story).values_list("pk", flat=True)
        member_labels = [label_of[a] for a in members if a in label_of]
        main = _most_common(member_labels)
        story_known += len(member_labels)
        story_main += member_labels.count(main)
        clean = bool(member_labels) and member_labels.count(main) >= 0.8 * len(member_labels)
        topics = list(
            StoryTopic.objects.filter(story=story)
            .order_by("-weight")
            .values_list("topic__name", "topic__kind")
        )
        items = coverage.get(story.pk, [])
        brief = write_brief(items, topics, now or story.last_seen_at)
        citations = [a for line in brief.cited_lines() for a in line.citations]
        for article_id in citations:
            if article_id in label_of:
                cited_known += 1
                pure += label_of[article_id] == main
                clean_known += clean
                clean_pure += clean and label_of[article_id] == main
            else:
                cited_unknown += 1
        texts = [line.text for line in brief.happened]
        if len(texts) > 1:
            vectors = embed_texts(texts)
            similarity = vectors @ vectors.T
            np_max = max(similarity[i, j] for i in range(len(texts)) for j in range(i + 1, len(texts)))
            max_cosines.append(float(np_max))
            redundancy_ok.append(float(np_max) < REDUNDANT_COSINE)
        source_of = {i.article_id: i.source for i in items}
        outlets = {source_of.get(a) for line in brief.happened for a in line.citations} - {None}
        outlets_cited.append(len(outlets))
        rows.append(
            {
                "story": story.pk,
                "articles": story.article_count,
                "main_event": main,
                "headline": story.headline,
                "happened": texts,
                "timeline": len(brief.timeline),
                "angles": [", ".join(a.words) for a in brief.angles],
                "watch": [line.text for line in brief.watch],
                "answers": [f"{a.question} {a.answer}" for a in brief.answers],
                "outlets_cited": len(outlets),
                "clean": clean,
            }
        )
    return {
        "stories": len(stories),
        "citation_purity_top20": round(pure / cited_known, 4) if cited_known else None,
        "citations_with_labels": cited_known,
        "story_article_purity": round(story_main / story_known, 4) if story_known else None,
        "citation_purity_clean_stories": round(clean_pure / clean_known, 4) if clean_known else None,
        "clean_stories": sum(1 for row in rows if row["clean"]),
        "citations_outside_the_labelled_window": cited_unknown,
        "redundancy_cosine": REDUNDANT_COSINE,
        "briefs_without_redundant_pair": share(redundancy_ok),
        "mean_max_pair_cosine": round(sum(max_cosines) / len(max_cosines), 3) if max_cosines else None,
        "outlets_cited_per_brief": round(sum(outlets_cited) / len(outlets_cited), 2)
        if outlets_cited
        else None,
        "briefs": rows,
    }


def _most_common(values: list[str]) -> str:
    from collections import Counter

    return Counter(values).most_common(1)[0][0] if values else ""
