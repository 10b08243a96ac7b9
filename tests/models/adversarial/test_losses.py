"""GAN losses: formulas on hand-computed logits, gradients, optimal discriminators."""

import math

import numpy as np
import pytest
import tensorflow as tf

from zoo.models.adversarial import losses

# Also run under the other oneDNN setting by .ci/run (CPU kernels differ in numerics).
pytestmark = pytest.mark.numerics

LN3 = math.log(3.0)  # sigmoid(ln 3) = 0.75; sigmoid(0) = 0.5; sigmoid(-ln 3) = 0.25


def test_minimax_discriminator_loss_matches_formula():
    got = losses.minimax_discriminator_loss([[LN3], [0.0]], [[0.0], [-LN3]])
    want = [-math.log(0.75) - math.log(0.5), -math.log(0.5) - math.log(0.75)]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_one_sided_smoothing_changes_real_targets_only():
    alpha = 0.1
    got = losses.minimax_discriminator_loss([LN3], [LN3], label_smoothing=alpha)
    real = -((1 - alpha) * math.log(0.75) + alpha * math.log(0.25))
    fake = -math.log(0.25)  # target 0 for fakes, unsmoothed
    np.testing.assert_allclose(got, [real + fake], rtol=1e-6)


def test_generator_losses_match_formulas():
    logits = [LN3, 0.0, -LN3]
    d = np.array([0.75, 0.5, 0.25])
    np.testing.assert_allclose(losses.minimax_generator_loss(logits), np.log(1 - d), rtol=1e-6)
    np.testing.assert_allclose(losses.non_saturating_generator_loss(logits), -np.log(d), rtol=1e-6)


def test_least_squares_losses_match_formulas():
    real, fake = np.array([2.0, -1.0]), np.array([0.5, 3.0])
    np.testing.assert_allclose(
        losses.least_squares_discriminator_loss(real, fake, label_smoothing=0.2),
        0.5 * (real - 0.8) ** 2 + 0.5 * fake**2,
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        losses.least_squares_generator_loss(fake), 0.5 * (fake - 1) ** 2, rtol=1e-6
    )


def test_wasserstein_losses_match_formulas():
    real, fake = np.array([2.0, -1.0]), np.array([0.5, 3.0])
    np.testing.assert_allclose(losses.wasserstein_critic_loss(real, fake), fake - real)
    np.testing.assert_allclose(losses.wasserstein_generator_loss(fake), -fake)
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.wasserstein_critic_loss(real, fake, label_smoothing=0.1)


def test_gradient_penalty_of_linear_critic():
    # critic(x) = w . x has input gradient w everywhere: penalty (|w| - 1)^2.
    w = tf.constant([[3.0], [4.0]])
    points = tf.random.normal([5, 2])
    got = losses.gradient_penalty(lambda x: x @ w, points, epsilon=0.0)
    np.testing.assert_allclose(got, np.full(5, (5.0 - 1.0) ** 2), rtol=1e-6)


def test_gradient_penalty_keeps_epsilon_inside_the_norm():
    # A constant critic has zero input gradient: |g| = sqrt(0 + eps), and the penalty's
    # own gradient w.r.t. the critic's weights stays finite (no 0/0 from d sqrt at 0).
    w = tf.Variable([[0.0], [0.0]])
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(lambda x: x @ w, tf.ones([3, 2]), epsilon=1e-12)
    grad = tape.gradient(penalty, w)
    np.testing.assert_allclose(penalty, np.full(3, (1e-6 - 1.0) ** 2), rtol=1e-6)
    assert np.all(np.isfinite(grad))


def test_interpolation_draws_one_uniform_weight_per_example():
    real = tf.zeros([400, 3, 2])
    fake = tf.ones([400, 3, 2])
    points = losses.interpolate(real, fake, seed=1).numpy()  # = 1 - epsilon, per example
    per_example = points.reshape(400, -1)
    np.testing.assert_array_equal(per_example, per_example[:, :1].repeat(6, axis=1))
    assert 0.0 <= per_example.min() and per_example.max() <= 1.0
    # Uniform on [0, 1]: mean 1/2 and variance 1/12, well inside 5 standard errors.
    assert abs(per_example[:, 0].mean() - 0.5) < 5 * math.sqrt(1 / 12 / 400)
    assert abs(per_example[:, 0].var() - 1 / 12) < 0.02


def _generator_gradient(loss_fn, logits):
    logits = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = tf.reduce_sum(loss_fn(logits))
    return tape.gradient(loss, logits).numpy()


def test_minimax_and_non_saturating_differ_where_discriminator_rejects():
    rejected = [-10.0, -20.0]  # D(G(z)) -> 0
    minimax = _generator_gradient(losses.minimax_generator_loss, rejected)
    saturating_free = _generator_gradient(losses.non_saturating_generator_loss, rejected)
    assert np.all(np.abs(minimax) < 1e-4)  # d/dl log(1 - sigmoid(l)) = -sigmoid(l) -> 0
    assert np.all(saturating_free < -0.99)  # d/dl -log sigmoid(l) = sigmoid(l) - 1 -> -1
    # Both push the same way everywhere: towards a higher D(G(z)).
    grid = np.linspace(-8, 8, 17).astype(np.float32)
    assert np.all(_generator_gradient(losses.minimax_generator_loss, grid) < 0)
    assert np.all(_generator_gradient(losses.non_saturating_generator_loss, grid) < 0)


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_both_generator_losses_are_stationary_at_p_model_equal_p_data(name):
    # Generator = softmax over 4 states; discriminator = its optimum D* for the current
    # p_model, held fixed while the generator takes its gradient (the game's fixed point).
    p_data = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
    loss = losses.get_loss(name).generator

    def generator_gradient(p_model):
        logits = tf.Variable(np.log(p_model))
        d_star = p_data / (p_data + p_model)
        d_logits = tf.constant(np.log(d_star / (1 - d_star)))
        with tf.GradientTape() as tape:
            value = tf.reduce_sum(tf.nn.softmax(logits) * loss(d_logits))
        return tape.gradient(value, logits).numpy()

    np.testing.assert_allclose(generator_gradient(p_data), 0.0, atol=1e-6)
    assert np.abs(generator_gradient(p_data[::-1].copy())).max() > 1e-2


@pytest.mark.parametrize("name", ["minimax", "least_squares"])
@pytest.mark.parametrize("alpha", [0.0, 0.2])
def test_discriminator_converges_to_optimum(name, alpha):
    # Discrete toy: 4 states; a table discriminator (one free logit per state) trained to
    # convergence on exact-frequency batches from p_data and a fixed p_model.
    p_data = np.array([0.1, 0.2, 0.3, 0.4])
    p_model = np.array([0.4, 0.3, 0.2, 0.1])
    real_states = np.repeat(np.arange(4), (p_data * 100).astype(int))
    fake_states = np.repeat(np.arange(4), (p_model * 100).astype(int))
    table = tf.Variable(tf.zeros([4]))
    d_loss = losses.get_loss(name).discriminator

    @tf.function
    def train(steps):
        for _ in tf.range(steps):  # plain gradient descent on a convex problem
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(
                    d_loss(
                        tf.gather(table, real_states),
                        tf.gather(table, fake_states),
                        alpha,
                    )
                )
            table.assign_sub(2.0 * tf.convert_to_tensor(tape.gradient(loss, table)))

    train(tf.constant(3000))
    d = table.numpy()
    if name == "minimax":
        d = 1 / (1 + np.exp(-d))  # the least-squares discriminator outputs D directly
    np.testing.assert_allclose(d, (1 - alpha) * p_data / (p_data + p_model), atol=2e-3)


def test_unknown_loss_and_bad_smoothing_raise():
    with pytest.raises(ValueError, match="non_saturating"):
        losses.get_loss("hinge")
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        losses.minimax_discriminator_loss([0.0], [0.0], label_smoothing=1.0)
