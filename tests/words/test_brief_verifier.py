"""The verifier on hand-made sentences: true ones pass, and one changed fact
(a name, a number, a date, a negation, a word the evidence lacks) fails."""

import pytest

from trends.words.briefs.verifier import Verifier, lexical_problem, word_similarity

EVIDENCE = [
    "US forces captured Venezuelan President Nicolás Maduro in a raid on Caracas on Saturday, Trump said.",
    "Maduro was flown to New York, where he faces drug trafficking charges, officials said.",
    "Explosions were heard across the capital before dawn, and at least 40 people were killed.",
]
verifier = Verifier(word_similarity, min_closeness=0.3)


@pytest.mark.parametrize(
    "sentence",
    [
        "US forces captured Nicolás Maduro in a raid on Caracas on Saturday.",
        "Maduro was flown to New York, where he faces drug trafficking charges.",
        "At least 40 people were killed as explosions were heard across the capital.",
        "American forces captured the Venezuelan president Maduro in Caracas.",  # 'American' ~ 'US'
        "Nicolas Maduro was captured in Caracas on Saturday.",  # accents folded
    ],
)
def test_a_sentence_the_evidence_states_passes(sentence):
    verdict = verifier.check(sentence, EVIDENCE)
    assert verdict.supported, verdict.reason


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("US forces captured Nicolás Maduro in a raid on Havana on Saturday.", "name"),
        ("Obama said US forces captured Maduro in a raid on Caracas.", "name"),
        ("At least 400 people were killed as explosions were heard across the capital.", "number"),
        ("At least forty-one people were killed in the capital.", "number"),
        ("US forces captured Nicolás Maduro in a raid on Caracas on Sunday.", "date"),
        ("US forces did not capture Nicolás Maduro in a raid on Caracas.", "negat"),
        ("Maduro was flown to New York, where he faces no charges.", "negat"),
        ("Maduro was executed in New York after a secret trial.", "words"),
        ("Maduro praised the raid.", "words"),
    ],
)
def test_a_sentence_with_one_fact_changed_fails(sentence, reason):
    verdict = verifier.check(sentence, EVIDENCE)
    assert not verdict.supported
    assert reason in verdict.reason


def test_a_sentence_citing_nothing_fails():
    assert not verifier.check("US forces captured Maduro.", []).supported


def test_a_removed_negation_fails():
    evidence = ["Beijing has no information about the ships and did not confirm the transfers."]
    assert lexical_problem("Beijing did confirm the transfers.", evidence)


def test_a_capitalised_first_word_the_story_writes_in_lower_case_is_not_a_name():
    evidence = ["Police said the driver of the tram had been arrested after seven people died."]
    claim = "Investigators said the driver of the tram had been arrested after seven people died."
    assert "name" in lexical_problem(claim, evidence)
    context = "Two investigators were at the scene. " + evidence[0]
    assert verifier.check(claim, evidence, context=context).supported


def test_meaning_far_from_every_cited_sentence_fails_even_with_known_words():
    strict = Verifier(word_similarity, min_closeness=0.9)
    verdict = strict.check("Maduro faces charges in New York.", EVIDENCE)
    assert not verdict.supported and "meaning" in verdict.reason
