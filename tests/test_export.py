"""`zoo.export_saved_model`: named signatures, TensorFlow-only serving, fixed estimators."""

import json
import shutil
import subprocess

import keras
import numpy as np
import pytest
import tensorflow as tf
from support.child_processes import child_env, serve_in_tensorflow_only_process
from support.export_checks import assert_served_matches, export_with_expectations
from support.serving_toy_models import ToyGAN, ToyVAE

import zoo
from zoo.export import SIGNATURES_DOC, export_saved_model
from zoo.models import RecurrentLanguageModel

BINARY_X = np.array([[1, 0, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1]], np.float32)


def test_toy_models_serve_identically_in_a_tensorflow_only_process(tmp_path):
    cases = [
        (ToyVAE(), BINARY_X),
        (ToyGAN(), np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)),
    ]
    entries, expectations = [], []
    for i, (model, x) in enumerate(cases):
        entry, expected = export_with_expectations(model, tmp_path / str(i), x)
        entries.append(entry)
        expectations.append(expected)
    served, shown, modules = serve_in_tensorflow_only_process(entries, tmp_path / "manifest.json")
    assert "zoo" not in modules and "tensorflow_probability" not in modules
    for (model, _), expected, outputs, text in zip(cases, expectations, served, shown, strict=True):
        assert_served_matches(expected, outputs, type(model).__name__)
        for signature in {key.split("/")[0] for key in expected}:
            assert f"signature_def['{signature}']" in text
    vae_text, gan_text = shown
    assert "inputs['x'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 6)" in vae_text
    assert "inputs['z'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 2)" in gan_text
    assert "inputs['seed'] tensor_info:\n        dtype: DT_INT32\n        shape: ()" in gan_text


def test_signatures_follow_the_methods_a_model_has(tmp_path):
    vae_dir = zoo.export_saved_model(ToyVAE(), tmp_path / "vae")
    gan_dir = zoo.export_saved_model(ToyGAN(), tmp_path / "gan")
    vae_signatures = set(tf.saved_model.load(str(vae_dir)).signatures)
    gan_signatures = set(tf.saved_model.load(str(gan_dir)).signatures)
    assert vae_signatures == {
        "sample",
        "decode",
        "log_prob",
        "elbo",
        "encode",
        "reconstruct",
        "serving_default",
    }
    assert gan_signatures == {"sample", "generate", "discriminate", "serving_default"}
    docs = json.loads((vae_dir / SIGNATURES_DOC).read_text())
    assert docs["model"] == "ToyVAE" and docs["config"]["latent_dim"] == 2
    assert docs["signatures"]["encode"]["outputs"] == ["mean", "stddev"]
    assert docs["signatures"]["decode"]["outputs"] == ["logits", "mean", "probs", "stddev"]
    assert docs["signatures"]["serving_default"] == {"same_as": "sample"}


def test_log_prob_estimator_is_fixed_at_export_and_documented(tmp_path):
    model = ToyVAE()
    path = export_saved_model(model, tmp_path / "vae", log_prob_kwargs={"num_samples": 4}, seed=3)
    doc = json.loads((path / SIGNATURES_DOC).read_text())["signatures"]["log_prob"]
    assert doc["computes"] == "ToyVAE.log_prob(x, num_samples=4, seed=3)"
    assert doc["fixed_kwargs"] == {"num_samples": 4, "seed": 3}
    served = tf.saved_model.load(str(path)).signatures["log_prob"]
    first = served(x=tf.constant(BINARY_X))["log_prob"].numpy()
    np.testing.assert_array_equal(first, served(x=tf.constant(BINARY_X))["log_prob"].numpy())
    np.testing.assert_allclose(first, model.log_prob(BINARY_X, num_samples=4, seed=3), rtol=1e-4)
    assert not np.allclose(first, model.log_prob(BINARY_X, num_samples=4, seed=4))


def test_saved_model_cli_lists_every_signature_with_its_specs(tmp_path):
    path = zoo.export_saved_model(ToyGAN(), tmp_path / "gan")
    cli = shutil.which("saved_model_cli")
    if cli is None:
        pytest.skip("saved_model_cli is not on PATH")
    shown = subprocess.run(
        [cli, "show", "--all", "--dir", str(path)],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for signature in ("sample", "generate", "discriminate", "serving_default"):
        assert f"signature_def['{signature}']" in shown
    assert "inputs['num_samples'] tensor_info:\n        dtype: DT_INT32\n        shape: ()" in shown
    assert "outputs['logits'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1)" in shown


def test_export_explains_what_it_needs(tmp_path):
    class NoShape(keras.Model):
        contract_methods = ("sample",)

        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)
            self.dense.build((None, 2))

        def sample(self, num_samples, seed=None):
            return tf.zeros([num_samples, 2])

    with pytest.raises(ValueError, match="no `data_shape` attribute"):
        zoo.export_saved_model(NoShape(), tmp_path / "a")
    nothing = NoShape()
    nothing.data_shape = (2,)
    nothing.contract_methods = ("log_partition",)
    with pytest.raises(ValueError, match="declares none of the exportable methods"):
        zoo.export_saved_model(nothing, tmp_path / "b")
    nothing.contract_methods = ("sample", "score")
    with pytest.raises(ValueError, match=r"names \['score'\], which are not in the contract"):
        zoo.export_saved_model(nothing, tmp_path / "b")
    undeclared = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    undeclared.data_shape = (2,)
    with pytest.raises(ValueError, match="declares no `contract_methods`"):
        zoo.export_saved_model(undeclared, tmp_path / "b")
    with pytest.raises(ValueError, match="no weights"):
        empty = keras.Model()
        empty.data_shape = (2,)
        zoo.export_saved_model(empty, tmp_path / "c")


def test_cli_export_writes_the_signatures_of_a_preset(tmp_path, capsys):
    from zoo.cli import main

    assert main(["export", "dae_fashion_mnist", str(tmp_path / "dae"), "--untrained"]) == 0
    assert "signatures decode, encode, reconstruct, serving_default" in capsys.readouterr().out
    docs = json.loads((tmp_path / "dae" / SIGNATURES_DOC).read_text())
    assert docs["signatures"]["serving_default"] == {"same_as": "reconstruct"}


def test_language_model_serves_sample_and_log_prob_without_zoo(tmp_path):
    model = RecurrentLanguageModel(5, cell="lstm", units=4, sequence_length=7)
    x = np.random.default_rng(0).integers(0, 5, size=(3, 7)).astype(np.float32)
    entry, expected = export_with_expectations(model, tmp_path / "lm", x)
    assert {key.split("/")[0] for key in expected} == {"sample", "log_prob", "serving_default"}
    (outputs,), (text,), modules = serve_in_tensorflow_only_process(
        [entry], tmp_path / "manifest.json"
    )
    assert "zoo" not in modules and "tensorflow_probability" not in modules
    assert_served_matches(expected, outputs, "RecurrentLanguageModel")
    assert outputs["sample/samples"].shape == (3, 7) and outputs["sample/samples"].dtype == np.int32
    assert "inputs['x'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 7)" in text


def test_methods_a_configuration_cannot_run_are_left_out_and_explained(tmp_path):
    from zoo.models import DBN

    x = BINARY_X
    unlabelled = DBN([6, 4, 3], seed=0)
    unlabelled(x)
    path = export_saved_model(unlabelled, tmp_path / "dbn")
    assert "classify" not in tf.saved_model.load(str(path)).signatures
    skipped = json.loads((path / SIGNATURES_DOC).read_text())["skipped"]
    assert skipped == {"classify": "DBN.contract_methods leaves it out for this configuration"}
    labelled = DBN([6, 4, 3], num_labels=2, seed=0)
    labelled(x)
    path = export_saved_model(labelled, tmp_path / "labelled")
    served = tf.saved_model.load(str(path)).signatures["classify"]
    np.testing.assert_allclose(
        served(x=tf.constant(x))["logits"].numpy(), labelled.classify(x), rtol=1e-5, atol=1e-6
    )


def test_a_softmax_rbm_is_served_without_log_prob_and_an_rbm_with_its_log_z(tmp_path):
    from zoo.models import BernoulliRBM, SoftmaxRBM

    ratings = SoftmaxRBM(5, 3, 3)
    path = export_saved_model(ratings, tmp_path / "softmax")
    assert set(tf.saved_model.load(str(path)).signatures) == {
        "sample",
        "decode",
        "free_energy",
        "encode",
        "serving_default",
    }
    assert set(json.loads((path / SIGNATURES_DOC).read_text())["skipped"]) == {"log_prob"}
    rbm = BernoulliRBM(6, 3)
    path = export_saved_model(rbm, tmp_path / "rbm")
    docs = json.loads((path / SIGNATURES_DOC).read_text())["signatures"]
    assert docs["log_prob"]["log_partition"]["kwargs"] == {"method": "exact"}
    # p(h | v) and p(v | h) are Bernoulli distributions, served as their tensors.
    for method in ("encode", "decode"):
        assert docs[method]["outputs"] == ["logits", "mean", "probs", "stddev"]
    served = tf.saved_model.load(str(path)).signatures["log_prob"]
    np.testing.assert_allclose(
        served(x=tf.constant(BINARY_X))["log_prob"].numpy(), rbm.log_prob(BINARY_X), rtol=1e-5
    )
