"""Child process for the tf.distribute tests (devices must be set before TF starts).

python distributed_training.py mirrored OUT.json CASE [CASE ...]
    Two logical CPU devices. For every case (see `serving_cases.CASES`): one epoch on
    one device and one epoch under `MirroredStrategy` with 2 replicas, same initial
    weights, same global batch, same data order; writes the epoch logs and the largest
    weight difference of each.

python distributed_training.py worker INDEX PORT0,PORT1 OUT.npz CASE
    One of two `MultiWorkerMirroredStrategy` workers on 127.0.0.1; trains CASE for a
    few steps and writes its final weights.
"""

import json
import os
import sys

import numpy as np
import tensorflow as tf


def mirrored(out_path, names):
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from support.serving_cases import CASES

    # One strategy object per process: a second MirroredStrategy reuses collective keys.
    strategies = (
        ("one_device", tf.distribute.OneDeviceStrategy("/cpu:0")),
        ("mirrored", tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])),
    )
    results = {"replica_batch_noise": _replica_batch_noise_rows(strategies[1][1])}
    for name in names:
        case = CASES[name]
        runs = {}
        initial = None
        for label, strategy in strategies:
            keras.utils.set_random_seed(0)
            with strategy.scope():
                model = case.build()
                if initial is None:
                    initial = [w.numpy() for w in model.weights]
                else:
                    for w, value in zip(model.weights, initial, strict=True):
                        w.assign(value)
                model.compile(**case.compile_kwargs())
            history = model.fit(
                case.data(), batch_size=case.batch_size, epochs=1, shuffle=False, verbose=0
            )
            runs[label] = (
                {k: float(v[-1]) for k, v in history.history.items()},
                [w.numpy() for w in model.weights],
                strategy.num_replicas_in_sync,
            )
        (logs_1, weights_1, n_1), (logs_2, weights_2, n_2) = runs["one_device"], runs["mirrored"]
        results[name] = {
            "replicas": [n_1, n_2],
            "one_device": logs_1,
            "mirrored": logs_2,
            "max_weight_difference": max(
                float(np.max(np.abs(a - b), initial=0.0))
                for a, b in zip(weights_1, weights_2, strict=True)
            ),
            "max_weight_change": max(
                float(np.max(np.abs(a - b), initial=0.0))
                for a, b in zip(weights_1, initial, strict=True)
            ),
        }
    with open(out_path, "w") as f:
        json.dump(results, f)


def _replica_batch_noise_rows(strategy):
    """Rows each replica keeps of `replica_batch_noise` for local batches of 3 and 2."""
    from zoo.random import replica_batch_noise

    sizes = strategy.experimental_distribute_values_from_function(
        lambda context: tf.constant(3 - context.replica_id_in_sync_group)
    )

    @tf.function
    def step(size):
        def draw(n):
            return tf.random.stateless_uniform([n, 2], [4, 5])

        return replica_batch_noise(draw, size)

    rows = strategy.experimental_local_results(strategy.run(step, args=(sizes,)))
    return {
        "per_replica": [r.numpy().tolist() for r in rows],
        "one_device": tf.random.stateless_uniform([5, 2], [4, 5]).numpy().tolist(),
    }


def worker(index, ports, out_path, name):
    os.environ["TF_CONFIG"] = json.dumps(
        {
            "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports.split(",")]},
            "task": {"type": "worker", "index": int(index)},
        }
    )
    import keras
    from support.serving_cases import CASES

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    case = CASES[name]
    keras.utils.set_random_seed(0)  # same initial weights on both workers
    with strategy.scope():
        model = case.build()
        model.compile(**case.compile_kwargs())
    # Each worker reads the same data; Keras shards it by worker (auto-shard by data).
    dataset = tf.data.Dataset.from_tensor_slices(case.data()).batch(case.batch_size)
    history = model.fit(dataset, epochs=2, steps_per_epoch=3, verbose=0)
    np.savez(
        out_path,
        num_replicas=strategy.num_replicas_in_sync,
        final_logs=json.dumps({k: float(v[-1]) for k, v in history.history.items()}),
        **{f"w{i}": w.numpy() for i, w in enumerate(model.weights)},
    )


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "mirrored":
        mirrored(args[0], args[1:])
    else:
        worker(*args)
