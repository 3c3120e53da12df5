"""Key people, organisations, places and terms from headlines."""

from datetime import UTC, datetime

import pytest

from lab.newsriver import read_stream
from tests.realdata import NEWSRIVER
from trends.words.phrases import quoted_names
from trends.words.topics import extract_topics


def _topics(titles):
    return {t.name: t for t in extract_topics({i: [title] for i, title in enumerate(titles)})}


def test_names_are_read_from_sentence_case_and_title_case_headlines():
    topics = _topics(
        [
            "Trump says U.S. has captured Venezuela President Maduro",
            "Maduro Declares State of Emergency After Caracas Blasts",
            "Explosions heard over Venezuelan capital Caracas amid US tensions",
        ]
    )
    assert {"Maduro", "Caracas", "US"} <= set(topics)
    # Title Case capitals alone do not make a topic.
    assert "State" not in topics and "Emergency" not in topics and "Declares" not in topics


def test_full_name_folds_into_surname_and_is_a_person():
    topics = _topics(["Nicolás Maduro flown out of Caracas", "President Maduro captured, says Trump"])
    assert topics["Maduro"].kind == "person" and topics["Maduro"].articles == 2
    assert "Nicolás Maduro" not in topics


def test_a_contraction_before_a_name_is_not_part_of_it():
    topics = _topics(
        [
            "Chevy Chase recalls the line I’m Chevy Chase and you're not",
            "In 1975 he said I'm Chevy Chase, and you're not",
        ]
    )
    assert "Chevy Chase" in topics
    assert not any(name.startswith("I") for name in topics)


def test_kinds_place_and_organisation():
    topics = _topics(
        [
            "Iran urges UN to respond to threats over protests in Iran",
            "UN council meets as Iran protests grow",
        ]
    )
    assert topics["Iran"].kind == "place"
    assert topics["UN"].kind == "organisation"


def test_a_phrase_in_one_article_only_is_not_a_topic():
    topics = _topics(["Kelowna handyman chases down thief", "Thief caught in the act by a handyman"])
    assert "Kelowna" not in topics


@pytest.mark.needs_real_data
def test_venezuela_story_topics_on_real_headlines():
    items = read_stream(
        NEWSRIVER, start=datetime(2026, 1, 3, 6, tzinfo=UTC), end=datetime(2026, 1, 3, 23, tzinfo=UTC)
    )
    story = [i.title for i in items if "venezuela" in i.title.lower() or "maduro" in i.title.lower()]
    topics = _topics(story)
    maduro = next(t for name, t in topics.items() if name.endswith("Maduro"))
    assert maduro.kind == "person"
    assert topics["Venezuela"].kind == "place"
    assert any(name.endswith("Trump") for name in topics) and "Caracas" in topics
    assert not {"Venezuelan", "Venezuelans"} & set(topics)
    # Nothing from Title Case alone, and no duplicate spellings of the US.
    assert not {"Declares", "State", "Large", "U.S"} & set(topics)


def test_a_demonym_counts_for_its_country_and_is_never_a_topic_of_its_own():
    topics = _topics(
        [
            "Venezuelans celebrate in Caracas",
            "Venezuelan troops on alert",
            "Strikes hit Venezuela overnight",
            "Swiss mourn victims",
            "Switzerland holds memorial",
        ]
    )
    assert topics["Venezuela"].articles == 3
    assert topics["Switzerland"].articles == 2
    assert not {"Venezuelan", "Venezuelans", "Swiss"} & set(topics)


def test_a_word_the_coverage_writes_in_lower_case_is_not_a_topic():
    topics = _topics(
        [
            "Families plead for news after bar fire in Crans Montana",
            "Crans Montana bar owners questioned as families wait",
            "Bar fire: Families of victims gather in Crans Montana",
        ]
    )
    assert "Crans Montana" in topics
    assert not {"Families", "Bar"} & set(topics)


def test_part_of_a_longer_name_is_that_name():
    topics = _topics(
        [
            "‘Stranger Things’ finale breaks box office records",
            "Stranger Things creators explain the ending",
            "‘Stranger Things 5’ finale explained by its creators",
        ]
    )
    assert "Stranger Things" in topics and "Stranger" not in topics


def test_a_quoted_remark_opening_in_lower_case_is_not_a_title():
    assert quoted_names("Rubio: Cuban Government Is 'in a Lot of Trouble'") == []
    assert quoted_names("‘Stranger Things 5’ finale explained") == [("Stranger Things", False)]


def test_a_full_name_is_shown_for_a_person_named_in_full_by_two_articles():
    topics = _topics(
        [
            "Nicolás Maduro flown to New York",
            "US captures Nicolás Maduro",
            "Maduro to appear in court",
        ]
    )
    assert topics["Nicolás Maduro"].articles == 3 and topics["Nicolás Maduro"].kind == "person"


def test_an_off_topic_article_brings_no_topic():
    from trends.words.topics import on_topic

    centroid = [1.0, 0.0]
    vectors = {1: [1.0, 0.0], 2: [0.9, 0.43], 3: [0.0, 1.0]}
    assert on_topic(vectors, centroid) == {1, 2}


def test_a_place_name_the_coverage_writes_in_lower_case_is_a_common_noun_there():
    # "Bar" is also a town in Montenegro; here it is the bar that burned.
    topics = _topics(
        [
            "Deadly New Year's Fire at Swiss Alps Resort Bar, Dozens Killed",
            "Fire at Crans Montana Ski Resort Bar Leaves 40 Dead",
            "Police identify victims of Swiss ski resort bar fire in Crans Montana",
        ]
    )
    assert "Crans Montana" in topics
    assert "Bar" not in topics


def test_a_country_the_coverage_also_writes_in_lower_case_stays_a_topic():
    topics = _topics(
        [
            "Trade talks with China resume in Geneva",
            "China Says Trade Talks Were Constructive",
            "Exporters of fine china fear the new tariffs",
        ]
    )
    assert "China" in topics
