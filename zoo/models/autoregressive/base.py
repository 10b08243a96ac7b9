"""What every autoregressive model shares: maximum-likelihood training on exact log p(x).

An autoregressive model factorises p(x) = prod_i p(x_i | x_<i) in a fixed order, so the
log-likelihood is exact and the loss is simply the negative log-likelihood. Subclasses
implement `_negative_log_likelihood(x, condition, training)` (per example, in nats) and
`log_prob`; this base class makes it the per-example loss of
`zoo.models.steps.PerExampleLossSteps`, which gives `train_step` / `test_step`, and
provides the `loss` tracker. A subclass may train on another NLL or check the batch
before the update (overriding `_per_example_loss` / `_loss_inputs`, as MADE does) and
run the update under XLA (`jit_update`).
"""

import keras
import tensorflow as tf

from zoo.checks import check_in_range, check_inner_shape
from zoo.layers.masked import MaskedConv2D
from zoo.models.autoregressive.pixel_likelihoods import PixelLikelihood
from zoo.models.base import GenerativeModel, resolve_condition
from zoo.models.contract import ConditionSpec
from zoo.models.steps import PerExampleLossSteps
from zoo.random import stateless_seed


class AutoregressiveModel(PerExampleLossSteps, GenerativeModel):
    """Base of NADE, MADE, PixelCNN and PixelRNN: fit by minimising -log p(x) in nats.

    `fit(x)` trains an unconditional model; `fit(x, y)` passes `y` as the condition to
    models built with a condition (`MADE(conditional_dim=...)`, `PixelCNN(num_classes=...)`).
    The metric `loss` is the mean negative log-likelihood per example, in nats. Sample
    weights are not used.
    """

    #: Whether `fit(x, y)` feeds `y` to the model; subclasses set it in `__init__`.
    is_conditional = False

    contract_methods = ("sample", "log_prob")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def _negative_log_likelihood(self, x, condition, training):
        """Per-example -log p(x | condition) in nats, shape [batch]."""
        raise NotImplementedError

    def _loss_inputs(self, data, training):
        """`((x, condition), None)`: the condition is `y` for a conditional model."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self.is_conditional and y is None:
            raise ValueError(
                f"{type(self).__name__} is conditional: call fit/evaluate with (x, condition)."
            )
        return (x, y if self.is_conditional else None), None

    def _per_example_loss(self, inputs, training):
        """`(-log p(x | condition) [batch], {})`: the NLL in nats, no other terms."""
        x, condition = inputs
        return self._negative_log_likelihood(x, condition, training), {}


class AutoregressiveImageModel(AutoregressiveModel):
    """Base of PixelCNN and PixelRNN: images generated sub-pixel by sub-pixel in raster order.

    Subclasses build a network in `__init__` and implement `call(x, condition=None)`, which
    maps images `[batch, height, width, channels]` (data values) to distribution parameters
    `[batch, height, width, channels, params_per_channel]` such that the parameters of a
    sub-pixel depend only on the sub-pixels before it (rows above, pixels to the left, and
    earlier colour channels of the same pixel).

    Args:
        image_shape: `(height, width, channels)`.
        likelihood: `"bernoulli"`, `"categorical"` or `"logistic_mixture"`
            (see `pixel_likelihoods`).
        num_classes: Number of classes for a class-conditional model (fit with
            `fit(images, labels)`; `log_prob` and `sample` take the labels as `condition`),
            or None.
        num_levels: Intensity levels of non-binary data (256 for 8-bit images).
        num_mixtures: Mixture components of `"logistic_mixture"`.
    """

    def __init__(
        self,
        image_shape,
        likelihood="bernoulli",
        num_classes=None,
        num_levels=256,
        num_mixtures=5,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = tuple(int(d) for d in image_shape)
        if len(self.image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels); got {image_shape}.")
        self.data_shape = self.image_shape
        self.likelihood = likelihood
        self.pixel_likelihood = PixelLikelihood(likelihood, num_levels, num_mixtures)
        self.num_levels = int(num_levels)
        self.num_mixtures = int(num_mixtures)
        self.num_classes = num_classes
        self.is_conditional = num_classes is not None

    @property
    def condition_spec(self):
        """With `num_classes`: class labels, taken by `sample` and `log_prob`.

        None for an unconditional model (see `GenerativeModel` and `ConditionSpec`).
        """
        if self.num_classes is None:
            return None
        return ConditionSpec(methods=("sample", "log_prob"), num_classes=self.num_classes)

    def _build_head(self, filters, convolution="taps"):
        """The output layers shared by the pixel models: two 1x1 type-B convolutions."""
        channels = self.image_shape[-1]
        self.head = [
            MaskedConv2D(
                filters,
                1,
                "B",
                channels,
                activation="relu",
                convolution=convolution,
                name="head_hidden",
            ),
            MaskedConv2D(
                channels * self.pixel_likelihood.params_per_channel,
                1,
                "B",
                channels,
                convolution=convolution,
                name="head_params",
            ),
        ]

    def _params(self, features):
        """Head: features -> `[..., channels, params_per_channel]`.

        With interleaved colour groups, output feature `p * channels + c` belongs to
        channel `c`.
        """
        out = self.head[1](self.head[0](tf.nn.relu(features)))
        channels, params = self.image_shape[-1], self.pixel_likelihood.params_per_channel
        out = tf.reshape(out, [*tf.unstack(tf.shape(out)[:-1]), params, channels])
        return tf.linalg.matrix_transpose(out)

    def _build_by_calling(self):
        """Create every variable now (called at the end of subclasses' `__init__`)."""
        labels = tf.zeros([1], tf.int32) if self.is_conditional else None
        self(tf.zeros([1, *self.image_shape]), condition=labels)

    def _check_labels(self, labels, batch):
        if self.is_conditional and labels is None:
            raise ValueError(
                "This model is class-conditional: pass `condition=`, integer class labels "
                f"< {self.num_classes}."
            )
        if not self.is_conditional and labels is not None:
            raise ValueError(
                "This model is unconditional (num_classes=None): do not pass a condition."
            )
        if labels is None:
            return None
        labels = tf.reshape(tf.cast(labels, tf.int32), [-1])
        if tf.executing_eagerly() and labels.shape[0] != batch:
            raise ValueError(f"labels must have shape ({batch},); got {tuple(labels.shape)}.")
        return check_in_range(labels, 0, self.num_classes - 1, name="labels")

    def log_prob(self, x, condition=None, *, labels=None):
        """Exact log p(x) (or log p(x | condition)) in nats.

        Args:
            x: Images `[batch, height, width, channels]`: 0/1 for `"bernoulli"`, integer
                levels 0..num_levels-1 (e.g. uint8) otherwise.
            condition: Integer class labels `[batch]`; required by a class-conditional
                model, None otherwise.
            labels: Deprecated alias of `condition` (warns; removed in the next release).

        Returns:
            float32 tensor `[batch]`.

        Raises:
            ValueError: for another shape, values outside the likelihood's range,
                missing / unexpected labels, or both `condition` and `labels`.
        """
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.log_prob")
        check_inner_shape(x, self.image_shape)
        x = self.pixel_likelihood.validate(x)
        condition = self._check_labels(condition, x.shape[0])
        return self.pixel_likelihood.log_prob(self(x, condition=condition), x)

    def _negative_log_likelihood(self, x, condition, training):
        return -self.log_prob(x, condition=condition)

    def sample(self, num_samples, seed=None, *, condition=None, labels=None):
        """Draw images sub-pixel by sub-pixel, the whole loop compiled as one `tf.function`.

        Args:
            num_samples: Number of images.
            seed: Integer or shape-[2] seed; the same seed gives the same images.
            condition: Integer class labels `[num_samples]`; required by a
                class-conditional model, None otherwise.
            labels: Deprecated alias of `condition` (warns; removed in the next release).

        Returns:
            float32 tensor `[num_samples, height, width, channels]` of values in
            {0, 1} (`"bernoulli"`) or {0, ..., num_levels - 1}.

        Raises:
            ValueError: for missing / unexpected labels, or both `condition` and `labels`.
        """
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.sample")
        condition = self._check_labels(condition, num_samples)
        return self._sample(
            tf.convert_to_tensor(num_samples, tf.int32), stateless_seed(seed), condition
        )

    @tf.function(reduce_retracing=True)
    def _sample(self, num_samples, seed, condition):
        return self.sample_by_full_passes(num_samples, seed, condition)

    def sample_by_full_passes(self, num_samples, seed, condition=None):
        """The plain sampler: one full network pass per sub-pixel (traceable)."""
        height, width, channels = self.image_shape
        size = height * width * channels

        def step(t, x):
            params = tf.reshape(self(x, condition=condition), [num_samples, size, -1])[:, t]
            return t + 1, self._draw_subpixel(x, params, t, seed)

        _, x = tf.while_loop(
            lambda t, _: t < size,
            step,
            (tf.constant(0), tf.zeros([num_samples, *self.image_shape])),
        )
        return x

    def _draw_subpixel(self, image, params, index, seed):
        """`image` with its sub-pixel `index` drawn from that sub-pixel's parameters.

        The draw every sampler of the pixel models makes (`sample_by_full_passes` and the
        subclasses' cached samplers), so that they all draw the same images for the same
        seed: sub-pixel `index` is drawn with the seed `stateless_fold_in(seed, index)`.

        Args:
            image: float32 `[batch, height, width, channels]`, the image drawn so far.
            params: `[batch, params_per_channel]`, the sub-pixel's distribution parameters.
            index: int32 scalar, the sub-pixel's place in raster order,
                `(row * width + column) * channels + channel`.
            seed: Shape-[2] integer seed of the whole draw.

        Returns:
            `image` with the drawn value at `index`, the other values unchanged.
        """
        value = self.pixel_likelihood.distribution(params).sample(
            seed=tf.random.experimental.stateless_fold_in(seed, index)
        )
        height, width, channels = self.image_shape
        now = tf.reshape(tf.one_hot(index, height * width * channels), self.image_shape) > 0
        return tf.where(now, value[:, None, None, None], image)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": list(self.image_shape),
            "likelihood": self.likelihood,
            "num_classes": self.num_classes,
            "num_levels": self.num_levels,
            "num_mixtures": self.num_mixtures,
        }
