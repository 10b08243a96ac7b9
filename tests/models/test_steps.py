"""`PerExampleLossSteps` on a model whose per-example loss and gradient are known.

The model fits y ~ x . w with the per-example loss l_i = (y_i - x_i . w)^2 / 2, whose
gradient is -r_i x_i for the residual r_i = y_i - x_i . w. One SGD step on a batch of n
examples with sample weights s_i must move w by learning_rate * sum_i s_i r_i x_i / n
(`tf.nn.compute_average_loss` divides by the global batch size, not by the weights' sum).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.models.steps import PerExampleLossSteps, metric_logs

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 3)).astype("float32")
Y = RNG.normal(size=8).astype("float32")
SAMPLE_WEIGHT = RNG.uniform(0.5, 2.0, size=8).astype("float32")
W0 = np.array([0.5, -1.0, 2.0], "float32")
LEARNING_RATE = 0.1


class LeastSquares(PerExampleLossSteps, keras.Model):
    """y ~ x . w, reporting the loss and the mean residual."""

    def __init__(self, weight_penalty=None, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(
            shape=(3,),
            initializer=keras.initializers.Constant(W0),
            regularizer=weight_penalty,
            name="w",
        )
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.residual_tracker = keras.metrics.Mean(name="residual")

    @property
    def metrics(self):
        return [self.loss_tracker, self.residual_tracker]

    def _loss_inputs(self, data, training):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        return (x, y), sample_weight

    def _per_example_loss(self, inputs, training):
        x, y = inputs
        residual = y - tf.linalg.matvec(x, self.w)
        return 0.5 * tf.square(residual), {"residual": residual}


class JitLeastSquares(LeastSquares):
    jit_update = True


def _trained(model_class=LeastSquares, run_eagerly=False, **fit_kwargs):
    model = model_class()
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE), run_eagerly=run_eagerly)
    history = model.fit(X, Y, batch_size=len(X), epochs=1, shuffle=False, verbose=0, **fit_kwargs)
    return model, {name: values[0] for name, values in history.history.items()}


def _residual(w=W0):
    return Y - X @ w


@pytest.mark.parametrize("weighted", [False, True])
def test_the_step_applies_the_global_batch_mean_of_the_per_example_gradients(weighted):
    sample_weight = SAMPLE_WEIGHT if weighted else np.ones_like(Y)
    model, logs = _trained(sample_weight=SAMPLE_WEIGHT if weighted else None)
    residual = _residual()
    per_example_gradients = -residual[:, None] * X
    mean_gradient = (sample_weight[:, None] * per_example_gradients).sum(0) / len(X)
    np.testing.assert_allclose(model.w.numpy(), W0 - LEARNING_RATE * mean_gradient, rtol=1e-5)
    # The metrics are the (weighted) means of the values before the update.
    assert logs["loss"] == pytest.approx(np.average(0.5 * residual**2, weights=sample_weight))
    assert logs["residual"] == pytest.approx(np.average(residual, weights=sample_weight))


def test_the_regularization_losses_join_the_mean_loss():
    model, _ = _trained(lambda: LeastSquares(weight_penalty=keras.regularizers.L2(0.5)))
    mean_gradient = -(_residual()[:, None] * X).mean(0) + W0  # d/dw of 0.5 * |w|^2 is w
    np.testing.assert_allclose(model.w.numpy(), W0 - LEARNING_RATE * mean_gradient, rtol=1e-5)


def test_evaluate_reports_the_same_terms_and_updates_nothing():
    model = LeastSquares()
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE))
    logs = model.evaluate(X, Y, batch_size=4, verbose=0, return_dict=True)
    np.testing.assert_array_equal(model.w.numpy(), W0)
    assert int(model.optimizer.iterations.numpy()) == 0
    residual = _residual()
    assert logs["loss"] == pytest.approx(np.mean(0.5 * residual**2), rel=1e-5)
    assert logs["residual"] == pytest.approx(np.mean(residual), rel=1e-5)


def test_the_xla_update_equals_the_plain_update():
    xla, xla_logs = _trained(JitLeastSquares)
    plain, plain_logs = _trained(LeastSquares)
    assert xla._compiled_update is not None and plain._compiled_update is None
    np.testing.assert_allclose(xla.w.numpy(), plain.w.numpy(), rtol=1e-6)
    assert xla_logs == pytest.approx(plain_logs, rel=1e-6)


def test_the_xla_update_is_not_used_when_running_eagerly():
    model, _ = _trained(JitLeastSquares, run_eagerly=True)
    assert model._compiled_update is None
    assert model._update_function() == model._update


def test_metric_logs_are_the_results_of_the_model_metrics():
    model = LeastSquares()
    model.loss_tracker.update_state([1.0, 3.0])
    assert {name: float(value) for name, value in metric_logs(model).items()} == {
        "loss": 2.0,
        "residual": 0.0,
    }
