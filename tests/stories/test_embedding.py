"""How texts are batched for the embedding model, and that batching never changes a vector."""

import numpy as np

from trends.stories.embedding import embed_texts, length_batches


def test_texts_are_batched_shortest_first_at_most_cap_a_batch():
    batches = length_batches([30, 10, 20, 10, 30, 20, 10], cap=3)
    assert batches == [[1, 3, 6], [2, 5], [0, 4]]


def test_a_short_text_is_not_padded_to_a_long_ones_length():
    # Padding 9 tokens to 40 would more than double the batch's tokens.
    assert length_batches([40, 9, 41, 39], cap=8) == [[1], [3, 0, 2]]


def test_equal_lengths_fill_whole_batches():
    assert [len(b) for b in length_batches([12] * 20, cap=8)] == [8, 8, 4]


def test_vectors_come_back_in_the_texts_order_whatever_the_batches():
    texts = [
        "Quake hits Chile",
        "Central bank raises interest rates by a quarter point as inflation stays above target",
        "Storm closes ports",
        "Election results delayed in three counties after a software fault slowed the count",
    ]
    together = embed_texts(texts, batch_size=8)
    one_by_one = np.vstack([embed_texts([text]) for text in texts])
    assert together.shape == (4, 384) and together.dtype == np.float32
    assert np.allclose(together, one_by_one, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
