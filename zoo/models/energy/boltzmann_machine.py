"""The general (unrestricted) Boltzmann machine, trained with random-scan Gibbs chains.

With binary visible units v and hidden units h,

    E(v, h) = -v^T W h - v^T U v - h^T P h - b^T v - c^T h,

U and P symmetric with zero diagonal. Writing s = [v, h], E = -1/2 s^T J s - a^T s with
J = [[2U, W], [W^T, 2P]] and a = [b, c], so one unit's conditional is
p(s_i = 1 | s_-i) = sigmoid(a_i + (J s)_i). Updating one uniformly chosen unit at a time from
that conditional (random-scan single-site Gibbs) satisfies detailed balance with respect to
p(s) = exp(-E(s)) / Z, so long chains sample the model. With U = P = 0 this is an RBM; the
lateral couplings are what make the hidden units dependent given v, so neither phase of
learning can be sampled in one block step. That is why the model is slow by nature: it is
here to show, side by side with the RBMs, what the restriction buys.

Learning follows the gradient of the log-likelihood,
E_data[dE/dtheta] - E_model[dE/dtheta]: the data term by Gibbs sampling the hidden units
with v clamped, the model term by persistent free-running chains (as in PCD). Both are the
gradient of mean E(data states) - mean E(stop_gradient(model states)).
"""

import keras
import tensorflow as tf

from zoo.checks import check_in_range, check_inner_shape
from zoo.evaluation.estimate import Estimate
from zoo.models.base import GenerativeModel
from zoo.models.energy.binary_enumeration import (
    MAX_EXACT_BITS,
    chunk_size_for,
    log_sum_exp_over_states,
)
from zoo.models.energy.default_optimizer import DefaultOptimizerMixin
from zoo.models.energy.markov_chain import consecutive_states
from zoo.models.energy.units import sample_bernoulli
from zoo.models.steps import metric_logs
from zoo.random import next_seed, replica_rows, stateless_noise, stateless_seed


@keras.saving.register_keras_serializable(package="zoo")
class BoltzmannMachine(DefaultOptimizerMixin, GenerativeModel):
    """Boltzmann machine with visible-visible, visible-hidden and hidden-hidden couplings.

    Args:
        n_visible: Number of binary visible units.
        n_hidden: Number of binary hidden units.
        num_chains: Persistent free-running chains for the negative phase.
        positive_sweeps: Sweeps (of n_hidden single-site updates each) over the hidden
            units with v clamped, per training step.
        negative_sweeps: Sweeps (of n_visible + n_hidden updates each) of the persistent
            chains per training step.
        negative_samples: r, the number of consecutive chain states the negative phase
            averages over: after the `negative_sweeps` sweeps the chains run r - 1 more
            sweeps and the model term averages the energies of the r states reached (a
            lower-variance estimate of the model expectation). Default 1: the last state.
        weight_decay: L2 cost on all couplings.
        seed: Seed of the model's `keras.random.SeedGenerator`.
        **kwargs: Passed to `keras.Model`.

    #### Examples

    ```python
    bm = zoo.models.BoltzmannMachine(6, 3)
    bm.compile()
    bm.fit(x, batch_size=20, epochs=50)
    bm.log_prob(x)  # exact for tiny models
    ```

    #### References
    Ackley, D. H., Hinton, G. E. & Sejnowski, T. J. (1985). A learning algorithm for
    Boltzmann machines. Cognitive Science 9. Geman, S. & Geman, D. (1984). Stochastic
    relaxation, Gibbs distributions, and the Bayesian restoration of images.
    """

    contract_methods = ("sample", "log_prob", "log_partition")

    def __init__(
        self,
        n_visible,
        n_hidden,
        num_chains=100,
        positive_sweeps=5,
        negative_sweeps=1,
        negative_samples=1,
        weight_decay=1e-4,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if n_visible < 1 or n_hidden < 1:
            raise ValueError(
                f"n_visible and n_hidden must be positive; got {n_visible}, {n_hidden}."
            )
        if negative_samples < 1:
            raise ValueError(f"negative_samples must be at least 1; got {negative_samples}.")
        self.n_visible = int(n_visible)
        self.n_hidden = int(n_hidden)
        self.num_chains = int(num_chains)
        self.positive_sweeps = int(positive_sweeps)
        self.negative_sweeps = int(negative_sweeps)
        self.negative_samples = int(negative_samples)
        self.weight_decay = float(weight_decay)
        self.seed = seed
        init = keras.initializers.RandomNormal(stddev=0.01, seed=seed)
        n = self.n_visible + self.n_hidden
        self.kernel = self.add_weight(
            shape=(self.n_visible, self.n_hidden), initializer=init, name="kernel"
        )
        # Unconstrained parameters; the couplings are their symmetric, zero-diagonal parts.
        self.visible_coupling_raw = self.add_weight(
            shape=(self.n_visible, self.n_visible), initializer="zeros", name="visible_coupling"
        )
        self.hidden_coupling_raw = self.add_weight(
            shape=(self.n_hidden, self.n_hidden), initializer="zeros", name="hidden_coupling"
        )
        self.visible_bias = self.add_weight(
            shape=(self.n_visible,), initializer="zeros", name="visible_bias"
        )
        self.hidden_bias = self.add_weight(
            shape=(self.n_hidden,), initializer="zeros", name="hidden_bias"
        )
        self.persistent_chains = self.add_weight(
            shape=(self.num_chains, n),
            initializer="zeros",
            trainable=False,
            name="persistent_chains",
        )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.data_energy_tracker = keras.metrics.Mean(name="data_energy")
        self.model_energy_tracker = keras.metrics.Mean(name="model_energy")
        self.built = True

    @property
    def data_shape(self):
        """The shape of one example, `(n_visible,)`."""
        return (self.n_visible,)

    @property
    def latent_dim(self):
        """The number of hidden units."""
        return self.n_hidden

    @property
    def metrics(self):
        return [self.data_energy_tracker, self.model_energy_tracker]

    # ----------------------------------------------------------------- energy
    @staticmethod
    def _symmetric(raw):
        return 0.5 * (raw + tf.transpose(raw)) * (1.0 - tf.eye(tf.shape(raw)[0]))

    @property
    def visible_coupling(self):
        """U: symmetric, zero diagonal, `[n_visible, n_visible]`."""
        return self._symmetric(self.visible_coupling_raw)

    @property
    def hidden_coupling(self):
        """P: symmetric, zero diagonal, `[n_hidden, n_hidden]`."""
        return self._symmetric(self.hidden_coupling_raw)

    def _coupling_matrix(self):
        """J = [[2U, W], [W^T, 2P]] and a = [b, c], so E(s) = -s^T J s / 2 - a^T s."""
        top = tf.concat([2.0 * self.visible_coupling, self.kernel], axis=1)
        bottom = tf.concat([tf.transpose(self.kernel), 2.0 * self.hidden_coupling], axis=1)
        return tf.concat([top, bottom], axis=0), tf.concat([self.visible_bias, self.hidden_bias], 0)

    def energy(self, v, h):
        """E(v, h) per example, float32 `[batch]`.

        Raises:
            ValueError: for wrong shapes or values outside [0, 1].
        """
        return self._energy(
            self._prepare(v, self.n_visible, "v"), self._prepare(h, self.n_hidden, "h")
        )

    def _energy(self, v, h):
        return -(
            tf.reduce_sum(tf.matmul(v, self.kernel) * h, -1)
            + tf.reduce_sum(tf.matmul(v, self.visible_coupling) * v, -1)
            + tf.reduce_sum(tf.matmul(h, self.hidden_coupling) * h, -1)
            + tf.linalg.matvec(v, self.visible_bias)
            + tf.linalg.matvec(h, self.hidden_bias)
        )

    def _prepare(self, x, size, name):
        check_inner_shape(x, (size,), name)
        return check_in_range(tf.cast(x, tf.float32), 0.0, 1.0, name, "binary units")

    # ----------------------------------------------------------------- Gibbs sampling
    @tf.function(reduce_retracing=True)
    def _random_scan(self, state, num_updates, first_site, seed, rows=None):
        """`num_updates` single-site Gibbs updates per chain on units `first_site..n-1`.

        Each update picks one unit uniformly at random (independently per chain) and
        redraws it from p(s_i | s_-i) = sigmoid(a_i + (J s)_i). `rows` when the chains are
        training examples, None for the persistent chains (see `zoo.random.stateless_noise`).
        """
        coupling, bias = self._coupling_matrix()
        n = tf.shape(state)[1]
        num_chains = tf.shape(state)[0]

        def body(t, state):
            seed_site, seed_value = tf.unstack(
                tf.random.split(tf.random.experimental.stateless_fold_in(seed, t), 2)
            )
            site = stateless_noise(
                lambda shape, seed: tf.random.stateless_uniform(
                    shape, seed, first_site, n, dtype=tf.int32
                ),
                tf.reshape(num_chains, [1]),
                seed_site,
                rows,
            )
            field = tf.gather(bias, site) + tf.reduce_sum(tf.gather(coupling, site) * state, -1)
            new = sample_bernoulli(tf.sigmoid(field), seed_value, rows)
            one_hot = tf.one_hot(site, n)
            updated = state + one_hot * (new - tf.gather(state, site, batch_dims=1))[:, None]
            # The site draws have a dynamic batch size; without this a static batch of 1
            # would broadcast to an unknown one and change the loop variable's shape.
            updated.set_shape(state.shape)
            return t + 1, updated

        return tf.while_loop(lambda t, _: t < num_updates, body, (tf.constant(0), state))[1]

    def sample(self, num_samples, seed=None, *, burn_in=1000, start=None):
        """Visible vectors from `burn_in` sweeps of random-scan Gibbs sampling.

        A sweep is n_visible + n_hidden single-site updates (one compiled `tf.while_loop`).

        Args:
            num_samples: Number of independent chains (ignored when `start` is given).
            seed: Integer or shape-[2] seed; the same seed gives the same samples.
            burn_in: Number of sweeps.
            start: Optional initial joint states `[num_samples, n_visible + n_hidden]`;
                default uniformly random.

        Returns:
            Binary float32 `[num_samples, n_visible]`.
        """
        n = self.n_visible + self.n_hidden
        seed_start, seed_chain = tf.unstack(tf.random.split(stateless_seed(seed), 2))
        if start is None:
            start = tf.cast(
                tf.random.stateless_uniform([num_samples, n], seed_start) < 0.5, tf.float32
            )
        else:
            start = self._prepare(start, n, "start")
        state = self._random_scan(start, tf.constant(int(burn_in) * n), tf.constant(0), seed_chain)
        return state[:, : self.n_visible]

    # ----------------------------------------------------------------- exact quantities
    def _check_exact(self, bits):
        if bits > MAX_EXACT_BITS:
            raise ValueError(
                f"Exact computation enumerates 2^{bits} states; this is refused above "
                f"2^{MAX_EXACT_BITS}. The Boltzmann machine is meant for tiny sizes."
            )

    def log_partition(self, method="exact", chunk_size=None):
        """Compute log Z by enumerating all 2^(n_visible + n_hidden) joint states.

        The states are enumerated in chunks inside one compiled loop
        (`zoo.models.energy.binary_enumeration.log_sum_exp_over_states`), so memory stays
        at one chunk, not all 2^n states at once.

        Args:
            method: `"exact"` (the only method).
            chunk_size: Joint states per chunk, a power of two up to 2^n; default the
                largest within `binary_enumeration.ENUMERATION_BUDGET` floats.

        Returns:
            A `zoo.evaluation.Estimate`: `value` the float32 scalar log Z, `standard_error`
            0.

        Raises:
            ValueError: for another method, a bad `chunk_size`, or above 2^25 states.

        #### Examples

        ```python
        bm = zoo.models.energy.BoltzmannMachine(6, 4)
        float(bm.log_partition().value)
        ```
        """
        if method != "exact":
            raise ValueError(f'BoltzmannMachine supports method="exact" only; got {method!r}.')
        bits = self.n_visible + self.n_hidden
        self._check_exact(bits)
        chunk_size = chunk_size_for(bits, bits) if chunk_size is None else int(chunk_size)
        return Estimate.exact(self._enumerate_log_partition(bits, chunk_size))

    @tf.function(reduce_retracing=True)
    def _enumerate_log_partition(self, bits, chunk_size):
        def minus_energy(states):
            return -self._energy(*self._split(states))

        return log_sum_exp_over_states(minus_energy, bits, chunk_size)

    def log_prob(self, v, chunk_size=None):
        """Exact log p(v) = log sum_h exp(-E(v, h)) - log Z in nats, float32 `[batch]`.

        Both sums enumerate binary states in chunks (see `log_partition`).

        Args:
            v: Binary visible vectors `[batch, n_visible]`.
            chunk_size: States per chunk of both enumerations (hidden states for the
                numerator, joint states for log Z); default within the budget.

        Returns:
            float32 `[batch]`.

        Raises:
            ValueError: for bad input, a bad `chunk_size`, or models above 2^25 joint
                states.
        """
        v = self._prepare(v, self.n_visible, "v")
        self._check_exact(self.n_visible + self.n_hidden)
        if chunk_size is None:
            batch = v.shape[0] or 1
            chunk = chunk_size_for(self.n_hidden, max(batch, self.n_hidden))
        else:
            chunk = min(int(chunk_size), 2**self.n_hidden)
        log_numerator = self._enumerate_hidden(v, self.n_hidden, chunk)
        return log_numerator - self.log_partition(chunk_size=chunk_size).value

    @tf.function(reduce_retracing=True)
    def _enumerate_hidden(self, v, bits, chunk_size):
        """The log sum_h exp(-E(v, h)) of each row of `v`, over chunks of hidden states."""
        visible_only = tf.reduce_sum(
            tf.matmul(v, self.visible_coupling) * v, -1
        ) + tf.linalg.matvec(v, self.visible_bias)
        visible_field = tf.matmul(v, self.kernel)  # [batch, n_hidden]

        def minus_energy(hidden):  # [m, n_hidden] -> [m, batch]
            hidden_only = tf.reduce_sum(
                tf.matmul(hidden, self.hidden_coupling) * hidden, -1
            ) + tf.linalg.matvec(hidden, self.hidden_bias)
            return (
                tf.matmul(hidden, visible_field, transpose_b=True)
                + hidden_only[:, None]
                + visible_only[None, :]
            )

        return log_sum_exp_over_states(minus_energy, bits, chunk_size)

    # ----------------------------------------------------------------- training
    def _default_optimizer(self):
        return keras.optimizers.SGD(learning_rate=0.05, momentum=0.5)

    def _positive_phase(self, v, seed):
        """Hidden units sampled with v clamped, as joint states `[batch, n_visible + n_hidden]`.

        The chain starts from the conditional that ignores the hidden-hidden couplings.
        """
        seed_start, seed_scan = tf.unstack(tf.random.split(seed, 2))
        hidden_probs = tf.sigmoid(tf.matmul(v, self.kernel) + self.hidden_bias)
        rows = replica_rows(tf.shape(v)[0])  # replica-aware noise (all-gathered once, here)
        hidden = sample_bernoulli(hidden_probs, seed_start, rows)
        return self._random_scan(
            tf.concat([v, hidden], 1),
            self.positive_sweeps * self.n_hidden,
            self.n_visible,
            seed_scan,
            rows,
        )

    def _split(self, states):
        return states[:, : self.n_visible], states[:, self.n_visible :]

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        v = self._prepare(x, self.n_visible, "x")
        seed_pos, seed_neg = tf.unstack(tf.random.split(next_seed(self.seed_generator), 2))
        clamped = tf.stop_gradient(self._positive_phase(v, seed_pos))
        sweep = self.n_visible + self.n_hidden
        free = self._random_scan(
            tf.convert_to_tensor(self.persistent_chains),
            self.negative_sweeps * sweep,
            0,
            seed_neg,  # every replica advances all chains with the same noise
        )
        # r > 1: the r states one sweep apart, [r * num_chains, n], then the last one persists.
        free, last = consecutive_states(
            lambda state, step_seed: self._random_scan(state, sweep, 0, step_seed),
            free,
            self.negative_samples,
            seed_neg,
            first_step=self.negative_sweeps * sweep,
        )
        with tf.control_dependencies([v]):  # bad data stops the step before any update
            self.persistent_chains.assign(last)
        free = tf.stop_gradient(free)
        variables = self.trainable_variables
        couplings = [self.kernel, self.visible_coupling_raw, self.hidden_coupling_raw]
        with tf.GradientTape() as tape:
            data_energy = self._energy(*self._split(clamped))
            model_energy = self._energy(*self._split(free))
            penalty = (
                0.5 * self.weight_decay * tf.add_n([tf.reduce_sum(tf.square(w)) for w in couplings])
            )
            loss = (
                tf.nn.compute_average_loss(data_energy)
                - tf.nn.compute_average_loss(model_energy)
                + tf.nn.scale_regularization_loss(penalty)
            )
        self.optimizer.apply(tape.gradient(loss, variables), variables)
        self.data_energy_tracker.update_state(data_energy)
        self.model_energy_tracker.update_state(model_energy)
        return metric_logs(self)

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        v = self._prepare(x, self.n_visible, "x")
        clamped = self._positive_phase(v, next_seed(self.seed_generator))
        self.data_energy_tracker.update_state(self._energy(*self._split(clamped)))
        return metric_logs(self)

    def get_config(self):
        return {
            **super().get_config(),
            "n_visible": self.n_visible,
            "n_hidden": self.n_hidden,
            "num_chains": self.num_chains,
            "positive_sweeps": self.positive_sweeps,
            "negative_sweeps": self.negative_sweeps,
            "negative_samples": self.negative_samples,
            "weight_decay": self.weight_decay,
            "seed": self.seed,
        }
