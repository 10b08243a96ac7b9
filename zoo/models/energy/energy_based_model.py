"""An energy-based model around any Keras network x -> E(x), trained by contrastive divergence.

The model density is p(x) = exp(-E(x)) / Z with Z = ∫ exp(-E(x)) dx (a sum for binary x).
The log-likelihood gradient is

    d/dθ E_data[-log p(x)] = E_data[dE/dθ] - E_model[dE/dθ],

and the model expectation is estimated with MCMC samples x⁻ of p: the training loss is

    mean E(x_data) - mean E(stop_gradient(x⁻)) + α (mean E(x_data)² + mean E(x⁻)²),

whose gradient is that estimate. x⁻ comes from a sampler (`zoo.models.energy.samplers`):
Langevin dynamics for continuous data, Gibbs sampling for binary data; chains start at the
data batch (contrastive divergence, Hinton 2002) or continue persistent chains
(Tieleman 2008). The α term (Du & Mordatch 2019) keeps energies near 0; it is off by
default.

For example, E(x) = (x - μ)² / 2 is a Gaussian N(μ, 1) and the gradient above is
mean(x⁻) - mean(x_data): CD moves μ until the chains started at the data no longer drift,
at μ = mean(x_data).
"""

import math

import keras
import tensorflow as tf

from zoo.checks import check_finite, check_in_range, check_inner_shape
from zoo.evaluation.estimate import Estimate
from zoo.models.base import GenerativeModel
from zoo.models.energy.binary_enumeration import MAX_IMPLICIT_EXACT_BITS, log_sum_exp_over_states
from zoo.models.energy.samplers import LangevinSampler, MCMCSampler
from zoo.models.steps import metric_logs
from zoo.random import next_seed, replica_rows, stateless_seed

_ENUMERATION_ROWS = 2**14  # states per network call when enumerating


@keras.saving.register_keras_serializable(package="zoo")
class EnergyBasedModel(GenerativeModel):
    """A Keras network E(x) as the energy of p(x) ∝ exp(-E(x)), trained by contrastive divergence.

    Args:
        energy_network: Keras model with a known input shape `[batch, *data_shape]`
            returning one energy per example, `[batch]` or `[batch, 1]`.
        sampler: A `LangevinSampler` (continuous data; the default
            `LangevinSampler()`) or a `GibbsSampler` (binary data), or its config dict.
            It sets the negative phase: steps per update, CD or persistent chains.
        energy_regularization: α of the energy-magnitude penalty
            α (mean E(x_data)² + mean E(x⁻)²) (Du & Mordatch 2019); 0 disables it.
        seed: Seed of the model's `keras.random.SeedGenerator` (training noise) and of the
            persistent chains' starting noise.
        **kwargs: `keras.Model` arguments (`name`, ...).

    Raises:
        ValueError: when the network's input shape is unknown, its output is not one
            energy per example, or α < 0.
        TypeError: when the sampler is not an `MCMCSampler` (or its config).

    #### Examples

    ```python
    energy = keras.Sequential([keras.Input((2,)), keras.layers.Dense(64, "swish"),
                               keras.layers.Dense(64, "swish"), keras.layers.Dense(1)])
    ebm = zoo.models.EnergyBasedModel(
        energy, sampler=zoo.models.LangevinSampler(0.01, num_steps=20, persistent=True))
    ebm.compile(optimizer=keras.optimizers.Adam(1e-3))
    ebm.fit(points, batch_size=128, epochs=20)
    ebm.sample(500, seed=0, num_steps=500)

    bits = zoo.models.EnergyBasedModel(binary_energy, sampler=zoo.models.GibbsSampler(1))
    bits.log_prob(x)  # exact, by enumerating log Z, for up to 20 bits
    ```

    #### References
    Hinton, G. E. (2002). Training products of experts by minimizing contrastive
    divergence. Neural Computation 14. Tieleman, T. (2008). Training restricted Boltzmann
    machines using approximations to the likelihood gradient. ICML. Du, Y. & Mordatch, I.
    (2019). Implicit generation and modeling with energy based models. NeurIPS.
    """

    def __init__(
        self, energy_network, sampler=None, energy_regularization=0.0, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        if isinstance(sampler, dict):
            sampler = keras.saving.deserialize_keras_object(sampler)
        sampler = LangevinSampler() if sampler is None else sampler
        if not isinstance(sampler, MCMCSampler):
            raise TypeError(
                "sampler must be a LangevinSampler, a GibbsSampler (or another "
                f"zoo.models.energy.samplers.MCMCSampler); got {sampler!r}."
            )
        if energy_regularization < 0:
            raise ValueError(f"energy_regularization must be >= 0; got {energy_regularization}.")
        self.energy_network = energy_network
        self.sampler = sampler
        self.energy_regularization = float(energy_regularization)
        self.seed = seed
        self.data_shape = self._network_input_shape(energy_network)
        self._check_network_output()
        chains = sampler.num_chains if sampler.persistent else 0
        self.persistent_chains = self.add_weight(
            shape=(chains, *self.data_shape),
            initializer="zeros",
            trainable=False,
            name="persistent_chains",
        )
        self.persistent_chains.assign(
            sampler.initial_state((chains, *self.data_shape), stateless_seed(seed))
        )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.data_energy_tracker = keras.metrics.Mean(name="data_energy")
        self.negative_energy_tracker = keras.metrics.Mean(name="negative_energy")
        self.built = True

    @staticmethod
    def _network_input_shape(network):
        try:
            shape = tuple(network.input_shape[1:])
        except (AttributeError, ValueError) as error:
            raise ValueError(
                "energy_network must have a known input shape (build it on keras.Input, "
                f"e.g. keras.Sequential([keras.Input((2,)), ...])): {error}"
            ) from error
        if not shape or any(d is None for d in shape):
            raise ValueError(
                "energy_network's input shape must be fully known apart from the batch; "
                f"got {network.input_shape}."
            )
        return shape

    def _check_network_output(self):
        out = self.energy_network(tf.zeros((2, *self.data_shape)))
        if tuple(out.shape) not in ((2,), (2, 1)):
            raise ValueError(
                "energy_network must return one energy per example, shape (batch,) or "
                f"(batch, 1); for a batch of 2 it returned {tuple(out.shape)}."
            )

    @property
    def contract_methods(self):
        """`sample` and `free_energy`; `log_prob` and `log_partition` too when Z is exact.

        log Z is exact for binary data (a `GibbsSampler`) of at most 20 bits; see
        `log_partition`.
        """
        exact = self.sampler.binary and math.prod(self.data_shape) <= MAX_IMPLICIT_EXACT_BITS
        likelihood = ("log_prob", "log_partition") if exact else ()
        return ("sample", *likelihood, "free_energy")

    @property
    def metrics(self):
        return [self.loss_tracker, self.data_energy_tracker, self.negative_energy_tracker]

    # ----------------------------------------------------------------- energy
    def _energy(self, x, training=False):
        out = self.energy_network(x, training=training)
        return tf.reshape(tf.cast(out, tf.float32), [-1])

    def _prepare(self, x, name="x"):
        check_inner_shape(x, self.data_shape, name)
        x = tf.cast(x, tf.float32)
        if self.sampler.binary:
            return check_in_range(x, 0.0, 1.0, name, "binary data for the GibbsSampler")
        return check_finite(x, name)

    def call(self, inputs):
        """E(x), float32 `[batch]`."""
        return self._energy(self._prepare(inputs))

    def energy(self, x):
        """The energy E(x) = -log p(x) - log Z per example, float32 `[batch]`.

        Raises:
            ValueError: for a shape other than `[batch, *data_shape]` (or, with a
                `GibbsSampler`, values outside [0, 1]).
        """
        return self(x)

    def free_energy(self, x):
        """The same as `energy`: this model has no latent variables to sum out."""
        return self.energy(x)

    # ----------------------------------------------------------------- sampling
    @tf.function(reduce_retracing=True)
    def _run_chains(self, state, num_steps, seed, rows=None):
        return self.sampler.run(self._energy, state, num_steps, seed, rows)

    def sample(self, num_samples, seed=None, *, num_steps=None, start=None):
        """Run the sampler from noise (or `start`) and return the final states.

        Args:
            num_samples: Number of chains (ignored when `start` is given).
            seed: Integer or shape-[2] seed; the same seed gives the same samples.
            num_steps: Transitions; default the sampler's `num_steps`. Sampling from noise
                usually needs more steps than a training update from the data.
            start: Optional initial states `[n, *data_shape]`; default the sampler's noise
                (uniform in `initial_range` for Langevin, uniform bits for Gibbs).

        Returns:
            float32 `[num_samples, *data_shape]`.
        """
        seed_start, seed_chain = tf.unstack(tf.random.split(stateless_seed(seed), 2))
        if start is None:
            start = self.sampler.initial_state((int(num_samples), *self.data_shape), seed_start)
        else:
            start = self._prepare(start, "start")
        steps = self.sampler.num_steps if num_steps is None else int(num_steps)
        return self._run_chains(start, tf.constant(steps), seed_chain)

    # ----------------------------------------------------------------- likelihood
    def log_partition(self, method="exact"):
        """The log Z = log sum_x exp(-E(x)) by enumerating all binary x (up to 2^20 states).

        Args:
            method: `"exact"` (the only method).

        Returns:
            A `zoo.evaluation.Estimate`: `value` the float32 scalar log Z, `standard_error`
            0.

        Raises:
            NotImplementedError: for continuous data (a `LangevinSampler`: Z is an
                integral over R^d with no closed form) or more than 20 bits.
            ValueError: for a method other than `"exact"`.
        """
        if method != "exact":
            raise ValueError(f'EnergyBasedModel supports method="exact" only; got {method!r}.')
        if not self.sampler.binary:
            raise NotImplementedError(
                "log Z of a continuous EnergyBasedModel is the integral of exp(-E(x)) over "
                "R^d, which has no closed form for a neural energy; only binary models "
                f"(GibbsSampler) of up to {MAX_IMPLICIT_EXACT_BITS} bits have an exact log Z / "
                "log_prob. Use energy(x) (an unnormalized -log p(x))."
            )
        bits = math.prod(self.data_shape)
        if bits > MAX_IMPLICIT_EXACT_BITS:
            raise NotImplementedError(
                f"Exact log Z enumerates 2^{bits} binary states; this is only done up to "
                f"2^{MAX_IMPLICIT_EXACT_BITS}, and no estimator is implemented for larger models."
            )
        return Estimate.exact(self._enumerate_log_partition(bits, min(2**bits, _ENUMERATION_ROWS)))

    @tf.function(reduce_retracing=True)
    def _enumerate_log_partition(self, bits, chunk):
        def minus_energy(states):
            return -self._energy(tf.reshape(states, [-1, *self.data_shape]))

        return log_sum_exp_over_states(minus_energy, bits, chunk)

    def log_prob(self, x):
        """Exact log p(x) = -E(x) - log Z in nats for binary data of up to 20 bits.

        log Z is enumerated on every call (2^dim network evaluations).

        Raises:
            NotImplementedError: for continuous data or more than 20 bits (see
                `log_partition`).
            ValueError: for a wrong shape or values outside [0, 1].
        """
        return -self.energy(x) - self.log_partition().value

    # ----------------------------------------------------------------- training
    def _next_seed(self):
        return next_seed(self.seed_generator)

    def _negative_samples(self, x, seed, rows, update_chains):
        """x⁻: the sampler's chains from the batch (CD) or the persistent chains (PCD)."""
        seed_restart, seed_noise, seed_chain = tf.unstack(tf.random.split(seed, 3))
        if not self.sampler.persistent:
            return self._run_chains(x, tf.constant(self.sampler.num_steps), seed_chain, rows)
        # Every replica holds all persistent chains and advances them with the same noise.
        chains = tf.convert_to_tensor(self.persistent_chains)
        if self.sampler.restart_probability > 0.0:
            restart = (
                tf.random.stateless_uniform([tf.shape(chains)[0]], seed_restart)
                < self.sampler.restart_probability
            )
            fresh = self.sampler.initial_state(tf.shape(chains), seed_noise)
            mask = tf.reshape(restart, [-1] + [1] * len(self.data_shape))
            chains = tf.where(mask, fresh, chains)
        chains = self._run_chains(chains, tf.constant(self.sampler.num_steps), seed_chain)
        if update_chains:
            self.persistent_chains.assign(chains)
        return chains

    def _contrastive_loss(self, data_energy, negative_energy, average):
        """The contrastive loss, mean E(x_data) - mean E(x⁻) + α (mean E(x_data)² + mean E(x⁻)²).

        Each mean is by `average` (`tf.nn.compute_average_loss` for the replica's share of the
        gradient, `tf.reduce_mean` for the reported value).
        """
        loss = average(data_energy) - average(negative_energy)
        if self.energy_regularization > 0.0:
            loss += self.energy_regularization * (
                average(tf.square(data_energy)) + average(tf.square(negative_energy))
            )
        return loss

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        x = self._prepare(x)
        rows = replica_rows(tf.shape(x)[0])
        with tf.control_dependencies([x]):  # bad data stops the step before any update
            negative = tf.stop_gradient(self._negative_samples(x, self._next_seed(), rows, True))
        variables = self.trainable_variables
        with tf.GradientTape() as tape:
            data_energy = self._energy(x, training=True)
            negative_energy = self._energy(negative, training=True)
            loss = self._contrastive_loss(data_energy, negative_energy, tf.nn.compute_average_loss)
        self.optimizer.apply(tape.gradient(loss, variables), variables)
        return self._update_metrics(data_energy, negative_energy)

    def test_step(self, data):
        """The same loss with fresh negative samples; persistent chains are left unchanged."""
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        x = self._prepare(x)
        rows = replica_rows(tf.shape(x)[0])
        negative = self._negative_samples(x, self._next_seed(), rows, False)
        return self._update_metrics(self._energy(x), self._energy(negative))

    def _update_metrics(self, data_energy, negative_energy):
        self.loss_tracker.update_state(
            self._contrastive_loss(data_energy, negative_energy, tf.reduce_mean)
        )
        self.data_energy_tracker.update_state(data_energy)
        self.negative_energy_tracker.update_state(negative_energy)
        return metric_logs(self)

    # ----------------------------------------------------------------- config
    def get_config(self):
        return {
            **super().get_config(),
            "energy_network": keras.saving.serialize_keras_object(self.energy_network),
            "sampler": keras.saving.serialize_keras_object(self.sampler),
            "energy_regularization": self.energy_regularization,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["energy_network"] = keras.saving.deserialize_keras_object(config["energy_network"])
        config["sampler"] = keras.saving.deserialize_keras_object(config["sampler"])
        return cls(**config)
