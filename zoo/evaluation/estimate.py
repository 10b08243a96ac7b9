"""`Estimate`: an estimate of a log-quantity (log Z, a log-likelihood) with its standard error.

Every estimator-level API of the zoo returns this one type, exact or not:
`log_partition(method="exact" | "ais")` of the energy models and
`zoo.evaluation.ais.annealed_importance_sampling`. An exact result is an `Estimate` with a
standard error of 0, so code that reports "log Z and its standard error" needs no branch on
the method. Per-example quantities (`log_prob`, `elbo`, `DBN.log_prob_lower_bound`) stay
plain Tensors: they compose with TFP and Keras as they are.

`Estimate` is a `NamedTuple` (as TFP's result types are), so `tf.nest` and `tf.function`
take it as a structure; a `method` returned through a `tf.function` comes back as a string
Tensor.
"""

import warnings
from typing import NamedTuple

import numpy as np
import tensorflow as tf


def _deprecated_field(old: str, new: str) -> property:
    """A read-only property `old` that warns (`DeprecationWarning`) and returns field `new`."""

    def getter(self):
        warnings.warn(
            f"`Estimate.{old}` is deprecated and will be removed in the next release; "
            f"use `Estimate.{new}`.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, new)

    getter.__doc__ = f"Deprecated alias of `{new}` (warns); removed in the next release."
    return property(getter)


class Estimate(NamedTuple):
    """An estimate of a log-quantity and its standard error, exact or stochastic.

    Build one with `Estimate.exact(value)` for a computed result or
    `Estimate.from_log_weights(log_weights, method=...)` for an importance-sampling
    estimate of the log of a mean weight (AIS); the fields can also be given directly.
    It is not a number: arithmetic on it raises a `TypeError`; compute with `value`.

    Attributes:
        value: The estimate, a float32 scalar Tensor (for example log Z in nats).
        standard_error: Its standard error, a float32 scalar Tensor; 0 for an exact result.
            For an importance-sampling estimate it is the delta-method standard error of
            the log of the mean weight, sigma_hat / Z_hat, where sigma_hat is the standard
            error of the mean weight Z_hat. It is also the standard error of every
            log-likelihood `-F(v) - value` that shifts with a log Z.
        method: How the value was obtained, e.g. `"exact"` or `"ais"` (the `method`
            argument of `log_partition`).
        lower: log(Z_hat - 3 sigma_hat), the lower end of the ±3 sigma spread that
            Salakhutdinov & Murray (2008) report; `-inf` when Z_hat - 3 sigma_hat <= 0;
            `value` for an exact result; None when the estimator gives no spread.
        upper: log(Z_hat + 3 sigma_hat); `value` for an exact result; None when the
            estimator gives no spread.
        log_weights: Per-run log importance weights (AIS: one per chain, including log
            Z_0, shape `[num_chains]`), whose spread diagnoses the estimator (a few
            dominant chains mean too few betas); None for an exact result.

    #### Examples

    ```python
    rbm = zoo.models.BernoulliRBM(16, 8)
    exact = rbm.log_partition("exact")
    float(exact.value), float(exact.standard_error)
    # ==> (..., 0.0)
    ais = rbm.log_partition("ais", num_chains=100, seed=0)
    f"log Z = {float(ais.value):.2f} ± {float(ais.standard_error):.2f} ({ais.method})"
    ```

    #### References
    Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
    networks. ICML.
    """

    value: tf.Tensor
    standard_error: tf.Tensor
    method: str
    lower: tf.Tensor | None = None
    upper: tf.Tensor | None = None
    log_weights: tf.Tensor | None = None

    @classmethod
    def exact(cls, value, method: str = "exact") -> "Estimate":
        """An exact result: standard error 0, `lower` and `upper` equal to `value`.

        Args:
            value: The exact log-quantity (anything `tf.convert_to_tensor` takes).
            method: The method's name.

        Returns:
            An `Estimate` with a float32 scalar `value`.

        #### Examples

        ```python
        estimate = Estimate.exact(1.5)
        float(estimate.standard_error)
        # ==> 0.0
        ```
        """
        value = tf.cast(value, tf.float32)
        return cls(
            value=value,
            standard_error=tf.zeros_like(value),
            method=method,
            lower=value,
            upper=value,
        )

    @classmethod
    def from_log_weights(cls, log_weights, method: str) -> "Estimate":
        """The log of the mean importance weight, its standard error and ±3 sigma spread.

        With weights w_1..w_n and their mean Z_hat (an unbiased estimate of Z), sigma_hat
        = std(w) / sqrt(n) is the standard error of Z_hat; `value` is log Z_hat,
        `standard_error` sigma_hat / Z_hat (the delta method) and `lower` / `upper`
        log(Z_hat -/+ 3 sigma_hat). All are computed from weights scaled by the largest
        one, so nothing overflows.

        Args:
            log_weights: float32 Tensor `[n]` of log importance weights (n >= 1).
            method: The estimator's name, e.g. `"ais"`.

        Returns:
            An `Estimate` that keeps `log_weights`.

        #### Examples

        ```python
        estimate = Estimate.from_log_weights(tf.math.log([1.0, 2.0, 3.0]), method="is")
        float(estimate.value)  # log 2
        # ==> 0.6931...
        ```
        """
        log_weights = tf.cast(log_weights, tf.float32)
        count = tf.cast(tf.size(log_weights), tf.float32)
        shift = tf.reduce_max(log_weights)
        ratios = tf.exp(log_weights - shift)
        mean = tf.reduce_mean(ratios)
        std = tf.math.reduce_std(ratios)
        spread = 3.0 * std / tf.sqrt(count)
        lower = tf.where(mean > spread, tf.math.log(tf.maximum(mean - spread, 1e-30)), -np.inf)
        return cls(
            value=shift + tf.math.log(mean),
            standard_error=std / tf.sqrt(count) / mean,
            method=method,
            lower=shift + lower,
            upper=shift + tf.math.log(mean + spread),
            log_weights=log_weights,
        )

    def _not_a_number(self, *_):
        raise TypeError(
            "An Estimate is not a number (log_partition returns an Estimate for every method "
            "since issue 19): use its `.value`, e.g. `model.log_partition().value - x`."
        )

    # Arithmetic on the former exact Tensor fails here with a hint, instead of a tuple's
    # concatenation or repetition.
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _not_a_number
    __truediv__ = __rtruediv__ = __neg__ = __float__ = _not_a_number

    # Deprecated aliases: the attribute names of the former `zoo.evaluation.ais.AISEstimate`.
    log_z = _deprecated_field("log_z", "value")
    log_z_standard_error = _deprecated_field("log_z_standard_error", "standard_error")
    log_z_lower = _deprecated_field("log_z_lower", "lower")
    log_z_upper = _deprecated_field("log_z_upper", "upper")
