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


def next_seed(seed_generator) -> tf.Tensor:
    """The next shape-[2] int32 seed of a `keras.random.SeedGenerator`, for stateless ops.

    A model's training noise (latents, Gibbs draws, corruption) takes its seed from here
    once per step, so `keras.utils.set_random_seed` and the generator's saved state make
    training repeatable and resumable.

    Args:
        seed_generator: A `keras.random.SeedGenerator` (its state advances by one).

    Returns:
        An int32 tensor of shape [2].
    """
    return tf.cast(tf.math.floormod(seed_generator.next(), tf.int32.max - 1), tf.int32)


def split_seed(seed, num: int) -> list[tf.Tensor]:
    """Split a seed (anything `stateless_seed` takes) into `num` independent seeds."""
    return tf.unstack(tf.random.split(stateless_seed(seed), num))


def replica_rows(batch_size) -> tuple[tf.Tensor, tf.Tensor]:
    """Where this replica's examples sit in the global batch: `(offset, global_batch)`.

    Gathers the local batch sizes across the replicas of the current `tf.distribute`
    replica context; outside one (or with one replica) it is `(0, batch_size)`. The
    all-gather cannot run inside a `tf.while_loop` body or a nested `tf.function`: call this
    once per step and pass the result to `replica_batch_noise(..., rows=rows)` there.

    Args:
        batch_size: This replica's number of examples (an integer scalar).

    Returns:
        Two int32 scalar tensors.
    """
    batch_size = tf.cast(batch_size, tf.int32)
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return tf.constant(0), batch_size
    sizes = context.all_gather(tf.reshape(batch_size, [1]), axis=0)
    return tf.reduce_sum(sizes[: context.replica_id_in_sync_group]), tf.reduce_sum(sizes)


def replica_batch_noise(draw, batch_size, rows=None) -> tf.Tensor:
    """Per-example training noise for this replica's rows of the global batch.

    Inside `strategy.run` every replica holds the same mirrored `keras.random.SeedGenerator`
    state, so drawing `[local_batch, ...]` noise would give every replica the same noise.
    Instead each replica draws for the whole global batch and keeps its own rows
    (`replica_rows`). Replicas then get distinct noise, and a step under
    `tf.distribute.MirroredStrategy` / `MultiWorkerMirroredStrategy` equals the one-device
    step on the same global batch. Outside a strategy it is `draw(batch_size)`.

    Args:
        draw: Callable `global_batch -> Tensor [global_batch, ...]`, deterministic given
            its (stateless) seed, with one row per example.
        batch_size: This replica's number of examples (an integer scalar).
        rows: `replica_rows(batch_size)` computed beforehand; required inside
            `tf.while_loop` bodies and nested `tf.function`s. Computed here by default.

    Returns:
        Tensor `[batch_size, ...]`: this replica's rows of `draw(global_batch)`.

    #### Examples

    ```python
    seed = next_seed(self.seed_generator)  # in a train_step
    noise = replica_batch_noise(
        lambda n: tf.random.stateless_normal([n, latent_dim], seed), tf.shape(x)[0])
    ```
    """
    offset, global_batch = replica_rows(batch_size) if rows is None else rows
    return draw(global_batch)[offset : offset + batch_size]


def stateless_noise(draw, shape, seed, rows=None) -> tf.Tensor:
    """`draw(shape, seed)` with a stateless `draw`; replica-aware when rows are examples.

    Args:
        draw: `tf.random.stateless_*`-like callable `(shape, seed) -> Tensor`.
        shape: int32 shape tensor; axis 0 is the batch.
        seed: Shape-[2] seed.
        rows: `replica_rows(batch)` when the rows are training examples: under a
            `tf.distribute` strategy each replica then draws its own rows of the global
            batch's noise (`replica_batch_noise`), so training matches one device. None (the
            default) for chains every replica holds whole (persistent chains, advanced
            identically on every replica) and outside training.

    Returns:
        The noise, `[*shape]`.
    """
    if rows is None:
        return draw(shape, seed)
    return replica_batch_noise(
        lambda n: draw(tf.concat([[n], shape[1:]], 0), seed), shape[0], rows=rows
    )
