"""A story's headline is a typical telling that other outlets corroborate."""

import numpy as np

from ingest.models import Article
from trends.stories.embedding import to_bytes
from trends.words.refresh import headline_choice


def _article(pk, source, title, vector):
    vector = np.asarray(vector, dtype=np.float32)
    return Article(pk=pk, source_id=source, title=title, embedding=to_bytes(vector / np.linalg.norm(vector)))


def test_corroborated_headline_beats_a_slightly_more_central_commentary():
    centroid = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    commentary = _article(1, 10, "'Insanity': analysts stunned by the envoy's walk-back", [1.0, 0.05, 0.0])
    news = [
        _article(2, 11, "US strikes Venezuela and captures President Maduro", [1.0, 0.3, 0.0]),
        _article(3, 12, "Maduro captured as US strikes Venezuela's capital", [1.0, 0.35, 0.1]),
        _article(4, 13, "US captures Maduro after strikes on Venezuela", [1.0, 0.3, 0.2]),
    ]
    chosen = headline_choice(centroid, [commentary, *news])
    assert chosen.pk in {2, 3, 4}


def test_without_corroboration_the_most_central_title_wins():
    centroid = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    articles = [
        _article(1, 10, "Storm closes airport", [1.0, 0.1, 0.0]),
        _article(2, 11, "Ferry services suspended", [1.0, 0.6, 0.0]),
    ]
    assert headline_choice(centroid, articles).pk == 1


def test_copies_from_one_outlet_do_not_corroborate_each_other():
    centroid = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    articles = [
        _article(1, 10, "Minister resigns over budget row", [1.0, 0.05, 0.0]),
        _article(2, 11, "Shares slide as oil jumps", [1.0, 0.4, 0.0]),
        _article(3, 11, "Shares slide as oil jumps again", [1.0, 0.45, 0.0]),
    ]
    assert headline_choice(centroid, articles).pk == 1
