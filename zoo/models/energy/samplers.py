"""MCMC samplers for `EnergyBasedModel`: Langevin dynamics (continuous data), Gibbs (binary data).

A sampler knows how to start chains (`initial_state`, the noise `EnergyBasedModel.sample`
starts from) and how to advance them under an energy E(x) (`run`), and carries the
negative-phase options the model reads: `num_steps` per training step, `persistent` chains
and their number `num_chains`, and `restart_probability` (the chance a persistent chain
restarts from noise at a step, as the replay buffer of Du & Mordatch 2019). Both samplers
target p(x) ∝ exp(-E(x)) and draw from stateless seeds, so the same seed gives the same
chains; `rows` makes per-example noise replica-aware under `tf.distribute`
(`zoo.random.stateless_noise`).

#### References
Welling, M. & Teh, Y. W. (2011). Bayesian learning via stochastic gradient Langevin
dynamics. ICML. Du, Y. & Mordatch, I. (2019). Implicit generation and modeling with energy
based models. NeurIPS. Geman, S. & Geman, D. (1984). Stochastic relaxation, Gibbs
distributions, and the Bayesian restoration of images.
"""

import math

import keras
import tensorflow as tf

from zoo.random import stateless_noise


class MCMCSampler:
    """Base of the samplers: the negative-phase options and the config.

    Args:
        num_steps: Transitions per training step (and the default for `sample`).
        persistent: Keep `num_chains` chains across training steps (persistent contrastive
            divergence, Tieleman 2008) instead of starting every step at the data batch
            (contrastive divergence, Hinton 2002).
        num_chains: Number of persistent chains (used when `persistent`).
        restart_probability: Chance that a persistent chain restarts from `initial_state`
            noise before a step (0 keeps every chain).

    Raises:
        ValueError: for `num_steps < 1`, `num_chains < 1` or a probability outside [0, 1].
    """

    binary = False  # whether the data are bits (so log Z can be enumerated)

    def __init__(self, num_steps, persistent=False, num_chains=100, restart_probability=0.0):
        if int(num_steps) < 1:
            raise ValueError(f"num_steps must be at least 1; got {num_steps}.")
        if int(num_chains) < 1:
            raise ValueError(f"num_chains must be at least 1; got {num_chains}.")
        if not 0.0 <= restart_probability <= 1.0:
            raise ValueError(f"restart_probability must lie in [0, 1]; got {restart_probability}.")
        self.num_steps = int(num_steps)
        self.persistent = bool(persistent)
        self.num_chains = int(num_chains)
        self.restart_probability = float(restart_probability)

    def initial_state(self, shape, seed):
        """Fresh chain starts `[*shape]` (noise) from a shape-[2] seed."""
        raise NotImplementedError

    def run(self, energy_fn, state, num_steps, seed, rows=None):
        """Advance the chains `state` by `num_steps` transitions under `energy_fn`.

        Args:
            energy_fn: Callable `x [batch, *data_shape] -> energies [batch]`.
            state: float32 `[batch, *data_shape]`.
            num_steps: Integer scalar (tensor or Python int).
            seed: Shape-[2] int32 seed.
            rows: `zoo.random.replica_rows` when the chains are training examples.

        Returns:
            The new state, same shape.
        """
        raise NotImplementedError

    def get_config(self):
        return {
            "num_steps": self.num_steps,
            "persistent": self.persistent,
            "num_chains": self.num_chains,
            "restart_probability": self.restart_probability,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@keras.saving.register_keras_serializable(package="zoo")
class LangevinSampler(MCMCSampler):
    """Unadjusted Langevin dynamics, x <- x - (step_size / 2) dE/dx + noise_scale * N(0, I).

    With `noise_scale = sqrt(step_size)` (the default) this is the Euler discretization of
    the Langevin diffusion whose stationary law is p(x) ∝ exp(-E(x)); a smaller noise scale
    (Du & Mordatch 2019 use step 10 with noise 0.005 on images) trades diversity for
    sharper samples. Chains for `sample` start uniformly in `initial_range`.

    Args:
        step_size: lambda in the update above.
        num_steps: Langevin steps per training step (and the default for `sample`).
        noise_scale: Standard deviation of the injected noise; default `sqrt(step_size)`.
        persistent: Persistent chains instead of chains started at the data.
        num_chains: Number of persistent chains.
        restart_probability: Chance that a persistent chain restarts from noise per step.
        initial_range: `(low, high)` of the uniform noise chains start from.
        gradient_clip: Clip each coordinate of dE/dx to `[-gradient_clip, gradient_clip]`
            (None: no clipping).

    Raises:
        ValueError: for a non-positive step size, a negative noise scale or clip, or an
            empty initial range.

    #### Examples

    ```python
    sampler = LangevinSampler(step_size=0.01, num_steps=20, persistent=True)
    ebm = zoo.models.EnergyBasedModel(energy_network, sampler=sampler)
    ```

    #### References
    Welling, M. & Teh, Y. W. (2011). Bayesian learning via stochastic gradient Langevin
    dynamics. ICML. Du, Y. & Mordatch, I. (2019). Implicit generation and modeling with
    energy based models. NeurIPS.
    """

    def __init__(
        self,
        step_size=0.01,
        num_steps=20,
        noise_scale=None,
        persistent=False,
        num_chains=100,
        restart_probability=0.0,
        initial_range=(-1.0, 1.0),
        gradient_clip=None,
    ):
        super().__init__(num_steps, persistent, num_chains, restart_probability)
        if step_size <= 0:
            raise ValueError(f"step_size must be positive; got {step_size}.")
        if noise_scale is not None and noise_scale < 0:
            raise ValueError(f"noise_scale must be >= 0; got {noise_scale}.")
        if gradient_clip is not None and gradient_clip <= 0:
            raise ValueError(f"gradient_clip must be positive or None; got {gradient_clip}.")
        low, high = (float(b) for b in initial_range)
        if not low < high:
            raise ValueError(
                f"initial_range must be (low, high) with low < high; got {initial_range}."
            )
        self.step_size = float(step_size)
        self.noise_scale = None if noise_scale is None else float(noise_scale)
        self.initial_range = (low, high)
        self.gradient_clip = None if gradient_clip is None else float(gradient_clip)

    @property
    def _noise_scale(self):
        return math.sqrt(self.step_size) if self.noise_scale is None else self.noise_scale

    def initial_state(self, shape, seed):
        """Fresh chain starts `[*shape]`, uniform in `initial_range`, from a shape-[2] seed."""
        low, high = self.initial_range
        return tf.random.stateless_uniform(shape, seed, low, high)

    def run(self, energy_fn, state, num_steps, seed, rows=None):
        """Advance the chains by `num_steps` Langevin steps (arguments as `MCMCSampler.run`)."""

        def body(t, x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                energy = tf.reduce_sum(energy_fn(x))
            gradient = tape.gradient(energy, x)
            if self.gradient_clip is not None:
                gradient = tf.clip_by_value(gradient, -self.gradient_clip, self.gradient_clip)
            noise = stateless_noise(
                tf.random.stateless_normal,
                tf.shape(x),
                tf.random.experimental.stateless_fold_in(seed, t),
                rows,
            )
            return t + 1, x - 0.5 * self.step_size * gradient + self._noise_scale * noise

        return tf.while_loop(lambda t, _: t < num_steps, body, (tf.constant(0), state))[1]

    def get_config(self):
        return {
            "step_size": self.step_size,
            **super().get_config(),
            "noise_scale": self.noise_scale,
            "initial_range": list(self.initial_range),
            "gradient_clip": self.gradient_clip,
        }


@keras.saving.register_keras_serializable(package="zoo")
class GibbsSampler(MCMCSampler):
    """Systematic-scan Gibbs sampling of binary data by the exact one-bit conditionals.

    One step (a sweep) visits every coordinate i in order and redraws it from
    p(x_i = 1 | x_-i) = sigmoid(E(x with x_i = 0) - E(x with x_i = 1)): two energy
    evaluations per coordinate, so a sweep costs 2 * dim network calls on the batch. Each
    update leaves p(x) ∝ exp(-E(x)) invariant, hence so does the sweep. Chains for `sample`
    start at uniformly random bits.

    Args:
        num_steps: Sweeps per training step (and the default for `sample`).
        persistent: Persistent chains instead of chains started at the data.
        num_chains: Number of persistent chains.
        restart_probability: Chance that a persistent chain restarts from random bits.

    #### Examples

    ```python
    ebm = zoo.models.EnergyBasedModel(energy_network, sampler=GibbsSampler(num_steps=2))
    ```

    #### References
    Geman, S. & Geman, D. (1984). Stochastic relaxation, Gibbs distributions, and the
    Bayesian restoration of images. IEEE PAMI.
    """

    binary = True

    def __init__(self, num_steps=1, persistent=False, num_chains=100, restart_probability=0.0):
        super().__init__(num_steps, persistent, num_chains, restart_probability)

    def initial_state(self, shape, seed):
        """Fresh chain starts `[*shape]`, uniform random bits, from a shape-[2] seed."""
        return tf.cast(tf.random.stateless_uniform(shape, seed) < 0.5, tf.float32)

    def run(self, energy_fn, state, num_steps, seed, rows=None):
        """Advance the chains by `num_steps` systematic-scan sweeps (as `MCMCSampler.run`)."""
        shape = tf.shape(state)
        flat = tf.reshape(state, [shape[0], -1])
        dim = tf.shape(flat)[1]

        def body(t, x):
            site = tf.one_hot(t % dim, dim)[None, :]
            off, on = x * (1.0 - site), x * (1.0 - site) + site
            energies = energy_fn(
                tf.reshape(tf.concat([off, on], 0), tf.concat([[-1], shape[1:]], 0))
            )
            energy_off, energy_on = tf.split(energies, 2)
            uniform = stateless_noise(
                tf.random.stateless_uniform,
                tf.shape(energy_on),
                tf.random.experimental.stateless_fold_in(seed, t),
                rows,
            )
            bit = tf.cast(uniform < tf.sigmoid(energy_off - energy_on), tf.float32)
            return t + 1, off + site * bit[:, None]

        total = tf.cast(num_steps, tf.int32) * dim
        flat = tf.while_loop(lambda t, _: t < total, body, (tf.constant(0), flat))[1]
        return tf.reshape(flat, shape)
