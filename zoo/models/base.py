"""The base every zoo model shares: `keras.Model` plus input errors that read as such.

Every model validates its data (shape, range, finiteness) with `zoo.checks`. Inside a
compiled `fit` / `evaluate` / `predict` step a failed check can only stop the step with a
TensorFlow graph error, whose readable part sits at its end; `GenerativeModel` turns it
back into the `ValueError` an eager call raises ("x contains NaN or Inf at index ...",
"v must lie in [0.0, 1.0] ..."). The failing step stops before any weight is updated.

`CONTRACT_METHODS` names every method of the contract; each model declares the ones it
implements in `contract_methods`, which `zoo.export` signs and the tests hold to the code.
`supports(model, method)` reads that declaration, `data_shape_of` and `data_range_of` the
declared shape and value range of the data, and `is_distribution` tells a
`tfp.distributions.Distribution` result from a tensor: callbacks, plotting and export ask
these instead of looking for names on a model.

`resolve_condition` reads the condition of a conditional method (`sample`, `log_prob`, ...)
given as `condition=` or as its deprecated alias `labels=`.
"""

import functools
import warnings

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import input_error_message
from zoo.distribute import MultiWorkerLogsFix
from zoo.models.distribution import ModelDistribution

#: Every method of the contract a model may declare in `contract_methods`, with the input
#: of its serving signature: `None` for `sample(num_samples, seed)`, `"x"` for a batch of
#: data `[batch, *data_shape]`, `"z"` for a batch of latent codes `[batch, *latent_dim]`.
#: `log_partition` has no signature: a model that declares it has its log Z fixed at
#: export, and its `log_prob` signature uses it. The order is the order of the signatures.
CONTRACT_METHODS = {
    "sample": None,
    "generate": "z",
    "decode": "z",
    "log_prob": "x",
    "elbo": "x",
    "free_energy": "x",
    "encode": "x",
    "reconstruct": "x",
    "discriminate": "x",
    "classify": "x",
    "features": "x",
    "log_partition": None,
}


def supports(model, method):
    """Whether `model` offers the contract method `method`, as the model declares it.

    The one place the zoo decides what a model can do: a zoo model supports exactly the
    methods in its `contract_methods` (see `GenerativeModel`). An object that declares no
    `contract_methods` (a plain `keras.Model`, a stand-in in a test) supports the contract
    methods it has, callable, under their names.

    Args:
        model: A zoo model, or any object with methods named as in `CONTRACT_METHODS`.
        method: A name in `CONTRACT_METHODS`, e.g. `"sample"` or `"log_prob"`.

    Returns:
        Python `bool`.

    Raises:
        ValueError: if `method` is not in `CONTRACT_METHODS`.

    #### Examples

    ```python
    from zoo.models import NADE, DBN
    supports(NADE(4, 3), "log_prob")      # True
    supports(DBN([6, 4, 3]), "log_prob")  # False: a DBN's likelihood is only bounded
    ```
    """
    if method not in CONTRACT_METHODS:
        raise ValueError(
            f"{method!r} is not a contract method; the contract has {', '.join(CONTRACT_METHODS)}."
        )
    declared = getattr(model, "contract_methods", None)
    if declared is not None:
        return method in declared
    return callable(getattr(model, method, None))


def data_shape_of(model):
    """The shape of one example of `model`'s data, as the model declares it in `data_shape`.

    Args:
        model: A zoo model, or any object with a `data_shape` attribute.

    Returns:
        A tuple of Python ints (without the batch axis), or None for an object that
        declares no `data_shape` (a plain `keras.Model`).

    #### Examples

    ```python
    from zoo.models import NADE
    data_shape_of(NADE(4, 3))   # (4,)
    ```
    """
    shape = getattr(model, "data_shape", None)
    return None if shape is None else tuple(int(d) for d in shape)


def data_range_of(model):
    """The `(low, high)` the model's samples lie in, where the model fixes one.

    A GAN declares it as `data_range` (e.g. `(-1.0, 1.0)` for a tanh generator); models
    whose samples have no fixed range, and objects that declare none, give None.

    Args:
        model: A zoo model, or any object.

    Returns:
        A `(low, high)` tuple of Python floats, or None.

    #### Examples

    ```python
    from zoo.models import DCGAN
    data_range_of(DCGAN((28, 28, 1), latent_dim=4, filters=4))   # (-1.0, 1.0)
    ```
    """
    value_range = getattr(model, "data_range", None)
    return None if value_range is None else tuple(float(v) for v in value_range)


def is_distribution(value):
    """Whether `value` is a `tfp.distributions.Distribution` (as `encode` / `decode` return).

    Contract methods return a distribution where the model defines one (the VAE's q(z | x)
    and p(x | z), an RBM's p(v | h)) and tensors otherwise (an autoencoder's `decode`).

    Args:
        value: A method's result.

    Returns:
        Python `bool`.

    #### Examples

    ```python
    from zoo.models import VAE
    vae = VAE.mlp((6,), 2, hidden_units=(8,))
    is_distribution(vae.decode(tf.zeros([1, 2])))   # True
    ```
    """
    return isinstance(value, tfp.distributions.Distribution)


def resolve_condition(condition, labels, method):
    """The condition a method was given, as `condition=` or its deprecated alias `labels=`.

    Args:
        condition: The method's `condition` argument.
        labels: The method's `labels` argument, the deprecated alias of `condition`.
        method: Qualified name of the method, e.g. `"PixelCNN.sample"`, for the messages.

    Returns:
        `condition`, or `labels` when only the alias was given (None when neither was).

    Raises:
        ValueError: if both `condition` and `labels` are given.

    Warns:
        DeprecationWarning: when `labels` is given, pointing at the caller of `method`.

    #### Examples

    ```python
    def sample(self, num_samples, seed=None, *, condition=None, labels=None):
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.sample")
    ```
    """
    if labels is None:
        return condition
    if condition is not None:
        raise ValueError(f"{method}: give condition= or its deprecated alias labels=, not both.")
    warnings.warn(
        f"`{method}(labels=...)` is deprecated and will be removed in the next release; "
        "use `condition=`.",
        DeprecationWarning,
        stacklevel=3,  # the call of `method`, which calls this function
    )
    return labels


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


class GenerativeModel(MultiWorkerLogsFix, keras.Model):
    """The base of every zoo model, and the contract they all follow.

    A zoo model is a `keras.Model` trained by plain `fit` through its own `train_step`,
    whose `fit`, `evaluate` and `predict` report bad data as `ValueError`. It offers
    what its math allows, always under these names and signatures:

    - `data_shape`: the shape of one example without the batch axis (a tuple), what
      `sample` returns per example and what `fit`, `log_prob` and the exported
      signatures take.
    - `data_range` (GANs): `(low, high)` of the generator's output where it is fixed,
      e.g. `(-1, 1)` for tanh; plots rescale samples from it (`data_range_of`).
    - `sample(num_samples, seed=None, *, condition=None, **options)`: draws; the same
      integer seed gives the same draws, eagerly, in `tf.function` and exported.
      `condition=` is the class (or other input) of a conditional model and is absent
      from unconditional ones; options are keyword-only (`burn_in`, `mean`, `length`,
      `temperature`).
    - `log_prob(x, *, condition=None, **estimator)`: log p(x) per example in nats,
      exact where tractable (autoregressive models, small RBMs), else the documented
      estimate whose settings are the keyword arguments (AIS for RBMs, importance
      weighting for the VAE).
    - `encode(x)` / `decode(z)`: latent-variable models; `tfd.Distribution`s where the
      model defines one (the VAE's q(z | x) and p(x | z), the RBMs' p(h | v) and
      p(v | h), the DBN's top layer given the data), tensors for autoencoders without a
      likelihood.
    - `as_distribution()`: a `tfp.distributions.Distribution` view of any model with
      `log_prob`.
    - `get_config()`: every constructor argument, so `.keras` files and presets rebuild
      the model.

    - `discriminate(x)` (GANs), `generate(z)` (decoders of a latent prior), `elbo(x)`,
      `reconstruct(x)`, `free_energy(x)` and `log_partition(method=...)` (energy models;
      a `zoo.evaluation.Estimate`, exact or not),
      `classify(x)` / `features(x)` (class logits and features of the data): the rest of
      `CONTRACT_METHODS`.

    Which of these a model implements is declared, not guessed: `contract_methods` is the
    tuple of the `CONTRACT_METHODS` names the model implements for its configuration,
    written by each family on its class (a property where the configuration decides, as
    for a DBN's `classify` or a binary `EnergyBasedModel`'s `log_prob`). A contract method
    a model does not declare is absent or raises `NotImplementedError`. Models outside
    this base (`ImageClassifier`) declare the same attribute. `zoo.export.export_saved_model`
    signs exactly the declared methods, and `supports(model, name)` answers from the
    declaration for the callbacks and plots; deprecated names (`labels=`, `num_steps=`) are kept
    for one release with a warning.

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

    #: The `CONTRACT_METHODS` this model implements; each family declares its own.
    contract_methods = ()

    fit = _input_errors_as_value_errors(keras.Model.fit)
    evaluate = _input_errors_as_value_errors(keras.Model.evaluate)
    predict = _input_errors_as_value_errors(keras.Model.predict)

    def as_distribution(self, sample_kwargs=None, name=None, **log_prob_kwargs):
        """This model as a `tfp.distributions.Distribution` over one example of its data.

        The result (a `zoo.models.distribution.ModelDistribution`) samples with
        `self.sample` and scores with `self.log_prob`, with `event_shape = data_shape`,
        scalar batch shape and float32 values, so it composes with `tfd.Independent`,
        `tfd.Sample` and `tfd.Mixture`. It is a view of this model, not a copy: it
        follows further training.

        Args:
            sample_kwargs: Keyword arguments for every `sample` call (e.g.
                `{"burn_in": 200}` for a Boltzmann machine).
            name: Name of the distribution; default the model's name.
            **log_prob_kwargs: Estimator arguments fixed for every `log_prob` call (e.g.
                `num_samples=100, seed=0` for the VAE's importance-weighted estimate).

        Returns:
            A `ModelDistribution`.

        Raises:
            NotImplementedError: for a model that does not declare `log_prob` in
                `contract_methods` (GANs, autoencoders, the `SoftmaxRBM`, the DBN, whose
                `log_prob_lower_bound` is only a bound).

        #### Examples

        ```python
        from zoo.models import VAE
        vae = VAE.mlp((6,), 2, hidden_units=(8,))
        p = vae.as_distribution(num_samples=50, seed=0)
        p.log_prob(p.sample(3, seed=1))   # [3], importance-weighted estimates
        ```
        """
        if "log_prob" not in self.contract_methods:
            raise NotImplementedError(
                f"{type(self).__name__} defines no likelihood (no `log_prob`), so it has no "
                "distribution view; as_distribution() needs a model with `log_prob` (RBMs, "
                "VAE, NADE, MADE, PixelCNN, PixelRNN)."
            )
        return ModelDistribution(
            self, log_prob_kwargs=log_prob_kwargs, sample_kwargs=sample_kwargs, name=name
        )
