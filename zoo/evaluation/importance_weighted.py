"""Importance-weighted estimate of log p(x) for latent-variable models.

For a model p(x, z) and a proposal q(z | x) (a VAE's encoder), the importance-weighted
bound of Burda et al. (2015) is

    L_K(x) = E[ log (1/K) sum_k p(x, z_k) / q(z_k | x) ],   z_1..z_K ~ q(z | x),

with ELBO = L_1 <= L_K <= L_{K+1} <= log p(x), and L_K -> log p(x) as K grows. One draw
of the inner log-mean-exp is the estimator computed here. The K samples are taken in
chunks inside a `tf.while_loop`, combining the chunks with a running log-sum-exp, so memory
grows with the chunk size and not with K (K = 5000 on a conv decoder fits on a laptop).
Wrap the call in a `tf.function` (as `VAE.log_prob` does) to run the loop as one graph.

#### References
Burda, Grosse and Salakhutdinov (2015). Importance Weighted Autoencoders. ICLR 2016.
"""

import math

import tensorflow as tf

from zoo.random import stateless_seed

DEFAULT_MAX_DRAWS_PER_CHUNK = 4096


def importance_weighted_log_prob(
    x,
    proposal_fn,
    log_joint_fn,
    num_samples: int,
    chunk_size: int | None = None,
    seed=None,
):
    """Importance-weighted estimate of log p(x) per example, in nats.

    Args:
        x: Tensor `[batch, ...]` of observations.
        proposal_fn: `x -> tfd.Distribution` over z with batch shape `[batch]` (for
            example `vae.encode`). It must accept stateless `seed`s in `sample`.
        log_joint_fn: `(x, z) -> log p(x, z)`, where `z` has shape
            `[chunk, batch, latent...]` and the result has shape `[chunk, batch]`.
        num_samples: K, the number of importance samples per example (K >= 1).
        chunk_size: Importance samples drawn at once; default
            `max(1, 4096 // batch)` so that one chunk decodes at most 4096 examples.
        seed: Anything `zoo.random.stateless_seed` takes; the same seed gives the same
            estimate.

    Returns:
        float32 Tensor `[batch]`: log-mean-exp over the K importance weights.

    Raises:
        ValueError: if `num_samples` or `chunk_size` is not a positive integer.

    #### Examples

    ```python
    vae = zoo.models.VAE.mlp((784,), latent_dim=8, hidden_units=[64])
    importance_weighted_log_prob(
        x, vae.encode, vae.log_joint, num_samples=100).shape
    # ==> TensorShape([batch])
    ```

    #### References
    Burda, Grosse and Salakhutdinov (2015). Importance Weighted Autoencoders.
    """
    if int(num_samples) != num_samples or num_samples < 1:
        raise ValueError(f"num_samples must be a positive integer; got {num_samples!r}.")
    x = tf.convert_to_tensor(x)
    if chunk_size is None:
        batch = x.shape[0] or 1
        chunk_size = max(1, DEFAULT_MAX_DRAWS_PER_CHUNK // batch)
    if int(chunk_size) != chunk_size or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer; got {chunk_size!r}.")
    num_samples = int(num_samples)
    chunk_size = min(int(chunk_size), num_samples)
    seed = stateless_seed(seed)
    posterior = proposal_fn(x)
    num_full_chunks, remainder = divmod(num_samples, chunk_size)

    def chunk_log_sum_exp(size, chunk_seed):
        z = posterior.sample(size, seed=chunk_seed)
        log_weights = log_joint_fn(x, z) - posterior.log_prob(z)
        return tf.reduce_logsumexp(log_weights, axis=0)

    def body(i, total):
        chunk = chunk_log_sum_exp(chunk_size, tf.random.experimental.stateless_fold_in(seed, i))
        return i + 1, tf.reduce_logsumexp(tf.stack([total, chunk]), axis=0)

    total = tf.fill(tf.shape(x)[:1], tf.constant(-math.inf, tf.float32))
    _, total = tf.while_loop(
        lambda i, _: i < num_full_chunks, body, (tf.constant(0), total), parallel_iterations=1
    )
    if remainder:
        tail_seed = tf.random.experimental.stateless_fold_in(seed, num_full_chunks)
        tail = chunk_log_sum_exp(remainder, tail_seed)
        total = tf.reduce_logsumexp(tf.stack([total, tail]), axis=0)
    return total - math.log(num_samples)
