"""NADE: the neural autoregressive distribution estimator for binary vectors.

    a_d = c + W[:d]^T x_<d,   h_d = sigmoid(a_d),   p(x_d = 1 | x_<d) = sigmoid(b_d + V_d . h_d)

The hidden pre-activations of consecutive conditionals differ by one rank-one term,
a_{d+1} = a_d + x_d W_d, so all D conditionals cost O(D H) per example, against O(D^2 H)
for D separate networks. The gradient has the same cost: with
da_d = dlogit_d V_d h_d (1 - h_d), the weight W_j receives x_j times the sum of da_d over
the later positions d > j (the backward recursion of the paper).

How it is computed here (`nade_logits`): the D positions are cut into blocks of
`BLOCK_SIZE`. The running sums at the block starts come from one matmul and a cumulative
sum over the blocks; inside a block the prefix sums are a small strictly-lower-triangular
matmul. A loop over the blocks (compiled by XLA) evaluates the sigmoids and their
V-weighted sums block by block, so the [batch, D, H] hidden tensor (157 MB at batch 100,
D = 784, H = 500) is never held at once. The custom gradient loops over the blocks once
more, recomputing each block's hidden units (faster than storing them), runs the
backward recursion inside the block, and adds what the later blocks fed with a
reverse cumulative sum over the blocks. The input gradient is a separate XLA call that
training, which does not need it, prunes.

This form was chosen over a `tf.scan` over the positions, an exclusive `cumsum` over the
whole [batch, D, H] tensor, the block loop without XLA and the per-position recursion by
their measured step times (`benchmarks/nade_step.py`; benchmarks/RESULTS.md). A MADE step
of the same size is much shorter: NADE evaluates B D H sigmoids forward and again
backward, MADE five matmuls.
"""

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import check_in_range, check_inner_shape
from zoo.models.autoregressive.base import AutoregressiveModel
from zoo.random import stateless_seed

tfd = tfp.distributions


#: Positions per block of `nade_logits` (chosen by step time: see benchmarks/RESULTS.md).
BLOCK_SIZE = 16


def _strictly_lower(size):
    """`[size, size]` 0/1 matrix with ones where column j < row i."""
    return tf.constant(np.tril(np.ones([size, size], "float32"), -1))


def _block_hidden(carry, x_block, w_block):
    """Hidden units of one block, `[batch, K, H]`.

    Position i of the block sees the running sum at the block start plus x_j W_j of the
    block's positions j < i (a strictly-lower-triangular matmul).
    """
    prefix = x_block[:, None, :] * _strictly_lower(x_block.shape[-1])
    return tf.sigmoid(carry[:, None, :] + tf.matmul(prefix, w_block))


def _block_backward(x_blocks, w_blocks, v_blocks, carries, grad_blocks, k):
    """Block k's hidden units `[batch, K, H]` and the backward recursion inside the block.

    Returns `(hidden, d_pre, later)`: d loss / d pre-activation of each position, and
    `later[:, j]`, the sum of `d_pre` over the block's positions after j (what x_j W_j
    fed inside the block), accumulated in reverse order.
    """
    hidden = _block_hidden(carries[k], x_blocks[k], w_blocks[k])
    d_pre = grad_blocks[k][:, :, None] * v_blocks[k] * hidden * (1.0 - hidden)
    running, later = tf.zeros_like(d_pre[:, 0]), []
    for j in reversed(range(d_pre.shape[1])):
        later.append(running)
        running += d_pre[:, j]
    return hidden, d_pre, tf.stack(later[::-1], axis=1)


def _loop_over_blocks(body, num_blocks, num_outputs, dtype):
    """`[blocks, ...]` stacks of `body(k)`'s outputs, one block at a time."""
    arrays = [tf.TensorArray(dtype, num_blocks) for _ in range(num_outputs)]

    def step(k, *arrays):
        return k + 1, *[a.write(k, value) for a, value in zip(arrays, body(k), strict=True)]

    _, *arrays = tf.while_loop(lambda k, *_: k < num_blocks, step, (0, *arrays))
    return [a.stack() for a in arrays]


@tf.function(jit_compile=True)
def _block_logits(x_blocks, w_blocks, v_blocks, carries):
    """V-weighted hidden sums of every block, `[blocks, batch, K]` (one block at a time)."""

    def body(k):
        hidden = _block_hidden(carries[k], x_blocks[k], w_blocks[k])
        return (tf.reduce_sum(hidden * v_blocks[k], -1),)

    return _loop_over_blocks(body, x_blocks.shape[0], 1, x_blocks.dtype)[0]


@tf.function(jit_compile=True)
def _block_parameter_gradients(x_blocks, w_blocks, v_blocks, carries, grad_blocks):
    """Per-block gradient parts, recomputing each block's hidden units.

    Returns `(dV [blocks, K, H], dW within blocks [blocks, K, H], d loss / d
    pre-activation summed over each block [blocks, batch, H])`.
    """

    def body(k):
        args = (x_blocks, w_blocks, v_blocks, carries, grad_blocks, k)
        hidden, d_pre, later = _block_backward(*args)
        return (
            tf.reduce_sum(grad_blocks[k][:, :, None] * hidden, 0),
            tf.reduce_sum(x_blocks[k][:, :, None] * later, 0),
            later[:, 0] + d_pre[:, 0],
        )

    return _loop_over_blocks(body, x_blocks.shape[0], 3, x_blocks.dtype)


@tf.function(jit_compile=True)
def _block_input_gradients(x_blocks, w_blocks, v_blocks, carries, grad_blocks):
    """The gradient d loss / dx within each block, `[blocks, batch, K]`.

    A separate function so that training, which needs no input gradient, prunes it.
    """

    def body(k):
        _, _, later = _block_backward(x_blocks, w_blocks, v_blocks, carries, grad_blocks, k)
        return (tf.reduce_sum(later * w_blocks[k], -1),)

    return _loop_over_blocks(body, x_blocks.shape[0], 1, x_blocks.dtype)[0]


@tf.custom_gradient
def nade_logits(x, W, V, c, b):
    """Logits of all NADE conditionals, `[batch, D]`, with the O(D H) gradient.

    Args:
        x: `[batch, D]` float inputs (0/1 data; any real values are differentiable).
        W: `[D, H]` input-to-hidden weights (row d is added after position d).
        V: `[D, H]` hidden-to-output weights.
        c: `[H]` hidden bias.
        b: `[D]` output bias.

    Returns:
        float tensor `[batch, D]`: logit d depends on x_<d only.
    """
    input_dim, hidden_units = W.shape
    size = min(BLOCK_SIZE, input_dim)
    num_blocks = -(-input_dim // size)
    pad = num_blocks * size - input_dim  # zero inputs and weights: no contribution

    def blocks(t, rows):  # [rows, D] -> [blocks, rows, K]
        t = tf.pad(t, [[0, 0], [0, pad]])
        return tf.transpose(tf.reshape(t, [rows, num_blocks, size]), [1, 0, 2])

    def unblock(t):  # [blocks, rows, K] -> [rows, D]
        t = tf.transpose(t, [1, 0, 2])
        return tf.reshape(t, [tf.shape(t)[0], num_blocks * size])[:, :input_dim]

    batch = tf.shape(x)[0]
    x_blocks = blocks(x, batch)
    w_blocks = tf.reshape(tf.pad(W, [[0, pad], [0, 0]]), [num_blocks, size, hidden_units])
    v_blocks = tf.reshape(tf.pad(V, [[0, pad], [0, 0]]), [num_blocks, size, hidden_units])
    # Running sum at each block start: c + sum of x_j W_j over the earlier blocks.
    carries = c + tf.cumsum(tf.matmul(x_blocks, w_blocks), axis=0, exclusive=True)
    saved = [tf.stop_gradient(t) for t in (x_blocks, w_blocks, v_blocks, carries)]
    logits = b + unblock(_block_logits(*saved))

    def gradient(upstream):
        grad_blocks = blocks(upstream, batch)
        d_v, d_w_inner, d_sums = _block_parameter_gradients(*saved, grad_blocks)
        # d loss / d pre-activation summed over the later blocks: what each earlier
        # block's x_j W_j fed.
        later = tf.cumsum(d_sums, axis=0, exclusive=True, reverse=True)
        d_w = d_w_inner + tf.matmul(x_blocks, later, transpose_a=True)
        d_x = _block_input_gradients(*saved, grad_blocks)
        d_x += tf.matmul(later, w_blocks, transpose_b=True)

        def flat(t):
            return tf.reshape(t, [num_blocks * size, hidden_units])[:input_dim]

        return (
            unblock(d_x),
            flat(d_w),
            flat(d_v),
            tf.reduce_sum(d_sums, [0, 1]),
            tf.reduce_sum(upstream, 0),
        )

    return logits, gradient


@keras.saving.register_keras_serializable(package="zoo")
class NADE(AutoregressiveModel):
    """Neural autoregressive distribution estimator over binary vectors (natural order).

    Args:
        input_dim: Number of binary variables D.
        hidden_units: Number of hidden units H (shared by all D conditionals).
        **kwargs: Passed to `keras.Model`.

    #### Examples

    ```python
    model = NADE(input_dim=784, hidden_units=500)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(binary_images.reshape(-1, 784), epochs=5)      # loss: NLL in nats
    model.log_prob(binary_images[:8].reshape(-1, 784))       # exact, [8]
    model.sample(16, seed=0)                                 # [16, 784] in {0, 1}
    ```

    #### References
    - Larochelle, Murray (2011). The Neural Autoregressive Distribution Estimator. AISTATS.
    """

    def __init__(self, input_dim, hidden_units=500, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.hidden_units = int(hidden_units)
        self.data_shape = (self.input_dim,)
        shape = (self.input_dim, self.hidden_units)
        self.W = self.add_weight(name="W", shape=shape, initializer="glorot_uniform")
        self.V = self.add_weight(name="V", shape=shape, initializer="glorot_uniform")
        self.c = self.add_weight(name="c", shape=(self.hidden_units,), initializer="zeros")
        self.b = self.add_weight(name="b", shape=(self.input_dim,), initializer="zeros")
        self.built = True

    def call(self, x):
        """Logits of p(x_d = 1 | x_<d) for every d, shape [batch, D] (see `nade_logits`)."""
        x = tf.cast(x, self.W.dtype)
        params = [tf.convert_to_tensor(p) for p in (self.W, self.V, self.c, self.b)]
        return nade_logits(x, *params)

    def _validate(self, x):
        check_inner_shape(x, self.data_shape)
        return check_in_range(x, 0.0, 1.0, what="binary NADE variables")

    def log_prob(self, x):
        """Exact log p(x) in nats.

        Args:
            x: Binary array `[batch, input_dim]` (values in [0, 1]).

        Returns:
            float32 tensor `[batch]`.

        Raises:
            ValueError: for another shape or values outside [0, 1].
        """
        x = self._validate(x)
        x = tf.cast(x, self.W.dtype)
        return tfd.Independent(tfd.Bernoulli(logits=self(x)), 1).log_prob(x)

    def _negative_log_likelihood(self, x, condition, training):
        return -self.log_prob(x)

    def sample(self, num_samples, seed=None):
        """Draw binary vectors, one variable at a time in the model's order.

        Args:
            num_samples: Number of vectors.
            seed: Integer or shape-[2] seed; the same seed gives the same samples.

        Returns:
            float32 tensor `[num_samples, input_dim]` of 0/1.
        """
        return self._sample(tf.convert_to_tensor(num_samples, tf.int32), stateless_seed(seed))

    @tf.function(reduce_retracing=True)
    def _sample(self, num_samples, seed):
        def step(d, running, values):
            hidden = tf.sigmoid(self.c + running)
            logits = self.b[d] + tf.linalg.matvec(hidden, self.V[d])
            x_d = tfd.Bernoulli(logits=logits, dtype=self.W.dtype).sample(
                seed=tf.random.experimental.stateless_fold_in(seed, d)
            )
            return d + 1, running + x_d[:, None] * self.W[d], values.write(d, x_d)

        _, _, values = tf.while_loop(
            lambda d, *_: d < self.input_dim,
            step,
            (
                tf.constant(0),
                tf.zeros([num_samples, self.hidden_units], self.W.dtype),
                tf.TensorArray(self.W.dtype, size=self.input_dim),
            ),
        )
        return tf.transpose(values.stack())

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "hidden_units": self.hidden_units,
        }
