"""Exact sums over every state of a few binary units: the table of states and a chunked log-sum-exp.

Tiny energy-based models over binary units (an RBM's smaller layer, a Boltzmann machine, an
`EnergyBasedModel` on a few bits) have a partition function that is a sum over 2^n states.
`binary_states` lists them (row i is the binary expansion of i, least significant bit first)
and `log_sum_exp_over_states` adds exp(log_weight(s)) over all of them in chunks of
`chunk_size` rows inside one `tf.while_loop`, so memory stays at one chunk.
"""

import tensorflow as tf

#: Most binary units whose 2^n states the RBM and Boltzmann machine enumerate for exact log Z.
MAX_EXACT_BITS = 25
#: Most binary units a model enumerates unasked: an RBM's `log_prob` with no cached log Z,
#: and `EnergyBasedModel`, whose every state costs a network call.
MAX_IMPLICIT_EXACT_BITS = 20
#: Floats one chunk of an enumeration may hold (states times the work per state).
ENUMERATION_BUDGET = 2**22


def chunk_size_for(num_bits, floats_per_state):
    """The largest power-of-two chunk of states that keeps a chunk within the budget.

    Args:
        num_bits: Number of binary units enumerated.
        floats_per_state: Floats each state costs in the summand (e.g. the size of the
            layer it is multiplied with).

    Returns:
        An int, a power of two between 1 and `2**num_bits`.

    #### Examples

    ```python
    >>> chunk_size_for(25, 2**10)
    4096

    ```
    """
    per_state = max(1, int(floats_per_state))
    return min(2**num_bits, 2 ** max(0, (ENUMERATION_BUDGET // per_state).bit_length() - 1))


def binary_states(num_bits, start=0, count=None):
    """Rows `start .. start + count - 1` of the table of all `num_bits`-bit binary vectors.

    Args:
        num_bits: Length of each vector.
        start: First row (an integer, or an int64 scalar tensor inside a loop).
        count: Number of rows; default all `2**num_bits` rows.

    Returns:
        float32 `[count, num_bits]` of 0/1; row i holds the bits of `start + i`, least
        significant first.

    #### Examples

    ```python
    >>> binary_states(2).numpy()
    array([[0., 0.],
           [1., 0.],
           [0., 1.],
           [1., 1.]], dtype=float32)

    ```
    """
    count = 2**num_bits if count is None else count
    start = tf.cast(start, tf.int64)
    index = tf.range(start, start + tf.cast(count, tf.int64), dtype=tf.int64)[:, None]
    bits = tf.bitwise.right_shift(index, tf.range(num_bits, dtype=tf.int64)[None, :])
    return tf.cast(tf.bitwise.bitwise_and(bits, 1), tf.float32)


def log_sum_exp_over_states(log_weight_fn, num_bits, chunk_size=None):
    """The log sum_s exp(log_weight_fn(s)) over all `2**num_bits` binary vectors s.

    Args:
        log_weight_fn: Callable `states [m, num_bits] -> [m, ...]`, e.g. minus an energy
            or free energy, so that the result is log Z; trailing axes (say one per
            example of a batch) are kept, each summed over the states separately.
        num_bits: Number of binary units enumerated.
        chunk_size: States per chunk (a power of two up to `2**num_bits`); default all at
            once.

    Returns:
        float32 of `log_weight_fn`'s trailing shape (a scalar for `[m]`).

    Raises:
        ValueError: if `chunk_size` does not divide `2**num_bits`.

    #### Examples

    ```python
    >>> value = log_sum_exp_over_states(lambda s: tf.reduce_sum(s, -1), 3)
    >>> round(float(value), 4)  # 3 log(1 + e)
    3.9398

    ```
    """
    total = 2**num_bits
    chunk_size = total if chunk_size is None else int(chunk_size)
    if chunk_size < 1 or total % chunk_size:
        raise ValueError(f"chunk_size must be a power of two up to 2^{num_bits}; got {chunk_size}.")
    num_chunks = total // chunk_size

    def body(i, partial):
        states = binary_states(num_bits, tf.cast(i, tf.int64) * chunk_size, chunk_size)
        return i + 1, partial.write(i, tf.reduce_logsumexp(log_weight_fn(states), axis=0))

    partial = tf.TensorArray(tf.float32, size=num_chunks)
    _, partial = tf.while_loop(lambda i, _: i < num_chunks, body, (tf.constant(0), partial))
    return tf.reduce_logsumexp(partial.stack(), axis=0)
