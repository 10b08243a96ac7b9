"""A zoo model seen as a `tfp.distributions.Distribution`.

`ModelDistribution` wraps a model that has `sample(num_samples, seed=None)` and
`log_prob(x)` so that it composes with the rest of TensorFlow Probability
(`tfd.Independent`, `tfd.Sample`, `tfd.Mixture`, ...). It is a live view: it holds the
model, not a copy of its weights, so it follows further training. Models create it with
`model.as_distribution(...)` (see `zoo.models.base.GenerativeModel`).
"""

import tensorflow as tf
import tensorflow_probability as tfp

from zoo.models.contract import supports

tfd = tfp.distributions


class ModelDistribution(tfd.Distribution):
    """The distribution p(x) of a zoo model: its `sample` and its `log_prob`.

    One event is one example of the model's data, `event_shape = model.data_shape`; the
    batch shape is scalar (one model is one distribution). `log_prob` is the model's own:
    exact for the autoregressive models (NADE, MADE, PixelCNN, PixelRNN), `-F(v) - log Z`
    with the model's cached (exact or AIS) log Z for Boltzmann machines, and the
    importance-weighted estimate for the VAE. Estimator arguments (e.g. the VAE's
    `num_samples` and `seed`) are fixed when the distribution is made. Samples are not
    reparameterized (discrete draws, Gibbs chains, sequential sampling).

    Args:
        model: A zoo model with `data_shape` that supports (`zoo.models.contract.supports`)
            `sample(num_samples, seed=None, ...)` and `log_prob(x, ...)`.
        log_prob_kwargs: Keyword arguments for every `model.log_prob` call, e.g.
            `{"num_samples": 100, "seed": 0}` for a VAE. Default none.
        sample_kwargs: Keyword arguments for every `model.sample` call, e.g.
            `{"burn_in": 200}` for an RBM. Default none.
        validate_args: Python `bool`, TFP's flag (there are no parameters to check;
            the model validates its data itself).
        allow_nan_stats: Python `bool`, TFP's flag.
        name: Name of the distribution; default the model's name.

    Raises:
        TypeError: when `model` does not support `log_prob` or `sample` (a zoo model
            that leaves it out of its `contract_methods`).

    #### Examples

    ```python
    import numpy as np
    import tensorflow_probability as tfp
    from zoo.models import NADE
    tfd = tfp.distributions

    nade = NADE(4, 3)
    p = nade.as_distribution()
    x = p.sample([2, 5], seed=0)               # [2, 5, 4]
    p.log_prob(x)                              # [2, 5]
    tfd.Sample(p, 3).log_prob(x[:, :3])        # [2]: i.i.d. triples
    mix = tfd.Mixture(tfd.Categorical(probs=[0.3, 0.7]),
                      [p, NADE(4, 2).as_distribution()])
    mix.log_prob(x)                            # [2, 5]
    ```

    #### References
    Dillon, Langmore, Tran, Brevdo, Vasudevan, Moore, Patton, Alemi, Hoffman, Saurous
    (2017). TensorFlow Distributions. arXiv:1711.10604.
    """

    def __init__(
        self,
        model,
        log_prob_kwargs=None,
        sample_kwargs=None,
        validate_args=False,
        allow_nan_stats=True,
        name=None,
    ):
        # Captured first, with the arguments exactly as given, so that `copy()` (which
        # calls `type(self)(**parameters)`) rebuilds an equal distribution.
        parameters = dict(locals())
        for method in ("sample", "log_prob"):
            if not supports(model, method):
                raise TypeError(
                    f"{type(model).__name__} has no `{method}` method in its contract; a "
                    "ModelDistribution needs a model with both `sample(num_samples, "
                    "seed=None)` and `log_prob(x)`."
                )
        self._model = model
        self._log_prob_kwargs = dict(log_prob_kwargs or {})
        self._sample_kwargs = dict(sample_kwargs or {})
        self._data_shape = tf.TensorShape([int(d) for d in model.data_shape])
        super().__init__(
            dtype=tf.float32,
            reparameterization_type=tfd.NOT_REPARAMETERIZED,
            validate_args=validate_args,
            allow_nan_stats=allow_nan_stats,
            parameters=parameters,
            name=name or model.name,
        )

    @property
    def model(self):
        """The wrapped zoo model."""
        return self._model

    @property
    def log_prob_kwargs(self):
        """The keyword arguments given to every `model.log_prob` call."""
        return dict(self._log_prob_kwargs)

    @property
    def sample_kwargs(self):
        """The keyword arguments given to every `model.sample` call."""
        return dict(self._sample_kwargs)

    @property
    def trainable_variables(self):
        """The model's trainable variables (a Keras 3 model is not a `tf.Module`)."""
        return tuple(self._model.trainable_variables)

    @property
    def variables(self):
        """All the model's variables."""
        return tuple(self._model.variables)

    @classmethod
    def _parameter_properties(cls, dtype, num_classes=None):
        # The model is not a Tensor parameter: there is nothing to batch or to slice.
        return {}

    def _event_shape(self):
        return self._data_shape

    def _event_shape_tensor(self):
        return tf.constant(self._data_shape.as_list(), tf.int32)

    def _batch_shape(self):
        return tf.TensorShape([])

    def _batch_shape_tensor(self):
        return tf.constant([], tf.int32)

    def _sample_n(self, n, seed=None):
        static_n = tf.get_static_value(n)
        num_samples = int(static_n) if static_n is not None else n
        samples = self._model.sample(num_samples, seed=seed, **self._sample_kwargs)
        return tf.cast(samples, self.dtype)

    def _log_prob(self, x):
        x = tf.convert_to_tensor(x, self.dtype)
        event_rank = self._data_shape.rank
        if x.shape.rank is not None and (
            x.shape.rank < event_rank
            or not x.shape[x.shape.rank - event_rank :].is_compatible_with(self._data_shape)
        ):
            raise ValueError(
                f"{self.name}: x must have shape [..., {', '.join(map(str, self._data_shape))}]"
                f" (sample and batch axes, then the event shape); got {x.shape}."
            )
        leading_shape = tf.shape(x)[: tf.rank(x) - event_rank]
        examples = tf.reshape(x, [-1, *self._data_shape.as_list()])
        log_prob = self._model.log_prob(examples, **self._log_prob_kwargs)
        return tf.reshape(tf.cast(log_prob, self.dtype), leading_shape)
