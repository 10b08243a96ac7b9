"""Export a model and check what its SavedModel serves against the model in memory.

Shared by the preset contract test (every `zoo.list_models()` name, served in process) and
the serving tests (served by a TensorFlow-only child process, `support.child_processes`).
`export_with_expectations` writes the SavedModel with, for every signature, the inputs it
is fed and the outputs the eager model gives for them; `serve_in_process` reloads it with
`tf.saved_model.load` and calls every signature; `assert_served_matches` compares.
"""

import json
import pathlib

import numpy as np
import tensorflow as tf

import zoo
from zoo.export import SIGNATURES_DOC, signature_outputs
from zoo.models.contract import condition_spec_of, latent_shape_of

SAMPLE_SEED, OTHER_SEED, NUM_SAMPLES = 7, 8, 3


def export_with_expectations(
    model, directory, x, num_samples=NUM_SAMPLES, check_default=True, **export_kwargs
):
    """Export `model` and record, for every signature, its inputs and in-memory outputs.

    Args:
        model: A built zoo model.
        directory: Folder for the SavedModel (`model/`) and the inputs file.
        x: A batch of data for the `x` signatures.
        num_samples: Rows of the `sample` and `z` signatures' calls.
        check_default: Also feed `serving_default` when it samples (with another seed than
            `sample`, so that both are drawn twice more); it is the same function as its
            `same_as` signature, which is checked in any case.
        **export_kwargs: For `zoo.export_saved_model` (e.g. `log_prob_kwargs`).

    Returns:
        A manifest entry (`dir`, `inputs`, `outputs` paths) for `serve_in_process` and
        `serve_with_tensorflow_only.py`, and the expected outputs by `<signature>/<output>`.
    """
    directory = pathlib.Path(directory)
    zoo.export_saved_model(model, directory / "model", **export_kwargs)
    docs = json.loads((directory / "model" / SIGNATURES_DOC).read_text())["signatures"]
    x = tf.convert_to_tensor(x, tf.float32)
    condition_spec = condition_spec_of(model)
    conditioned = () if condition_spec is None else condition_spec.methods
    inputs, expected = {}, {}
    for name, doc in docs.items():
        if name == "serving_default" and doc["same_as"] == "sample" and check_default:
            feed = {"num_samples": num_samples, "seed": OTHER_SEED}
            method, call, name_for_outputs = model.sample, (num_samples,), "sample"
            kwargs = {"seed": OTHER_SEED}
        elif name == "serving_default":
            continue  # the same function as its `same_as` signature, checked there
        else:
            method = getattr(model, name)
            name_for_outputs = name
            kwargs = dict(doc["fixed_kwargs"])
            if name == "sample":
                feed = {"num_samples": num_samples, "seed": SAMPLE_SEED}
                call, kwargs = (num_samples,), {"seed": SAMPLE_SEED}
            elif name in ("generate", "decode"):
                z_shape = [num_samples, *latent_shape_of(model)]
                z = tf.random.stateless_uniform(z_shape, [1, 2])  # RBM: in [0, 1]
                feed, call = {"z": z}, (z,)
            else:
                feed, call = {"x": x}, (x,)
        if name_for_outputs in conditioned:  # the signature takes the condition too
            rows = num_samples if "x" not in feed else len(x)
            feed["condition"] = kwargs["condition"] = _conditions(condition_spec, rows)
        result = method(*call, **kwargs)
        for key, value in feed.items():
            dtype = np.int32 if key in ("num_samples", "seed") else np.asarray(value).dtype
            inputs[f"{name}/{key}"] = np.asarray(value, dtype)
        for key, value in signature_outputs(name_for_outputs, result).items():
            expected[f"{name}/{key}"] = np.asarray(value)
    np.savez(directory / "inputs.npz", **inputs)
    entry = {
        "dir": str(directory / "model"),
        "inputs": str(directory / "inputs.npz"),
        "outputs": str(directory / "outputs.npz"),
    }
    return entry, expected


def _conditions(condition_spec, rows):
    """A batch of conditions as the signature takes them: labels 0, 1, ... or vectors."""
    if condition_spec.num_classes is not None:
        return np.arange(rows, dtype=np.int32) % condition_spec.num_classes
    return np.random.default_rng(0).uniform(size=(rows, *condition_spec.shape)).astype(np.float32)


def serve_in_process(entry):
    """Load `entry`'s SavedModel with `tf.saved_model.load` and call each fed signature.

    Returns:
        The signatures' outputs by `<signature>/<output>`, and the names of all signatures.
    """
    served = tf.saved_model.load(entry["dir"])
    feeds = {}
    with np.load(entry["inputs"]) as inputs:
        for key in inputs.files:
            signature, name = key.split("/")
            feeds.setdefault(signature, {})[name] = tf.constant(inputs[key])
    outputs = {}
    for signature, kwargs in feeds.items():
        for name, value in served.signatures[signature](**kwargs).items():
            outputs[f"{signature}/{name}"] = value.numpy()
    return outputs, set(served.signatures)


def assert_served_matches(expected, served, label):
    """Same keys; samples equal up to float noise, log_prob within 1e-4 relative."""
    assert sorted(served) == sorted(expected), label
    for key, want in expected.items():
        rtol = 1e-4 if key.startswith(("log_prob", "elbo", "free_energy")) else 1e-5
        np.testing.assert_allclose(
            served[key], want, rtol=rtol, atol=1e-5, err_msg=f"{label} {key}"
        )
    if "sample/samples" in expected and "serving_default/samples" in expected:
        assert not np.array_equal(expected["sample/samples"], expected["serving_default/samples"])
