"""The reader's brief: extractive sections, outlet angles, quick answers."""

from datetime import UTC, datetime, timedelta

from trends.words.briefs import (
    NO_ANSWER,
    Coverage,
    as_sentence,
    content_words,
    digest_lines,
    outlet_angles,
    quick_answers,
    reader_brief,
    watch_next,
)

T0 = datetime(2026, 1, 3, 10, tzinfo=UTC)


def _item(aid, source, title, summary="", minutes=0):
    return Coverage(aid, source, title, summary, "", T0 + timedelta(minutes=minutes))


COVERAGE = [
    _item(1, "Al Jazeera", "Explosions heard over Venezuelan capital Caracas amid US tensions"),
    _item(2, "The Guardian", "Explosions and low-flying aircraft reported in Venezuelan capital Caracas"),
    _item(3, "Reuters", "Trump says U.S. has captured Venezuela President Maduro", minutes=30),
    _item(4, "BBC", "Maduro will face charges in New York, officials say", minutes=40),
    _item(5, "Reuters", "Oil prices jump as Venezuela strikes rattle markets", minutes=50),
]
TOPICS = [("Maduro", "person"), ("Trump", "person"), ("Venezuela", "place"), ("Caracas", "place")]


def test_every_brief_sentence_is_copied_from_the_article_it_cites():
    brief = reader_brief(COVERAGE, TOPICS, T0)
    texts = {i.article_id: f"{i.title} {i.summary}" for i in COVERAGE}
    cited_lines = brief["sentences"] + brief["watch_next"] + brief["angles"]
    assert cited_lines
    for line in cited_lines:
        assert line["text"] in texts[line["citations"][0]]
    assert brief["supported_share"] == 1.0


def test_watch_next_takes_only_forward_looking_sentences():
    found = watch_next(COVERAGE)
    assert [s.text for s in found] == ["Maduro will face charges in New York, officials say"]
    assert found[0].article_id == 4


def test_outlet_angles_name_words_only_that_outlet_used():
    angles = outlet_angles(COVERAGE)
    reuters = next(a for a in angles if a["source"] == "Reuters")
    others = content_words(" ".join(i.title for i in COVERAGE if i.source != "Reuters"))
    assert reuters["words"] and not set(reuters["words"]) & others
    assert reuters["citations"][0] in (3, 5)


def test_a_single_outlet_has_no_angles_to_compare():
    assert outlet_angles([i for i in COVERAGE if i.source == "Reuters"]) == []


def test_quick_answers_cite_a_sentence_naming_the_people_and_places():
    answers = {a["question"]: a for a in quick_answers(COVERAGE, TOPICS, watch_next(COVERAGE))}
    who = answers["Who is involved?"]
    assert "Maduro" in who["answer"] and "Trump" in who["answer"] and who["citations"] == [3]
    assert answers["What happens next?"]["citations"] == [4]


def test_quick_answers_say_so_when_the_coverage_is_silent():
    silent = [
        _item(1, "A", "Explosions heard over the capital tonight"),
        _item(2, "B", "Loud explosions heard in the capital"),
    ]
    answers = quick_answers(silent, [], watch_next(silent))
    assert [a["answer"] for a in answers] == [NO_ANSWER, NO_ANSWER, NO_ANSWER]
    assert all(a["citations"] == [] for a in answers)


def test_digest_lines_are_the_first_two_cited_sentences():
    brief = reader_brief(COVERAGE, TOPICS, T0)
    lines = digest_lines(brief)
    assert len(lines) == 2 and all(line["citations"] for line in lines)


def test_digest_leaves_out_a_sentence_that_repeats_the_headline():
    brief = reader_brief(COVERAGE, TOPICS, T0)
    first, second, third = (s["text"] for s in (brief["sentences"] + brief["watch_next"])[:3])
    lines = digest_lines(brief, headline=first.upper() + ".")
    assert [line["text"] for line in lines] == [second, third]


def test_headline_copied_as_a_sentence_gets_a_full_stop():
    assert as_sentence("Explosions heard over the capital") == "Explosions heard over the capital."
    assert as_sentence("Is the capital safe?") == "Is the capital safe?"
    assert as_sentence("He said ‘it is over.’") == "He said ‘it is over.’"
    assert as_sentence("Explosions heard – live:") == "Explosions heard – live."


def test_digest_keeps_the_headline_sentence_when_it_is_all_the_brief_has():
    brief = {"sentences": [{"text": "Explosions heard over the capital", "citations": [1]}]}
    assert digest_lines(brief, headline="Explosions heard over the capital") == brief["sentences"]
