"""Every registered preset meets the model contract (timm's test over `list_models()`).

For each name of `zoo.list_models()`: the preset builds with its real config
(`zoo.load(name, pretrained=False)`), takes one `fit` step on a tiny synthetic batch of its
data shape, samples 2 examples where it can, scores 2 examples with `log_prob` (and its
`as_distribution()` view) where it has a likelihood, and round-trips through `.keras`.
The batch is 2 examples so the largest preset (dcgan_lsun) stays cheap; architectures are
never shrunk. SavedModel export of the published presets is tested in
tests/serving/test_family_serving.py.
"""

import keras
import numpy as np
import pytest

import zoo
from zoo.models.adversarial.gan import GAN
from zoo.models.autoencoders.autoencoder import Autoencoder
from zoo.models.autoregressive.recurrent_language_model import RecurrentLanguageModel
from zoo.models.classifier.image_classifier import ImageClassifier
from zoo.models.energy.default_optimizer import DefaultOptimizerMixin
from zoo.models.energy.rbm import RestrictedBoltzmannMachine
from zoo.models.variational.vae import VAE

BATCH = 2
# Cheap settings of the likelihood estimators (the contract is about shapes and wiring).
VAE_LOG_PROB = {"num_samples": 4, "seed": 0}
AIS_SCHEDULE = np.linspace(0.0, 1.0, 20).astype(np.float32)


def _training_data(model, rng):
    """A batch in the range the preset's family trains on, plus labels where it needs them
    (the classifier, a class-conditional GAN, a DBN with label units)."""
    shape = (BATCH, *model.data_shape)
    if isinstance(model, GAN):
        labels = None if model.num_classes is None else rng.integers(0, model.num_classes, BATCH)
        return rng.uniform(-1.0, 1.0, shape).astype(np.float32), labels
    if isinstance(model, RecurrentLanguageModel):
        return rng.integers(0, model.vocab_size, shape).astype(np.int32), None
    if isinstance(model, Autoencoder | ImageClassifier):
        x = rng.uniform(0.0, 1.0, shape).astype(np.float32)
        labels = rng.integers(0, 10, BATCH) if isinstance(model, ImageClassifier) else None
        return x, labels
    x = rng.integers(0, 2, shape).astype(np.float32)  # binary: RBM, DBN, VAE, AR
    if getattr(model, "labelled", False):  # a DBN with label units trains on (x, labels)
        return x, rng.integers(0, model.num_labels, BATCH)
    return x, None


def _log_prob_kwargs(model, x):
    if isinstance(model, VAE):
        return dict(VAE_LOG_PROB)
    if isinstance(model, RestrictedBoltzmannMachine):  # log Z by a short AIS run, cached
        model.log_partition(method="ais", num_chains=2, betas=AIS_SCHEDULE, seed=0, data=x)
    return {}


@pytest.mark.parametrize("name", zoo.list_models())
def test_preset_trains_samples_scores_and_round_trips(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = zoo.load(name, pretrained=False)
    x, labels = _training_data(model, np.random.default_rng(0))

    # One fit step with the preset's default training setup.
    if isinstance(model, GAN | DefaultOptimizerMixin):
        model.compile()  # the family's default optimizer(s): GAN players, RBM / DBN SGD
    else:
        model.compile(optimizer="adam")
    before = [w.numpy().copy() for w in model.trainable_weights]
    history = model.fit(x, labels, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    logs = {key: values[-1] for key, values in history.history.items()}
    assert logs and all(np.isfinite(v) for v in logs.values()), logs
    changed = [
        not np.array_equal(a, w.numpy())
        for a, w in zip(before, model.trainable_weights, strict=True)
    ]
    assert any(changed), f"{name}: one fit step changed no trainable weight"

    if callable(getattr(model, "sample", None)):
        samples = np.asarray(model.sample(2, seed=1))
        assert samples.shape == (2, *model.data_shape)
        assert np.all(np.isfinite(samples))

    if callable(getattr(model, "log_prob", None)):
        kwargs = _log_prob_kwargs(model, x)
        log_prob = np.asarray(model.log_prob(x, **kwargs))
        assert log_prob.shape == (BATCH,)
        assert np.all(np.isfinite(log_prob)) and np.all(log_prob <= 0.0)  # binary data: pmf
        distribution = model.as_distribution(**kwargs)
        assert distribution.event_shape == tuple(model.data_shape)
        np.testing.assert_allclose(distribution.log_prob(x), log_prob, rtol=1e-5, atol=1e-5)
    elif hasattr(model, "as_distribution"):
        with pytest.raises(NotImplementedError, match="defines no likelihood"):
            model.as_distribution()

    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert len(loaded.weights) == len(model.weights)
    for saved, restored in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(saved.numpy(), restored.numpy(), err_msg=saved.path)
