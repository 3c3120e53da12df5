"""Evaluating briefs: the verifier on real and altered sentences (Giveme5W1H),
the built-in writer on the labelled newsriver stream, and the model writer
against a fake endpoint. The command is evaluate_briefs."""

import gzip
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from trends.words.briefs import text as t
from trends.words.briefs.evidence import lead_sentences
from trends.words.briefs.verifier import Verifier

SEED = 5
LEAD_FOR_EVIDENCE = 5  # sentences of an article's lead that a real sentence is checked against

_AUXILIARY = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|should|must|did|does|do)\b")
_SAID = {
    "said": "did not say",
    "says": "does not say",
    "told": "did not tell",
    "announced": "did not announce",
}
_NEGATION = re.compile(r"\s+(not|never)\b|n't\b", re.IGNORECASE)
_NUMBER_TOKEN = re.compile(r"\b\d[\d,.]*\b")
_MONTH_OR_DAY = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)


@dataclass
class Case:
    event: str
    sentence: str
    evidence: list[str]
    alteration: str = (
        ""  # '' for the real sentence; else name, number, date, negation_added, negation_removed
    )
    context: str = ""  # the event's whole evidence


def giveme_articles(path: Path) -> dict[str, list[dict]]:
    """Articles with text, by event."""
    by_event: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("text") and len(row["text"]) > 800:
                by_event[str(row["newsCluster"]["EventId"])].append(row)
    return by_event


def verifier_cases(by_event: dict[str, list[dict]]) -> tuple[list[Case], list[Case], list[Case]]:
    """Real sentences (each lead sentence, cited to its article's lead),
    their altered twins (one fact swapped for another event's, or the
    negation flipped), and paraphrases (an article's description, cited to
    its lead, where the description is not copied from the text)."""
    rng = random.Random(SEED)
    leads = {}
    for event, rows in by_event.items():
        for index, row in enumerate(rows):
            leads[(event, index)] = _lead(row)
    pools = _pools(by_event, leads)
    contexts = defaultdict(list)
    for (event, _index), lead in leads.items():
        contexts[event] += lead
    real, altered, paraphrases = [], [], []
    for (event, index), lead in sorted(leads.items()):
        if not lead:
            continue
        context = " ".join(contexts[event])
        for sentence in lead[:3]:
            real.append(Case(event, sentence, lead, "", context))
            for kind, changed in _alterations(sentence, lead, event, pools, rng):
                altered.append(Case(event, changed, lead, kind, context))
        description = " ".join((by_event[event][index].get("description") or "").split())
        if len(description) >= 40 and t.words(description) not in [t.words(s) for s in lead]:
            if description[:60] not in by_event[event][index]["text"]:
                paraphrases.append(
                    Case(event, t.split_sentences(description)[0], lead, "paraphrase", context)
                )
    return real, altered, paraphrases


def _lead(row: dict) -> list[str]:
    from trends.words.briefs import evidence

    saved = evidence.LEAD_SENTENCES
    evidence.LEAD_SENTENCES = LEAD_FOR_EVIDENCE
    try:
        return lead_sentences(row["text"], row.get("title") or "")
    finally:
        evidence.LEAD_SENTENCES = saved


def _pools(by_event, leads) -> dict[str, dict[str, list[str]]]:
    """Names, numbers and month/day words by event, to swap in from elsewhere."""
    pools: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for (event, _index), lead in leads.items():
        for sentence in lead:
            for token in t.tokens(sentence):
                if token[:1].isupper() and t.fold(token) in t.names(sentence) and len(token) > 3:
                    pools[event]["name"].append(token)
            pools[event]["number"] += _NUMBER_TOKEN.findall(sentence)
            pools[event]["date"] += _MONTH_OR_DAY.findall(sentence)
    return pools


def _alterations(sentence: str, lead: list[str], event: str, pools, rng) -> list[tuple[str, str]]:
    """One altered twin per kind of fact the sentence has."""
    evidence_words = set(t.words(" ".join(lead)))
    evidence_numbers = t.numbers(" ".join(lead))
    evidence_dates = t.dates(" ".join(lead))
    others = [e for e in pools if e != event]
    found = []

    names = [tok for tok in t.tokens(sentence) if tok[:1].isupper() and t.fold(tok) in t.names(sentence)]
    names = [n for n in names if len(n) > 3 and t.fold(n) not in t.DEMONYMS]
    if names:
        target = rng.choice(names)
        replacement = _pick(rng, others, pools, "name", lambda n: t.fold(n) not in evidence_words)
        if replacement:
            found.append(("name", re.sub(rf"\b{re.escape(target)}\b", replacement, sentence, count=1)))
    numbers = _NUMBER_TOKEN.findall(sentence)
    if numbers:
        target = rng.choice(numbers)
        replacement = _pick(rng, others, pools, "number", lambda n: not (t.numbers(n) & evidence_numbers))
        if replacement:
            found.append(("number", re.sub(rf"\b{re.escape(target)}\b", replacement, sentence, count=1)))
    months = _MONTH_OR_DAY.findall(sentence)
    if months:
        target = rng.choice(months)
        replacement = _pick(rng, others, pools, "date", lambda d: not (t.dates(d) & evidence_dates))
        if replacement:
            found.append(("date", re.sub(rf"\b{target}\b", replacement, sentence, count=1)))
    if _NEGATION.search(sentence):
        found.append(("negation_removed", _NEGATION.sub("", sentence, count=1)))
    elif not t.negated_stems(sentence)[1]:
        added = _add_negation(sentence)
        if added:
            found.append(("negation_added", added))
    return found


def _pick(rng, events, pools, kind, acceptable) -> str:
    candidates = [value for e in events for value in pools[e][kind] if acceptable(value)]
    return rng.choice(candidates) if candidates else ""


def _add_negation(sentence: str) -> str:
    match = _AUXILIARY.search(sentence)
    if match:
        return f"{sentence[: match.end()]} not{sentence[match.end() :]}"
    for verb, negated in _SAID.items():
        if re.search(rf"\b{verb}\b", sentence):
            return re.sub(rf"\b{verb}\b", negated, sentence, count=1)
    return ""


def score_verifier(
    verifier: Verifier, real: list[Case], altered: list[Case], paraphrases: list[Case]
) -> dict:
    cases = real + altered + paraphrases
    verdicts = []
    for context in dict.fromkeys(c.context for c in cases):
        group = [c for c in cases if c.context == context]
        verdicts += list(
            zip(
                group,
                verifier.check_many([(c.sentence, c.evidence) for c in group], context=context),
                strict=True,
            )
        )
    order = {id(c): k for k, c in enumerate(cases)}
    verdicts = [v for _c, v in sorted(verdicts, key=lambda pair: order[id(pair[0])])]
    by_case = list(zip(cases, verdicts, strict=True))
    passed_real = [v.supported for c, v in by_case if not c.alteration]
    caught = defaultdict(list)
    for c, v in by_case:
        if c.alteration and c.alteration != "paraphrase":
            caught[c.alteration].append(not v.supported)
    passed_paraphrase = [v.supported for c, v in by_case if c.alteration == "paraphrase"]
    all_caught = [x for values in caught.values() for x in values]
    failures = [
        {"sentence": c.sentence, "reason": v.reason}
        for c, v in by_case
        if (not c.alteration and not v.supported)
    ][:10]
    missed = [
        {"kind": c.alteration, "sentence": c.sentence}
        for c, v in by_case
        if c.alteration and c.alteration != "paraphrase" and v.supported
    ][:10]
    return {
        "real_sentences": len(passed_real),
        "verifier_real_pass": _share(passed_real),
        "altered_sentences": len(all_caught),
        "verifier_altered_caught": _share(all_caught),
        "altered_caught_by_kind": {k: {"n": len(v), "caught": _share(v)} for k, v in sorted(caught.items())},
        "paraphrases": len(passed_paraphrase),
        "verifier_paraphrase_pass": _share(passed_paraphrase),
        "real_failures": failures,
        "altered_missed": missed,
    }


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


# --- 2. The built-in writer on the labelled stream ------------------------------------

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
        "briefs_without_redundant_pair": _share(redundancy_ok),
        "mean_max_pair_cosine": round(sum(max_cosines) / len(max_cosines), 3) if max_cosines else None,
        "outlets_cited_per_brief": round(sum(outlets_cited) / len(outlets_cited), 2)
        if outlets_cited
        else None,
        "briefs": rows,
    }


def _most_common(values: list[str]) -> str:
    from collections import Counter

    return Counter(values).most_common(1)[0][0] if values else ""


# --- 3. The model writer against the fake endpoint -----------------------------------


def score_model_writer(by_event: dict[str, list[dict]], verifier: Verifier, *, min_articles: int = 3) -> dict:
    """Each Giveme5W1H event with enough articles, briefed by the model writer
    against FakeModelServer: how many planted inventions the verifier
    removed, how many faithful sentences it kept, and the supported share
    the page shows."""
    from datetime import UTC, datetime

    from lab.briefs.fake_model import FakeModelServer
    from trends.words.briefs import llm
    from trends.words.briefs.document import MODEL
    from trends.words.briefs.evidence import Coverage
    from trends.words.briefs.model_writer import write_with_model

    server = FakeModelServer()
    endpoint = llm.Endpoint(server.url, "fake-scripted", "", 10)
    planted_total = planted_removed = faithful_total = faithful_kept = 0
    shares, fallbacks, events = [], 0, 0
    try:
        for _event, rows in sorted(by_event.items()):
            if len(rows) < min_articles:
                continue
            events += 1
            items = [
                Coverage(
                    k + 1,
                    row.get("source_domain") or "unknown",
                    row.get("title") or "",
                    row.get("description") or "",
                    row["text"],
                    _publish_time(row),
                )
                for k, row in enumerate(rows)
            ]
            before_planted, before_faithful = len(server.script.planted), len(server.script.faithful)
            brief = write_with_model(items, [], datetime.now(UTC), endpoint=endpoint, verifier=verifier)
            shown = {tuple(t.words(line.text)) for line in brief.happened + brief.watch}
            shown |= {tuple(t.words(a.answer)) for a in brief.answers}
            planted = server.script.planted[before_planted:]
            faithful = server.script.faithful[before_faithful:]
            planted_total += len(planted)
            faithful_total += len(faithful)
            planted_removed += sum(1 for s in planted if tuple(t.words(s)) not in shown)
            faithful_kept += sum(1 for s in faithful if tuple(t.words(s)) in shown)
            if brief.writer == MODEL and brief.verification is not None:
                shares.append(brief.verification.supported_share)
            else:
                fallbacks += 1
    finally:
        server.stop()
    return {
        "model_events": events,
        "model_planted": planted_total,
        "model_inventions_removed": round(planted_removed / planted_total, 4) if planted_total else None,
        "model_faithful": faithful_total,
        "model_faithful_kept": round(faithful_kept / faithful_total, 4) if faithful_total else None,
        "model_supported_share_shown": round(sum(shares) / len(shares), 4) if shares else None,
        "model_fallbacks_to_built_in": fallbacks,
    }


def _publish_time(row: dict):
    from datetime import UTC, datetime

    try:
        return datetime.fromisoformat(row.get("date_publish") or "").replace(tzinfo=UTC)
    except ValueError:
        return datetime(2018, 1, 1, tzinfo=UTC)
