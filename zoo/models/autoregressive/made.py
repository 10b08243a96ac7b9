"""MADE: a masked autoencoder whose outputs are the conditionals p(x_i | x_<i).

Every input position gets a degree (its rank in the order, 1..D) and every hidden unit a
degree in [min degree of the layer below, D - 1]. A hidden connection is kept when the
unit's degree is >= the degree feeding it; an output connection when the output's degree
is strictly greater. Output i then depends only on inputs before i in the order.

With `num_masks > 1` the same weights are trained under several connectivity patterns
(and, with `order="random"`, several orders), one per training step in turn; at test time
the members form an ensemble p(x) = (1/K) sum_k p_k(x), whose log is the log-mean-exp of
the members' log-probabilities (not an average of logits).
"""

import itertools

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import check_in_range, check_inner_shape
from zoo.layers.masked import MaskedDense
from zoo.models.autoregressive.base import AutoregressiveModel
from zoo.models.contract import ConditionSpec
from zoo.random import stateless_seed

tfd = tfp.distributions

ORDERS = ("natural", "random")


def made_masks(input_dim, hidden_units, num_masks=1, order="natural", seed=0):
    """Orders and connectivity masks of a MADE.

    With one mask the hidden degrees split [1, D - 1] into `H + 1` equal segments (as
    TFP's `AutoregressiveNetwork` with `hidden_degrees="equal"`); with several, each mask
    draws its hidden degrees at random (connectivity-agnostic training). With
    `order="random"` each mask also draws its own order (order-agnostic training).

    Args:
        input_dim: Number of variables D.
        hidden_units: Sizes of the hidden layers.
        num_masks: Number of masks K.
        order: `"natural"` (0, 1, ..., D-1) or `"random"`.
        seed: Seed of the numpy generator that draws degrees and orders.

    Returns:
        `(orders, layer_masks, direct_mask)`: int array `[K, D]` (position filled at each
        step), a list with one `[K, fan_in, fan_out]` 0/1 array per layer (hidden layers,
        then the output layer), and the `[K, D, D]` mask of direct input->output links.
    """
    rng = np.random.default_rng(seed)
    orders, layer_masks, direct = [], [[] for _ in range(len(hidden_units) + 1)], []
    for _ in range(num_masks):
        perm = rng.permutation(input_dim) if order == "random" else np.arange(input_dim)
        input_degrees = np.empty(input_dim, dtype=int)
        input_degrees[perm] = np.arange(1, input_dim + 1)
        degrees = [input_degrees]
        for units in hidden_units:
            low = min(degrees[-1].min(), input_dim - 1)
            if num_masks == 1:
                even = np.ceil(np.arange(1, units + 1) * (input_dim - 1) / (units + 1))
                hidden = np.maximum(low, even.astype(int))
            else:
                hidden = rng.integers(low, input_dim, size=units)
            degrees.append(hidden)
        for i, (below, above) in enumerate(itertools.pairwise(degrees)):
            layer_masks[i].append(above[None, :] >= below[:, None])
        layer_masks[-1].append(input_degrees[None, :] > degrees[-1][:, None])
        direct.append(input_degrees[None, :] > input_degrees[:, None])
        orders.append(perm)

    def as_float(masks):
        return np.stack(masks).astype("float32")

    return np.stack(orders), [as_float(m) for m in layer_masks], as_float(direct)


@keras.saving.register_keras_serializable(package="zoo")
class MADE(AutoregressiveModel):
    """Masked autoencoder for distribution estimation over binary vectors.

    Args:
        input_dim: Number of binary variables D.
        hidden_units: Sizes of the hidden layers.
        num_masks: Number K of connectivity patterns sharing the weights; training
            cycles through them (one per step), `log_prob` is their ensemble.
        order: `"natural"` or `"random"` (one random order per mask).
        direct_connections: Add masked direct input->output weights.
        conditional_dim: Size of a conditioning vector fed (unmasked) to every layer, or
            None. A conditional model is fit with `fit(x, condition)`.
        activation: Activation of the hidden layers.
        seed: Seed of the masks' degrees and orders (part of the architecture).
        **kwargs: Passed to `keras.Model`.

    Raises:
        ValueError: for an unknown `order`, `num_masks < 1` or empty `hidden_units`.

    #### Examples

    ```python
    model = MADE(784, hidden_units=[500], num_masks=8, order="random")
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(binary_images.reshape(-1, 784), epochs=5)
    model.log_prob(binary_images[:8].reshape(-1, 784))   # ensemble of 8 masks
    model.sample(16, seed=0)
    ```

    #### References
    - Germain, Gregor, Murray, Larochelle (2015). MADE: Masked Autoencoder for
      Distribution Estimation. ICML.
    """

    def __init__(
        self,
        input_dim,
        hidden_units=(500,),
        num_masks=1,
        order="natural",
        direct_connections=False,
        conditional_dim=None,
        activation="relu",
        seed=0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}; got {order!r}.")
        if num_masks < 1 or not hidden_units:
            raise ValueError(
                f"MADE needs num_masks >= 1 and at least one hidden layer; got "
                f"num_masks={num_masks}, hidden_units={hidden_units}."
            )
        self.input_dim = int(input_dim)
        self.hidden_units = [int(u) for u in hidden_units]
        self.num_masks = int(num_masks)
        self.order = order
        self.direct_connections = bool(direct_connections)
        self.conditional_dim = conditional_dim
        self.is_conditional = conditional_dim is not None
        self.activation = activation
        self.seed = int(seed)
        self.data_shape = (self.input_dim,)

        orders, layer_masks, direct_mask = made_masks(
            self.input_dim, self.hidden_units, self.num_masks, order, self.seed
        )
        self.orders = tf.constant(orders, tf.int32)
        units = [*self.hidden_units, self.input_dim]
        self.masked_layers = [
            MaskedDense(u, mask=m, name=f"masked_{i}")
            for i, (u, m) in enumerate(zip(units, layer_masks, strict=True))
        ]
        self.direct = (
            MaskedDense(self.input_dim, mask=direct_mask, use_bias=False, name="direct")
            if self.direct_connections
            else None
        )
        self.condition_layers = (
            [
                keras.layers.Dense(u, use_bias=False, name=f"condition_{i}")
                for i, u in enumerate(units)
            ]
            if self.is_conditional
            else []
        )
        self.hidden_activation = keras.activations.get(activation)
        dummy_condition = tf.zeros([1, conditional_dim]) if self.is_conditional else None
        self(tf.zeros([1, self.input_dim]), condition=dummy_condition)

    @property
    def condition_spec(self):
        """With `conditional_dim`: a float vector per example, taken by `sample` and `log_prob`.

        None for an unconditional MADE (see `GenerativeModel` and `ConditionSpec`).
        """
        if self.conditional_dim is None:
            return None
        return ConditionSpec(methods=("sample", "log_prob"), shape=(int(self.conditional_dim),))

    def call(self, x, condition=None, mask_index=0):
        """Logits of p(x_i = 1 | x_<i) under mask `mask_index`, shape [batch, D]."""
        x = tf.cast(x, self.compute_dtype)
        h = x
        for i, layer in enumerate(self.masked_layers):
            h = layer(h, mask_index=mask_index)
            if self.is_conditional:
                h = h + self.condition_layers[i](tf.cast(condition, self.compute_dtype))
            if i < len(self.hidden_units):
                h = self.hidden_activation(h)
        if self.direct is not None:
            h = h + self.direct(x, mask_index=mask_index)
        return h

    def _validate(self, x, condition):
        check_inner_shape(x, self.data_shape)
        if self.is_conditional:
            if condition is None:
                raise ValueError("This MADE is conditional: pass `condition`.")
            check_inner_shape(condition, (self.conditional_dim,), name="condition")
        elif condition is not None:
            raise ValueError("This MADE has no condition (conditional_dim=None).")
        return check_in_range(x, 0.0, 1.0, what="binary MADE variables")

    def _member_log_prob(self, x, condition, mask_index):
        # The Bernoulli log-likelihood sum_i x_i log p_i + (1 - x_i) log(1 - p_i) as
        # TensorFlow's fused cross-entropy op: the values of tfd.Bernoulli(logits).log_prob
        # with one kernel (and one gradient kernel) instead of several element-wise ops.
        logits = self(x, condition=condition, mask_index=mask_index)
        cross_entropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)
        return -tf.reduce_sum(cross_entropy, axis=-1)

    def member_log_probs(self, x, condition=None):
        """The log p_k(x) of each mask k, shape [num_masks, batch] (nats)."""
        x = tf.cast(self._validate(x, condition), self.compute_dtype)
        return tf.stack([self._member_log_prob(x, condition, k) for k in range(self.num_masks)])

    def log_prob(self, x, condition=None):
        """Exact log p(x) of the mask ensemble, log((1/K) sum_k p_k(x)), in nats.

        Args:
            x: Binary array `[batch, input_dim]` (values in [0, 1]).
            condition: `[batch, conditional_dim]` for a conditional MADE, else None.

        Returns:
            float32 tensor `[batch]`.

        Raises:
            ValueError: for another shape, values outside [0, 1], or a missing or
                unexpected condition.
        """
        members = self.member_log_probs(x, condition)
        return tf.reduce_logsumexp(members, axis=0) - tf.math.log(float(self.num_masks))

    def _negative_log_likelihood(self, x, condition, training):
        # Evaluation: the ensemble. Training steps use one mask (`_per_example_loss`).
        return -self.log_prob(x, condition)

    #: The update runs as one XLA computation, which fuses the optimizer's element-wise
    #: updates and the masking: less CPU per step than the same ops without XLA
    #: (benchmarks/RESULTS.md, MADE vs TFP).
    jit_update = True

    def _loss_inputs(self, data, training):
        (x, condition), sample_weight = super()._loss_inputs(data, training)
        if training:
            # The data checks, before (and outside) the XLA update, which would drop them.
            x = tf.cast(self._validate(x, condition), self.compute_dtype)
            if condition is not None:
                condition = tf.cast(condition, self.compute_dtype)
        return (x, condition), sample_weight

    def _per_example_loss(self, inputs, training):
        if not training:
            return super()._per_example_loss(inputs, training)  # the ensemble
        # Training cycles through the masks, one per step: the NLL under the step's mask.
        x, condition = inputs
        mask_index = tf.cast(self.optimizer.iterations % self.num_masks, tf.int32)
        return -self._member_log_prob(x, condition, mask_index), {}

    def sample(self, num_samples, seed=None, *, condition=None):
        """Draw from the ensemble: a mask uniformly per sample, then its order step by step.

        Args:
            num_samples: Number of vectors.
            seed: Integer or shape-[2] seed; the same seed gives the same samples.
            condition: `[num_samples, conditional_dim]` for a conditional MADE.

        Returns:
            float32 tensor `[num_samples, input_dim]` of 0/1.
        """
        if self.is_conditional:
            if condition is None:
                raise ValueError("This MADE is conditional: pass `condition`.")
            check_inner_shape(condition, (self.conditional_dim,), name="condition")
            condition = tf.convert_to_tensor(condition, self.compute_dtype)
        return self._sample(
            tf.convert_to_tensor(num_samples, tf.int32), stateless_seed(seed), condition
        )

    @tf.function(reduce_retracing=True)
    def _sample(self, num_samples, seed, condition):
        member = tf.random.stateless_uniform(
            [num_samples], seed, maxval=self.num_masks, dtype=tf.int32
        )
        orders = tf.gather(self.orders, member)  # [B, D]

        def step(t, x):
            logits = tf.stack(
                [self(x, condition=condition, mask_index=k) for k in range(self.num_masks)], axis=1
            )
            logits = tf.gather(logits, member, axis=1, batch_dims=1)  # [B, D]
            draw = tfd.Bernoulli(logits=logits, dtype=x.dtype).sample(
                seed=tf.random.experimental.stateless_fold_in(seed, t)
            )
            now = tf.one_hot(orders[:, t], self.input_dim) > 0
            return t + 1, tf.where(now, draw, x)

        _, x = tf.while_loop(
            lambda t, _: t < self.input_dim,
            step,
            (tf.constant(0), tf.zeros([num_samples, self.input_dim], self.compute_dtype)),
        )
        return x

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "hidden_units": self.hidden_units,
            "num_masks": self.num_masks,
            "order": self.order,
            "direct_connections": self.direct_connections,
            "conditional_dim": self.conditional_dim,
            "activation": self.activation,
            "seed": self.seed,
        }
