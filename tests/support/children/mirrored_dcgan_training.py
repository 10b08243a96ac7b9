"""Child process of test_dcgan_sync_bn.py (logical devices must be set before TF starts).

python mirrored_dcgan_training.py OUT.json
    Two logical CPU devices. A tiny DCGAN, with and without synchronized batch norm, trains
    one epoch on one device and one epoch under `MirroredStrategy` with 2 replicas (same
    initial weights, global batch and data order); writes the largest weight difference.
"""

import json
import sys

import numpy as np
import tensorflow as tf


def main(out_path):
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras

    from zoo.models import DCGAN

    strategies = (
        tf.distribute.OneDeviceStrategy("/cpu:0"),
        tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]),
    )
    images = np.random.default_rng(0).uniform(-1, 1, size=(32, 8, 8, 1)).astype("float32")
    results = {}
    for synchronized in (False, True):
        weights, initial = [], None
        for strategy in strategies:
            keras.utils.set_random_seed(0)
            with strategy.scope():
                gan = DCGAN(
                    (8, 8, 1), latent_dim=4, filters=4, synchronized_batch_norm=synchronized, seed=0
                )
                if initial is None:
                    initial = [w.numpy() for w in gan.weights]
                for w, value in zip(gan.weights, initial, strict=True):
                    w.assign(value)
                gan.compile(
                    d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1)
                )
            gan.fit(images, batch_size=16, epochs=1, shuffle=False, verbose=0)
            weights.append([w.numpy() for w in gan.weights])
        results[str(synchronized)] = {
            "max_weight_difference": max(
                float(np.max(np.abs(a - b))) for a, b in zip(*weights, strict=True)
            ),
            "max_weight_change": max(
                float(np.max(np.abs(a - b))) for a, b in zip(weights[0], initial, strict=True)
            ),
        }
    with open(out_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1])
