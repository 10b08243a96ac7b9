"""Several consecutive states of a Markov chain, for an MCMC-averaged negative phase.

The negative phase of Boltzmann-machine learning estimates the model expectation
E_model[dE/dtheta]. One chain state after k transitions gives a noisy estimate; the MCMC
average 1/r sum_{t=k+1}^{k+r} f(x_t) over r consecutive states (counting the chain's start
as x_1, so x_{k+1} is the state after k transitions) lowers its variance at the cost of
r - 1 more transitions. `consecutive_states` collects those states in one `tf.while_loop`.
"""

import tensorflow as tf


def consecutive_states(transition, state, num_states, seed, first_step=0):
    """`state` and the `num_states - 1` states that follow it, stacked along the batch axis.

    Args:
        transition: Callable `(state, step_seed) -> next state` (same shape and dtype), with
            `step_seed` a shape-[2] int32 seed.
        state: The first state, `[batch, ...]`.
        num_states: r >= 1, a Python integer. With r = 1 `state` is returned as it is and
            no transition runs.
        seed: Shape-[2] int32 seed; transition t (t = 0, 1, ...) uses
            `stateless_fold_in(seed, first_step + t)`.
        first_step: Offset of the step index, so that a chain run for `first_step` steps with
            the same `seed` folding is continued with fresh noise.

    Returns:
        `(states, last)`: `states` is `[num_states * batch, ...]` (the r states in order,
        each a block of `batch` rows), `last` the final state `[batch, ...]`.

    Raises:
        ValueError: if `num_states < 1`.

    #### Examples

    ```python
    >>> walk = lambda x, s: x + tf.random.stateless_normal(tf.shape(x), s)
    >>> states, last = consecutive_states(walk, tf.zeros([2, 3]), 4, tf.constant([1, 2]))
    >>> states.shape, last.shape
    (TensorShape([8, 3]), TensorShape([2, 3]))

    ```
    """
    num_states = int(num_states)
    if num_states < 1:
        raise ValueError(f"num_states must be at least 1; got {num_states}.")
    if num_states == 1:
        return state, state
    states = tf.TensorArray(state.dtype, size=num_states, element_shape=state.shape)
    states = states.write(0, state)

    def body(t, current, states):
        step_seed = tf.random.experimental.stateless_fold_in(seed, first_step + t - 1)
        current = transition(current, step_seed)
        return t + 1, current, states.write(t, current)

    _, last, states = tf.while_loop(
        lambda t, *_: t < num_states, body, (tf.constant(1), state, states)
    )
    stacked = states.stack()
    return tf.reshape(stacked, tf.concat([[-1], tf.shape(state)[1:]], 0)), last
