"""A story's headline is the event's own telling, and its dek a second,
different telling from another outlet, both without feed furniture."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from trends.words.headlines import Telling, choose, clean_title, kinds_of

T0 = datetime(2026, 1, 3, 8, tzinfo=UTC)


def _telling(key, outlet, title, minutes=0, vector=None, outlet_name=""):
    if vector is not None:
        vector = np.asarray(vector, dtype=np.float32)
        vector /= np.linalg.norm(vector)
    return Telling(key, outlet, title, T0 + timedelta(minutes=minutes), vector, outlet_name)


CAPTURE = [
    _telling(2, "b", "US strikes Venezuela and captures President Maduro", 10),
    _telling(3, "c", "Maduro captured as US strikes Venezuela's capital", 20),
    _telling(4, "d", "Trump says US has captured Venezuela's Maduro after strikes", 30),
]


def test_a_reaction_piece_loses_to_the_widely_echoed_report():
    reaction = _telling(1, "a", "'Insanity': analysts stunned by Rubio's walk-back of Venezuela threat", 90)
    chosen = choose([reaction, *CAPTURE])
    assert chosen.headline_key in {2, 3, 4}


def test_a_more_central_commentary_still_loses_to_the_corroborated_report():
    centroid = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    commentary = _telling(1, "a", "The 'Putinization' of US foreign policy has arrived", 5, [1.0, 0.01, 0.0])
    news = [_telling(t.key, t.outlet, t.title, 10, [1.0, 0.3 + t.key / 10, 0.0], "") for t in CAPTURE]
    assert choose([commentary, *news], centroid).headline_key != 1


@pytest.mark.parametrize(
    "title",
    [
        "Venezuela live: national emergency declared as strikes hit Caracas and Maduro captured",
        "How to watch the aftermath of the US strikes on Venezuela and Maduro's capture",
        "What we know about the US strikes on Venezuela and Maduro's capture",
        "Is Maduro's capture legal? US strikes on Venezuela questioned",
    ],
)
def test_live_blogs_service_pieces_and_questions_lose_to_a_plain_report(title):
    other = _telling(1, "a", title, 0)
    assert choose([other, *CAPTURE]).headline_key != 1


def test_a_single_outlet_story_counts_its_other_articles_as_echo():
    tellings = [
        _telling(1, "post", "Injury report: linebacker out with illness before the finale", 0),
        _telling(2, "post", "Giants beat Cowboys in season finale", 60),
        _telling(3, "post", "Giants beat Cowboys and hand Raiders the top draft pick", 70),
        _telling(4, "post", "Cowboys fall to Giants as season ends", 80),
    ]
    assert choose(tellings).headline_key in {2, 3}


def test_the_dek_comes_from_another_outlet():
    tellings = [
        _telling(1, "a", "US strikes Venezuela and captures President Maduro", 0),
        _telling(2, "a", "Caracas residents describe night of explosions", 5),
        _telling(3, "b", "Maduro captured as US strikes Venezuela's capital", 10),
        _telling(4, "c", "Oil prices jump after Maduro capture in Venezuela", 20),
    ]
    chosen = choose(tellings)
    outlet = {t.key: t.outlet for t in tellings}
    assert chosen.dek_key is not None
    assert outlet[chosen.dek_key] != outlet[chosen.headline_key]


def test_the_dek_never_says_the_headline_again():
    tellings = [
        _telling(1, "a", "Will Smith sued by tour violinist for sexual harassment", 0),
        _telling(2, "b", "Will Smith sued by violinist for sexual harassment", 5),
        _telling(3, "c", "Violinist's lawsuit accuses Will Smith of retaliation", 10),
    ]
    chosen = choose(tellings)
    assert {chosen.headline_key, chosen.dek_key} != {1, 2}


def test_one_outlet_gives_no_dek():
    tellings = [_telling(1, "a", "Storm closes airport", 0), _telling(2, "a", "Storm shuts airport", 5)]
    assert choose(tellings).dek == ""


@pytest.mark.parametrize(
    ("raw", "outlet", "clean"),
    [
        (
            "World news | The Guardian: 'They lied to our face'",
            "World news | The Guardian",
            "'They lied to our face'",
        ),
        ("BREAKING: Trump Bombs Caracas", "", "Trump Bombs Caracas"),
        ("Venezuela latest: Trump confirms US strikes", "", "Trump confirms US strikes"),
        (
            "Man City vs Chelsea LIVE: Premier League latest score and confirmed lineups",
            "",
            "Man City vs Chelsea: Premier League latest score and confirmed lineups",
        ),
        ("Explosions reported in Caracas – live", "", "Explosions reported in Caracas"),
        ("Trump watched the strike in real time | Video", "", "Trump watched the strike in real time"),
        ("Ferry sinks off coast - BBC News", "BBC News", "Ferry sinks off coast"),
        ("Critics Choice Awards: Winners List (Updating Live)", "", "Critics Choice Awards: Winners List"),
        ("UPDATING 2026 Critics Choice Awards", "", "2026 Critics Choice Awards"),
        ("Finale Blues: the hit got too big | Commentary", "", "Finale Blues: the hit got too big"),
        ("Storm closes airport", "", "Storm closes airport"),
    ],
)
def test_feed_furniture_is_cleaned_from_titles(raw, outlet, clean):
    assert clean_title(raw, outlet) == clean


def test_the_chosen_headline_is_shown_cleaned():
    tellings = [
        _telling(1, "a", "BREAKING: US strikes Venezuela and captures President Maduro", 0),
        _telling(2, "b", "Maduro captured as US strikes Venezuela", 5),
        _telling(3, "c", "US captures Venezuela's Maduro", 9),
    ]
    chosen = choose(tellings)
    assert not chosen.headline.startswith("BREAKING")


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("George Clooney fires back after Trump mocks his citizenship", "reaction"),
        ("Giants vs. Cowboys prediction: NFL Week 18 picks, odds, best bets", "service"),
        ("How Lane Kiffin reacted to Ole Miss' upset", "feature"),
        ("Leonardo DiCaprio on the importance of creating cinema", "interview"),
        ("Pictured: the bar before the fire", "label"),
    ],
)
def test_kinds_of_piece_that_are_not_the_event_are_recognised(title, kind):
    assert kind in kinds_of(title)


def test_a_plain_report_has_no_kind():
    assert kinds_of("Anthony Joshua's driver charged over Nigeria crash that killed two") == []
