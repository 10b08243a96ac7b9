"""What the models' training steps share.

- `metric_logs(model)`: the logs a `train_step` / `test_step` returns.
- `PerExampleLossSteps`: the `train_step` / `test_step` pair of models trained by
  gradient descent on the mean of a per-example loss (the VAE, the autoencoders, the
  autoregressive models).
"""

import keras
import tensorflow as tf


def metric_logs(model) -> dict:
    """`{name: result}` of every metric of `model`: what a `train_step` returns to Keras."""
    return {metric.name: metric.result() for metric in model.metrics}


class PerExampleLossSteps:
    """Mixin giving a `keras.Model` the steps of gradient descent on a per-example loss.

    A subclass says what one example costs; this class makes the steps. `train_step`
    averages the per-example loss over the global batch with `tf.nn.compute_average_loss`
    (so a `tf.distribute` strategy takes the step of one device on the same global
    batch), adds the model's regularization losses (`self.losses`, scaled by
    `tf.nn.scale_regularization_loss`), differentiates, applies the optimizer and records
    the metrics. `test_step` records the same metrics without the update. Both return
    `metric_logs(self)`.

    Put it before the `keras.Model` base: `class VAE(PerExampleLossSteps, GenerativeModel)`.

    A subclass supplies:

    - `_per_example_loss(inputs, training)`: `(loss, terms)`, the loss of each example,
      a `[batch]` tensor, and a dict `{metric name: [batch] tensor}` of the other
      per-example values the model reports (empty when it reports only the loss). The
      training step minimises `sum(sample_weight * loss) / global_batch_size`. Training
      noise is drawn here, from `zoo.random.next_seed(self.seed_generator)` and through
      `zoo.random.replica_batch_noise` so that replicas draw distinct rows.
    - `metrics`: its `keras.metrics.Mean` trackers: one named `"loss"` and one per name
      of `terms`.

    and may override:

    - `_loss_inputs(data, training)`: `(inputs, sample_weight)` from a batch of `fit` /
      `evaluate` data, where `inputs` is what `_per_example_loss` takes. By default
      `inputs` is `x` and the sample weights are `fit`'s. Checks of the data that the
      training step must keep belong here when `jit_update` is set (see below).
    - `_update_metrics(loss, terms, sample_weight)`: records the step's values. By
      default the metric `"loss"` gets `loss` and every other term the metric of its
      name, each weighted by `sample_weight`.
    - `jit_update`: set to True to run the update (forward, backward and the optimizer's
      step) as one XLA computation. It applies in graph mode on a single replica only,
      not with `compile(run_eagerly=True)` nor under a multi-replica `tf.distribute`
      strategy; and as XLA drops assertions, only a subclass whose `_loss_inputs` makes
      every data check may set it.

    #### Examples

    A least-squares line through the origin, whose per-example loss is the squared
    residual:

    ```python
    >>> import keras, numpy as np, tensorflow as tf
    >>> from zoo.models.steps import PerExampleLossSteps
    >>> class Line(PerExampleLossSteps, keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.slope = self.add_weight(shape=(), initializer="zeros", name="slope")
    ...         self.loss_tracker = keras.metrics.Mean(name="loss")
    ...         self.residual_tracker = keras.metrics.Mean(name="residual")
    ...
    ...     @property
    ...     def metrics(self):
    ...         return [self.loss_tracker, self.residual_tracker]
    ...
    ...     def _loss_inputs(self, data, training):
    ...         x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    ...         return (x, y), sample_weight
    ...
    ...     def _per_example_loss(self, inputs, training):
    ...         x, y = inputs
    ...         residual = y - self.slope * x
    ...         return tf.square(residual), {"residual": residual}
    >>> line = Line()
    >>> line.compile(optimizer=keras.optimizers.SGD(0.1))
    >>> x = np.array([1.0, 2.0], "float32")
    >>> logs = line.fit(x, 3 * x, batch_size=2, verbose=0).history
    >>> print(round(float(line.slope.numpy()), 4))  # 0.1 * mean(2 x y) = 0.1 * 15
    1.5
    >>> print({name: round(float(value[0]), 4) for name, value in logs.items()})
    {'loss': 22.5, 'residual': 4.5}
    >>> print(line.evaluate(x, 3 * x, verbose=0, return_dict=True))
    {'loss': 5.625, 'residual': 2.25}

    ```
    """

    #: Whether `train_step` runs the update as one XLA computation (see the class docs).
    jit_update = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The XLA update made by the first `train_step` when `jit_update`, and the id of
        # the optimizer it was traced with (`compile` may bring another one).
        self._compiled_update, self._compiled_for = None, None

    def _loss_inputs(self, data, training):
        """`(inputs, sample_weight)`: `x` and the sample weights of a `fit` batch."""
        x, _, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        return x, sample_weight

    def _per_example_loss(self, inputs, training):
        """`(loss [batch], {metric name: [batch] values})`; see the class docs."""
        raise NotImplementedError

    def _update_metrics(self, loss, terms, sample_weight):
        """Record `loss` in the metric `"loss"` and each term in the metric of its name."""
        metrics = {metric.name: metric for metric in self.metrics}
        metrics["loss"].update_state(loss, sample_weight=sample_weight)
        for name, values in terms.items():
            metrics[name].update_state(values, sample_weight=sample_weight)

    def _update(self, inputs, sample_weight):
        """One optimizer step on the global-batch mean loss; returns `_per_example_loss`."""
        with tf.GradientTape() as tape:
            loss, terms = self._per_example_loss(inputs, training=True)
            mean_loss = tf.nn.compute_average_loss(loss, sample_weight=sample_weight)
            if self.losses:
                mean_loss += tf.nn.scale_regularization_loss(tf.add_n(self.losses))
        gradients = tape.gradient(mean_loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        return loss, terms

    def _update_function(self):
        """`_update`, or its XLA compilation when `jit_update` is set.

        The XLA form is used in graph mode on a single replica only: not with
        `compile(run_eagerly=True)` nor under a multi-replica `tf.distribute` strategy.
        """
        multi_replica = tf.distribute.get_strategy().num_replicas_in_sync > 1
        if not self.jit_update or self.run_eagerly or multi_replica:
            return self._update
        if self._compiled_for != id(self.optimizer):
            self._compiled_update = tf.function(self._update, jit_compile=True)
            self._compiled_for = id(self.optimizer)
        return self._compiled_update

    def train_step(self, data):
        inputs, sample_weight = self._loss_inputs(data, training=True)
        loss, terms = self._update_function()(inputs, sample_weight)
        self._update_metrics(loss, terms, sample_weight)
        return metric_logs(self)

    def test_step(self, data):
        inputs, sample_weight = self._loss_inputs(data, training=False)
        loss, terms = self._per_example_loss(inputs, training=False)
        self._update_metrics(loss, terms, sample_weight)
        return metric_logs(self)
