"""The written contract of a zoo model, as the rest of the zoo reads it.

`CONTRACT_METHODS` names every method of the contract; each model declares the ones it
implements in `contract_methods`, which `zoo.export` signs and the tests hold to the code.
`supports(model, method)` reads that declaration; `data_shape_of`, `latent_shape_of` and
`data_range_of` the declared shapes and value range; `condition_spec_of` the declared
condition of a conditional model (a `ConditionSpec`); and `is_distribution` tells a
`tfp.distributions.Distribution` result from a tensor. Callbacks, plotting, export and
`ModelDistribution` ask these instead of looking for names on a model.
`zoo.models.base.GenerativeModel` documents what each declaration means.
"""

import dataclasses

import tensorflow as tf
import tensorflow_probability as tfp

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
    return _shape(getattr(model, "data_shape", None))


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


def latent_shape_of(model):
    """The shape of one latent code of `model`, as the model declares it in `latent_dim`.

    What `generate(z)` and `decode(z)` take per example: `(latent_dim,)` for an integer
    `latent_dim`, the tuple itself for a shaped latent space.

    Args:
        model: A zoo model, or any object.

    Returns:
        A tuple of Python ints, or None for a model without latent codes.

    #### Examples

    ```python
    from zoo.models import VAE
    latent_shape_of(VAE.mlp((6,), 2, hidden_units=(8,)))   # (2,)
    ```
    """
    return _shape(getattr(model, "latent_dim", None))


def _shape(value):
    """A declared shape as a tuple of Python ints (an int `n` is `(n,)`), or None."""
    if value is None:
        return None
    return (int(value),) if isinstance(value, int) else tuple(int(d) for d in value)


@dataclasses.dataclass(frozen=True)
class ConditionSpec:
    """What a conditional model is conditioned on, as it declares it in `condition_spec`.

    A model is conditioned either on class labels (`num_classes=K`: int32 labels `[batch]`
    in `0 .. K - 1`) or on a vector per example (`shape=(d,)`: float32 `[batch, d]`), given
    to its methods as `condition=`. Two kinds of methods take it:

    - `methods`: the model is p(x | condition) there; the condition is an input of the
      method and of its exported signature (the int32 / float32 input `condition`). A
      class-conditional GAN's `sample` draws uniform classes when given none, but its
      signature takes them.
    - `clamps`: the model is a joint p(x, y) over the data and the labels (a labelled DBN
      or RBM), and `condition=` optionally clamps y; without it y is drawn from the model,
      as the exported signature does (it takes no condition).

    Args:
        methods: Names of `CONTRACT_METHODS` that take the condition as an input.
        num_classes: Number of classes K of a class-conditional model, else None.
        shape: Shape of one example's condition: `()` for class labels, `(d,)` for a
            vector.
        clamps: Names of `CONTRACT_METHODS` whose optional `condition=` clamps the labels
            of a joint model.

    Raises:
        ValueError: for neither or both of `num_classes` and a non-scalar `shape`, fewer
            than two classes, or a method outside `CONTRACT_METHODS`.

    #### Examples

    ```python
    from zoo.models import PixelCNN
    cnn = PixelCNN((8, 8, 1), num_layers=2, filters=4, num_classes=10)
    cnn.condition_spec      # ConditionSpec(methods=('sample', 'log_prob'), num_classes=10, ...)
    cnn.condition_spec.tensor_spec()   # TensorSpec(shape=(None,), dtype=tf.int32, ...)
    ```
    """

    methods: tuple = ()
    num_classes: int | None = None
    shape: tuple = ()
    clamps: tuple = ()

    def __post_init__(self):
        if (self.num_classes is None) == (self.shape == ()):
            raise ValueError(
                "A condition is class labels (num_classes=K, shape=()) or a vector "
                f"(num_classes=None, shape=(d,)); got num_classes={self.num_classes}, "
                f"shape={self.shape}."
            )
        if self.num_classes is not None and self.num_classes < 2:
            raise ValueError(f"num_classes must be at least 2; got {self.num_classes}.")
        unknown = sorted((set(self.methods) | set(self.clamps)) - CONTRACT_METHODS.keys())
        if unknown:
            raise ValueError(f"{unknown} are not contract methods ({', '.join(CONTRACT_METHODS)}).")

    @property
    def dtype(self):
        """`tf.int32` for class labels, `tf.float32` for a vector condition."""
        return tf.float32 if self.num_classes is None else tf.int32

    def tensor_spec(self, name="condition"):
        """The `tf.TensorSpec` of a batch of conditions: `[None, *shape]` of `dtype`."""
        return tf.TensorSpec([None, *self.shape], self.dtype, name=name)


def condition_spec_of(model):
    """What `model` is conditioned on, as it declares it in `condition_spec`.

    Args:
        model: A zoo model, or any object.

    Returns:
        A `ConditionSpec`, or None for an unconditional model (and for an object that
        declares no `condition_spec`, such as the classifier, whose `num_classes` counts
        its outputs).

    #### Examples

    ```python
    from zoo.models import DCGAN
    condition_spec_of(DCGAN((28, 28, 1), latent_dim=4, filters=4))                  # None
    condition_spec_of(DCGAN((28, 28, 1), latent_dim=4, filters=4, num_classes=10))  # labels
    ```
    """
    return getattr(model, "condition_spec", None)
