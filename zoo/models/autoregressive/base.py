"""What every autoregressive model shares: maximum-likelihood training on exact log p(x).

An autoregressive model factorises p(x) = prod_i p(x_i | x_<i) in a fixed order, so the
log-likelihood is exact and the loss is simply the negative log-likelihood. Subclasses
implement `_negative_log_likelihood(x, condition, training)` (per example, in nats) and
`log_prob`; this base class provides `train_step` / `test_step` and the `loss` tracker.
"""

import keras
import tensorflow as tf


class AutoregressiveModel(keras.Model):
    """Base of NADE, MADE, PixelCNN and PixelRNN: fit by minimising -log p(x) in nats.

    `fit(x)` trains an unconditional model; `fit(x, y)` passes `y` as the condition to
    models built with a condition (`MADE(conditional_dim=...)`, `PixelCNN(num_classes=...)`).
    The metric `loss` is the mean negative log-likelihood per example, in nats.
    """

    #: Whether `fit(x, y)` feeds `y` to the model; subclasses set it in `__init__`.
    is_conditional = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def _negative_log_likelihood(self, x, condition, training):
        """Per-example -log p(x | condition) in nats, shape [batch]."""
        raise NotImplementedError

    def _unpack(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self.is_conditional and y is None:
            raise ValueError(
                f"{type(self).__name__} is conditional: call fit/evaluate with (x, condition)."
            )
        return x, (y if self.is_conditional else None)

    def train_step(self, data):
        x, condition = self._unpack(data)
        with tf.GradientTape() as tape:
            nll = self._negative_log_likelihood(x, condition, training=True)
            loss = tf.nn.compute_average_loss(nll)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(nll)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, condition = self._unpack(data)
        self.loss_tracker.update_state(self._negative_log_likelihood(x, condition, training=False))
        return {m.name: m.result() for m in self.metrics}
