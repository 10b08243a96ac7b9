"""Every registered preset meets the model contract (timm's test over `list_models()`).

For each name of `zoo.list_models()`: the preset builds with its real config
(`zoo.load(name, pretrained=False)`), takes one `fit` step on a tiny synthetic batch of its
data shape, exports a SavedModel whose signatures are exactly its declared
`contract_methods` (those export signs), reloads it with `tf.saved_model.load` and serves
every signature once, equal to the model in memory; the eager calls made for that
comparison are the contract's checks: 2 samples where the preset samples, 2 examples
scored by `log_prob` (and its `as_distribution()` view) where it has a likelihood. It then
round-trips through `.keras`. The batch is 2 examples so the largest preset (dcgan_lsun)
stays cheap; architectures are never shrunk. Serving by TensorFlow alone (no zoo, no TFP
imported) is tested on a tiny model of every class in tests/test_export_families.py.

Each preset, and a tiny model of each configuration that decides what a family can do,
declares exactly the contract methods it implements (`contract_methods`, which export
signs): every declared one runs (for a preset: served by its SavedModel), every other one
of `CONTRACT_METHODS` is absent or raises `NotImplementedError`.
"""

import keras
import numpy as np
import pytest
from support.export_checks import assert_served_matches, export_with_expectations, serve_in_process

import zoo
from zoo.export import SIGNATURE_METHODS
from zoo.models import (
    DBN,
    BernoulliRBM,
    BoltzmannMachine,
    EnergyBasedModel,
    GaussianBernoulliRBM,
    GibbsSampler,
    LangevinSampler,
    SoftmaxRBM,
)
from zoo.models.adversarial.gan import GAN
from zoo.models.autoencoders.autoencoder import Autoencoder
from zoo.models.autoregressive.recurrent_language_model import RecurrentLanguageModel
from zoo.models.classifier.image_classifier import ImageClassifier
from zoo.models.contract import (
    CONTRACT_METHODS,
    condition_spec_of,
    is_distribution,
    latent_shape_of,
    supports,
)
from zoo.models.energy.default_optimizer import DefaultOptimizerMixin
from zoo.models.energy.rbm import RestrictedBoltzmannMachine
from zoo.models.variational.vae import VAE

BATCH = 2
# Cheap settings of the likelihood estimators (the contract is about shapes and wiring).
VAE_LOG_PROB = {"num_samples": 4, "seed": 0}
AIS_SCHEDULE = np.linspace(0.0, 1.0, 20).astype(np.float32)


def _training_data(model, rng):
    """A batch in the range the preset's family trains on, plus labels where it needs them
    (the classifier; a model conditioned on classes or modelling them, such as a
    class-conditional GAN or a DBN with label units)."""
    shape = (BATCH, *model.data_shape)
    condition_spec = condition_spec_of(model)
    labels = None if condition_spec is None else rng.integers(0, condition_spec.num_classes, BATCH)
    if isinstance(model, GAN):
        return rng.uniform(-1.0, 1.0, shape).astype(np.float32), labels
    if isinstance(model, RecurrentLanguageModel):
        return rng.integers(0, model.vocab_size, shape).astype(np.int32), None
    if isinstance(model, Autoencoder):
        return rng.uniform(0.0, 1.0, shape).astype(np.float32), None
    if isinstance(model, ImageClassifier):
        return rng.uniform(0.0, 1.0, shape).astype(np.float32), rng.integers(0, 10, BATCH)
    return rng.integers(0, 2, shape).astype(np.float32), labels  # binary: RBM, DBN, VAE, AR


def _log_prob_kwargs(model, x):
    if isinstance(model, VAE):
        return dict(VAE_LOG_PROB)
    if isinstance(model, RestrictedBoltzmannMachine):  # log Z by a short AIS run, cached
        model.log_partition(method="ais", num_chains=2, betas=AIS_SCHEDULE, seed=0, data=x)
    return {}


@pytest.mark.parametrize("name", zoo.list_models())
def test_preset_trains_exports_samples_scores_and_round_trips(name, tmp_path):
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

    # SavedModel: a signature per declared method, served as the model computes in memory.
    log_prob_kwargs = _log_prob_kwargs(model, x) if supports(model, "log_prob") else {}
    entry, expected = export_with_expectations(  # sampling twice, not four times
        model,
        tmp_path / "saved",
        x,
        num_samples=BATCH,
        check_default=False,
        log_prob_kwargs=log_prob_kwargs,
    )
    served, signatures = serve_in_process(entry)
    exported = {method for method in model.contract_methods if method in SIGNATURE_METHODS}
    assert signatures == exported | {"serving_default"}, signatures
    assert_served_matches(expected, served, name)
    assert all(len(value) == BATCH for value in expected.values()), name
    for method in CONTRACT_METHODS:  # the methods it leaves out are absent or refuse
        if method not in model.contract_methods and callable(getattr(model, method, None)):
            with pytest.raises(NotImplementedError):
                _run_contract_method(model, method, x, labels)

    if supports(model, "sample"):  # drawn in memory for the comparison above
        samples = expected["sample/samples"]
        assert samples.shape == (BATCH, *model.data_shape)
        assert np.all(np.isfinite(samples))

    if supports(model, "log_prob"):
        log_prob = expected["log_prob/log_prob"]
        assert log_prob.shape == (BATCH,)
        assert np.all(np.isfinite(log_prob)) and np.all(log_prob <= 0.0)  # binary data: pmf
        distribution = model.as_distribution(**log_prob_kwargs)
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


def _energy_network(dim):
    return keras.Sequential(
        [keras.Input((dim,)), keras.layers.Dense(4, "tanh"), keras.layers.Dense(1)]
    )


# Tiny models of the configurations that change what a family can do.
CONFIGURATIONS = {
    "BernoulliRBM": lambda: BernoulliRBM(6, 3),
    "GaussianBernoulliRBM": lambda: GaussianBernoulliRBM(6, 3),
    "SoftmaxRBM": lambda: SoftmaxRBM(5, 3, 3),  # no single log Z: no log_prob
    "BoltzmannMachine": lambda: BoltzmannMachine(4, 2, num_chains=2, seed=0),
    "DBN": lambda: DBN([6, 4, 3], seed=0),  # unlabelled: no classify
    "DBN_labelled": lambda: DBN([6, 4, 3], num_labels=2, seed=0),
    "EnergyBasedModel_binary": lambda: EnergyBasedModel(_energy_network(4), GibbsSampler(1)),
    "EnergyBasedModel_continuous": lambda: EnergyBasedModel(
        _energy_network(4), LangevinSampler(0.01)
    ),
}


def _contract_case_data(model, rng):
    if isinstance(model, SoftmaxRBM):  # ratings 1..K, 0 = missing
        return rng.integers(0, model.num_ratings + 1, (BATCH, *model.data_shape)), None
    if isinstance(model, GaussianBernoulliRBM) or (
        isinstance(model, EnergyBasedModel) and not model.sampler.binary
    ):
        return rng.normal(size=(BATCH, *model.data_shape)).astype(np.float32), None
    return _training_data(model, rng)


def _run_contract_method(model, name, x, labels):
    """Call contract method `name` of `model` on a tiny batch, as export would serve it."""
    method = getattr(model, name)
    if name == "log_partition":
        if isinstance(model, RestrictedBoltzmannMachine):  # a short AIS run
            return method(method="ais", num_chains=2, betas=AIS_SCHEDULE, seed=0, data=x)
        return method()
    if name == "sample":
        return method(BATCH, seed=0)
    kwargs = {}
    if name == "log_prob":
        kwargs = _log_prob_kwargs(model, x)
    condition_spec = condition_spec_of(model)
    if condition_spec is not None and name in condition_spec.methods:
        kwargs["condition"] = labels
    if CONTRACT_METHODS[name] == "z":
        return method(np.zeros((BATCH, *latent_shape_of(model)), np.float32), **kwargs)
    return method(x, **kwargs)


def _batch_size(result):
    if hasattr(result, "batch_shape"):  # a distribution
        return result.batch_shape[0]
    return np.shape(result)[0]


@pytest.mark.parametrize("case", sorted(CONFIGURATIONS))
def test_contract_methods_declare_what_the_model_implements(case):
    model = CONFIGURATIONS[case]()
    x, labels = _contract_case_data(model, np.random.default_rng(0))
    declared = model.contract_methods
    assert set(declared) <= CONTRACT_METHODS.keys(), declared
    for name in CONTRACT_METHODS:  # in order: log Z (an RBM's AIS run) before log_prob
        if name == "log_partition" and name in declared:
            _run_contract_method(model, name, x, labels)
    for name in CONTRACT_METHODS:
        if name in declared:
            assert callable(getattr(model, name, None)), f"{case} declares {name} but lacks it"
            if name not in ("sample", "log_partition"):  # sampling: the test above
                assert _batch_size(_run_contract_method(model, name, x, labels)) == BATCH
        elif callable(getattr(model, name, None)):
            with pytest.raises(NotImplementedError):
                _run_contract_method(model, name, x, labels)


def test_supports_reads_the_declaration_and_the_methods_of_undeclared_objects():
    class Declared:
        contract_methods = ("sample",)

        def log_prob(self, x):  # present, but left out of the declaration
            raise NotImplementedError

    class Undeclared:  # a stand-in outside the zoo: what it has counts
        def decode(self, z):
            return z

    assert supports(Declared(), "sample") and not supports(Declared(), "log_prob")
    assert supports(Undeclared(), "decode") and not supports(Undeclared(), "sample")
    with pytest.raises(ValueError, match="not a contract method"):
        supports(Declared(), "smaple")
    rbm = BernoulliRBM(4, 2)
    assert supports(rbm, "log_prob") and not supports(SoftmaxRBM(3, 2, 2), "log_prob")
    assert is_distribution(rbm.decode(np.zeros((1, 2), np.float32)))
    assert not is_distribution(np.zeros(2))
