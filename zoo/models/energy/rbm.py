"""Restricted Boltzmann machines.

One base (energy, Gibbs, CD-k / PCD, partition function) and the Bernoulli and
Gaussian-Bernoulli visible units.

An RBM with visible units v and binary hidden units h has the energy

    E(v, h) = -visible_term(v) - c^T h - h^T W^T s(v),

with s(v) = v for binary units and v / sigma for Gaussian ones. Summing h out gives the free
energy F(v) = -visible_term(v) - sum_j softplus(c_j + (W^T s(v))_j), so p(v) = exp(-F(v)) / Z.
Both conditionals factorize: p(h_j = 1 | v) = sigmoid(c_j + (W^T s(v))_j), and p(v | h) is
a product of per-unit distributions (Bernoulli, Gaussian, or a K-way softmax in
`zoo.models.energy.softmax_rbm`).

Training minimizes mean F(v_data) - mean F(stop_gradient(v_model)), whose gradient is the
contrastive-divergence update: v_model is the end of k block-Gibbs steps started at the data
(CD-k, Hinton 2002) or at persistent chains kept across updates (PCD, Tieleman 2008).

Subclasses define the visible units through four methods: `_visible_term`, `_sample_visible`,
`_log_normalizer` and `_hidden_free_energy`; everything else is shared. The training step is
written in four public methods, `hidden_logits`, `free_energy(v, hidden_logits)`,
`negative_phase` and `penalty`, which the `DBN` also uses for its top-level RBM.
"""

import math

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import check_finite, check_in_range, check_inner_shape
from zoo.evaluation.ais import ais_schedule, annealed_importance_sampling
from zoo.evaluation.estimate import Estimate
from zoo.models.base import GenerativeModel
from zoo.models.energy.binary_enumeration import (
    MAX_EXACT_BITS,
    MAX_IMPLICIT_EXACT_BITS,
    chunk_size_for,
    log_sum_exp_over_states,
)
from zoo.models.energy.default_optimizer import DefaultOptimizerMixin
from zoo.models.energy.markov_chain import consecutive_states
from zoo.models.energy.units import bernoulli_units, sample_bernoulli
from zoo.models.steps import metric_logs
from zoo.random import next_seed, replica_rows, stateless_noise, stateless_seed

tfd = tfp.distributions

#: `steps_per_execution` of `compile` when none is given (one epoch of 60,000 examples at
#: batch 100 is 600 steps).
DEFAULT_STEPS_PER_EXECUTION = 1000
_MAX_UNROLLED_GIBBS_STEPS = 4  # CD-k / PCD-k chains up to this k are unrolled in the step


class RestrictedBoltzmannMachine(DefaultOptimizerMixin, GenerativeModel):
    """Base class of the RBMs: energy, block Gibbs sampling, CD-k / PCD and log Z.

    Not used directly: see `BernoulliRBM`, `GaussianBernoulliRBM` and `SoftmaxRBM`.

    Args:
        n_visible: Number of visible units.
        n_hidden: Number of binary hidden units.
        cd_k: Gibbs steps of the negative phase per update.
        persistent: Persistent contrastive divergence (Tieleman 2008): the negative phase
            continues `num_chains` chains kept in non-trainable variables instead of
            restarting at the data.
        num_chains: Number of persistent chains (used when `persistent`).
        negative_samples: r, the number of consecutive chain states the negative phase
            averages over: after the k = `cd_k` Gibbs steps it runs r - 1 more and averages
            the negative statistics over the states k, k+1, ..., k+r-1 (the MCMC estimate
            1/r sum_t of the model expectation; a lower-variance gradient for r - 1 more
            steps). Default 1: the last state only.
        weight_decay: L2 cost on the weights (Hinton's guide: 1e-4 .. 1e-2 times the
            learning rate's scale; default 2e-4 as in Hinton & Salakhutdinov's code).
        sparsity_target: Desired mean activation of each hidden unit, or None.
        sparsity_cost: Weight of the cross-entropy between `sparsity_target` and the
            batch-mean hidden activation.
        seed: Seed of the model's `keras.random.SeedGenerator` (training noise).
        **kwargs: Passed to `keras.Model` (e.g. `name`).
    """

    contract_methods = ("sample", "decode", "log_prob", "free_energy", "encode", "log_partition")

    def __init__(
        self,
        n_visible,
        n_hidden,
        cd_k=1,
        persistent=False,
        num_chains=100,
        negative_samples=1,
        weight_decay=2e-4,
        sparsity_target=None,
        sparsity_cost=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if n_visible < 1 or n_hidden < 1:
            raise ValueError(
                f"n_visible and n_hidden must be positive; got {n_visible}, {n_hidden}."
            )
        if cd_k < 1:
            raise ValueError(f"cd_k must be at least 1; got {cd_k}.")
        if negative_samples < 1:
            raise ValueError(f"negative_samples must be at least 1; got {negative_samples}.")
        if sparsity_target is not None and not 0.0 < sparsity_target < 1.0:
            raise ValueError(f"sparsity_target must lie in (0, 1); got {sparsity_target}.")
        self.n_visible = int(n_visible)
        self.n_hidden = int(n_hidden)
        self.cd_k = int(cd_k)
        self.persistent = bool(persistent)
        self.num_chains = int(num_chains)
        self.negative_samples = int(negative_samples)
        self.weight_decay = float(weight_decay)
        self.sparsity_target = sparsity_target
        self.sparsity_cost = float(sparsity_cost)
        self.seed = seed

        # Hinton (2010), A practical guide to training RBMs, Sec. 8: small random weights
        # N(0, 0.01^2), zero hidden biases; visible biases from the data, see
        # `init_visible_bias`.
        self.kernel = self.add_weight(
            shape=(self.n_visible, self.n_hidden),
            initializer=keras.initializers.RandomNormal(stddev=0.01, seed=seed),
            name="kernel",
        )
        self.hidden_bias = self.add_weight(
            shape=(self.n_hidden,), initializer="zeros", name="hidden_bias"
        )
        self._create_visible_variables()
        self.persistent_chains = self.add_weight(
            shape=(self.num_chains if self.persistent else 0, *self._visible_state_shape),
            initializer="zeros",
            trainable=False,
            name="persistent_chains",
        )
        # log Z of the current parameters, NaN when stale (every update invalidates it).
        self.log_z_cache = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(float("nan")),
            trainable=False,
            name="log_z_cache",
        )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.free_energy_tracker = keras.metrics.Mean(name="free_energy")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_error")
        self.built = True

    # ----------------------------------------------------------------- visible units
    def _create_visible_variables(self):
        """Create the visible bias (and any other visible-unit parameters)."""
        self.visible_bias = self.add_weight(
            shape=self._visible_state_shape, initializer="zeros", name="visible_bias"
        )

    def _visible_term(self, v, visible_bias=None):
        """Per-example part of -E that depends on v only, shape `[batch]`.

        b^T v here (binary units); units with another term (Gaussian, softmax tables)
        override it.
        """
        bias = self.visible_bias if visible_bias is None else visible_bias
        return tf.linalg.matvec(v, bias)

    def _visible_input(self, v):
        """The vector s(v) that multiplies the weights, flattened to `[batch, n_visible]`."""
        return v

    def _sample_visible(self, hidden, seed, kernel=None, visible_bias=None, like=None, rows=None):
        """Draw v ~ p(v | h); return `(sample, mean)`.

        `like` is the previous visible state; `rows` as in `zoo.random.stateless_noise`.
        """
        raise NotImplementedError

    def _visible_distribution(self, hidden):
        """p(v | h) for hidden states (or probabilities) `[batch, n_hidden]`."""
        raise NotImplementedError

    def _log_normalizer(self, visible_bias):
        """The log of the sum (integral) over v of exp(visible_term(v, visible_bias))."""
        raise NotImplementedError

    def _hidden_free_energy(self, hidden):
        """-log sum_v exp(-E(v, h)) for each row of `hidden`, shape `[batch]`."""
        raise NotImplementedError

    def _prepare_visible(self, x):
        """Turn `fit` / public input into the visible state, checking shape and range."""
        raise NotImplementedError

    def _reconstruction_error(self, v, v_mean):
        """Per-example mean squared error between data and its one-step reconstruction."""
        return tf.reduce_mean(tf.square(v - v_mean), axis=-1)

    # ----------------------------------------------------------------- shared math
    @property
    def data_shape(self):
        """Shape of one visible vector, no batch axis."""
        return (self.n_visible,)

    @property
    def _visible_state_shape(self):
        """Shape of one visible state inside the model (a one-hot table for softmax units)."""
        return self.data_shape

    @property
    def latent_dim(self):
        """Number of hidden units."""
        return self.n_hidden

    def _gibbs_step(self, v, seed, rows=None):
        """One block-Gibbs step v -> h -> v'; returns `(v', mean of v')`."""
        seed_h, seed_v = tf.unstack(tf.random.split(seed, 2))
        hidden = sample_bernoulli(tf.sigmoid(self.hidden_logits(v)), seed_h, rows)
        return self._sample_visible(hidden, seed_v, like=v, rows=rows)

    @tf.function(reduce_retracing=True)
    def _run_chain(self, v, num_steps, seed, rows=None):
        """`num_steps` block-Gibbs steps from `v` as one `tf.while_loop`; returns the state.

        `rows` when the chains start at training examples (see `zoo.random.stateless_noise`).
        """

        def body(i, v):
            step_seed = tf.random.experimental.stateless_fold_in(seed, i)
            return i + 1, self._gibbs_step(v, step_seed, rows)[0]

        return tf.while_loop(lambda i, _: i < num_steps, body, (tf.constant(0), v))[1]

    def compile(self, optimizer=None, steps_per_execution=None, **kwargs):
        """`keras.Model.compile` with the RBM's defaults.

        Args:
            optimizer: Default: this model's SGD with momentum (see the class docstring).
            steps_per_execution: Training steps per compiled call of `fit`. Default
                `DEFAULT_STEPS_PER_EXECUTION`: an RBM step is a handful of small matmuls, so
                running many in one `tf.while_loop` removes the per-batch Python and
                dispatch overhead. Every step is still a full CD-k / PCD update; per-epoch
                metrics and callbacks are unchanged, but batch-level callbacks
                (`on_train_batch_end`) run once per execution: pass 1 to see every step.
                Compiled inside a `tf.distribute` strategy's scope the default is 1 (Keras
                3.15's multi-step loop fails under `MirroredStrategy`).
            **kwargs: Passed to `keras.Model.compile`.
        """
        if steps_per_execution is None:
            steps_per_execution = 1 if tf.distribute.has_strategy() else DEFAULT_STEPS_PER_EXECUTION
        super().compile(optimizer=optimizer, steps_per_execution=steps_per_execution, **kwargs)

    def _training_chain(self, v, num_steps, seed, rows=None):
        """`_run_chain` for the few Gibbs steps of a training update, unrolled in the step.

        The same steps with the same per-step seeds as `_run_chain`, without its nested
        function call and loop (a CD-1 update runs none, PCD-1 one).
        """
        if num_steps > _MAX_UNROLLED_GIBBS_STEPS:
            return self._run_chain(v, num_steps, seed, rows)
        for i in range(num_steps):
            v = self._gibbs_step(v, tf.random.experimental.stateless_fold_in(seed, i), rows)[0]
        return v

    def call(self, inputs):
        """p(h = 1 | v), the same as `encode`."""
        return tf.sigmoid(self.hidden_logits(self._prepare_visible(inputs)))

    # ----------------------------------------------------------------- public API
    # The training-step vocabulary: `hidden_logits`, `free_energy(v, hidden_logits)`,
    # `negative_phase` and `penalty` are what `train_step` (and `DBN.train_step`, for its
    # top RBM) is written in. They work on visible *states* as the model holds them: a
    # batch already checked by the step, or chain states (for every RBM but `SoftmaxRBM`,
    # whose state is a one-hot table `[batch, num_items, num_ratings]`, the data itself).
    def hidden_logits(self, v):
        """The hidden pre-activations c + W^T s(v), so that p(h_j = 1 | v) = sigmoid(them).

        s(v) = v for binary (and one-hot) visible units, v / sigma for Gaussian ones. This
        is a step-level method: `v` is not checked (`encode` is the checked entry point
        for data).

        Args:
            v: Visible states `[batch, *visible state shape]` (the data's shape for every
                RBM but `SoftmaxRBM`).

        Returns:
            float32 `[batch, n_hidden]`.

        #### Examples

        ```python
        rbm = zoo.models.BernoulliRBM(6, 3)
        v = tf.constant([[0.0, 1.0, 1.0, 0.0, 0.0, 1.0]])
        tf.sigmoid(rbm.hidden_logits(v))  # the same as rbm.encode(v).mean()
        ```
        """
        return tf.matmul(self._visible_input(v), self.kernel) + self.hidden_bias

    def free_energy(self, v, hidden_logits=None):
        """Free energy F(v) = -log sum_h exp(-E(v, h)), so that p(v) = exp(-F(v)) / Z.

        F(v) = -visible_term(v) - sum_j softplus(hidden_logits(v)_j).

        Args:
            v: Visible vectors `[batch, *data_shape]`, checked (shape and range). When
                `hidden_logits` is given, `v` is instead a visible state as a training
                step holds it (see `hidden_logits`) and is not checked again.
            hidden_logits: Optional `hidden_logits(v)`, already computed (a training step
                reuses its positive phase's); gradients flow through it.

        Returns:
            float32 `[batch]`.

        Raises:
            ValueError: for a wrong shape or values outside the visible units' range
                (checked `v` only).

        #### Examples

        ```python
        rbm = zoo.models.BernoulliRBM(6, 3)
        v = np.eye(6, dtype="float32")
        rbm.free_energy(v)                            # checked data
        rbm.free_energy(v, rbm.hidden_logits(v))      # the same, in a training step
        ```
        """
        if hidden_logits is None:
            v = self._prepare_visible(v)
            hidden_logits = self.hidden_logits(v)
        return -self._visible_term(v) - tf.reduce_sum(tf.nn.softplus(hidden_logits), axis=-1)

    def encode(self, v):
        """p(h | v), the hidden units given visible vectors: independent Bernoullis.

        Args:
            v: Visible vectors `[batch, *data_shape]`.

        Returns:
            `tfd.Independent(tfd.Bernoulli(...), 1)` with batch shape `[batch]` and event
            shape `[n_hidden]`; its `mean()` is p(h_j = 1 | v) (what `call` returns).

        Raises:
            ValueError: for a wrong shape or values outside the visible units' range.

        #### Examples

        ```python
        rbm = zoo.models.BernoulliRBM(6, 3)
        posterior = rbm.encode(np.eye(6, dtype="float32"))
        posterior.mean()                   # p(h_j = 1 | v), [6, 3]
        posterior.sample(seed=(0, 1))      # binary hidden states, [6, 3]
        ```
        """
        return bernoulli_units(self.hidden_logits(self._prepare_visible(v)))

    def decode(self, h):
        """p(v | h), the visible units given hidden states (or probabilities).

        Args:
            h: Hidden states or probabilities `[batch, n_hidden]` in [0, 1].

        Returns:
            A `tfd.Distribution` with batch shape `[batch]` and event shape `data_shape`:
            independent Bernoullis (`BernoulliRBM`), independent Normals with the model's
            sigma (`GaussianBernoulliRBM`), an independent distribution over each item's
            rating 1..K (`SoftmaxRBM`).

        Raises:
            ValueError: for a wrong shape or values outside [0, 1].

        #### Examples

        ```python
        rbm = zoo.models.BernoulliRBM(6, 3)
        rbm.decode(np.ones((2, 3), "float32")).mean()   # p(v_i = 1 | h), [2, 6]
        ```
        """
        check_inner_shape(h, (self.n_hidden,), "h")
        check_in_range(h, 0.0, 1.0, "h", "binary hidden units")
        return self._visible_distribution(tf.cast(h, tf.float32))

    def sample(self, num_samples, seed=None, *, burn_in=1000, start=None, mean=False):
        """Draw visible vectors by block Gibbs sampling (one compiled `tf.while_loop`).

        Args:
            num_samples: Number of independent chains (ignored when `start` is given).
            seed: Integer or shape-[2] seed; the same seed gives the same samples.
            burn_in: Number of Gibbs steps v -> h -> v.
            start: Optional initial visible states `[num_samples, *data_shape]`; default a
                draw of p(v | h) for uniformly random h.
            mean: Return the mean of p(v | h) at the last step's hidden state instead of
                the draw from it (the probabilities papers show; not samples of p(v)).
                With the same seed, the draws are Bernoulli (Gaussian) draws around
                these means.

        Returns:
            Samples `[num_samples, *data_shape]` (binary for Bernoulli units), or their
            means in [0, 1] (Bernoulli units) with `mean=True`.

        Raises:
            ValueError: for `mean=True` with `burn_in=0` (no Gibbs step to take a mean of).

        #### Examples

        ```python
        rbm = zoo.models.BernoulliRBM(784, 64)
        rbm.sample(16, seed=0, burn_in=100).shape
        # ==> TensorShape([16, 784])
        ```
        """
        burn_in = int(burn_in)
        if mean and burn_in < 1:
            raise ValueError("mean=True needs burn_in >= 1: the mean is that of the last step.")
        seed_start, seed_chain = tf.unstack(tf.random.split(stateless_seed(seed), 2))
        if start is None:
            hidden = sample_bernoulli(tf.fill([num_samples, self.n_hidden], 0.5), seed_start)
            start = self._sample_visible(
                hidden, tf.random.experimental.stateless_fold_in(seed_start, 1)
            )[0]
        else:
            start = self._prepare_visible(start)
        if not mean:
            return self._run_chain(start, tf.constant(burn_in), seed_chain)
        # The chain's last step, taken here to keep its mean (same seeds as the chain's).
        before_last = self._run_chain(start, tf.constant(burn_in - 1), seed_chain)
        last_seed = tf.random.experimental.stateless_fold_in(seed_chain, burn_in - 1)
        return self._gibbs_step(before_last, last_seed)[1]

    def log_partition(self, method="exact", num_chains=100, betas=None, seed=None, data=None):
        """The log Z = log sum_v exp(-F(v)), exactly or by annealed importance sampling.

        `method="exact"` enumerates every state of the smaller layer (the hidden layer
        when visible units are continuous) in chunks, in one compiled loop; it refuses
        layers above 25 units (2^25 states). `method="ais"` follows Salakhutdinov & Murray
        (2008): the start model is an RBM with zero weights whose visible biases are the
        base rates of `data` (or this model's visible biases when `data` is None); the
        intermediate models scale W and c by beta and interpolate the visible biases;
        transitions are block-Gibbs steps. Either result is cached for `log_prob` until
        the next training step.

        Args:
            method: `"exact"` or `"ais"`.
            num_chains: AIS runs (independent importance weights).
            betas: AIS inverse temperatures from 0 to 1; default `ais_schedule(14500)`.
            seed: AIS seed.
            data: Training data for the AIS base-rate model (optional).

        Returns:
            A `zoo.evaluation.Estimate` for either method: `value` is log Z (a float32
            scalar Tensor) and `standard_error` its standard error, 0 for `"exact"`; an AIS
            estimate also carries the log(Z +- 3 sigma) spread (`lower`, `upper`) and the
            per-chain `log_weights`.

        Raises:
            ValueError: for an unknown method, or `"exact"` above 2^25 states.

        #### Examples

        ```python
        rbm = zoo.models.BernoulliRBM(784, 256)
        estimate = rbm.log_partition("ais", num_chains=100, seed=0, data=x_train)
        float(estimate.value), float(estimate.standard_error)
        ```

        #### References
        Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
        networks. ICML.
        """
        if method == "exact":
            estimate = Estimate.exact(self._exact_log_partition())
        elif method == "ais":
            estimate = self._ais_log_partition(num_chains, betas, seed, data)
        else:
            raise ValueError(f'method must be "exact" or "ais"; got {method!r}.')
        self.log_z_cache.assign(estimate.value)
        return estimate

    @property
    def cached_log_partition(self):
        """The log Z of the current weights cached by `log_partition` (a Python float).

        None when stale: every training step invalidates it (see `GenerativeModel`).
        """
        value = float(self.log_z_cache.numpy())
        return value if math.isfinite(value) else None

    def log_prob(self, v):
        """The log p(v) = -F(v) - log Z in nats, with the cached log Z.

        The cache is filled by `log_partition`; when it is stale and the smaller layer has
        at most 20 units, the exact log Z is computed here.

        Raises:
            RuntimeError: when log Z is unknown and too expensive to compute exactly; call
                `log_partition(method="ais", ...)` first.
        """
        return -self.free_energy(v) - self._cached_log_partition()

    def _cached_log_partition(self):
        """The cached log Z, computed exactly first when stale and at most 2^20 states."""
        # Traced (e.g. an exported signature): the cached value is used as it is.
        if tf.executing_eagerly() and math.isnan(float(self.log_z_cache.numpy())):
            if self._enumerated_layer()[1] > MAX_IMPLICIT_EXACT_BITS:
                raise RuntimeError(
                    "log Z of the current weights is unknown; call "
                    'model.log_partition(method="ais", data=x_train) (or method="exact" for '
                    "up to 25 units in the smaller layer) before log_prob."
                )
            self.log_partition("exact")
        return self.log_z_cache

    # ----------------------------------------------------------------- partition function
    def _enumerated_layer(self):
        """Which layer the exact sum enumerates, and its size."""
        if self.n_hidden <= self.n_visible or not self._visible_enumerable():
            return "hidden", self.n_hidden
        return "visible", self.n_visible

    def _visible_enumerable(self):
        return False

    def _exact_log_partition(self):
        layer, bits = self._enumerated_layer()
        if bits > MAX_EXACT_BITS:
            raise ValueError(
                f"Exact log Z enumerates the 2^{bits} states of the {layer} layer; this is "
                f"refused above 2^{MAX_EXACT_BITS}. Use log_partition(method='ais')."
            )
        other = self.n_visible if layer == "hidden" else self.n_hidden
        chunk = chunk_size_for(bits, other)
        energy = self._hidden_free_energy if layer == "hidden" else self.state_free_energy
        return self._enumerate(energy, bits, chunk)

    def state_free_energy(self, v):
        """`free_energy` of visible states a step holds, unchecked like `hidden_logits`.

        For negative particles, enumerated states and a DBN's features, which are valid
        by construction.

        Args:
            v: Visible states `[batch, *visible state shape]`.

        Returns:
            float32 `[batch]`.
        """
        return self.free_energy(v, hidden_logits=self.hidden_logits(v))

    @tf.function(reduce_retracing=True)
    def _enumerate(self, free_energy_fn, bits, chunk):
        return log_sum_exp_over_states(lambda states: -free_energy_fn(states), bits, chunk)

    def _ais_log_partition(self, num_chains, betas, seed, data):
        if data is None:
            base_bias = tf.convert_to_tensor(self.visible_bias)
        else:
            base_bias = self._base_rate_bias(self._prepare_visible(data))
        betas = ais_schedule() if betas is None else betas
        seed_start, seed_ais = tf.unstack(tf.random.split(stateless_seed(seed), 2))
        zero_kernel = tf.zeros_like(self.kernel)
        hidden0 = tf.zeros([num_chains, self.n_hidden])
        start = self._sample_visible(
            hidden0, seed_start, kernel=zero_kernel, visible_bias=base_bias
        )[0]
        log_z_start = self._log_normalizer(base_bias) + self.n_hidden * math.log(2.0)

        def log_unnormalized(v, beta):
            visible = (1.0 - beta) * self._visible_term(v, base_bias) + beta * self._visible_term(v)
            return visible + tf.reduce_sum(tf.nn.softplus(beta * self.hidden_logits(v)), axis=-1)

        def transition(v, beta, step_seed):
            seed_h, seed_v = tf.unstack(tf.random.split(step_seed, 2))
            hidden = sample_bernoulli(tf.sigmoid(beta * self.hidden_logits(v)), seed_h)
            bias = (1.0 - beta) * base_bias + beta * self.visible_bias
            return self._sample_visible(
                hidden, seed_v, kernel=beta * self.kernel, visible_bias=bias, like=v
            )[0]

        return annealed_importance_sampling(
            start, log_z_start, log_unnormalized, transition, betas, seed_ais
        )

    def _base_rate_bias(self, v):
        """Visible biases of the zero-weight RBM that fits the data's marginals."""
        raise NotImplementedError

    # ----------------------------------------------------------------- training
    _divergence_hint = "lower the learning rate or raise the weight decay"

    @property
    def metrics(self):
        return [self.free_energy_tracker, self.reconstruction_tracker]

    def _next_seed(self):
        """A fresh shape-[2] seed for stateless ops from the model's `SeedGenerator`."""
        return next_seed(self.seed_generator)

    def negative_phase(self, v_data, hidden_logits_data, seed, rows=None):
        """The CD-k / PCD negative particles, plus the one-step reconstruction mean of the data.

        CD-k: k block-Gibbs steps from the data batch. PCD (`persistent=True`): `cd_k`
        steps of the persistent chains, which are then updated in place. With
        `negative_samples` r > 1 the particles are the r consecutive states of each chain
        from step k on (`[r * chains, ...]`, state by state), the continuation of the same
        chain with the same noise as a chain run r - 1 steps longer. A step-level method:
        nothing is checked.

        Args:
            v_data: Visible states of the data batch (see `hidden_logits`).
            hidden_logits_data: `hidden_logits(v_data)` (stop their gradient first: the
                particles carry none anyway).
            seed: Shape-[2] int32 seed of this step.
            rows: The batch's replica rows (`replica_rows` of `zoo.random`) for
                replica-aware noise under a `tf.distribute` strategy; None draws the noise
                for the batch as it is.

        Returns:
            `(particles, reconstruction_mean)`: the negative particles (no gradient) whose
            free energy the loss subtracts, and the mean of p(v | h) for h drawn from the
            data's hidden probabilities, `v_data`'s shape.

        #### Examples

        ```python
        # One CD-k update, as `train_step` writes it.
        with tf.GradientTape() as tape:
            logits = rbm.hidden_logits(v)
            particles, _ = rbm.negative_phase(v, tf.stop_gradient(logits), seed)
            loss = (tf.reduce_mean(rbm.free_energy(v, logits))
                    - tf.reduce_mean(rbm.free_energy(particles, rbm.hidden_logits(particles)))
                    + rbm.penalty(logits))
        ```

        #### References
        Hinton, G. E. (2002). Training products of experts by minimizing contrastive
        divergence. Neural Computation 14. Tieleman, T. (2008). Training restricted
        Boltzmann machines using approximations to the likelihood gradient. ICML.
        """
        seed_h, seed_v, seed_chain = tf.unstack(tf.random.split(seed, 3))
        hidden = sample_bernoulli(tf.sigmoid(hidden_logits_data), seed_h, rows)
        v_one, recon_mean = self._sample_visible(hidden, seed_v, like=v_data, rows=rows)
        if self.persistent:
            # Every replica holds all chains and advances them with the same noise.
            v_model = self._training_chain(
                tf.convert_to_tensor(self.persistent_chains), self.cd_k, seed_chain
            )
            chain_rows, steps_done = None, self.cd_k
        else:
            v_model = self._training_chain(v_one, self.cd_k - 1, seed_chain, rows)
            chain_rows, steps_done = rows, self.cd_k - 1
        v_model, v_last = consecutive_states(
            lambda v, step_seed: self._gibbs_step(v, step_seed, chain_rows)[0],
            v_model,
            self.negative_samples,
            seed_chain,
            first_step=steps_done,
        )
        if self.persistent:
            with tf.control_dependencies([v_data]):  # bad data stops the step first
                self.persistent_chains.assign(v_last)
        return tf.stop_gradient(v_model), recon_mean

    def penalty(self, hidden_logits_data=None):
        """The regularizer of a training step: weight decay plus the sparsity cost.

        weight_decay / 2 * |W|^2, plus (with a `sparsity_target`) `sparsity_cost` times the
        cross-entropy between the target and each hidden unit's mean activation over the
        batch; scaled with `tf.nn.scale_regularization_loss`, so under a `tf.distribute`
        strategy it is counted once per global batch.

        Args:
            hidden_logits_data: `hidden_logits` of the data batch; needed only when the
                sparsity cost is on.

        Returns:
            float32 scalar.

        Raises:
            ValueError: when the sparsity cost is on and `hidden_logits_data` is None.

        #### Examples

        ```python
        rbm = zoo.models.BernoulliRBM(6, 3, weight_decay=1e-3)
        rbm.penalty()  # 0.5e-3 * sum(W ** 2)
        ```

        #### References
        Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines
        (UTML TR 2010-003), Sec. 10 and 11.
        """
        penalty = 0.5 * self.weight_decay * tf.reduce_sum(tf.square(self.kernel))
        if self.sparsity_target is not None and self.sparsity_cost > 0.0:
            if hidden_logits_data is None:
                raise ValueError(
                    "penalty() needs the data batch's hidden_logits when the sparsity cost is "
                    f"on (sparsity_target={self.sparsity_target})."
                )
            activation = tf.reduce_mean(tf.sigmoid(hidden_logits_data), axis=0)
            target = tf.fill(tf.shape(activation), float(self.sparsity_target))
            penalty += self.sparsity_cost * tf.reduce_sum(
                keras.losses.binary_crossentropy(target[:, None], activation[:, None])
            )
        return tf.nn.scale_regularization_loss(penalty)

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        v_data = self._prepare_visible(x)
        seed = self._next_seed()
        variables = self.trainable_variables
        with tf.GradientTape() as tape:
            hidden_logits_data = self.hidden_logits(v_data)
            free_energy_data = self.free_energy(v_data, hidden_logits=hidden_logits_data)
            v_model, recon_mean = self.negative_phase(
                v_data,
                tf.stop_gradient(hidden_logits_data),
                seed,
                replica_rows(tf.shape(v_data)[0]),
            )
            free_energy_model = self.state_free_energy(v_model)
            loss = (
                tf.nn.compute_average_loss(free_energy_data)
                - tf.nn.compute_average_loss(free_energy_model)
                + self.penalty(hidden_logits_data)
            )
        # A diverged step stops `fit` with this message before the update, so the model
        # keeps its last finite weights.
        checked = tf.debugging.check_numerics(
            loss,
            f"{type(self).__name__} training diverged (the contrastive-divergence loss is "
            f"NaN or Inf); {self._divergence_hint}",
        )
        with tf.control_dependencies([checked]):
            gradients = [tf.identity(g) for g in tape.gradient(loss, variables)]
        self.optimizer.apply(gradients, variables)
        self.log_z_cache.assign(float("nan"))
        self._update_metrics(
            v_data, tf.stop_gradient(hidden_logits_data), free_energy_data, recon_mean
        )
        return metric_logs(self)

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        v_data = self._prepare_visible(x)
        seed_h, seed_v = tf.unstack(tf.random.split(self._next_seed(), 2))
        rows = replica_rows(tf.shape(v_data)[0])
        hidden_logits = self.hidden_logits(v_data)
        hidden = sample_bernoulli(tf.sigmoid(hidden_logits), seed_h, rows)
        recon_mean = self._sample_visible(hidden, seed_v, like=v_data, rows=rows)[1]
        self._update_metrics(
            v_data,
            hidden_logits,
            self.free_energy(v_data, hidden_logits=hidden_logits),
            recon_mean,
        )
        return metric_logs(self)

    def _update_metrics(self, v_data, hidden_logits, free_energy, recon_mean):
        self.free_energy_tracker.update_state(free_energy)
        self.reconstruction_tracker.update_state(self._reconstruction_error(v_data, recon_mean))

    def get_config(self):
        return {
            **super().get_config(),
            "n_visible": self.n_visible,
            "n_hidden": self.n_hidden,
            "cd_k": self.cd_k,
            "persistent": self.persistent,
            "num_chains": self.num_chains,
            "negative_samples": self.negative_samples,
            "weight_decay": self.weight_decay,
            "sparsity_target": self.sparsity_target,
            "sparsity_cost": self.sparsity_cost,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="zoo")
class BernoulliRBM(RestrictedBoltzmannMachine):
    """Restricted Boltzmann machine with binary visible and hidden units.

    E(v, h) = -b^T v - c^T h - h^T W^T v;  F(v) = -b^T v - sum_j softplus(c_j + (W^T v)_j).
    Trained by CD-k or PCD with the defaults of Hinton's practical guide (weights
    N(0, 0.01^2), weight decay 2e-4, SGD with learning rate 0.1 and momentum 0.5 when
    `compile` gets no optimizer; call `init_visible_bias(x_train)` to start the visible
    biases at the data's log-odds). Metrics: mean free energy, reconstruction error and a
    stochastic pseudo-log-likelihood (per example, n_visible * log p(v_i | v_-i) for one
    random unit i, as scikit-learn's `score_samples`). For the free-energy gap between
    validation and training data (an overfitting monitor), use
    `zoo.callbacks.LikelihoodMonitor(x_valid, "free_energy_gap", training_data=x_train[:n])`.

    Args:
        n_visible: Number of visible units (e.g. 784 for flattened 28x28 images).
        n_hidden: Number of hidden units.
        cd_k: Gibbs steps per update.
        persistent: Use persistent chains (PCD).
        **kwargs: See `RestrictedBoltzmannMachine` (num_chains, negative_samples,
            weight_decay, sparsity_target, sparsity_cost, seed, name).

    #### Examples

    ```python
    x = zoo.data.binarize_static(zoo.data.to_unit_interval(images)).reshape(-1, 784)
    rbm = zoo.models.BernoulliRBM(784, 256, persistent=True)
    rbm.init_visible_bias(x)
    rbm.compile()
    rbm.fit(x, batch_size=100, epochs=10)
    rbm.log_partition("ais", data=x, seed=0).value
    rbm.log_prob(x[:10])
    ```

    #### References
    Smolensky, P. (1986). Information processing in dynamical systems: foundations of
    harmony theory. Hinton, G. E. (2002). Training products of experts by minimizing
    contrastive divergence. Tieleman, T. (2008). Training restricted Boltzmann machines
    using approximations to the likelihood gradient. Hinton, G. E. (2010). A practical guide
    to training restricted Boltzmann machines (UTML TR 2010-003).
    """

    def __init__(self, n_visible, n_hidden, cd_k=1, persistent=False, **kwargs):
        super().__init__(n_visible, n_hidden, cd_k=cd_k, persistent=persistent, **kwargs)
        self.pseudo_likelihood_tracker = keras.metrics.Mean(name="pseudo_likelihood")

    @property
    def metrics(self):
        return [*super().metrics, self.pseudo_likelihood_tracker]

    def init_visible_bias(self, x, epsilon=1e-3):
        """Set b_i = log(p_i / (1 - p_i)) from the data's mean p_i (Hinton's guide, Sec. 8).

        Args:
            x: Training data `[N, n_visible]` in [0, 1].
            epsilon: p is clipped to [epsilon, 1 - epsilon] so always-off pixels get a
                finite bias.
        """
        mean = np.mean(np.asarray(self._prepare_visible(x)), axis=0)
        self.visible_bias.assign(self._base_rate_bias_np(mean, epsilon))

    @staticmethod
    def _base_rate_bias_np(mean, epsilon=1e-3):
        mean = np.clip(mean, epsilon, 1.0 - epsilon)
        return np.log(mean / (1.0 - mean)).astype(np.float32)

    def _base_rate_bias(self, v):
        return tf.constant(self._base_rate_bias_np(np.mean(np.asarray(v), axis=0)))

    def _prepare_visible(self, x):
        check_inner_shape(x, self.data_shape, "v")
        x = tf.cast(x, tf.float32)
        return check_in_range(x, 0.0, 1.0, "v", "Bernoulli visible units")

    def _sample_visible(self, hidden, seed, kernel=None, visible_bias=None, like=None, rows=None):
        kernel = self.kernel if kernel is None else kernel
        bias = self.visible_bias if visible_bias is None else visible_bias
        mean = tf.sigmoid(tf.matmul(hidden, kernel, transpose_b=True) + bias)
        return sample_bernoulli(mean, seed, rows), mean

    def _visible_distribution(self, hidden):
        return bernoulli_units(tf.matmul(hidden, self.kernel, transpose_b=True) + self.visible_bias)

    def _log_normalizer(self, visible_bias):
        return tf.reduce_sum(tf.nn.softplus(visible_bias))

    def _hidden_free_energy(self, hidden):
        visible_logits = tf.matmul(hidden, self.kernel, transpose_b=True) + self.visible_bias
        return -tf.linalg.matvec(hidden, self.hidden_bias) - tf.reduce_sum(
            tf.nn.softplus(visible_logits), -1
        )

    def _visible_enumerable(self):
        return True

    def pseudo_log_likelihood(self, v, seed=None):
        """Stochastic pseudo-log-likelihood, n_visible * log p(v_i | v_-i) for a random i.

        Args:
            v: Binary visible vectors `[batch, n_visible]`.
            seed: Which unit is flipped in each example.

        Returns:
            float32 `[batch]`.
        """
        v = self._prepare_visible(v)
        return self._pseudo_log_likelihood(v, self.hidden_logits(v), stateless_seed(seed))

    def _pseudo_log_likelihood(self, v, hidden_logits, seed, rows=None):
        # F(v with unit i flipped) - F(v), from the data's hidden logits: one row of W per example.
        index = stateless_noise(
            lambda shape, seed: tf.random.stateless_uniform(
                shape, seed, 0, self.n_visible, dtype=tf.int32
            ),
            tf.shape(v)[:1],
            seed,
            rows,
        )
        flip = 1.0 - 2.0 * tf.gather(v, index, batch_dims=1)
        flipped_logits = hidden_logits + flip[:, None] * tf.gather(self.kernel, index)
        free_energy_change = -flip * tf.gather(self.visible_bias, index) + tf.reduce_sum(
            tf.nn.softplus(hidden_logits) - tf.nn.softplus(flipped_logits), -1
        )
        return self.n_visible * tf.math.log_sigmoid(free_energy_change)

    def _update_metrics(self, v_data, hidden_logits, free_energy, recon_mean):
        super()._update_metrics(v_data, hidden_logits, free_energy, recon_mean)
        seed = self._next_seed()
        self.pseudo_likelihood_tracker.update_state(
            self._pseudo_log_likelihood(
                v_data, hidden_logits, seed, replica_rows(tf.shape(v_data)[0])
            )
        )


@keras.saving.register_keras_serializable(package="zoo")
class GaussianBernoulliRBM(RestrictedBoltzmannMachine):
    """RBM with Gaussian visible units (real-valued data) and binary hidden units.

    E(v, h) = sum_i (v_i - b_i)^2 / (2 sigma_i^2) - c^T h - h^T W^T (v / sigma), so
    p(v | h) = N(b + sigma * (W h), sigma^2) and p(h_j = 1 | v) = sigmoid(c_j + (W^T (v/sigma))_j).
    With `learn_sigma=False` (the default, as Hinton's guide recommends) sigma = 1 and the
    data should be standardized per unit first (`standardizer`). Learning is less stable
    than with binary units: without an optimizer, `compile` uses SGD with learning rate
    0.01 (ten times lower than `BernoulliRBM`) and momentum 0.5. A step whose loss is NaN or
    Inf (diverged training) stops `fit` with a `tf.errors.InvalidArgumentError` that says
    so, before the update, so the model keeps its last finite weights.

    Args:
        n_visible: Number of visible units.
        n_hidden: Number of hidden units.
        cd_k: Gibbs steps per update.
        persistent: Use persistent chains (PCD).
        learn_sigma: Learn per-unit standard deviations (parameterized by their log).
        **kwargs: See `RestrictedBoltzmannMachine`.

    #### Examples

    ```python
    norm = GaussianBernoulliRBM.standardizer(x_train)
    rbm = GaussianBernoulliRBM(x_train.shape[1], 128)
    rbm.compile()
    rbm.fit(norm(x_train), batch_size=100, epochs=20)
    ```

    #### References
    Hinton, G. E. & Salakhutdinov, R. R. (2006). Reducing the dimensionality of data with
    neural networks. Science 313. Cho, K., Ilin, A. & Raiko, T. (2011). Improved learning of
    Gaussian-Bernoulli restricted Boltzmann machines. ICANN.
    """

    def __init__(self, n_visible, n_hidden, cd_k=1, persistent=False, learn_sigma=False, **kwargs):
        self.learn_sigma = bool(learn_sigma)
        super().__init__(n_visible, n_hidden, cd_k=cd_k, persistent=persistent, **kwargs)

    def _create_visible_variables(self):
        super()._create_visible_variables()
        self.log_sigma = self.add_weight(
            shape=self.data_shape, initializer="zeros", trainable=self.learn_sigma, name="log_sigma"
        )

    @staticmethod
    def standardizer(x):
        """A `keras.layers.Normalization` adapted to `x` (zero mean, unit variance per unit).

        `keras.layers.Normalization(mean=layer.mean, variance=layer.variance, invert=True)`
        maps samples back to data units.
        """
        layer = keras.layers.Normalization(axis=-1)
        layer.adapt(np.asarray(x, np.float32))
        return layer

    _divergence_hint = (
        "standardize the data per unit (GaussianBernoulliRBM.standardizer) and lower the "
        "learning rate (the default SGD uses 0.01)"
    )

    def _default_optimizer(self):
        return keras.optimizers.SGD(learning_rate=0.01, momentum=0.5)

    def _prepare_visible(self, x):
        check_inner_shape(x, self.data_shape, "v")
        return check_finite(tf.cast(x, tf.float32), "v")

    def _visible_input(self, v):
        return v * tf.exp(-self.log_sigma)

    def _visible_term(self, v, visible_bias=None):
        bias = self.visible_bias if visible_bias is None else visible_bias
        return -0.5 * tf.reduce_sum(tf.square((v - bias) * tf.exp(-self.log_sigma)), axis=-1)

    def _sample_visible(self, hidden, seed, kernel=None, visible_bias=None, like=None, rows=None):
        kernel = self.kernel if kernel is None else kernel
        bias = self.visible_bias if visible_bias is None else visible_bias
        sigma = tf.exp(self.log_sigma)
        mean = bias + sigma * tf.matmul(hidden, kernel, transpose_b=True)
        noise = stateless_noise(tf.random.stateless_normal, tf.shape(mean), seed, rows)
        return mean + sigma * noise, mean

    def _visible_distribution(self, hidden):
        sigma = tf.exp(self.log_sigma)
        loc = self.visible_bias + sigma * tf.matmul(hidden, self.kernel, transpose_b=True)
        return tfd.Independent(tfd.Normal(loc, sigma), reinterpreted_batch_ndims=1)

    def _log_normalizer(self, visible_bias):
        return tf.reduce_sum(self.log_sigma) + 0.5 * self.n_visible * math.log(2.0 * math.pi)

    def _hidden_free_energy(self, hidden):
        # Completing the square:
        # sum_v exp(-E) = N(.)-normalizer * exp(c^T h + |W h|^2 / 2 + b/sigma . W h).
        shift = tf.matmul(hidden, self.kernel, transpose_b=True)
        scaled_bias = self.visible_bias * tf.exp(-self.log_sigma)
        quadratic = tf.reduce_sum(0.5 * tf.square(shift) + scaled_bias * shift, axis=-1)
        return (
            -tf.linalg.matvec(hidden, self.hidden_bias)
            - quadratic
            - self._log_normalizer(self.visible_bias)
        )

    def _base_rate_bias(self, v):
        return tf.reduce_mean(v, axis=0)

    def get_config(self):
        return {**super().get_config(), "learn_sigma": self.learn_sigma}
