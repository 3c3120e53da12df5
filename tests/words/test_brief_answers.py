"""The built-in writer's quick answers on hand-made coverage: who did what,
where, the toll, what next, and the questions left out."""

from tests.words.brief_cases import COVERAGE, ONE_DEVELOPMENT, TOPICS
from tests.words.brief_cases import brief as _brief
from tests.words.brief_cases import item as _item
from trends.words.briefs import NO_ANSWER
from trends.words.briefs import sentence_kinds as kinds


def _where_answer(coverage=COVERAGE, topics=TOPICS):
    """The brief's "Where did it happen?" answer, or None."""
    return next((a for a in _brief(coverage, topics).answers if a.kind == "where"), None)


def test_who_answers_name_the_actor_followed_by_what_they_said_or_did():
    who = [a for a in _brief().answers if a.kind == "who"]
    assert who
    for answer in who:
        name = answer.question.removeprefix("What did ").rsplit(" ", 1)[0]
        assert answer.answer.startswith(name) or f" {name} " in answer.answer


def test_where_answer_names_a_place_after_a_preposition():
    where = _where_answer()
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
    where = _where_answer(coverage)
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
    where = _where_answer(coverage, [*TOPICS, ("US", "place")])
    assert "in Caracas" in where.answer


def test_where_answer_reads_a_hyphenated_place_name():
    coverage = [
        _item(1, "Reuters", "Fire at a bar in Crans-Montana kills dozens on New Year's night", 0),
        _item(2, "BBC", "Dozens killed as fire sweeps through bar in Crans-Montana", 20),
        _item(3, "AP", "Police say the Crans-Montana bar fire started with sparklers", 120),
        _item(4, "AFP", "Crans-Montana mourns the victims of the bar fire", 300),
    ]
    where = _where_answer(coverage, [("Crans-Montana", "place")])
    assert "in Crans-Montana" in where.answer


def test_where_answer_reads_a_country_named_by_its_demonym():
    coverage = [
        _item(1, "Reuters", "Dozens feared dead in fire at Swiss ski resort bar on New Year's night", 0),
        _item(2, "BBC", "About 40 dead after blaze tore through bar at Swiss resort", 20),
        _item(3, "AP", "Police identify victims of the Swiss bar fire", 120),
        _item(4, "AFP", "Bar owner questioned as Swiss prosecutors open inquiry into fire", 300),
        _item(5, "DW", "Mourners gather for the victims of the bar fire", 360),
    ]
    where = _where_answer(coverage, [("Switzerland", "place")])
    assert where is not None and "at Swiss" in where.answer


def test_where_answer_is_not_a_place_named_further_after_over():
    coverage = [
        _item(1, "Variety", "Leonardo DiCaprio skips gala over Trump's Venezuela airstrikes", 0),
        _item(2, "Deadline", "DiCaprio pulls out of Palm Springs gala, citing the Venezuela strikes", 30),
        _item(3, "People", "Why DiCaprio missed the gala: the actor speaks about Venezuela", 90),
    ]
    topics = [("Leonardo DiCaprio", "person"), ("Venezuela", "place")]
    assert _where_answer(coverage, topics) is None


def test_no_answer_repeats_what_to_watch():
    brief = _brief()
    watched = {line.text for line in brief.watch}
    assert watched and not [a for a in brief.answers if a.answer in watched]


def test_next_answer_is_a_step_ahead_beyond_what_to_watch():
    more = [*COVERAGE, _item(16, "WSJ", "Congress is set to vote on Venezuela war powers next week", 430)]
    brief = _brief(more)
    answer = next(a for a in brief.answers if a.kind == "next")
    assert kinds.is_forward_looking(answer.answer) and answer.citations
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


def test_a_name_after_by_or_before_a_passive_is_not_asked_about_as_a_subject():
    from trends.words.briefs.answers import _verb_after

    assert _verb_after("Facebook, Google accused of addicting kids to technology", ["google"]) is None
    assert _verb_after("Films produced by Weinstein, gave her a career", ["weinstein"]) is None
    assert _verb_after("Maduro captured in Caracas raid", ["maduro"]) is None
    headline = "President Trump: Nicolas Maduro 'Captured and Flown Out Of' Venezuela"
    assert _verb_after(headline, ["maduro"]) is None
    assert _verb_after("Maduro captured, flown to New York", ["maduro"]) is None
    assert _verb_after("Video of Venezuela's Maduro released hours before capture", ["maduro"]) is None
    assert _verb_after("VIDEO OF VENEZUELA'S MADURO RELEASED", ["maduro"]) is None
    assert _verb_after("Venezuela's Maduro denounced the strikes", ["maduro"]) == "denounced"
    assert _verb_after("Police arrested and charged two men", ["police"]) == "arrested"
    assert _verb_after("Rubio says the US will not govern Venezuela", ["rubio"]) == "says"
    assert _verb_after("Trump has ordered strikes on Caracas", ["trump"]) == "ordered"


def test_a_person_named_in_full_is_asked_about_where_headlines_give_the_surname():
    topics = [("Marco Rubio", "person") if name == "Rubio" else (name, kind) for name, kind in TOPICS]
    who = {a.question: a.answer for a in _brief(COVERAGE, topics).answers if a.kind == "who"}
    assert who.get("What did Marco Rubio say?", "").startswith("Rubio ")


def test_a_holiday_the_coverage_puts_things_over_is_a_time_not_a_place():
    split = [
        _item(1, "CNN", "Sarah Silverman and Michael Sheen split", 0),
        _item(
            2,
            "Daily Mail",
            "Sarah Silverman and Michael Sheen split after four years",
            30,
            text="The comedian said the couple had split over Christmas, after four years together.",
        ),
        _item(
            3,
            "The Sun",
            "Michael Sheen and Sarah Silverman joke they consciously uncoupled",
            60,
            text="'The great @michaelsheen & I consciously uncoupled over Christmas,' Silverman tweeted.",
        ),
        _item(4, "USA Today", "Sarah Silverman, Michael Sheen split after four years", 90),
    ]
    topics = [("Sarah Silverman", "person"), ("Michael Sheen", "person"), ("Christmas", "term")]
    assert not [a for a in _brief(split, topics).answers if a.kind == "where"]
