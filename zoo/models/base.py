"""The base every zoo model shares: `keras.Model` plus input errors that read as such.

Every model validates its data (shape, range, finiteness) with `zoo.checks`. Inside a
compiled `fit` / `evaluate` / `predict` step a failed check can only stop the step with a
TensorFlow graph error, whose readable part sits at its end; `GenerativeModel` turns it
back into the `ValueError` an eager call raises ("x contains NaN or Inf at index ...",
"v must lie in [0.0, 1.0] ..."). The failing step stops before any weight is updated.

`GenerativeModel` writes the contract down: the methods a model may offer
(`zoo.models.contract.CONTRACT_METHODS`, declared per model in `contract_methods`), the
shapes it declares (`data_shape`, `latent_dim`), what a conditional model is conditioned
on (`condition_spec`) and the log Z it holds (`cached_log_partition`).
`zoo.models.contract` reads these declarations (`supports`, `data_shape_of`,
`condition_spec_of`, ...) for the callbacks, plots and export.

`resolve_condition` reads the condition of a conditional method (`sample`, `log_prob`, ...)
given as `condition=` or as its deprecated alias `labels=`.
"""

import functools
import warnings

import keras
import tensorflow as tf

from zoo.checks import input_error_message
from zoo.distribute import MultiWorkerLogsFix
from zoo.models.contract import supports
from zoo.models.distribution import ModelDistribution


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
    - `latent_dim` (latent models): the size (or shape) of one latent code, what
      `generate` and `decode` take per example (`latent_shape_of`).
    - `condition_spec`: None for an unconditional model; for a conditional one a
      `zoo.models.contract.ConditionSpec` saying what it is conditioned on (class labels
      and how many, or a vector and its size) and which methods take it as
      `condition=`. `zoo.export` gives those methods' signatures a `condition` input.
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
    - `cached_log_partition` (models with `log_partition`): the log Z of the current
      weights the model holds (a float: the last `log_partition` result, or the estimate
      published with a preset), None when it holds none or training made it stale;
      `zoo.export` serves `log_prob` with it.

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

    #: What the model is conditioned on (a `zoo.models.contract.ConditionSpec`), or None
    #: for an unconditional model; conditional families declare it as a property.
    condition_spec = None

    #: The log Z of the current weights the model holds, or None; models whose
    #: `log_partition` caches its result declare it as a property.
    cached_log_partition = None

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
        if not supports(self, "log_prob"):
            raise NotImplementedError(
                f"{type(self).__name__} defines no likelihood (no `log_prob`), so it has no "
                "distribution view; as_distribution() needs a model with `log_prob` (RBMs, "
                "VAE, NADE, MADE, PixelCNN, PixelRNN)."
            )
        return ModelDistribution(
            self, log_prob_kwargs=log_prob_kwargs, sample_kwargs=sample_kwargs, name=name
        )
