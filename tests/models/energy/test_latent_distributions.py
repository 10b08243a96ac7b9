"""RBM and DBN `encode` / `decode` return the distributions their units define.

`encode` is p(h | v) (independent Bernoullis; a mixture over labels at the top of a
labelled DBN) and `decode` p(v | h) (Bernoulli, Normal with the model's sigma, or each
item's rating 1..K); their means are the probabilities and expected values the methods
returned before, which the exact-enumeration tests of each family check.
"""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.models import DBN, BernoulliRBM, GaussianBernoulliRBM, SoftmaxRBM

tfd = tfp.distributions
RNG = np.random.default_rng(0)
HIDDEN = RNG.integers(0, 2, (4, 3)).astype(np.float32)


def _shapes(distribution):
    return tuple(distribution.batch_shape), tuple(distribution.event_shape)


@pytest.mark.parametrize(
    ("build", "v"),
    [
        (lambda: BernoulliRBM(6, 3), RNG.integers(0, 2, (4, 6)).astype(np.float32)),
        (lambda: GaussianBernoulliRBM(6, 3), RNG.normal(size=(4, 6)).astype(np.float32)),
        (lambda: SoftmaxRBM(6, 4, 3), RNG.integers(0, 5, (4, 6))),
    ],
)
def test_rbm_encode_is_bernoulli_hidden_units_and_decode_the_visible_likelihood(build, v):
    rbm = build()
    posterior = rbm.encode(v)
    assert isinstance(posterior.distribution, tfd.Bernoulli)
    assert _shapes(posterior) == ((4,), (3,))
    np.testing.assert_allclose(posterior.mean(), rbm(v), rtol=1e-6)
    h = posterior.sample(seed=(0, 1))
    assert h.dtype == tf.float32 and set(np.unique(h)) <= {0.0, 1.0}
    likelihood = rbm.decode(HIDDEN)
    assert _shapes(likelihood) == ((4,), (6,))
    assert np.all(np.isfinite(likelihood.log_prob(likelihood.sample(seed=(0, 2)))))


def test_the_visible_likelihoods_of_each_unit_type():
    bernoulli = BernoulliRBM(6, 3).decode(HIDDEN)
    assert np.all((bernoulli.mean() > 0) & (bernoulli.mean() < 1))
    assert set(np.unique(bernoulli.sample(seed=(0, 3)))) <= {0.0, 1.0}

    gaussian_rbm = GaussianBernoulliRBM(6, 3, learn_sigma=True)
    gaussian_rbm.log_sigma.assign(np.log(np.linspace(0.5, 2.0, 6)).astype(np.float32))
    gaussian = gaussian_rbm.decode(HIDDEN)
    np.testing.assert_allclose(gaussian.stddev(), np.tile(np.linspace(0.5, 2.0, 6), (4, 1)), 1e-6)

    softmax = SoftmaxRBM(6, 4, 3).decode(HIDDEN)
    ratings = softmax.sample(seed=(0, 4)).numpy()
    assert set(np.unique(ratings)) <= {1.0, 2.0, 3.0, 4.0}
    assert np.all((softmax.mean() >= 1.0) & (softmax.mean() <= 4.0))


def test_dbn_encode_is_the_top_layer_given_the_data():
    x = RNG.integers(0, 2, (4, 6)).astype(np.float32)
    unlabelled = DBN([6, 4, 3], seed=0)
    top = unlabelled.encode(x)
    assert isinstance(top.distribution, tfd.Bernoulli) and _shapes(top) == ((4,), (3,))
    np.testing.assert_allclose(unlabelled(x), top.mean(), rtol=1e-6)
    labelled = DBN([6, 4, 3], num_labels=2, seed=0)
    top = labelled.encode(x)
    assert isinstance(top, tfd.MixtureSameFamily) and _shapes(top) == ((4,), (3,))
    # The mixture's weights are p(y | x), the softmax of the DBN's class logits.
    np.testing.assert_allclose(
        top.mixture_distribution.probs_parameter(), tf.nn.softmax(labelled.classify(x)), 1e-5
    )
