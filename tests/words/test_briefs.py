"""The built-in writer's sections on hand-made coverage: what happened,
timeline, how outlets differ, what to watch, quick answers, and the cases
where a section is left out."""

from datetime import UTC, datetime, timedelta

from trends.words.briefs import NO_ANSWER, Brief, Coverage, as_sentence, digest_lines, write_brief
from trends.words.briefs import text as t
from trends.words.briefs.evidence import story_evidence

T0 = datetime(2026, 1, 3, 6, tzinfo=UTC)
NOW = T0 + timedelta(hours=8)


def _item(aid, source, title, minutes, summary="", text=""):
    return Coverage(aid, source, title, summary, text, T0 + timedelta(minutes=minutes))


COVERAGE = [
    _item(1, "Al Jazeera", "Explosions heard over Venezuelan capital Caracas amid US tensions", 0),
    _item(2, "The Guardian", "Explosions and low-flying aircraft reported in Venezuelan capital Caracas", 10),
    _item(
        3, "Reuters", "Trump says US forces captured Venezuelan President Nicolás Maduro in Caracas raid", 150
    ),
    _item(4, "BBC", "US forces captured Maduro in Caracas raid, Trump says", 165),
    _item(5, "AP", "Maduro flown to New York to face drug charges after US raid", 180),
    _item(6, "CNN", "Maduro will appear in a Manhattan court on Monday, officials say", 210),
    _item(7, "Mediaite", "'They lied to our face': Democrats decry Trump's raid on Venezuela", 240),
    _item(8, "Fox", "How to watch Trump's address on the Venezuela raid tonight", 250),
    _item(9, "The Hill", "Opinion: The Maduro raid sets a dangerous precedent", 260),
    _item(10, "Reuters", "Oil prices jump as Venezuela raid rattles markets", 300),
    _item(11, "Bloomberg", "Oil prices rise after US raid on Venezuela unsettles markets", 330),
    _item(12, "CNBC", "Oil markets weigh Venezuela supply risk after Maduro capture", 360),
    _item(13, "NPR", "Rubio says US will not govern Venezuela after Maduro capture", 390),
    _item(14, "Politico", "Rubio says Venezuela transition will be led by Venezuelans", 400),
    _item(15, "Axios", "Rubio tells Congress US is not at war with Venezuela", 420),
]
TOPICS = [
    ("Maduro", "person"),
    ("Venezuela", "place"),
    ("Trump", "person"),
    ("Rubio", "person"),
    ("Caracas", "place"),
]
NOT_FACTS = {7, 8, 9}  # reaction, service, opinion

# One development told five times: nothing moves, nothing splits, nothing looks ahead.
ONE_DEVELOPMENT = [
    _item(21, "Reuters", "Fire destroys historic market hall in Ghent overnight", 0),
    _item(22, "BBC", "Historic Ghent market hall destroyed by overnight fire", 20),
    _item(23, "AP", "Overnight fire destroys Ghent's historic market hall", 30),
    _item(24, "AFP", "Ghent market hall destroyed in overnight fire", 40),
    _item(25, "DW", "Fire destroys historic market hall in Ghent", 50),
    _item(26, "Euronews", "Historic market hall in Ghent destroyed by fire overnight", 55),
]


def _brief(items=COVERAGE, topics=TOPICS) -> Brief:
    return write_brief(items, topics, NOW)


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
    assert all(t.is_forward_looking(line.text) for line in watch)


def test_watch_is_omitted_when_nothing_looks_ahead():
    assert _brief(ONE_DEVELOPMENT, []).watch == []


# --- Quick answers -----------------------------------------------------------------------


def test_who_answers_name_the_actor_followed_by_what_they_said_or_did():
    who = [a for a in _brief().answers if a.kind == "who"]
    assert who
    for answer in who:
        name = answer.question.removeprefix("What did ").rsplit(" ", 1)[0]
        assert answer.answer.startswith(name) or f" {name} " in answer.answer


def test_where_answer_names_a_place_after_a_preposition():
    where = next(a for a in _brief().answers if a.kind == "where")
    assert (
        "in Venezuelan capital Caracas" in where.answer or "over Venezuelan capital Caracas" in where.answer
    )


def test_where_answer_is_not_a_line_led_by_another_country():
    coverage = [
        _item(1, "Al Jazeera", "Explosions heard in Caracas as US strikes Venezuela", 0),
        _item(3, "Reuters", "US forces captured Maduro in a raid on Caracas, Trump says", 150),
        _item(4, "BBC", "Maduro flown to New York to face drug charges", 180),
        _item(5, "Al Jazeera", "Colombia braces for refugees after US raid in Venezuela", 200),
        _item(6, "CNN", "Rubio says US will not govern Venezuela after Maduro capture", 390),
    ]
    where = next(a for a in _brief(coverage).answers if a.kind == "where")
    assert where.answer == "Explosions heard in Caracas as US strikes Venezuela"


def test_where_answer_is_not_a_line_whose_first_place_is_another_country():
    coverage = [
        _item(1, "CNN", "Protests erupt in US cities over Trump's military intervention in Venezuela", 0),
        _item(
            2,
            "Reuters",
            "Trump says US forces captured Venezuelan President Nicolás Maduro in Caracas raid",
            150,
        ),
        _item(3, "AP", "Maduro flown to New York to face drug charges after US raid", 180),
        _item(4, "CBS", "Maduro captured by US forces, Trump says", 200),
        _item(5, "BBC", "Blackouts reported in Caracas after the strikes", 300),
        _item(6, "NPR", "Rubio says US will not govern Venezuela after Maduro capture", 390),
    ]
    where = next(a for a in _brief(coverage, [*TOPICS, ("US", "place")]).answers if a.kind == "where")
    assert "in Caracas" in where.answer


def test_where_answer_reads_a_hyphenated_place_name():
    coverage = [
        _item(1, "Reuters", "Fire at a bar in Crans-Montana kills dozens on New Year's night", 0),
        _item(2, "BBC", "Dozens killed as fire sweeps through bar in Crans-Montana", 20),
        _item(3, "AP", "Police say the Crans-Montana bar fire started with sparklers", 120),
        _item(4, "AFP", "Crans-Montana mourns the victims of the bar fire", 300),
    ]
    where = next(a for a in _brief(coverage, [("Crans-Montana", "place")]).answers if a.kind == "where")
    assert "in Crans-Montana" in where.answer


def test_where_answer_reads_a_country_named_by_its_demonym():
    coverage = [
        _item(1, "Reuters", "Dozens feared dead in fire at Swiss ski resort bar on New Year's night", 0),
        _item(2, "BBC", "About 40 dead after blaze tore through bar at Swiss resort", 20),
        _item(3, "AP", "Police identify victims of the Swiss bar fire", 120),
        _item(4, "AFP", "Bar owner questioned as Swiss prosecutors open inquiry into fire", 300),
        _item(5, "DW", "Mourners gather for the victims of the bar fire", 360),
    ]
    where = next((a for a in _brief(coverage, [("Switzerland", "place")]).answers if a.kind == "where"), None)
    assert where is not None and "at Swiss" in where.answer


def test_where_answer_is_not_a_place_named_further_after_over():
    coverage = [
        _item(1, "Variety", "Leonardo DiCaprio skips gala over Trump's Venezuela airstrikes", 0),
        _item(2, "Deadline", "DiCaprio pulls out of Palm Springs gala, citing the Venezuela strikes", 30),
        _item(3, "People", "Why DiCaprio missed the gala: the actor speaks about Venezuela", 90),
    ]
    topics = [("Leonardo DiCaprio", "person"), ("Venezuela", "place")]
    assert not [a for a in _brief(coverage, topics).answers if a.kind == "where"]


def test_no_answer_repeats_what_to_watch():
    brief = _brief()
    watched = {line.text for line in brief.watch}
    assert watched and not [a for a in brief.answers if a.answer in watched]


def test_next_answer_is_a_step_ahead_beyond_what_to_watch():
    more = [*COVERAGE, _item(16, "WSJ", "Congress is set to vote on Venezuela war powers next week", 430)]
    brief = _brief(more)
    answer = next(a for a in brief.answers if a.kind == "next")
    assert t.is_forward_looking(answer.answer) and answer.citations
    assert answer.answer not in {line.text for line in brief.watch}


def test_answers_are_two_to_four_and_never_repeat_each_other():
    answers = _brief().answers
    assert 2 <= len(answers) <= 4
    assert len({a.answer for a in answers}) == len(answers)


def test_an_unanswered_next_step_is_said_once_and_unanswerable_questions_are_left_out():
    answers = _brief(ONE_DEVELOPMENT, [("Ghent", "place")]).answers
    unanswered = [a for a in answers if not a.answered]
    assert [a.answer for a in unanswered] == [NO_ANSWER]
    assert not [a for a in answers if a.kind == "who"]  # nobody is named as doing anything


def test_toll_question_only_where_a_number_of_dead_or_hurt_is_stated():
    fire = [
        _item(41, "A", "A fire in a Swiss ski resort bar has left about 40 people dead", 0),
        _item(42, "B", "Swiss bar fire: police say 40 people were killed and 115 injured", 30),
        _item(43, "C", "Swiss ski resort bar fire investigators look at sparklers", 60),
    ]
    assert any(a.kind == "toll" for a in _brief(fire, [("Switzerland", "place")]).answers)
    death = [
        _item(51, "A", "Actor's daughter Victoria, 34, found dead at San Francisco hotel", 0),
        _item(52, "B", "Victoria Jones found dead at 34 in San Francisco hotel", 30),
    ]
    assert not any(a.kind == "toll" for a in _brief(death, [("Victoria Jones", "person")]).answers)


def test_a_demonym_is_never_asked_about_as_an_actor():
    answers = _brief(COVERAGE, [("Venezuelan", "person"), *TOPICS]).answers
    assert not any("Venezuelan" in a.question for a in answers)


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


def test_a_name_after_by_or_before_a_passive_is_not_asked_about_as_a_subject():
    from trends.words.briefs.answers import _verb_after

    assert _verb_after("Facebook, Google accused of addicting kids to technology", ["google"]) is None
    assert _verb_after("Films produced by Weinstein, gave her a career", ["weinstein"]) is None
    assert _verb_after("Maduro captured in Caracas raid", ["maduro"]) is None
    assert _verb_after("Rubio says the US will not govern Venezuela", ["rubio"]) == "says"
    assert _verb_after("Trump has ordered strikes on Caracas", ["trump"]) == "ordered"
