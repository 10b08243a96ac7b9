"""Annealed importance sampling (AIS) estimates of a partition function.

AIS (Neal, 2001) moves `num_chains` samples of a tractable start distribution p_0 through a
sequence of intermediate distributions p_k(x) = f_k(x) / Z_k, k = 0..K, with inverse
temperatures 0 = beta_0 < ... < beta_K = 1, by one Markov transition that leaves p_k
invariant per step. Each chain accumulates the importance weight

    log w = sum_k [log f_k(x_{k-1}) - log f_{k-1}(x_{k-1})],

and `Z_K / Z_0 ~= mean(w)`: an unbiased estimate of the ratio (so `log Z` is a stochastic
lower bound in expectation, by Jensen's inequality).

Why not `tfp.mcmc.sample_annealed_importance_chain`: it only offers a linear beta schedule
and a geometric path between two *given* log densities, whereas the RBM estimator of
Salakhutdinov & Murray (2008) needs the non-uniform schedule below and a path defined on the
RBM's marginal over visible units (its hidden units summed out analytically), with
model-specific Gibbs transitions. This module is the model-agnostic loop; the RBMs supply
`log_unnormalized_fn` and `transition_fn`.
"""

import warnings
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from zoo.evaluation.estimate import Estimate
from zoo.random import stateless_seed

# The schedule of Salakhutdinov & Murray (2008), Sec. 4: 500 betas spaced uniformly in
# [0, 0.5], 4,000 in [0.5, 0.9] and 10,000 in [0.9, 1.0].
_SCHEDULE_SEGMENTS = ((0.0, 0.5, 500), (0.5, 0.9, 4000), (0.9, 1.0, 10000))


def __getattr__(name):
    """`AISEstimate`, the deprecated alias of `zoo.evaluation.estimate.Estimate` (warns)."""
    if name == "AISEstimate":
        warnings.warn(
            "`zoo.evaluation.ais.AISEstimate` is deprecated and will be removed in the next "
            "release; use `zoo.evaluation.Estimate`.",
            DeprecationWarning,
            stacklevel=2,
        )
        return Estimate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def ais_schedule(num_betas: int = 14500) -> np.ndarray:
    """Inverse temperatures from 0 to 1 spaced as in Salakhutdinov & Murray (2008).

    Denser near beta = 1, where the intermediate distributions change fastest: the
    fractions 500/14500 of the points in [0, 0.5], 4000/14500 in [0.5, 0.9] and the rest in
    [0.9, 1].

    Args:
        num_betas: Number of intermediate distributions K (at least 3); the paper uses 14,500.

    Returns:
        float64 array `[num_betas + 1]`, increasing, from 0.0 to 1.0 inclusive.

    Raises:
        ValueError: if `num_betas < 3`.

    #### Examples

    ```python
    >>> betas = ais_schedule(1000)
    >>> float(betas[0]), float(betas[-1]), len(betas)
    (0.0, 1.0, 1001)

    ```
    """
    if num_betas < 3:
        raise ValueError(f"num_betas must be at least 3; got {num_betas}.")
    total = sum(n for _, _, n in _SCHEDULE_SEGMENTS)
    counts = [max(1, round(num_betas * n / total)) for _, _, n in _SCHEDULE_SEGMENTS]
    counts[-1] = num_betas - sum(counts[:-1])
    pieces = [
        np.linspace(low, high, count, endpoint=False)
        for (low, high, _), count in zip(_SCHEDULE_SEGMENTS, counts, strict=True)
    ]
    return np.concatenate([*pieces, [1.0]])


def annealed_importance_sampling(
    initial_state,
    log_z_initial,
    log_unnormalized_fn: Callable,
    transition_fn: Callable,
    betas,
    seed=None,
) -> Estimate:
    """Estimate log Z of the beta = 1 distribution by annealed importance sampling.

    The loop over betas is one compiled `tf.while_loop`.

    Args:
        initial_state: Exact samples of p_0, one per chain, shape `[num_chains, ...]`.
        log_z_initial: log Z_0 (scalar), the normalizer of `log_unnormalized_fn(x, 0.0)`.
        log_unnormalized_fn: `(state, beta) -> [num_chains]`, log f_beta(state).
        transition_fn: `(state, beta, seed) -> state`, a Markov transition leaving
            p_beta invariant; `seed` is a shape-[2] int32 tensor for stateless ops.
        betas: Increasing inverse temperatures from 0.0 to 1.0 (e.g. `ais_schedule()`).
        seed: Anything `zoo.random.stateless_seed` takes.

    Returns:
        A `zoo.evaluation.Estimate` with `method="ais"`: `value` the estimate of log Z (the
        log of the mean importance weight, times Z_0), `standard_error` its delta-method
        standard error, `lower` / `upper` the log(Z +- 3 sigma) spread and `log_weights`
        the per-chain log weights (see `Estimate.from_log_weights`).

    Raises:
        ValueError: if `betas` does not increase from 0 to 1.

    #### Examples

    ```python
    est = annealed_importance_sampling(x0, log_z0, log_f, gibbs, ais_schedule(1000), 0)
    float(est.value), float(est.standard_error)
    ```

    #### References
    Neal, R. M. (2001). Annealed importance sampling. Statistics and Computing 11.
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML.
    """
    betas_np = np.asarray(betas, dtype=np.float64)
    if (
        betas_np.ndim != 1
        or len(betas_np) < 2
        or betas_np[0] != 0.0
        or betas_np[-1] != 1.0
        or np.any(np.diff(betas_np) <= 0)
    ):
        raise ValueError("betas must be a 1-D increasing sequence from 0.0 to 1.0.")
    betas_t = tf.constant(betas_np, tf.float32)
    seed = stateless_seed(seed)
    state = tf.convert_to_tensor(initial_state)

    @tf.function
    def anneal(state, seed):
        num_chains = tf.shape(state)[0]

        def body(k, state, log_w):
            beta_prev, beta = betas_t[k - 1], betas_t[k]
            log_w += log_unnormalized_fn(state, beta) - log_unnormalized_fn(state, beta_prev)
            step_seed = tf.random.experimental.stateless_fold_in(seed, k)
            return k + 1, transition_fn(state, beta, step_seed), log_w

        _, _, log_w = tf.while_loop(
            lambda k, *_: k < tf.shape(betas_t)[0],
            body,
            (tf.constant(1), state, tf.zeros([num_chains])),
        )
        return log_w

    log_w = anneal(state, seed) + tf.cast(log_z_initial, tf.float32)
    return Estimate.from_log_weights(log_w, method="ais")
