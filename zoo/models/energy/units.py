"""The stochastic units of the energy models.

Bernoulli and K-way softmax draws, the score of a softmax unit with the binary hidden
units summed out, and a layer of Bernoulli units as a `tfp.distributions.Distribution`.

Every draw is stateless (a shape-[2] seed) and, when its rows are training examples,
replica-aware: under a `tf.distribute` strategy each replica draws its own rows of the
global batch's noise (`zoo.random.stateless_noise`), so a step matches one device.
"""

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.random import stateless_noise

_TINY = float(np.finfo(np.float32).tiny)  # keeps log(-log(u)) finite


def bernoulli_units(logits):
    """A layer of independent Bernoulli units as one distribution over its binary vectors.

    Args:
        logits: float32 `[batch, units]`, the units' log-odds.

    Returns:
        `tfd.Independent(tfd.Bernoulli(logits=logits, dtype=tf.float32), 1)`: batch shape
        `[batch]`, event shape `[units]`, float32 values; its `mean()` is
        `sigmoid(logits)`, the units' probabilities.

    #### Examples

    ```python
    h = bernoulli_units(tf.zeros([2, 3]))
    h.mean()   # all 0.5, [2, 3]
    ```
    """
    return tfp.distributions.Independent(
        tfp.distributions.Bernoulli(logits=logits, dtype=tf.float32), reinterpreted_batch_ndims=1
    )


def sample_bernoulli(probs, seed, rows=None):
    """Binary draws with the given probabilities from a stateless seed.

    Args:
        probs: Probabilities of 1, any shape with the batch first.
        seed: Shape-[2] seed.
        rows: See `zoo.random.stateless_noise`.

    Returns:
        0/1 values of `probs`' shape and dtype.
    """
    uniform = stateless_noise(tf.random.stateless_uniform, tf.shape(probs), seed, rows)
    return tf.cast(uniform < probs, probs.dtype)


def sample_one_hot(logits, seed, rows=None):
    """One draw of each K-way softmax unit (Gumbel-max), and the units' probabilities.

    Args:
        logits: Unnormalized log-probabilities `[batch, ..., K]`.
        seed: Shape-[2] seed.
        rows: See `zoo.random.stateless_noise`.

    Returns:
        `(one_hot, probabilities)`, both float32 of `logits`' shape.
    """
    uniform = stateless_noise(
        lambda shape, seed: tf.random.stateless_uniform(shape, seed, minval=_TINY),
        tf.shape(logits),
        seed,
        rows,
    )
    draws = tf.argmax(logits - tf.math.log(-tf.math.log(uniform)), axis=-1)
    return tf.one_hot(draws, tf.shape(logits)[-1]), tf.nn.softmax(logits)


def softmax_unit_scores(hidden_input, kernel, bias):
    """The log p(softmax unit = k | the other visible units) + const, binary hiddens summed out.

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
