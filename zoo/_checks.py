"""Input validation shared by every model: clear `ValueError`s, nothing silently clipped."""

import numpy as np
import tensorflow as tf


def check_inner_shape(x, expected, name: str = "x"):
    """Check that `x` has shape `[batch, *expected]`.

    Args:
        x: Array-like or tensor.
        expected: The expected shape without the batch axis; `None` entries match any size.
        name: What to call the input in the message.

    Raises:
        ValueError: naming the expected and the actual shape.
    """
    shape = tuple(x.shape)
    expected = tuple(expected)
    ok = len(shape) == len(expected) + 1 and all(
        e is None or s is None or s == e for s, e in zip(shape[1:], expected)
    )
    if not ok:
        want = "(batch, " + ", ".join("?" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name} must have shape {want}; got {shape}.")


def check_in_range(x, low: float, high: float, name: str = "x", what: str = ""):
    """Check that every value of `x` lies in `[low, high]`; return `x` unchanged.

    Eagerly this raises `ValueError`; inside a traced function (a `train_step`) it adds a
    `tf.debugging` assertion that fails the step with the same message.

    Args:
        x: Array-like or tensor.
        low: Smallest allowed value.
        high: Largest allowed value.
        name: What to call the input in the message.
        what: Why the range holds, e.g. "Bernoulli visible units".

    Returns:
        `x` (with a control dependency on the check when traced).

    Raises:
        ValueError: eagerly, naming the range and the offending minimum / maximum.
    """
    reason = f" ({what})" if what else ""
    message = f"{name} must lie in [{low}, {high}]{reason}"
    if tf.executing_eagerly() and not isinstance(x, tf.Variable):
        values = np.asarray(x)
        if values.size and (values.min() < low or values.max() > high):
            raise ValueError(
                f"{message}; got values in [{values.min()}, {values.max()}]. "
                "Rescale or binarize the data first (see zoo.data)."
            )
        return x
    x = tf.convert_to_tensor(x)
    checks = [
        tf.debugging.assert_greater_equal(x, tf.cast(low, x.dtype), message=message),
        tf.debugging.assert_less_equal(x, tf.cast(high, x.dtype), message=message),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(x)


def as_float_batch(x, inner_shape, name: str = "x"):
    """Check `x` has shape `[batch, *inner_shape]` and return it as a float32 tensor.

    Raises:
        ValueError: naming the expected and the actual shape.
    """
    if not tf.is_tensor(x):
        x = np.asarray(x)
    check_inner_shape(x, inner_shape, name=name)
    return tf.cast(x, tf.float32)
