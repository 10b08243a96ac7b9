"""DCGAN builders and presets."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import run_model_contract

import zoo
from zoo.models import DCGAN
from zoo.models.adversarial.dcgan import kerasio_generator


def test_model_contract_on_a_tiny_dcgan(tmp_path):
    images = np.random.default_rng(0).uniform(-1, 1, size=(8, 28, 28, 1)).astype("float32")
    run_model_contract(
        lambda: DCGAN((28, 28, 1), latent_dim=4, filters=4, seed=0),
        images,
        tmp_path,
        sample_shape=(28, 28, 1),
    )


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (64, 64, 3)])
def test_radford_shapes_and_output_range(shape):
    gan = DCGAN(shape, latent_dim=4, filters=4)
    samples = gan.sample(2, seed=0).numpy()
    assert samples.shape == (2, *shape)
    assert np.abs(samples).max() <= 1.0  # tanh
    assert gan.discriminate(samples).shape == (2,)


def test_kerasio_architecture_matches_the_example():
    gan = DCGAN((28, 28, 1), latent_dim=128, architecture="kerasio")
    # Parameter counts printed by the keras.io example's model summaries.
    assert gan.generator.count_params() == 1_339_905
    assert gan.discriminator.count_params() == 74_625
    assert gan.data_range == (0.0, 1.0)


def test_kerasio_generator_tap_output_is_the_examples_conv2d():
    fast, plain = kerasio_generator(8), kerasio_generator(8, tap_output=False)
    assert isinstance(plain.layers[-1], keras.layers.Conv2D)
    plain.set_weights(fast.get_weights())
    z = tf.random.stateless_normal([2, 8], [3, 4])
    np.testing.assert_allclose(fast(z), plain(z), atol=1e-5)


def test_bad_shapes_and_data_raise():
    with pytest.raises(ValueError, match="base"):
        DCGAN((30, 30, 1))
    with pytest.raises(ValueError, match=r"\(28, 28, 1\)"):
        DCGAN((32, 32, 3), architecture="kerasio")
    gan = DCGAN((28, 28, 1), latent_dim=4, filters=4)
    with pytest.raises(ValueError, match=r"\[-1.0, 1.0\]"):
        gan.discriminate(np.full((2, 28, 28, 1), 255.0, "float32"))


def test_presets():
    assert {"dcgan_fashion_mnist", "dcgan_lsun"} <= set(zoo.list_models("dcgan*"))
    with pytest.raises(RuntimeError, match="LSUN bedrooms cannot be downloaded"):
        zoo.load("dcgan_lsun")
    assert zoo.info("dcgan_lsun")["config"]["image_shape"] == [64, 64, 3]
    gan = zoo.load("dcgan_fashion_mnist", pretrained=False, filters=4)
    assert gan.data_shape == (28, 28, 1)
