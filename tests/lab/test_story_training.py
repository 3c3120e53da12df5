"""The data sets the story scorers are fitted on."""

from datetime import UTC, datetime

import pytest

from lab.clustering.datasets import LabelledArticle, giveme5w1h_half

T0 = datetime(2026, 1, 3, 6, 0, tzinfo=UTC)


def _article(event: str) -> LabelledArticle:
    return LabelledArticle("t", "t", T0, event, "world", 1, "s.example", T0)


def test_giveme5w1h_half_keeps_the_events_of_one_parity():
    articles = [_article(e) for e in ("2", "3", "4", "11")]
    assert [a.gold_story for a in giveme5w1h_half(articles, "even")] == ["2", "4"]
    assert [a.gold_story for a in giveme5w1h_half(articles, "odd")] == ["3", "11"]


def test_giveme5w1h_half_refuses_anything_but_even_or_odd():
    with pytest.raises(ValueError, match="'even' or 'odd'"):
        giveme5w1h_half([_article("2")], "first")
