"""GAN model: contract, k-step schedule, unrolling, saving with both optimizers, resuming."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import run_model_contract

from zoo.models import GAN

LATENT = 3


def mlp(inputs, outputs, name):
    return keras.Sequential(
        [
            keras.Input((inputs,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(outputs),
        ],
        name=name,
    )


def tiny_gan(**kwargs):
    return GAN(
        mlp(LATENT, 2, "generator"),
        mlp(2, 1, "discriminator"),
        LATENT,
        seed=1,
        **kwargs,
    )


def points(n=64):
    return np.random.default_rng(0).normal(size=(n, 2)).astype("float32")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"loss": "minimax", "label_smoothing": 0.1},
        {"loss": "wasserstein_gp"},
        {"unroll_steps": 1},
    ],
)
def test_model_contract(kwargs, tmp_path):
    run_model_contract(
        lambda: tiny_gan(**kwargs),
        tf.data.Dataset.from_tensor_slices(points()).batch(16),
        tmp_path,
        sample_shape=(2,),
    )


def test_d_steps_discriminator_updates_per_generator_update():
    d_steps = 3  # (the .keras test below checks d_steps=2)
    gan = tiny_gan(d_steps=d_steps)
    gan.compile()
    gan.fit(points(), batch_size=16, epochs=1, verbose=0)  # 4 generator updates
    assert int(gan.g_optimizer.iterations) == 4
    assert int(gan.d_optimizer.iterations) == 4 * d_steps


def test_compile_defaults_and_two_distinct_optimizers():
    gan = tiny_gan()
    gan.compile(optimizer=keras.optimizers.SGD(0.01))
    assert isinstance(gan.d_optimizer, keras.optimizers.SGD)
    assert gan.d_optimizer is not gan.g_optimizer
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer instances"):
        tiny_gan().compile(d_optimizer=shared, g_optimizer=shared)
    wgan = tiny_gan(loss="wasserstein_gp")
    wgan.compile()
    assert float(wgan.d_optimizer.beta_2) == pytest.approx(0.9)


def _generator_gradients(gan, real, z):
    """Gradients of the generator loss as `train_step` computes them, without applying."""
    with tf.GradientTape() as tape:
        fake = gan.generator(z, training=True)
        if gan.unroll_steps:
            logits = gan._unrolled_logits(real, fake)
        else:
            logits = gan.discriminator(fake, training=True)
        loss = tf.reduce_mean(gan.gan_loss.generator(logits))
    return tape.gradient(loss, gan.generator.trainable_variables)


def test_unrolling_leaves_discriminator_unchanged_but_changes_generator_gradient():
    gan = tiny_gan(unroll_steps=3)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.05), g_optimizer=keras.optimizers.Adam(0.01))
    gan.fit(points(32), batch_size=32, epochs=1, verbose=0)  # non-zero Adam moments
    before = [v.numpy().copy() for v in gan.discriminator.weights + gan.d_optimizer.variables]
    real = tf.constant(points(32))
    z = gan.sample_latents(32, seed=0)
    unrolled = _generator_gradients(gan, real, z)
    after = [v.numpy() for v in gan.discriminator.weights + gan.d_optimizer.variables]
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    gan.unroll_steps = 0
    plain = _generator_gradients(gan, real, z)
    assert all(np.all(np.isfinite(g)) for g in unrolled)
    assert max(np.abs(u - p).max() for u, p in zip(unrolled, plain, strict=True)) > 1e-6


def test_unrolling_through_a_dead_relu_unit_stays_finite():
    # A discriminator unit that never fires has all-zero gradients, so Adam's moments m and
    # v stay exactly 0 for its weights; differentiating m / sqrt(v) there under XLA gave NaN.
    gan = tiny_gan(unroll_steps=2)
    hidden = gan.discriminator.layers[0]
    hidden.bias.assign(np.r_[-1e3, np.zeros(7)].astype("float32"))  # unit 0 is dead
    gan.compile(d_optimizer=keras.optimizers.Adam(0.05), g_optimizer=keras.optimizers.Adam(0.01))
    gan.fit(points(32), batch_size=16, epochs=1, verbose=0)
    assert float(tf.reduce_max(gan.d_optimizer._velocities[0][:, 0])) == 0.0  # v stayed 0
    gradients = tf.function(_generator_gradients, jit_compile=True)(
        gan, tf.constant(points(32)), gan.sample_latents(32, seed=0)
    )
    assert all(np.all(np.isfinite(g)) for g in gradients)


def test_unrolled_look_ahead_is_the_adam_step_from_the_optimizer_state():
    # Two known gradients give Adam known moments; the look-ahead's next step must be the
    # hand-written Adam update (Kingma and Ba, Algorithm 1, with Keras' epsilon hat) and
    # the step Keras itself then takes.
    lr, b1, b2, eps = 0.05, 0.5, 0.9, 1e-7
    gan = tiny_gan(unroll_steps=1)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(lr, beta_1=b1, beta_2=b2, epsilon=eps),
        g_optimizer=keras.optimizers.Adam(0.01),
    )
    disc, rng = gan.discriminator, np.random.default_rng(1)
    history = [[rng.normal(size=v.shape) for v in disc.trainable_variables] for _ in range(2)]
    for grads in history:
        gan.d_optimizer.apply_gradients(zip(grads, disc.trainable_variables, strict=True))
    real, fake = tf.constant(points(16)), tf.constant(points(16) + 1.0)
    with tf.GradientTape() as tape:
        real_logits, fake_logits = disc(real, training=True), disc(fake, training=True)
        loss = tf.reduce_mean(gan.gan_loss.discriminator(real_logits, fake_logits, 0.0))
    grads = [g.numpy() for g in tape.gradient(loss, disc.trainable_variables)]
    stepped = []
    for i, w in enumerate(disc.trainable_variables):
        m = v = 0.0
        for g in (history[0][i], history[1][i], grads[i]):
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        alpha = lr * np.sqrt(1 - b2**3) / (1 - b1**3)
        stepped.append((w.numpy() - alpha * m / (np.sqrt(v) + eps)).astype("float32"))
    expected, _ = disc.stateless_call(stepped, [], fake, training=True)

    looked_ahead = gan._unrolled_logits(real, fake)
    np.testing.assert_allclose(looked_ahead, expected, rtol=1e-5, atol=1e-6)
    assert np.abs(np.asarray(looked_ahead) - np.asarray(fake_logits)).max() > 1e-3
    gan.d_optimizer.apply_gradients(zip(grads, disc.trainable_variables, strict=True))
    np.testing.assert_allclose(disc(fake, training=True), expected, rtol=1e-5, atol=1e-6)


def test_unrolling_needs_a_replayable_optimizer():
    with pytest.raises(ValueError, match="Adam"):
        tiny_gan(unroll_steps=2).compile(d_optimizer=keras.optimizers.RMSprop())
    with pytest.raises(ValueError, match="wasserstein_gp"):
        tiny_gan(unroll_steps=2, loss="wasserstein_gp")


def test_keras_file_keeps_both_optimizers_state(tmp_path):
    gan = tiny_gan(d_steps=2)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3),
        g_optimizer=keras.optimizers.RMSprop(1e-3),
    )
    gan.fit(points(), batch_size=16, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded.g_optimizer, keras.optimizers.RMSprop)
    assert int(loaded.d_optimizer.iterations) == 8 and int(loaded.g_optimizer.iterations) == 4
    for original, restored in [
        (gan.d_optimizer, loaded.d_optimizer),
        (gan.g_optimizer, loaded.g_optimizer),
    ]:
        assert len(original.variables) == len(restored.variables)
        for a, b in zip(original.variables, restored.variables, strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
        slots = [v for v in original.variables if v.path.endswith(("momentum", "velocity"))]
        assert slots and any(np.abs(v.numpy()).max() > 0 for v in slots)
    # Training goes on from the restored state in lockstep with the original.
    data = points(16)
    gan.fit(data, batch_size=16, epochs=1, verbose=0, shuffle=False)
    loaded.fit(data, batch_size=16, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(gan.weights, loaded.weights, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=a.path)


class _StopAtEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("interrupted")


def test_backup_and_restore_resumes_training(tmp_path):
    data = points(16)

    def run(callbacks):
        keras.utils.set_random_seed(3)
        gan = tiny_gan()
        gan.compile()
        gan.fit(data, batch_size=16, epochs=3, verbose=0, shuffle=False, callbacks=callbacks)
        return gan

    reference = run([])
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(RuntimeError, match="interrupted"):
        run([backup, _StopAtEpoch(2)])
    resumed = run([keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))])
    assert int(resumed.g_optimizer.iterations) == int(reference.g_optimizer.iterations) == 3
    for a, b in zip(reference.weights, resumed.weights, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=a.path)


def test_bad_inputs_raise_clear_errors():
    gan = tiny_gan(data_range=(-1.0, 1.0))
    with pytest.raises(ValueError, match=r"\(batch, 2\)"):
        gan.discriminate(np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match=r"\[-1.0, 1.0\]"):
        gan.discriminate(np.full((4, 2), 3.0, "float32"))
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        gan.generate(np.zeros((2, 5), "float32"))
    with pytest.raises(ValueError, match="d_steps"):
        tiny_gan(d_steps=0)
    assert gan.discriminate(np.zeros((4, 2), "float32")).shape == (4,)
