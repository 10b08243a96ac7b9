"""What the models' training steps share.

- `metric_logs(model)`: the logs a `train_step` / `test_step` returns.
- `LossTermsSteps`: the `train_step` / `test_step` pair of models trained on one
  differentiable loss.
"""

import tensorflow as tf


def metric_logs(model) -> dict:
    """`{name: result}` of every metric of `model`: what a `train_step` returns to Keras."""
    return {metric.name: metric.result() for metric in model.metrics}


class LossTermsSteps:
    """Mixin for a `keras.Model` with `_loss_terms(data, training)` and `_update_metrics`.

    `_loss_terms` returns a tuple whose first item is the scalar training loss (already
    averaged over the global batch); `_update_metrics(*terms)` records the trackers and
    returns the logs. The mixin differentiates the loss, applies the optimizer, and gives
    `evaluate` the same terms without the update.
    """

    def train_step(self, data):
        with tf.GradientTape() as tape:
            terms = self._loss_terms(data, training=True)
        gradients = tape.gradient(terms[0], self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        return self._update_metrics(*terms)

    def test_step(self, data):
        return self._update_metrics(*self._loss_terms(data, training=False))
