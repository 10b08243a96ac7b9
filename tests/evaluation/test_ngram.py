"""KneserNeyNGram, the baseline of the language models: a proper, exact distribution."""

import math

import numpy as np
import pytest

from zoo.evaluation import KneserNeyNGram

TEXT = np.random.default_rng(0).choice(4, size=300, p=[0.5, 0.3, 0.15, 0.05])


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_every_conditional_sums_to_one(order):
    model = KneserNeyNGram(order, vocab_size=5).fit(TEXT)  # symbol 4 never occurs
    for context in ([], [0], [3, 3], [1, 2, 0, 1], [4, 4, 4, 4], list(TEXT[:7])):
        total = sum(model.prob(context, w) for w in range(5))
        assert math.isclose(total, 1.0, rel_tol=1e-12), (context, total)
        assert model.prob(context, 4) > 0  # unseen symbols keep some mass


def test_log_prob_is_the_sum_of_the_conditionals_and_context_helps():
    cyclic = np.tile([0, 1, 2, 3], 50)
    model = KneserNeyNGram(3, vocab_size=4).fit(cyclic)
    x, history = np.array([2, 3, 0]), np.array([0, 1])
    expected = sum(math.log(model.prob(np.concatenate([history, x[:t]]), x[t])) for t in range(3))
    assert math.isclose(model.log_prob(x, history=history), expected, rel_tol=1e-12)
    assert -model.log_prob(cyclic[:40], history=cyclic[-2:]) / 40 < 0.1  # ~deterministic
    unigram = KneserNeyNGram(1, vocab_size=4).fit(cyclic)
    assert -unigram.log_prob(cyclic[:40]) / 40 > 1.3  # ~log 4 without context


def test_rejects_ids_outside_the_vocabulary():
    with pytest.raises(ValueError, match=r"\[0, 3\]"):
        KneserNeyNGram(2, vocab_size=4).fit([0, 1, 4])
