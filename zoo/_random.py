"""Seeds for reproducible sampling.

Every `sample(num_samples, seed=None)` in the zoo draws with stateless TF ops from a
shape-[2] seed made here, so the same integer seed gives the same samples eagerly, inside
`tf.function`, and in an exported SavedModel signature.
"""

import tensorflow as tf

_SEED_SALT = 0x5EED


def stateless_seed(seed=None) -> tf.Tensor:
    """Return a shape-[2] int32 seed for `tf.random.stateless_*` ops.

    Args:
        seed: None (a fresh seed from TF's global RNG, so `tf.random.set_seed` /
            `keras.utils.set_random_seed` make it repeatable), a Python or tensor integer
            scalar, or a shape-[2] integer tensor used as is.

    Returns:
        An int32 tensor of shape [2].
    """
    if seed is None:
        return tf.random.uniform([2], maxval=tf.int32.max, dtype=tf.int32)
    seed = tf.convert_to_tensor(seed)
    if seed.shape.rank == 1:
        return tf.cast(seed, tf.int32)
    return tf.stack([tf.cast(seed, tf.int32), tf.constant(_SEED_SALT, tf.int32)])


def split_seed(seed, num: int) -> list[tf.Tensor]:
    """Split a seed (anything `stateless_seed` takes) into `num` independent seeds."""
    return tf.unstack(tf.random.split(stateless_seed(seed), num))
