"""Input validation shared by every model: clear `ValueError`s, nothing silently clipped.

Eagerly (`model.log_prob(x)`, numpy data) a bad input raises `ValueError` at once. Inside
a traced step (`fit`, `evaluate`) the same check is a TensorFlow assertion whose message
starts with `INPUT_ERROR`; `zoo.models.base.GenerativeModel` turns that failure back into
the same `ValueError` (the step is stopped before any weight is updated).
"""

import re

import numpy as np
import tensorflow as tf

#: Prefix of every traced input-check message (see `input_error_message`).
INPUT_ERROR = "zoo input error: "


def input_error_message(error_text: str) -> str | None:
    """The readable message of a failed traced input check, or None for other errors.

    TensorFlow formats a failed assertion as `... [MESSAGE] [DATA] ...`; the message is
    kept, and the index that `check_finite` attaches as data is appended to it.
    """
    match = re.search(
        re.escape(INPUT_ERROR) + r"(.*?)\](?= \[|\s*$)(?: \[\[([0-9 ]+)\]\])?",
        error_text,
        re.DOTALL,
    )
    if match is None:
        return None
    message = match.group(1).strip()
    if match.group(2):
        message += f" ({', '.join(match.group(2).split())}) of the batch"
    return message


def check_finite(x, name: str = "x"):
    """Check that `x` holds no NaN or Inf; return `x` unchanged.

    Raises:
        ValueError: eagerly, naming the index of the first non-finite value (traced:
            an assertion with the same message and the index).
    """
    message = f"{name} contains NaN or Inf"
    if tf.executing_eagerly() and not isinstance(x, tf.Variable):
        values = np.asarray(x)
        if np.issubdtype(values.dtype, np.floating) and not np.all(np.isfinite(values)):
            index = tuple(int(i) for i in np.argwhere(~np.isfinite(values))[0])
            raise ValueError(
                f"{message} at index {index} (value {values[index]}); remove or impute the "
                "non-finite values first."
            )
        return x
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    finite = tf.math.is_finite(x)
    first_bad = tf.cast(tf.where(tf.logical_not(finite))[:1], tf.int64)
    check = tf.debugging.Assert(
        tf.reduce_all(finite), [f"{INPUT_ERROR}{message} at index", first_bad]
    )
    with tf.control_dependencies([check]):
        return tf.identity(x)


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
        e is None or s is None or s == e for s, e in zip(shape[1:], expected, strict=True)
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
    x = check_finite(x, name)
    if tf.executing_eagerly() and not isinstance(x, tf.Variable):
        values = np.asarray(x)
        if values.size and (values.min() < low or values.max() > high):
            raise ValueError(
                f"{message}; got values in [{values.min()}, {values.max()}]. "
                "Rescale or binarize the data first (see zoo.data)."
            )
        return x
    x = tf.convert_to_tensor(x)
    message = f"{INPUT_ERROR}{message}"
    checks = [
        tf.debugging.assert_greater_equal(x, tf.cast(low, x.dtype), message=message),
        tf.debugging.assert_less_equal(x, tf.cast(high, x.dtype), message=message),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(x)


def as_float_batch(x, inner_shape, name: str = "x"):
    """Check `x` has shape `[batch, *inner_shape]` and finite values; return it as float32.

    Raises:
        ValueError: naming the expected and the actual shape, or the first non-finite
            value.
    """
    if not tf.is_tensor(x):
        x = np.asarray(x)
    check_inner_shape(x, inner_shape, name=name)
    return check_finite(tf.cast(x, tf.float32), name)
