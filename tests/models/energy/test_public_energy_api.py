"""The energy models talk to each other through public methods only.

The DBN trains its top RBM with the RBM's training-step vocabulary (`hidden_logits`,
`free_energy(v, hidden_logits)`, `negative_phase`, `penalty`), and no module of `zoo/`
calls a private method of another object or imports another module's private name.
"""

import ast
import pathlib

import numpy as np
import tensorflow as tf

from zoo.models import BernoulliRBM, LabelledRBM

PACKAGE = pathlib.Path(__file__).resolve().parents[3] / "zoo"
ENERGY = PACKAGE / "models" / "energy"
STEP_VOCABULARY = ("hidden_logits", "free_energy", "negative_phase", "penalty")


def _private_calls_on_other_objects(path):
    """(line, text) of every `obj._name(...)` call whose receiver is not `self` / `super()`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, node.func.value
        if not name.startswith("_") or name.startswith("__"):
            continue
        own = isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
        parent = isinstance(receiver, ast.Call) and getattr(receiver.func, "id", "") == "super"
        if not (own or parent):
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def test_energy_modules_call_no_private_method_of_another_object():
    offenders = {
        str(path.relative_to(PACKAGE)): calls
        for path in sorted(ENERGY.glob("*.py"))
        if (calls := _private_calls_on_other_objects(path))
    }
    assert not offenders, offenders


def test_zoo_calls_no_private_rbm_step_method():
    names = {f"_{name}" for name in STEP_VOCABULARY}
    offenders = [
        (str(path.relative_to(PACKAGE)), line, text)
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in _private_calls_on_other_objects(path)
        if text.rsplit(".", 1)[-1] in names
    ]
    assert not offenders, offenders


def test_energy_modules_import_no_private_names():
    offenders = []
    for path in sorted(ENERGY.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zoo"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    offenders.append((path.name, node.module, private))
    assert not offenders, offenders


def test_the_private_step_methods_are_gone():
    for name in STEP_VOCABULARY:
        assert callable(getattr(BernoulliRBM, name))
        assert not hasattr(BernoulliRBM, f"_{name}"), name


def test_step_vocabulary_is_one_cd_update():
    rbm = LabelledRBM(4, 2, 3, seed=0)
    v = rbm.join(np.array([[0, 1, 1, 0], [1, 0, 0, 1]], np.float32), [0, 1])
    logits = rbm.hidden_logits(v)
    np.testing.assert_allclose(tf.sigmoid(logits), rbm.encode(v).mean(), rtol=1e-6)
    np.testing.assert_allclose(rbm.free_energy(v, hidden_logits=logits), rbm.free_energy(v))
    particles, recon = rbm.negative_phase(v, logits, tf.constant([1, 2]))
    assert particles.shape == v.shape and recon.shape == v.shape
    expected = 0.5 * rbm.weight_decay * np.sum(np.square(np.asarray(rbm.kernel)))
    np.testing.assert_allclose(rbm.penalty(), expected, rtol=1e-6)
