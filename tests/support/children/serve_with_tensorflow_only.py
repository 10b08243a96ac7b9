"""Child process for the export tests: load SavedModels with TensorFlow alone and call them.

Usage: python serve_with_tensorflow_only.py MANIFEST.json

The manifest lists `{"dir": saved_model_dir, "inputs": inputs.npz, "outputs": outputs.npz}`
entries. Every key `<signature>/<input>` of the inputs file is fed to that signature; each
output is written as `<signature>/<output>`. `saved_model_cli show --all` output goes to
`<dir>.show.txt`. The manifest is rewritten with `imported_modules` so the parent can check
that neither zoo nor TensorFlow Probability was imported here.
"""

import collections
import contextlib
import io
import json
import sys

import numpy as np
import tensorflow as tf
from tensorflow.python.tools import saved_model_cli


def main(manifest_path):
    with open(manifest_path) as f:
        manifest = json.load(f)
    for entry in manifest["entries"]:
        served = tf.saved_model.load(entry["dir"])
        feeds = collections.defaultdict(dict)
        with np.load(entry["inputs"]) as inputs:
            for key in inputs.files:
                signature, name = key.split("/")
                feeds[signature][name] = tf.constant(inputs[key])
        outputs = {}
        for signature, kwargs in feeds.items():
            for name, value in served.signatures[signature](**kwargs).items():
                outputs[f"{signature}/{name}"] = value.numpy()
        np.savez(entry["outputs"], **outputs)
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown):
            saved_model_cli._show_all(entry["dir"])  # what `saved_model_cli show --all` prints
        with open(entry["dir"] + ".show.txt", "w") as f:
            f.write(shown.getvalue())
    manifest["imported_modules"] = sorted({m.split(".")[0] for m in sys.modules})
    with open(manifest_path, "w") as f:
        json.dump(manifest, f)


if __name__ == "__main__":
    main(sys.argv[1])
