"""Class-conditional GAN: labels into both players, conditional sampling, label checks."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.model_contract import check_condition_alias, run_model_contract

from zoo.layers import ClassProjection
from zoo.models import DCGAN, GAN

K, LATENT = 3, 2


def label_only_generator():
    """A generator that ignores z: its output is the label's 2-d embedding."""
    z = keras.Input((LATENT,))
    labels = keras.Input((), dtype="int32")
    outputs = keras.layers.Embedding(K, 2, embeddings_initializer="uniform")(labels)
    return keras.Model([z, labels], outputs)


def concat_discriminator():
    x = keras.Input((2,))
    labels = keras.Input((), dtype="int32")
    one_hot = keras.layers.CategoryEncoding(K, output_mode="one_hot")(labels)
    hidden = keras.layers.Dense(8, activation="relu")(keras.layers.Concatenate()([x, one_hot]))
    return keras.Model([x, labels], keras.layers.Dense(1)(hidden))


def tiny_cgan(**kwargs):
    return GAN(label_only_generator(), concat_discriminator(), LATENT, num_classes=K, **kwargs)


def labelled_points(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 2)).astype("float32"), (np.arange(n) % K).astype("int32")


def tiny_dcgan(**kwargs):
    return DCGAN((28, 28, 1), latent_dim=4, filters=4, num_classes=10, seed=0, **kwargs)


def labelled_images(n=8):
    rng = np.random.default_rng(1)
    return rng.uniform(-1, 1, (n, 28, 28, 1)).astype("float32"), np.arange(n) % 10


@pytest.mark.parametrize("normalization", ["batch", "virtual"])
def test_model_contract_of_a_conditional_dcgan(normalization, tmp_path):
    x, y = labelled_images()
    gan, _ = run_model_contract(
        lambda: tiny_dcgan(normalization=normalization, reference_size=4),
        tf.data.Dataset.from_tensor_slices((x, y)).batch(4),
        tmp_path,
        sample_shape=(28, 28, 1),
    )
    assert gan.get_config()["num_classes"] == 10
    loaded = keras.models.load_model(tmp_path / "DCGAN.keras")
    labels = np.array([0, 3, 9])
    np.testing.assert_allclose(
        loaded.sample(3, seed=2, condition=labels),
        gan.sample(3, seed=2, condition=labels),
        atol=1e-6,
    )


def test_samples_follow_the_given_labels():
    gan = tiny_cgan(seed=0)
    table = gan.generator.layers[-1].embeddings.numpy()
    labels = np.array([2, 0, 1, 1, 2])
    for seed in (0, 1):
        np.testing.assert_allclose(gan.sample(5, seed=seed, condition=labels), table[labels])
    np.testing.assert_allclose(gan.sample(4, seed=0, condition=1), table[[1, 1, 1, 1]])
    z = np.zeros((2, LATENT), "float32")
    np.testing.assert_allclose(gan.generate(z, condition=[0, 2]), table[[0, 2]])


def test_labels_is_a_deprecated_alias_of_condition():
    gan = tiny_cgan(seed=0)
    labels = np.array([2, 0, 1, 1, 2])
    z = np.zeros((5, LATENT), "float32")
    x = labelled_points(5)[0]
    check_condition_alias("GAN.sample", lambda **kwargs: gan.sample(5, seed=0, **kwargs), labels)
    check_condition_alias("GAN.generate", lambda **kwargs: gan.generate(z, **kwargs), labels)
    check_condition_alias(
        "GAN.discriminate", lambda **kwargs: gan.discriminate(x, **kwargs), labels
    )


def test_drawn_labels_are_uniform_and_seeded():
    gan = tiny_cgan(seed=0)
    table = gan.generator.layers[-1].embeddings.numpy()
    samples = gan.sample(600, seed=4).numpy()
    drawn = np.argmin(((samples[:, None] - table[None]) ** 2).sum(-1), axis=1)
    counts = np.bincount(drawn, minlength=K)
    assert counts.min() > 150, counts  # ~200 each
    np.testing.assert_array_equal(gan.sample(600, seed=4), samples)


def test_fit_on_pairs_trains_both_players():
    gan = tiny_cgan(seed=0)
    gan.compile()
    x, y = labelled_points()
    before = [w.numpy().copy() for w in gan.discriminator.weights + gan.generator.weights]
    history = gan.fit(x, y, batch_size=16, epochs=1, verbose=0)
    after = [w.numpy() for w in gan.discriminator.weights + gan.generator.weights]
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert all(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert gan.discriminate(x[:4], condition=y[:4]).shape == (4,)


def test_bad_labels_raise_naming_the_range():
    gan = tiny_cgan()
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        gan.sample(2, condition=[0, 3])
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        gan.sample(1, condition=-1)
    with pytest.raises(ValueError, match="non-integer"):
        gan.sample(2, condition=[0.5, 1.0])
    with pytest.raises(ValueError, match=r"\(3,\)"):
        gan.sample(3, condition=[0, 1])
    with pytest.raises(ValueError, match=r"condition="):
        gan.discriminate(np.zeros((2, 2), "float32"))
    gan.compile()
    x, y = labelled_points()
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        gan.fit(x, y + 1, batch_size=16, verbose=0)
    with pytest.raises(ValueError, match=r"\(x, y\) pairs"):
        gan.fit(x, batch_size=16, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 2\]"):
        gan.fit(tf.data.Dataset.from_tensor_slices((x, y + 1)).batch(16), verbose=0)
    with pytest.raises(ValueError, match="num_classes"):
        GAN(label_only_generator(), concat_discriminator(), LATENT, num_classes=1)
    unconditional = DCGAN((28, 28, 1), latent_dim=4, filters=4)
    with pytest.raises(ValueError, match="unconditional"):
        unconditional.sample(2, condition=[0, 1])


def test_class_projection_is_the_embedding_inner_product():
    layer = ClassProjection(4)
    features = np.random.default_rng(2).normal(size=(5, 3)).astype("float32")
    labels = np.array([0, 3, 1, 3, 2])
    out = layer([features, labels]).numpy()
    want = (layer.embeddings.numpy()[labels] * features).sum(-1, keepdims=True)
    np.testing.assert_allclose(out, want, rtol=1e-5)
    assert ClassProjection.from_config(layer.get_config()).num_classes == 4


def test_projection_discriminator_uses_the_label():
    gan = tiny_dcgan()
    x, _ = labelled_images(2)
    (projection,) = [
        layer for layer in gan.discriminator.layers if isinstance(layer, ClassProjection)
    ]
    projection.embeddings.assign(np.random.default_rng(3).normal(size=projection.embeddings.shape))
    a = gan.discriminate(x, condition=[0, 0]).numpy()
    b = gan.discriminate(x, condition=[5, 5]).numpy()
    assert np.abs(a - b).min() > 1e-4


def test_saved_model_signatures_take_the_condition(tmp_path):
    import zoo

    gan = tiny_cgan(seed=0)
    path = zoo.export_saved_model(gan, tmp_path / "cgan")
    served = tf.saved_model.load(str(path)).signatures
    z = np.zeros((2, LATENT), "float32")
    labels = np.array([2, 0], "int32")
    np.testing.assert_allclose(
        served["generate"](z=z, condition=labels)["samples"], gan.generate(z, condition=labels)
    )
    x, y = labelled_points(4)
    np.testing.assert_allclose(
        served["discriminate"](x=x, condition=y)["logits"],
        gan.discriminate(x, condition=y),
        rtol=1e-5,
    )
    labels = np.array([1, 0, 2], "int32")
    samples = served["sample"](num_samples=tf.constant(3), seed=tf.constant(1), condition=labels)
    np.testing.assert_allclose(samples["samples"], gan.sample(3, seed=1, condition=labels))
