"""tf.distribute: 2 replicas == 1 device on the global batch; two loopback workers agree.

Logical devices must be configured before TensorFlow initializes, so each check runs in a
child process (`distributed_training.py`), with every case of a kind batched in one child.
"""

import inspect
import json
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from support.child_processes import CHILDREN, child_env, run_child
from support.serving_cases import CASES

from zoo.random import replica_batch_noise

# The toy models plus one model of each family.
MIRRORED_CASES = [
    "toy_vae",
    "toy_gan",
    "BernoulliRBM",
    "BernoulliRBM_PCD",
    "BernoulliRBM_r3",
    "SoftmaxRBM",
    "BoltzmannMachine",
    "DBN",
    "EnergyBasedModel",
    "GAN",
    "VAE",
    "Autoencoder",
    "NADE",
]


# The tests of `mirrored_results` run on one xdist worker (`-n 2 --dist loadgroup`): a module
# fixture is made once per worker, and this one trains every case twice in a child process.
ONE_WORKER = pytest.mark.xdist_group("mirrored")


@pytest.fixture(scope="module")
def mirrored_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("mirrored") / "results.json"
    run_child([CHILDREN / "distributed_training.py", "mirrored", out, *MIRRORED_CASES], timeout=400)
    return json.loads(out.read_text())


@ONE_WORKER
@pytest.mark.parametrize("name", MIRRORED_CASES)
def test_two_replicas_match_one_device_on_the_same_global_batch(mirrored_results, name):
    result = mirrored_results[name]
    assert result["replicas"] == [1, 2]
    assert result["max_weight_change"] > 1e-4  # the epoch did train
    assert result["mirrored"].keys() == result["one_device"].keys()
    for key, value in result["one_device"].items():
        assert result["mirrored"][key] == pytest.approx(value, rel=1e-5, abs=1e-6), key
    assert result["max_weight_difference"] < 1e-5


@ONE_WORKER
def test_replica_batch_noise_gives_each_replica_its_rows_of_the_global_draw(mirrored_results):
    result = mirrored_results["replica_batch_noise"]
    first, second = (np.array(rows) for rows in result["per_replica"])
    assert first.shape == (3, 2) and second.shape == (2, 2)  # uneven local batches
    np.testing.assert_array_equal(np.concatenate([first, second]), result["one_device"])


def test_replica_batch_noise_outside_a_strategy_is_the_plain_draw():
    def draw(n):
        return tf.random.stateless_normal([n, 3], [1, 2])

    np.testing.assert_array_equal(replica_batch_noise(draw, tf.constant(4)), draw(4))


def test_importing_zoo_changes_nothing_in_keras_and_one_device_needs_no_fix(monkeypatch):
    from keras.src.backend.tensorflow import trainer

    import zoo.distribute
    import zoo.models
    from zoo.models import VAE

    original = trainer.reduce_per_replica
    assert not getattr(original, "_zoo_patched", False)
    model = VAE.mlp((4,), 2, [4])
    model.compile(optimizer="adam")
    model.make_train_function()  # one device: not a multi-worker strategy
    assert trainer.reduce_per_replica is original
    monkeypatch.setattr(trainer, "reduce_per_replica", original)  # restored afterwards
    affected = zoo.distribute._FAILING_REDUCTION in inspect.getsource(original)
    assert zoo.distribute.patch_multi_worker_scalar_logs() == affected
    assert not zoo.distribute.patch_multi_worker_scalar_logs()  # idempotent


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_loopback_workers_end_with_identical_weights(tmp_path):
    ports = ",".join(map(str, _free_ports(2)))
    outs = [tmp_path / f"worker{i}.npz" for i in range(2)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                CHILDREN / "distributed_training.py",
                "worker",
                str(i),
                ports,
                outs[i],
                "VAE",
            ],
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    try:
        errors = [w.communicate(timeout=300)[1] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    assert [w.returncode for w in workers] == [0, 0], "\n".join(e[-3000:] for e in errors)
    first, second = (dict(np.load(out)) for out in outs)
    assert int(first["num_replicas"]) == int(second["num_replicas"]) == 2
    initial = CASES["VAE"].build()  # trained weights moved away from a fresh build
    weight_keys = sorted(k for k in first if k.startswith("w"))
    assert weight_keys == sorted(k for k in second if k.startswith("w"))
    for key in weight_keys:
        np.testing.assert_array_equal(first[key], second[key], err_msg=key)
    assert json.loads(str(first["final_logs"])) == json.loads(str(second["final_logs"]))
    assert np.all(np.isfinite(first["w0"]))
    assert not np.array_equal(first["w0"], initial.weights[0].numpy())
