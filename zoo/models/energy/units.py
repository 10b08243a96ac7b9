"""The stochastic units of the energy models: Bernoulli and K-way softmax draws, and the
score of a softmax unit with the binary hidden units summed out.

Every draw is stateless (a shape-[2] seed) and, when its rows are training examples,
replica-aware: under a `tf.distribute` strategy each replica draws its own rows of the
global batch's noise (`zoo._random.replica_batch_noise`), so a step matches one device.
"""

import numpy as np
import tensorflow as tf

from zoo._random import replica_batch_noise

_TINY = float(np.finfo(np.float32).tiny)  # keeps log(-log(u)) finite


def batch_noise(draw, shape, seed, rows=None):
    """`draw(shape, seed)` with a stateless `draw`; replica-aware when rows are examples.

    Args:
        draw: `tf.random.stateless_*`-like callable `(shape, seed) -> Tensor`.
        shape: int32 shape tensor; axis 0 is the batch.
        seed: Shape-[2] seed.
        rows: `zoo._random.replica_rows(batch)` when the rows are training examples: under
            a `tf.distribute` strategy each replica then draws its own rows of the global
            batch's noise, so training matches one device. None (the default) for chains
            every replica holds whole (persistent chains, advanced identically on every
            replica) and outside training.

    Returns:
        The noise, a Tensor of `shape`.
    """
    if rows is None:
        return draw(shape, seed)
    return replica_batch_noise(
        lambda n: draw(tf.concat([[n], shape[1:]], 0), seed), shape[0], rows=rows
    )


def sample_bernoulli(probs, seed, rows=None):
    """Binary draws with the given probabilities from a stateless seed.

    Args:
        probs: Probabilities of 1, any shape with the batch first.
        seed: Shape-[2] seed.
        rows: See `batch_noise`.

    Returns:
        0/1 values of `probs`' shape and dtype.
    """
    uniform = batch_noise(tf.random.stateless_uniform, tf.shape(probs), seed, rows)
    return tf.cast(uniform < probs, probs.dtype)


def sample_one_hot(logits, seed, rows=None):
    """One draw of each K-way softmax unit (Gumbel-max), and the units' probabilities.

    Args:
        logits: Unnormalized log-probabilities `[batch, ..., K]`.
        seed: Shape-[2] seed.
        rows: See `batch_noise`.

    Returns:
        `(one_hot, probabilities)`, both float32 of `logits`' shape.
    """
    uniform = batch_noise(
        lambda shape, seed: tf.random.stateless_uniform(shape, seed, minval=_TINY),
        tf.shape(logits),
        seed,
        rows,
    )
    draws = tf.argmax(logits - tf.math.log(-tf.math.log(uniform)), axis=-1)
    return tf.one_hot(draws, tf.shape(logits)[-1]), tf.nn.softmax(logits)


def softmax_unit_scores(hidden_input, kernel, bias):
    """log p(softmax unit = k | the other visible units) + const, binary hiddens summed out.

    For an RBM whose visible units include one K-way softmax unit u with weights
    `kernel[k, j]` and biases `bias[k]`, and whose other visible units send the input
    `hidden_input[j]` (hidden biases included) to hidden unit j, the free energy of the
    configuration with u = k gives

        log p(u = k | rest) = bias_k + sum_j softplus(hidden_input_j + kernel_kj) + const,

    so a softmax over k of these scores is the exact conditional.

    Args:
        hidden_input: `[..., n_hidden]`.
        kernel: `[..., K, n_hidden]`.
        bias: `[..., K]`.

    Returns:
        float32 `[..., K]`.
    """
    return bias + tf.reduce_sum(tf.nn.softplus(hidden_input[..., None, :] + kernel), axis=-1)
