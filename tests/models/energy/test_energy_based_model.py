"""EnergyBasedModel: CD with Langevin / Gibbs samplers, exact log p for few bits, contract."""

import time

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy.special import logsumexp
from support.model_contract import run_model_contract

from zoo.data.toy import ring_mixture
from zoo.evaluation.mode_coverage import mode_coverage
from zoo.models import EnergyBasedModel, GibbsSampler, LangevinSampler
from zoo.models.energy.binary_enumeration import binary_states


class QuadraticEnergy(keras.layers.Layer):
    """E(x) = |x - mu|^2 / 2: the energy of N(mu, I), with a trainable mu."""

    def build(self, input_shape):
        self.mu = self.add_weight(shape=(), initializer="zeros", name="mu")

    def call(self, x):
        return 0.5 * tf.reduce_sum(tf.square(x - self.mu), axis=-1)


def _mlp(dim, width=16, activation="swish"):
    return keras.Sequential(
        [
            keras.Input((dim,)),
            keras.layers.Dense(width, activation),
            keras.layers.Dense(width, activation),
            keras.layers.Dense(1),
        ]
    )


def _binary(n, d, seed=0):
    return (np.random.default_rng(seed).random((n, d)) < 0.4).astype("float32")


@pytest.mark.parametrize("persistent", [False, True])
def test_cd_with_langevin_recovers_a_gaussian_mean(persistent):
    """Energy (x - mu)^2 / 2, data N(3, 1): the CD gradient is mean(x_neg) - mean(x_data),
    zero once mu = mean(x_data)."""
    x = np.random.default_rng(0).normal(3.0, 1.0, size=(512, 1)).astype("float32")
    network = keras.Sequential([keras.Input((1,)), QuadraticEnergy()])
    sampler = LangevinSampler(0.1, num_steps=10, persistent=persistent, num_chains=256)
    ebm = EnergyBasedModel(network, sampler=sampler, seed=0)
    ebm.compile(optimizer=keras.optimizers.SGD(0.5))
    ebm.fit(x, batch_size=128, epochs=20, verbose=0)
    mu = float(network.layers[0].mu)
    # Measured: 2.974 (CD), 2.939 (PCD); the sample mean is 2.976.
    assert abs(mu - x.mean()) < 0.1 and abs(mu - 3.0) < 0.1, mu


def test_langevin_samples_a_known_gaussian():
    network = keras.Sequential([keras.Input((2,)), QuadraticEnergy()])
    network.layers[0].mu.assign(1.5)
    ebm = EnergyBasedModel(network, sampler=LangevinSampler(0.05, initial_range=(-3.0, 3.0)))
    samples = np.asarray(ebm.sample(4000, seed=0, num_steps=300))
    # Stationary law of the discretized chain: N(1.5, 1 / (1 - step / 4)) per coordinate.
    np.testing.assert_allclose(samples.mean(0), 1.5, atol=0.06)
    np.testing.assert_allclose(samples.var(0), 1.0 / (1.0 - 0.05 / 4), rtol=0.08)


def test_ring_of_gaussians_all_modes_covered():
    """Tiny MLP energy, CD with 20 Langevin steps; samples from noise cover the 8 modes."""
    start = time.time()
    keras.utils.set_random_seed(0)
    ring = ring_mixture(std=0.1)
    x = ring.sample(2048, seed=0)
    sampler = LangevinSampler(0.01, num_steps=20, initial_range=(-3.0, 3.0))
    ebm = EnergyBasedModel(_mlp(2, 64), sampler=sampler, energy_regularization=0.01, seed=0)
    untrained = mode_coverage(np.asarray(ebm.sample(2500, seed=1, num_steps=500)), ring)
    ebm.compile(optimizer=keras.optimizers.Adam(3e-3), steps_per_execution=16)
    ebm.fit(x, batch_size=128, epochs=100, verbose=0)
    samples = np.asarray(ebm.sample(2500, seed=1, num_steps=500))
    coverage = mode_coverage(samples, ring)
    distances = np.linalg.norm(samples[:, None] - ring.centers[None], axis=-1)
    good = distances.min(1) <= 3 * ring.std
    per_mode = np.bincount(distances.argmin(1)[good], minlength=8)
    # Measured (seed 0): 8 modes, high-quality fraction 0.965 (the same with
    # steps_per_execution 1 and 16); seeds 1, 2 gave 0.86 and 0.97. A 32-unit MLP with 10
    # Langevin steps was not reliable (0.96, 0.37, 0.82).
    assert coverage["modes_covered"] == 8, coverage
    assert coverage["high_quality_fraction"] > 0.6, coverage
    assert untrained["high_quality_fraction"] < 0.1, untrained
    assert per_mode.min() > 0.04 * len(samples), per_mode
    print(f"ring test: {time.time() - start:.1f} s wall")


def _tiny_binary_model(bits=5, persistent=False):
    keras.utils.set_random_seed(0)
    network = _mlp(bits, 8, "tanh")
    for w in network.weights:  # energies far from flat
        w.assign(2.0 * np.random.default_rng(1).normal(size=w.shape).astype("float32"))
    sampler = GibbsSampler(num_steps=1, persistent=persistent, num_chains=6)
    return EnergyBasedModel(network, sampler=sampler, seed=0)


def test_binary_log_prob_is_normalized_and_matches_brute_force():
    ebm = _tiny_binary_model(5)
    states = binary_states(5).numpy()
    log_p = np.asarray(ebm.log_prob(states))
    np.testing.assert_allclose(logsumexp(log_p), 0.0, atol=1e-5)
    energies = np.asarray(ebm.energy(states), np.float64)
    np.testing.assert_allclose(log_p, -energies - logsumexp(-energies), atol=1e-5)
    np.testing.assert_allclose(ebm.free_energy(states[:3]), energies[:3], rtol=1e-6)
    assert np.ptp(log_p) > 2.0  # not a flat model
    log_z = ebm.log_partition()  # an exact `Estimate`
    assert log_z.method == "exact" and float(log_z.standard_error) == 0.0
    np.testing.assert_allclose(log_z.value, logsumexp(-energies), rtol=1e-5)


def test_gibbs_sampler_draws_the_model_distribution():
    ebm = _tiny_binary_model(3)
    states = binary_states(3).numpy()
    p = np.exp(np.asarray(ebm.log_prob(states)))
    samples = np.asarray(ebm.sample(4000, seed=0, num_steps=10))
    index = (samples * [1, 2, 4]).sum(1).astype(int)  # bit i is worth 2^i (binary_states)
    empirical = np.bincount(index, minlength=8) / len(samples)
    assert 0.5 * np.abs(empirical - p).sum() < 0.03, (empirical, p)


@pytest.mark.parametrize(
    "sampler",
    [
        LangevinSampler(0.01, num_steps=3, noise_scale=0.05),
        LangevinSampler(
            0.01,
            num_steps=3,
            persistent=True,
            num_chains=5,
            restart_probability=0.5,
            gradient_clip=1.0,
        ),
    ],
    ids=["langevin_cd", "langevin_pcd"],
)
def test_contract_continuous(sampler, tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    model, _ = run_model_contract(
        lambda: EnergyBasedModel(_mlp(3), sampler=sampler, energy_regularization=0.1, seed=1),
        x,
        tmp_path,
        sample_shape=(3,),
    )
    loaded = keras.models.load_model(tmp_path / "EnergyBasedModel.keras")
    assert loaded.sampler.get_config() == sampler.get_config()
    np.testing.assert_allclose(loaded.energy(x[:4]), model.energy(x[:4]), rtol=1e-6)


@pytest.mark.parametrize("persistent", [False, True])
def test_contract_binary(persistent, tmp_path):
    run_model_contract(
        lambda: _tiny_binary_model(4, persistent),
        _binary(30, 4),
        tmp_path,
        sample_shape=(4,),
    )


def test_persistent_chains_advance_and_evaluate_leaves_them():
    ebm = _tiny_binary_model(4, persistent=True)
    ebm.compile(optimizer="adam")
    x = _binary(12, 4)
    before = np.array(ebm.persistent_chains)
    ebm.evaluate(x, verbose=0)
    np.testing.assert_array_equal(ebm.persistent_chains, before)
    ebm.fit(x, epochs=1, verbose=0)
    assert not np.array_equal(ebm.persistent_chains, before)


def test_tf_data_fit():
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    ebm = EnergyBasedModel(_mlp(2), sampler=LangevinSampler(0.01, num_steps=2), seed=0)
    ebm.compile(optimizer="adam")
    history = ebm.fit(tf.data.Dataset.from_tensor_slices(x).batch(8), epochs=1, verbose=0)
    assert set(history.history) == {"loss", "data_energy", "negative_energy"}


def test_bad_input_errors():
    ebm = EnergyBasedModel(_mlp(3), seed=0)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 3\)"):
        ebm.energy(np.zeros((2, 4), "float32"))
    with pytest.raises(NotImplementedError, match="continuous EnergyBasedModel"):
        ebm.log_prob(np.zeros((2, 3), "float32"))
    binary = _tiny_binary_model(4)
    with pytest.raises(ValueError, match=r"must lie in \[0.0, 1.0\]"):
        binary.energy(np.full((2, 4), 2.0, "float32"))
    wide = EnergyBasedModel(_mlp(21), sampler=GibbsSampler())
    with pytest.raises(NotImplementedError, match="2\\^21 binary states"):
        wide.log_prob(np.zeros((1, 21), "float32"))
    with pytest.raises(ValueError, match='method="exact" only'):
        binary.log_partition("ais")


def test_bad_construction_errors():
    with pytest.raises(ValueError, match="known input shape"):
        EnergyBasedModel(keras.Sequential([keras.layers.Dense(1)]))
    three_outputs = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="one energy per example"):
        EnergyBasedModel(three_outputs)
    with pytest.raises(TypeError, match="sampler must be"):
        EnergyBasedModel(_mlp(2), sampler="langevin")
    with pytest.raises(ValueError, match="energy_regularization must be >= 0"):
        EnergyBasedModel(_mlp(2), energy_regularization=-1.0)
    with pytest.raises(ValueError, match="step_size must be positive"):
        LangevinSampler(step_size=0.0)
    with pytest.raises(ValueError, match="num_steps must be at least 1"):
        GibbsSampler(num_steps=0)
    with pytest.raises(ValueError, match="restart_probability"):
        LangevinSampler(restart_probability=1.5)
    with pytest.raises(ValueError, match="low < high"):
        LangevinSampler(initial_range=(1.0, -1.0))
