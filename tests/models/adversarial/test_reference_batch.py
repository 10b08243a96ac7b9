"""Virtual batch normalization end to end: a generator carrying its fixed reference batch."""

import keras
import numpy as np
import pytest
from support.model_contract import run_model_contract

from zoo.layers import VirtualBatchNormalization
from zoo.models import DCGAN, GAN
from zoo.models.adversarial.reference_batch import ReferenceBatchGenerator


def tiny_vbn_dcgan(**kwargs):
    kwargs.setdefault("seed", 0)
    return DCGAN(
        (28, 28, 1), latent_dim=4, filters=4, normalization="virtual", reference_size=6, **kwargs
    )


def images(n=16):
    return np.random.default_rng(0).uniform(-1, 1, size=(n, 28, 28, 1)).astype("float32")


def test_model_contract_with_virtual_batch_norm(tmp_path):
    run_model_contract(tiny_vbn_dcgan, images(8), tmp_path, sample_shape=(28, 28, 1))


@pytest.mark.parametrize("training", [True, False])
def test_a_sample_does_not_depend_on_the_rest_of_its_batch(training):
    gan = tiny_vbn_dcgan()
    z = gan.sample_latents(5, seed=1)
    alone = gan.generator(z[:1], training=training).numpy()
    in_batch = gan.generator(z, training=training).numpy()[:1]
    others = gan.generator(np.concatenate([z[:1], -z[1:]]), training=training).numpy()[:1]
    np.testing.assert_allclose(alone, in_batch, atol=1e-5)
    np.testing.assert_allclose(alone, others, atol=1e-5)
    # Batch norm in training mode does couple the batch: the property is not vacuous.
    batch_norm = DCGAN((28, 28, 1), latent_dim=4, filters=4, seed=0)
    coupled = batch_norm.generator(z, training=True).numpy()[:1]
    assert np.abs(batch_norm.generator(z[:2], training=True).numpy()[:1] - coupled).max() > 1e-3


def test_keras_file_keeps_the_reference_batch(tmp_path):
    gan = tiny_vbn_dcgan(seed=None)  # reference drawn at random: only the file can restore it
    gan.compile()
    gan.fit(images(), batch_size=8, epochs=1, verbose=0)
    before = gan.sample(4, seed=3).numpy()
    gan.save(tmp_path / "vbn.keras")
    loaded = keras.models.load_model(tmp_path / "vbn.keras")
    np.testing.assert_array_equal(
        loaded.generator.reference_latents.numpy(), gan.generator.reference_latents.numpy()
    )
    np.testing.assert_allclose(loaded.sample(4, seed=3).numpy(), before, atol=1e-6)
    assert not tiny_vbn_dcgan(seed=None).generator.reference_latents.trainable
    assert loaded.get_config()["normalization"] == "virtual"


def test_seeded_reference_and_training_leaves_it_fixed():
    a, b = tiny_vbn_dcgan(seed=5), tiny_vbn_dcgan(seed=5)
    reference = a.generator.reference_latents.numpy()
    np.testing.assert_array_equal(reference, b.generator.reference_latents.numpy())
    assert reference.shape == (6, 4)
    a.compile()
    a.fit(images(), batch_size=8, epochs=1, verbose=0)
    np.testing.assert_array_equal(a.generator.reference_latents.numpy(), reference)


def test_custom_generator_wrapped_for_a_gan():
    network = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(8),
            VirtualBatchNormalization(reference_size=4),
            keras.layers.ReLU(),
            keras.layers.Dense(2),
        ]
    )
    discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    gan = GAN(ReferenceBatchGenerator(network, 3, reference_size=4, seed=0), discriminator, 3)
    gan.compile()
    points = np.random.default_rng(1).normal(size=(32, 2)).astype("float32")
    history = gan.fit(points, batch_size=16, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()
    assert gan.sample(3, seed=0).shape == (3, 2)
    with pytest.raises(ValueError, match="reference_size=4"):
        ReferenceBatchGenerator(network, 3, reference_size=8)


def test_bad_normalization_options_raise():
    with pytest.raises(ValueError, match="normalization"):
        DCGAN((28, 28, 1), normalization="layer")
    with pytest.raises(ValueError, match="keras.io"):
        DCGAN((28, 28, 1), latent_dim=128, architecture="kerasio", normalization="virtual")


def test_batch_norm_default_keeps_the_published_architecture():
    gan = DCGAN((28, 28, 1), latent_dim=100, filters=4)
    assert gan.normalization == "batch"
    assert isinstance(gan.generator, keras.Sequential)
    assert [type(layer).__name__ for layer in gan.generator.layers][:3] == [
        "Dense",
        "BatchNormalization",
        "ReLU",
    ]
