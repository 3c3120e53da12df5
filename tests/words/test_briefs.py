"""The built-in writer's sections on hand-made coverage: what happened,
timeline, how outlets differ, what to watch, and the cases where a section
is left out (quick answers: test_brief_answers.py)."""

from tests.words.brief_cases import COVERAGE, NOT_FACTS, NOW, ONE_DEVELOPMENT, T0
from tests.words.brief_cases import brief as _brief
from tests.words.brief_cases import item as _item
from trends.words.briefs import Brief, Coverage, as_sentence, digest_lines, write_brief
from trends.words.briefs import sentence_kinds as kinds
from trends.words.briefs import text as t
from trends.words.briefs.evidence import story_evidence


def _evidence_texts(items=COVERAGE) -> dict[int, list[str]]:
    texts: dict[int, list[str]] = {}
    for e in story_evidence(items):
        texts.setdefault(e.article_id, []).append(e.text)
    return texts


# --- What happened ---------------------------------------------------------------


def test_what_happened_states_two_to_four_distinct_facts_from_several_outlets():
    happened = _brief().happened
    assert 2 <= len(happened) <= 4
    assert len({line.source for line in happened}) >= 2
    stems = [t.content_stems(line.text) for line in happened]
    for i, a in enumerate(stems):
        for b in stems[i + 1 :]:
            assert len(a & b) / len(a | b) <= 0.4


def test_what_happened_leaves_out_opinion_reaction_and_service_pieces():
    cited_first = {line.citations[0] for line in _brief().happened}
    assert not cited_first & NOT_FACTS


def test_what_happened_opens_with_the_core_event():
    assert "captured" in _brief().happened[0].text


def test_what_happened_takes_one_sentence_per_angle():
    oil = {10, 11, 12}
    assert sum(1 for line in _brief().happened if line.citations[0] in oil) <= 1


def test_every_cited_line_is_copied_from_the_article_it_cites_first():
    brief = _brief()
    texts = _evidence_texts()
    for line in brief.cited_lines():
        assert line.citations, line.text
        assert line.text in texts[line.citations[0]], line.text


def test_a_line_also_cites_other_outlets_that_report_the_same_words():
    capture = _brief().happened[0]
    assert set(capture.citations) == {3, 4}


def test_full_text_stories_quote_lead_sentences_before_headlines():
    lead = (
        "Firefighters battled the blaze at the Ghent market hall for six hours on Sunday night.\n"
        "The city said 40 traders had lost their stalls and nobody was hurt."
    )
    items = [
        _item(30 + k, f"Outlet {k}", item.title, k * 10, text=lead) for k, item in enumerate(ONE_DEVELOPMENT)
    ]
    happened = write_brief(items, [], NOW).happened
    assert happened and happened[0].text.startswith("Firefighters battled")


# --- Timeline ---------------------------------------------------------------------


def test_timeline_lists_each_development_once_in_time_order():
    entries = _brief().timeline
    assert len(entries) >= 3
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert len({e.citations[0] for e in entries}) == len(entries)
    assert "Explosions" in entries[0].text


def test_timeline_shows_a_development_as_first_reported():
    capture = next(e for e in _brief().timeline if "captured" in e.text)
    assert capture.citations[0] == 3 and capture.source == "Reuters"


def test_timeline_is_omitted_when_the_story_has_not_moved():
    assert _brief(ONE_DEVELOPMENT, []).timeline == []


# --- How outlets differ ----------------------------------------------------------------


def test_angles_name_groups_by_words_their_quote_contains_and_show_their_outlets():
    found = _brief().angles
    assert len(found) >= 2
    oil = next(a for a in found if "Oil" in " ".join(a.words))
    assert set(oil.sources) == {"Reuters", "Bloomberg", "CNBC"}
    for angle in found:
        quote = t.content_stems(angle.text)
        assert all(t.content_stems(words) <= quote for words in angle.words), angle
        assert len(angle.sources) >= 2


def _angle_name(quote: str, words: list[str], seed: str, names=()) -> list[str]:
    from trends.words.briefs.angles import _label

    return _label(quote, [t.stem(w) for w in words], t.stem(seed), {t.stem(n) for n in names})


def test_angle_is_named_by_the_stretch_of_its_quote_between_its_words():
    quote = "Several dozen feared dead in Swiss ski resort bar fire"
    assert _angle_name(quote, ["dozen", "dead"], "dozen", ["Swiss"]) == ["dozen feared dead"]


def test_angle_name_is_the_short_stretch_holding_most_of_its_words():
    quote = "Oil prices jump as Venezuela raid rattles markets"
    assert _angle_name(quote, ["markets", "oil", "prices"], "markets") == ["Oil prices"]


def test_angle_name_opens_no_quote_it_does_not_close():
    assert _angle_name('Trump says "no deal" as talks stall', ["says", "deal"], "deal") == ["says no deal"]


def test_angle_name_widens_to_a_whole_name():
    quote = "Maduro's rise and fall: a portrait of Nicolás Maduro in photos"
    assert _angle_name(quote, ["Nicolás"], "Nicolás", ["Nicolás", "Maduro"]) == ["Nicolás Maduro"]


def test_angle_name_from_a_title_case_headline_keeps_capitals_for_names_only():
    quote = "Several Dozen Feared Dead In Swiss Ski Resort Bar Fire"
    assert _angle_name(quote, ["dozen", "dead"], "dozen", ["Swiss"]) == ["dozen feared dead"]
    assert _angle_name(quote, ["dead", "Swiss"], "Swiss", ["Swiss"]) == ["dead in Swiss"]


def test_angles_are_omitted_when_the_coverage_does_not_split():
    assert _brief(ONE_DEVELOPMENT, []).angles == []


def test_angles_are_omitted_for_a_story_from_few_outlets():
    few = [i for i in COVERAGE if i.source in ("Reuters", "BBC")]
    assert _brief(few).angles == []


# --- What to watch ---------------------------------------------------------------------


def test_watch_quotes_forward_looking_sentences_announced_dates_first():
    watch = _brief().watch
    assert watch and watch[0].citations[0] == 6
    assert all(kinds.is_forward_looking(line.text) for line in watch)


def test_watch_is_omitted_when_nothing_looks_ahead():
    assert _brief(ONE_DEVELOPMENT, []).watch == []


# --- The stored form, the digest, the method line ------------------------------------------


def test_brief_round_trips_through_its_stored_form():
    brief = _brief()
    again = Brief.from_dict(brief.to_dict())
    assert again.to_dict() == brief.to_dict()


def test_a_brief_stored_in_the_first_format_still_reads():
    old = {
        "sentences": [{"text": "Explosions heard over Caracas", "citations": [1, 2], "source": "Al Jazeera"}],
        "watch_next": [{"text": "Maduro will appear in court", "citations": [6]}],
        "angles": [{"source": "Reuters", "words": ["oil"], "text": "Oil prices jump", "citations": [10]}],
        "answers": [
            {"question": "Who is involved?", "answer": "The coverage does not say.", "citations": []}
        ],
        "method": "extractive",
        "updated_at": NOW.isoformat(),
    }
    brief = Brief.from_dict(old)
    assert brief.happened[0].citations == [1, 2] and brief.watch[0].citations == [6]
    assert brief.angles[0].sources == ["Reuters"]
    assert not brief.answers[0].answered


def test_method_line_says_the_built_in_brief_is_copied_from_the_coverage():
    assert _brief().method == (
        "Built from the coverage: every sentence is copied from the coverage and cites its article."
    )


def test_digest_lines_are_the_first_two_cited_sentences():
    lines = digest_lines(_brief().to_dict())
    assert len(lines) == 2 and all(line["citations"] for line in lines)


def test_digest_leaves_out_a_sentence_that_repeats_the_headline():
    stored = _brief().to_dict()
    first, second = (line["text"] for line in (stored["sentences"] + stored["watch_next"])[:2])
    lines = digest_lines(stored, headline=first.upper() + ".")
    assert lines[0]["text"] == second


def test_headline_copied_as_a_sentence_gets_a_full_stop():
    assert as_sentence("Explosions heard over the capital") == "Explosions heard over the capital."
    assert as_sentence("Is the capital safe?") == "Is the capital safe?"
    assert as_sentence("He said ‘it is over.’") == "He said ‘it is over.’"
    assert as_sentence("Explosions heard – live:") == "Explosions heard – live."


def test_a_story_told_only_in_questions_still_gets_one_quoted_line():
    questions = [
        _item(61, "A", "A New Year for Gaza: will life return?", 0),
        _item(62, "B", "Will life return to Gaza in the new year?", 30),
    ]
    happened = _brief(questions, []).happened
    assert len(happened) == 1 and happened[0].citations[0] in (61, 62)


def test_a_story_grown_too_wide_is_briefed_on_its_largest_group():
    import numpy as np

    from trends.words.briefs.reading import core_of

    rng = np.random.default_rng(1)
    base, other = rng.normal(size=384), rng.normal(size=384)

    def near(center, k):
        vector = center + 0.3 * rng.normal(size=384)
        return vector / np.linalg.norm(vector)

    items = [
        Coverage(k, f"S{k}", f"Event story {k}", "", "", T0, near(base if k < 6 else other, k))
        for k in range(9)
    ]
    assert {i.article_id for i in core_of(items)} == set(range(6))
    no_vectors = [Coverage(k, "S", f"t{k}", "", "", T0) for k in range(9)]
    assert core_of(no_vectors) == no_vectors
