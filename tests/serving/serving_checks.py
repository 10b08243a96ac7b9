"""Helpers shared by the serving tests: export + in-memory expectations, and child processes."""

import inspect
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import tensorflow as tf

import zoo
from zoo.export import SIGNATURES_DOC, signature_outputs

HERE = pathlib.Path(__file__).parent
REPO = HERE.parents[1]
SAMPLE_SEED, OTHER_SEED, NUM_SAMPLES = 7, 8, 3


def child_env(**extra):
    """Environment for a child Python: quiet, one thread each, repo and helpers importable."""
    env = dict(os.environ)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="2",
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        PYTHONPATH=os.pathsep.join([str(REPO), str(HERE), env.get("PYTHONPATH", "")]),
    )
    env.update(extra)
    return env


def run_child(args, timeout=240, **env):
    """Run `python *args`, fail with its stderr tail if it fails."""
    result = subprocess.run(
        [sys.executable, *map(str, args)],
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def export_with_expectations(model, directory, x, **export_kwargs):
    """Export `model` and record, for every signature, its inputs and in-memory outputs.

    Returns:
        A manifest entry for `serve_with_tensorflow_only.py` plus the expected outputs.
    """
    directory = pathlib.Path(directory)
    zoo.export_saved_model(model, directory / "model", **export_kwargs)
    docs = json.loads((directory / "model" / SIGNATURES_DOC).read_text())["signatures"]
    x = tf.convert_to_tensor(x, tf.float32)
    inputs, expected = {}, {}
    for name, doc in docs.items():
        if name == "serving_default" and doc["same_as"] == "sample":
            feed = {"num_samples": NUM_SAMPLES, "seed": OTHER_SEED}
            method, call, name_for_outputs = model.sample, (NUM_SAMPLES,), "sample"
            kwargs = {"seed": OTHER_SEED}
        elif name == "serving_default":
            continue  # the same function as its `same_as` signature, checked there
        else:
            method = getattr(model, name)
            name_for_outputs = name
            kwargs = dict(doc["fixed_kwargs"])
            if name == "sample":
                feed = {"num_samples": NUM_SAMPLES, "seed": SAMPLE_SEED}
                call, kwargs = (NUM_SAMPLES,), {"seed": SAMPLE_SEED}
            elif name in ("generate", "decode"):
                latent = (model.latent_dim,) if np.ndim(model.latent_dim) == 0 else model.latent_dim
                z = tf.random.stateless_uniform([NUM_SAMPLES, *latent], [1, 2])  # RBM: in [0, 1]
                feed, call = {"z": z}, (z,)
            else:
                feed, call = {"x": x}, (x,)
        if _is_conditional(model, method):  # the signature takes the classes too
            rows = NUM_SAMPLES if "x" not in feed else len(x)
            condition = np.arange(rows, dtype=np.int32) % model.num_classes
            feed["condition"], kwargs["condition"] = condition, condition
        result = method(*call, **kwargs)
        for key, value in feed.items():
            inputs[f"{name}/{key}"] = np.asarray(
                value, np.int32 if key != "x" and key != "z" else np.float32
            )
        for key, value in signature_outputs(name_for_outputs, result).items():
            expected[f"{name}/{key}"] = np.asarray(value)
    np.savez(directory / "inputs.npz", **inputs)
    entry = {
        "dir": str(directory / "model"),
        "inputs": str(directory / "inputs.npz"),
        "outputs": str(directory / "outputs.npz"),
    }
    return entry, expected


def _is_conditional(model, method):
    """As `zoo.export` decides it: a class-conditional model whose method takes `condition`."""
    return (
        getattr(model, "num_classes", None) is not None
        and "condition" in inspect.signature(method).parameters
    )


def serve_in_tensorflow_only_process(entries, manifest_path):
    """Run the child over `entries`; return (outputs per entry, show text per entry, modules)."""
    manifest_path = pathlib.Path(manifest_path)
    manifest_path.write_text(json.dumps({"entries": entries}))
    run_child([HERE / "serve_with_tensorflow_only.py", manifest_path])
    manifest = json.loads(manifest_path.read_text())
    served = []
    for entry in entries:
        with np.load(entry["outputs"]) as outputs:
            served.append({k: outputs[k] for k in outputs.files})
    shown = [pathlib.Path(entry["dir"] + ".show.txt").read_text() for entry in entries]
    return served, shown, manifest["imported_modules"]


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
