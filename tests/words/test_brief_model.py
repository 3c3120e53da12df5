"""The optional model writer behind the verifier, against a fake
chat-completions endpoint on 127.0.0.1: faithful sentences kept, planted ones
removed and counted, every failure falling back to the built-in brief, and
the rules for when a story is sent again."""

import json
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from ingest.models import Article, Source
from lab.briefs.fake_model import FakeModelServer, _completion
from tests.words.brief_cases import COVERAGE, TOPICS
from trends.models import Story
from trends.stories.embedding import DIMENSIONS, to_bytes
from trends.words.briefs import Brief, llm
from trends.words.briefs import text as t
from trends.words.briefs.document import EXTRACTIVE, MODEL
from trends.words.briefs.model_writer import split_citations, write_with_model
from trends.words.briefs.stories import claim_for_model, needs_redraft, write_model_briefs
from trends.words.briefs.verifier import Verifier, word_similarity
from trends.words.refresh import refresh_stories

NOW = datetime(2026, 1, 3, 14, tzinfo=UTC)
VERIFIER = Verifier(word_similarity, min_closeness=0.3)


@pytest.fixture
def fake_model():
    servers = []

    def start(mode="scripted"):
        server = FakeModelServer(mode)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _endpoint(server, timeout=5.0, api_key=""):
    return llm.Endpoint(server.url, "fake", api_key, timeout)


def _shown(brief: Brief) -> set[tuple]:
    lines = [line.text for line in brief.happened + brief.watch] + [a.answer for a in brief.answers]
    return {tuple(t.words(text)) for text in lines}


# --- The writer and the verifier ------------------------------------------------------


def test_model_brief_keeps_faithful_sentences_and_removes_planted_ones(fake_model):
    server = fake_model()
    brief = write_with_model(COVERAGE, TOPICS, NOW, endpoint=_endpoint(server), verifier=VERIFIER)
    assert brief.writer == MODEL
    shown = _shown(brief)
    assert all(tuple(t.words(s)) not in shown for s in server.script.planted)
    assert all(tuple(t.words(s)) in shown for s in server.script.faithful)
    assert len(brief.verification.removed) == len(server.script.planted)


def test_method_line_counts_the_removed_claims_and_the_supported_share(fake_model):
    server = fake_model()
    brief = write_with_model(COVERAGE, TOPICS, NOW, endpoint=_endpoint(server), verifier=VERIFIER)
    checked, removed = brief.verification.checked, len(brief.verification.removed)
    assert brief.method == (
        f"Synthesized from the coverage under a no-invention rule; {removed} unsupported claims removed; "
        f"{round((checked - removed) / checked * 100)}% supported."
    )


def test_model_sentences_cite_the_articles_behind_their_evidence_numbers(fake_model):
    server = fake_model()
    brief = write_with_model(COVERAGE, TOPICS, NOW, endpoint=_endpoint(server), verifier=VERIFIER)
    titles = {i.article_id: i.title for i in COVERAGE}
    for line in brief.happened:
        assert line.citations and t.content_stems(line.text) <= t.content_stems(titles[line.citations[0]])


def test_the_model_gets_numbered_evidence_with_outlet_and_time_and_the_api_key(fake_model):
    server = fake_model()
    write_with_model(COVERAGE, TOPICS, NOW, endpoint=_endpoint(server, api_key="sk-test"), verifier=VERIFIER)
    user = server.requests[0]["messages"][1]["content"]
    assert "[1] (Al Jazeera, 2026-01-03 06:00 UTC) Explosions heard over" in user
    assert "Opinion:" not in user  # opinion pieces are not evidence of the event
    assert server.requests[0]["model"] == "fake" and server.authorizations == ["Bearer sk-test"]


def test_an_endpoint_that_never_answers_gives_the_built_in_brief_within_the_timeout(fake_model):
    server = fake_model("hang")
    started = time.monotonic()
    brief = write_with_model(
        COVERAGE, TOPICS, NOW, endpoint=_endpoint(server, timeout=0.5), verifier=VERIFIER
    )
    assert time.monotonic() - started < 3
    assert brief.writer == EXTRACTIVE and brief.happened


@pytest.mark.parametrize("mode", ["junk", "error"])
def test_junk_or_an_error_gives_the_built_in_brief(fake_model, mode):
    brief = write_with_model(COVERAGE, TOPICS, NOW, endpoint=_endpoint(fake_model(mode)), verifier=VERIFIER)
    assert brief.writer == EXTRACTIVE and brief.happened


def test_an_unreachable_endpoint_gives_the_built_in_brief(fake_model):
    server = fake_model()
    endpoint = _endpoint(server)
    server.stop()
    assert write_with_model(COVERAGE, TOPICS, NOW, endpoint=endpoint, verifier=VERIFIER).writer == EXTRACTIVE


def test_a_draft_that_is_mostly_invention_gives_the_built_in_brief(fake_model):
    invented = {"happened": ["Maduro was freed on Tuesday [3].", "Obama praised the raid [4]."]}
    server = fake_model(lambda body: (200, _completion(json.dumps(invented))))
    assert (
        write_with_model(COVERAGE, TOPICS, NOW, endpoint=_endpoint(server), verifier=VERIFIER).writer
        == EXTRACTIVE
    )


def test_citation_numbers_outside_the_evidence_are_dropped():
    assert split_citations("Maduro was captured [2][9] .", 5) == ("Maduro was captured.", [2])
    assert split_citations("Maduro was captured [1, 3].", 5) == ("Maduro was captured.", [1, 3])
    assert split_citations("Maduro was captured.", 5) == ("Maduro was captured.", [])


# --- Stories: the cache, the regeneration rule, who is sent --------------------------------


def _story(items=COVERAGE, **fields) -> Story:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(len(items), DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    story = Story.objects.create(
        headline=items[0].title,
        first_seen_at=items[0].published_at,
        last_seen_at=items[-1].published_at,
        centroid_sum=to_bytes(vectors.sum(axis=0)),
        article_count=len(items),
        source_count=len({i.source for i in items}),
        velocity=fields.pop("velocity", 9.0),
        **fields,
    )
    for item, vector in zip(items, vectors, strict=True):
        source, _ = Source.objects.get_or_create(domain=f"{item.source.lower().replace(' ', '')}.example")
        Source.objects.filter(pk=source.pk).update(name=item.source)
        Article.objects.create(
            pk=item.article_id,
            source=source,
            url=f"https://{source.domain}/{item.article_id}",
            canonical_url=f"https://{source.domain}/{item.article_id}",
            title=item.title,
            published_at=item.published_at,
            fetched_at=item.published_at,
            story=story,
            stage=Article.Stage.ASSIGNED,
            embedding=to_bytes(vector),
        )
    return story


@pytest.fixture
def model_settings(settings, fake_model):
    server = fake_model()
    settings.BRIEF_LLM_URL = server.url
    settings.BRIEF_LLM_MODEL = "fake"
    settings.BRIEF_LLM_INTERVAL_MINUTES = 30
    settings.BRIEF_LLM_MIN_VELOCITY = 5.0
    return server


@pytest.mark.django_db
def test_write_model_briefs_stores_the_verified_brief_of_a_story_worth_it(model_settings):
    story = _story()
    assert write_model_briefs(NOW, verifier=VERIFIER) == 1
    brief = Brief.from_dict(Story.objects.get(pk=story.pk).brief)
    assert brief.writer == MODEL and brief.verification.articles == len(COVERAGE)


@pytest.mark.django_db
def test_a_story_is_sent_at_most_once_per_interval(model_settings):
    story = _story()
    assert claim_for_model(story.pk)
    assert not claim_for_model(story.pk)
    Story.objects.filter(pk=story.pk).update(brief_model_at=timezone.now() - timedelta(minutes=31))
    assert claim_for_model(story.pk)


@pytest.mark.django_db
def test_a_failed_attempt_also_waits_for_the_interval(settings, fake_model):
    server = fake_model("error")
    settings.BRIEF_LLM_URL, settings.BRIEF_LLM_INTERVAL_MINUTES = server.url, 30
    _story()
    assert write_model_briefs(NOW, verifier=VERIFIER) == 0
    assert write_model_briefs(NOW, verifier=VERIFIER) == 0
    assert len(server.requests) == 1


@pytest.mark.django_db
def test_a_model_brief_is_redrafted_only_when_coverage_grew_enough(model_settings):
    story = _story()
    write_model_briefs(NOW, verifier=VERIFIER)
    story.refresh_from_db()
    assert not needs_redraft(story)
    story.article_count = len(COVERAGE) + 2
    assert not needs_redraft(story)
    story.article_count = len(COVERAGE) + 4  # 4 more is over a quarter of 15
    assert needs_redraft(story)


@pytest.mark.django_db
def test_slow_stories_off_the_front_page_are_not_sent(model_settings):
    for k in range(21):
        Story.objects.create(
            headline=f"Busy {k}",
            first_seen_at=NOW,
            last_seen_at=NOW,
            centroid_sum=b"",
            article_count=3,
            velocity=100 - k,
        )
    slow = _story(velocity=1.0)
    write_model_briefs(NOW, verifier=VERIFIER, limit=100)
    assert Story.objects.get(pk=slow.pk).brief_model_at is None


@pytest.mark.django_db
def test_an_approved_brief_is_never_sent_or_overwritten(model_settings):
    story = _story(brief_approved=True, brief={"sentences": [{"text": "The desk's words.", "citations": []}]})
    assert write_model_briefs(NOW, verifier=VERIFIER) == 0
    assert Story.objects.get(pk=story.pk).brief["sentences"][0]["text"] == "The desk's words."
    assert not model_settings.requests


@pytest.mark.django_db
def test_nothing_is_sent_without_an_endpoint(settings):
    settings.BRIEF_LLM_URL = ""
    _story()
    assert write_model_briefs(NOW, verifier=VERIFIER) == 0


@pytest.mark.django_db
def test_refresh_keeps_a_model_brief_and_rebuilds_its_timeline(model_settings):
    story = _story()
    write_model_briefs(NOW, verifier=VERIFIER)
    stored = Story.objects.get(pk=story.pk).brief
    Story.objects.filter(pk=story.pk).update(brief={**stored, "timeline": []})
    refresh_stories([story.pk], NOW + timedelta(minutes=5))
    again = Story.objects.get(pk=story.pk).brief
    assert again["writer"] == MODEL and again["sentences"] == stored["sentences"]
    assert again["timeline"]


@pytest.mark.django_db
def test_refresh_drops_a_model_brief_whose_cited_article_left_the_story(model_settings):
    story = _story()
    write_model_briefs(NOW, verifier=VERIFIER)
    cited = Story.objects.get(pk=story.pk).brief["sentences"][0]["citations"][0]
    Article.objects.filter(pk=cited).update(story=None)
    refresh_stories([story.pk], NOW + timedelta(minutes=5))
    assert Story.objects.get(pk=story.pk).brief["writer"] == EXTRACTIVE
