"""The base every zoo model shares: `keras.Model` plus input errors that read as such.

Every model validates its data (shape, range, finiteness) with `zoo._checks`. Inside a
compiled `fit` / `evaluate` / `predict` step a failed check can only stop the step with a
TensorFlow graph error, whose readable part sits at its end; `GenerativeModel` turns it
back into the `ValueError` an eager call raises ("x contains NaN or Inf at index ...",
"v must lie in [0.0, 1.0] ..."). The failing step stops before any weight is updated.
"""

import functools

import keras
import tensorflow as tf

import zoo.distribute  # noqa: F401  (Keras multi-worker fix; see zoo.distribute)
from zoo._checks import input_error_message


def _input_errors_as_value_errors(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except tf.errors.InvalidArgumentError as error:
            message = input_error_message(str(error))
            if message is None:
                raise
            raise ValueError(f"{type(self).__name__}.{method.__name__}: {message}") from None

    return wrapper


class GenerativeModel(keras.Model):
    """A `keras.Model` whose `fit`, `evaluate` and `predict` report bad data as `ValueError`.

    Subclasses are the zoo's model classes; they train with their own `train_step`.

    #### Examples

    ```python
    import numpy as np
    from zoo.models import BernoulliRBM
    rbm = BernoulliRBM(6, 3)
    rbm.compile()
    x = np.ones((8, 6), "float32")
    x[5, 2] = np.nan
    try:
        rbm.fit(x, epochs=1, verbose=0)
    except ValueError as error:
        print(error)   # BernoulliRBM.fit: v contains NaN or Inf at index ...
    ```
    """

    fit = _input_errors_as_value_errors(keras.Model.fit)
    evaluate = _input_errors_as_value_errors(keras.Model.evaluate)
    predict = _input_errors_as_value_errors(keras.Model.predict)
