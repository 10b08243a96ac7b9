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


def replica_batch_noise(draw, batch_size) -> tf.Tensor:
    """Per-example training noise for this replica's rows of the global batch.

    Inside `strategy.run` every replica holds the same mirrored `keras.random.SeedGenerator`
    state, so drawing `[local_batch, ...]` noise would give every replica the same noise.
    Instead each replica draws for the whole global batch (the local batch sizes are
    gathered across replicas) and keeps its own rows. Replicas then get distinct noise, and
    a step under `tf.distribute.MirroredStrategy` / `MultiWorkerMirroredStrategy` equals the
    one-device step on the same global batch. Outside a strategy (or with one replica) it
    is just `draw(batch_size)`.

    Args:
        draw: Callable `global_batch -> Tensor [global_batch, ...]`, deterministic given
            its (stateless) seed, with one row per example.
        batch_size: This replica's number of examples (an integer scalar tensor).

    Returns:
        Tensor `[batch_size, ...]`: this replica's rows of `draw(global_batch)`.

    Example:
        >>> seed = tf.cast(self.seed_generator.next(), tf.int32)  # in a train_step
        >>> noise = replica_batch_noise(
        ...     lambda n: tf.random.stateless_normal([n, latent_dim], seed), tf.shape(x)[0])
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return draw(batch_size)
    sizes = context.all_gather(tf.reshape(tf.cast(batch_size, tf.int32), [1]), axis=0)
    offset = tf.reduce_sum(sizes[: context.replica_id_in_sync_group])
    return draw(tf.reduce_sum(sizes))[offset : offset + batch_size]
