"""Deterministic autoencoders: deep, denoising, contractive and stacked.

An autoencoder maps x to a code h = f(x) (the encoder) and back to a reconstruction
g(h) (the decoder), and minimizes a reconstruction loss L(x, g(f(x))) per example:

    - `"cross_entropy"`: sum over values of the Bernoulli cross-entropy, for data in [0, 1]
      (the decoder outputs logits; `decode` applies the sigmoid);
    - `"squared_error"`: sum of squared errors (the decoder output is linear).

The variants change one thing each, through two hooks of the shared `train_step`:

    - `DenoisingAutoencoder` (Vincent et al. 2008) encodes a corrupted x~ (fresh noise every
      batch: masking noise for binary-like data, additive Gaussian noise for continuous
      data) and still reconstructs the clean x.
    - `ContractiveAutoencoder` (Rifai et al. 2011) adds lambda * ||dh/dx||_F^2, in closed
      form for one sigmoid layer and by automatic differentiation otherwise.
    - `StackedAutoencoder` (Bengio et al. 2007; Hinton and Salakhutdinov 2006) pretrains
      its layers greedily, one shallow autoencoder at a time, before end-to-end `fit`.

With one linear code layer, a linear decoder and squared error, the optimum spans the
principal subspace of the data: the autoencoder learns PCA (Baldi and Hornik 1989).

#### References
Hinton and Salakhutdinov (2006). Reducing the Dimensionality of Data with Neural
Networks. Science 313.
Baldi and Hornik (1989). Neural networks and principal component analysis: learning
from examples without local minima. Neural Networks 2.
Bengio, Lamblin, Popovici and Larochelle (2007). Greedy Layer-Wise Training of Deep
Networks. NIPS 2006.
Vincent, Larochelle, Bengio and Manzagol (2008). Extracting and Composing Robust
Features with Denoising Autoencoders. ICML 2008.
Rifai, Vincent, Muller, Glorot and Bengio (2011). Contractive Auto-Encoders: Explicit
Invariance During Feature Extraction. ICML 2011.
"""

import keras
import numpy as np
import tensorflow as tf

from zoo.checks import as_float_batch, check_in_range
from zoo.models.base import GenerativeModel
from zoo.models.steps import PerExampleLossSteps
from zoo.random import next_seed, replica_batch_noise, stateless_seed

LOSSES = ("cross_entropy", "squared_error")
NOISES = ("masking", "gaussian")


@keras.saving.register_keras_serializable(package="zoo")
class Autoencoder(PerExampleLossSteps, GenerativeModel):
    """Deep fully connected autoencoder with a mirrored decoder.

    Args:
        input_shape: Shape of one example, e.g. `(28, 28, 1)`.
        hidden_units: Widths of the encoder layers; the last one is the code size.
            The decoder mirrors them back to the input size.
        activation: Activation of the encoder layers (the code included) and of the
            decoder's hidden layers; `None` for linear.
        linear_decoder: Make every decoder layer linear (no activation).
        loss: `"cross_entropy"` (data in [0, 1], decoder outputs logits) or
            `"squared_error"` (linear output).
        seed: Integer seed of the model's `keras.random.SeedGenerator` (training noise).
        **kwargs: `keras.Model` arguments (`name`, ...).

    Raises:
        ValueError: for an unknown `loss` or empty `hidden_units`.

    #### Examples

    ```python
    ae = Autoencoder((28, 28, 1), hidden_units=[512, 128, 32])
    ae.compile(optimizer="adam")
    ae.fit(images, epochs=10, batch_size=128)
    codes = ae.encode(images[:10])            # [10, 32]
    ae.reconstruct(images[:10]).shape
    # ==> TensorShape([10, 28, 28, 1])
    ```

    #### References
    Hinton and Salakhutdinov (2006). Reducing the Dimensionality of Data with Neural
    Networks.
    """

    contract_methods = ("decode", "encode", "reconstruct")

    def __init__(
        self,
        input_shape,
        hidden_units,
        activation="relu",
        linear_decoder=False,
        loss="cross_entropy",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}.")
        if not hidden_units:
            raise ValueError("hidden_units must list at least one layer width (the code size).")
        self.data_shape = tuple(input_shape)
        self.hidden_units = [int(u) for u in hidden_units]
        self.latent_dim = self.hidden_units[-1]
        self.activation = activation
        self.linear_decoder = bool(linear_decoder)
        self.reconstruction_loss = loss
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        decoder_activation = None if linear_decoder else activation
        self.encoder = keras.Sequential(
            [keras.Input(self.data_shape), keras.layers.Flatten()]
            + [
                keras.layers.Dense(u, activation=layer_activation)
                for u, layer_activation in zip(
                    self.hidden_units, self._encoder_activations(), strict=True
                )
            ],
            name="encoder",
        )
        self.decoder = keras.Sequential(
            [keras.Input((self.latent_dim,))]
            + [
                keras.layers.Dense(u, activation=decoder_activation)
                for u in reversed(self.hidden_units[:-1])
            ]
            + [
                keras.layers.Dense(int(np.prod(self.data_shape))),
                keras.layers.Reshape(self.data_shape),
            ],
            name="decoder",
        )
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.built = True

    def _encoder_activations(self):
        """One activation per encoder layer (all `activation` here; see DeepAutoencoder)."""
        return [self.activation] * len(self.hidden_units)

    # ------------------------------------------------------------------ the mapping
    def encode(self, x, training=False):
        """The code h = f(x).

        Args:
            x: Array `[batch, *data_shape]` (values in [0, 1] for `"cross_entropy"`).
            training: Passed to the layers.

        Returns:
            float32 Tensor `[batch, latent_dim]`.

        Raises:
            ValueError: for another shape, or values outside [0, 1] with cross-entropy.
        """
        return self.encoder(self._check_data(x), training=training)

    def decode(self, z, training=False):
        """The reconstruction g(z) in data space, shape `[batch, *data_shape]`.

        For cross-entropy, the sigmoid of the logits.
        """
        return self._output(self.decoder(z, training=training))

    def reconstruct(self, x):
        """`decode(encode(x))`, shape `[batch, *data_shape]`."""
        return self.decode(self.encode(x))

    def call(self, x, training=False):
        """Reconstruct `x` (for `predict`)."""
        return self._output(self.decoder(self.encoder(x, training=training), training=training))

    def _output(self, decoded):
        return tf.sigmoid(decoded) if self.reconstruction_loss == "cross_entropy" else decoded

    def reconstruction_error(self, x, decoded):
        """Per-example loss between the clean `x` and the raw decoder output `decoded`.

        `decoded` holds logits for cross-entropy; the loss is summed over the data values,
        shape `[batch]`.
        """
        if self.reconstruction_loss == "cross_entropy":
            errors = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=decoded)
        else:
            errors = tf.square(decoded - x)
        return tf.reduce_sum(tf.reshape(errors, [tf.shape(x)[0], -1]), axis=-1)

    # ------------------------------------------------------------ hooks of variants
    def training_input(self, x):
        """What the encoder sees during training (the clean `x` here; see Denoising)."""
        return x

    def penalty(self, x):
        """Per-example regularizer added to the loss, or None (none here; see Contractive)."""

    # ---------------------------------------------------------------------- training
    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker]

    def _per_example_loss(self, x, training):
        """The reconstruction error plus the penalty per example, and each of them."""
        x = self._check_data(x)
        corrupted = self.training_input(x) if training else x
        decoded = self.decoder(self.encoder(corrupted, training=training), training=training)
        terms = {"reconstruction_loss": self.reconstruction_error(x, decoded)}
        penalty = self.penalty(x)
        if penalty is not None:
            terms[self.penalty_name] = penalty
        return tf.add_n(list(terms.values())), terms

    def _check_data(self, x):
        x = as_float_batch(x, self.data_shape)
        if self.reconstruction_loss == "cross_entropy":
            x = check_in_range(x, 0.0, 1.0, what="the cross-entropy loss needs data in [0, 1]")
        return x

    def _next_seed(self, seed):
        """A stateless seed: from `seed` if given, else fresh from the model's generator."""
        if seed is None:
            return next_seed(self.seed_generator)
        return stateless_seed(seed)

    # ------------------------------------------------------------------------ config
    def get_config(self):
        return {
            **super().get_config(),
            "input_shape": list(self.data_shape),
            "hidden_units": list(self.hidden_units),
            "activation": self.activation,
            "linear_decoder": self.linear_decoder,
            "loss": self.reconstruction_loss,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="zoo")
class DenoisingAutoencoder(Autoencoder):
    """Autoencoder that reconstructs the clean input from a corrupted one.

    Every training batch draws fresh noise from the model's seed generator; the loss is
    against the clean input. `encode`, `reconstruct` and evaluation use clean inputs.

    Args:
        input_shape: See `Autoencoder`.
        hidden_units: See `Autoencoder`.
        noise: `"masking"` (each value set to 0 with probability `noise_level`; the
            choice for binary-like data) or `"gaussian"` (add N(0, noise_level^2); for
            continuous data).
        noise_level: Masking probability in [0, 1), or the Gaussian standard deviation.
        **kwargs: Other `Autoencoder` arguments.

    Raises:
        ValueError: for an unknown `noise` or a `noise_level` out of range.

    #### Examples

    ```python
    dae = DenoisingAutoencoder((28, 28, 1), [256, 64], noise="masking", noise_level=0.3)
    dae.compile(optimizer="adam"); dae.fit(images, epochs=10)
    dae.reconstruct(dae.corrupt(images[:8], seed=0))   # denoised
    ```

    #### References
    Vincent, Larochelle, Bengio and Manzagol (2008). Extracting and Composing Robust
    Features with Denoising Autoencoders.
    """

    def __init__(self, input_shape, hidden_units, noise="masking", noise_level=0.25, **kwargs):
        if noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}; got {noise!r}.")
        if noise_level < 0 or (noise == "masking" and noise_level >= 1):
            raise ValueError(
                "noise_level must be a probability in [0, 1) for masking noise, or a "
                f"standard deviation >= 0 for Gaussian noise; got {noise_level}."
            )
        super().__init__(input_shape, hidden_units, **kwargs)
        self.noise = noise
        self.noise_level = float(noise_level)

    def corrupt(self, x, seed=None):
        """Corrupt `x` with the model's noise.

        Args:
            x: Tensor `[batch, *data_shape]`.
            seed: Stateless seed for reproducible noise; `None` draws fresh noise from
                the model's seed generator (as every training batch does).

        Returns:
            The corrupted float32 tensor, same shape.
        """
        x = tf.cast(x, tf.float32)
        seed = self._next_seed(seed)
        draw = (
            tf.random.stateless_uniform if self.noise == "masking" else tf.random.stateless_normal
        )
        # Replica-aware: under N replicas each one gets its rows of the global batch's noise.
        noise = replica_batch_noise(
            lambda n: draw(tf.concat([[n], tf.shape(x)[1:]], 0), seed), tf.shape(x)[0]
        )
        if self.noise == "masking":
            return tf.where(noise >= self.noise_level, x, tf.zeros_like(x))
        return x + self.noise_level * noise

    def training_input(self, x):
        """The corrupted `x` (`corrupt`): what the encoder sees during training."""
        return self.corrupt(x)

    def get_config(self):
        return {**super().get_config(), "noise": self.noise, "noise_level": self.noise_level}


@keras.saving.register_keras_serializable(package="zoo")
class ContractiveAutoencoder(Autoencoder):
    """Autoencoder penalizing the Frobenius norm of the encoder's Jacobian.

    Loss per example: reconstruction + contraction * ||dh/dx||_F^2, h = encode(x). For
    one sigmoid layer h = sigmoid(W^T x + b) the penalty has the closed form
    sum_j (h_j (1 - h_j))^2 sum_i W_ij^2 (`jacobian == "closed_form"`); any other encoder
    uses the exact Jacobian from `tf.GradientTape.batch_jacobian` (`"autodiff"`).

    Args:
        input_shape: See `Autoencoder`.
        hidden_units: See `Autoencoder`.
        contraction: lambda, the weight of the penalty (>= 0).
        activation: Encoder activation; default `"sigmoid"` as in Rifai et al.
        **kwargs: Other `Autoencoder` arguments.

    Raises:
        ValueError: for a negative `contraction`.

    #### Examples

    ```python
    >>> cae = ContractiveAutoencoder((784,), [256], contraction=0.1)
    >>> cae.jacobian
    'closed_form'

    ```

    #### References
    Rifai, Vincent, Muller, Glorot and Bengio (2011). Contractive Auto-Encoders:
    Explicit Invariance During Feature Extraction.
    """

    penalty_name = "contractive_penalty"

    def __init__(self, input_shape, hidden_units, contraction=0.1, activation="sigmoid", **kwargs):
        if contraction < 0:
            raise ValueError(f"contraction must be >= 0; got {contraction}.")
        super().__init__(input_shape, hidden_units, activation=activation, **kwargs)
        self.contraction = float(contraction)
        self.penalty_tracker = keras.metrics.Mean(name=self.penalty_name)

    @property
    def jacobian(self):
        """`"closed_form"` for one sigmoid layer, else `"autodiff"`."""
        one_sigmoid_layer = len(self.hidden_units) == 1 and self.activation == "sigmoid"
        return "closed_form" if one_sigmoid_layer else "autodiff"

    def jacobian_norm(self, x):
        """||dh/dx||_F^2 per example, shape `[batch]` (without the `contraction` weight).

        Raises:
            ValueError: for another shape, or values outside [0, 1] with cross-entropy.
        """
        x = self._check_data(x)
        if self.jacobian == "closed_form":
            kernel = self.encoder.layers[-1].kernel
            h = self.encoder(x)
            return tf.linalg.matvec(tf.square(h * (1.0 - h)), tf.reduce_sum(tf.square(kernel), 0))
        with tf.GradientTape() as tape:
            tape.watch(x)
            h = self.encoder(x)
        jacobian = tape.batch_jacobian(h, x)
        return tf.reduce_sum(tf.reshape(tf.square(jacobian), [tf.shape(x)[0], -1]), axis=-1)

    def penalty(self, x):
        """Per-example contractive penalty `contraction * jacobian_norm(x)`, `[batch]`."""
        return self.contraction * self.jacobian_norm(x)

    @property
    def metrics(self):
        return [*super().metrics, self.penalty_tracker]

    def get_config(self):
        return {**super().get_config(), "contraction": self.contraction}


@keras.saving.register_keras_serializable(package="zoo")
class StackedAutoencoder(Autoencoder):
    """Deep autoencoder trained by greedy layer-wise pretraining, then fine-tuned.

    `pretrain(x)` trains layer i (with its mirror decoder layer) as a shallow
    autoencoder of the codes of layers < i, which stay frozen; the first reconstructs the
    data with the model's loss, the deeper ones their input codes with squared error. Then
    `fit` fine-tunes the whole stack end to end.

    Args:
        input_shape: See `Autoencoder`.
        hidden_units: See `Autoencoder` (at least two layers for stacking to matter).
        activation: Default `"sigmoid"`, as in the 2006-2007 papers.
        **kwargs: Other `Autoencoder` arguments.

    #### Examples

    ```python
    sae = StackedAutoencoder((28, 28, 1), [256, 64, 16])
    histories = sae.pretrain(images, epochs=2)
    sae.compile(optimizer="adam"); sae.fit(images, epochs=5)
    ```

    #### References
    Bengio, Lamblin, Popovici and Larochelle (2007). Greedy Layer-Wise Training of Deep
    Networks. Hinton and Salakhutdinov (2006). Reducing the Dimensionality of Data with
    Neural Networks.
    """

    def __init__(self, input_shape, hidden_units, activation="sigmoid", **kwargs):
        super().__init__(input_shape, hidden_units, activation=activation, **kwargs)

    def layer_pairs(self):
        """`(encoder_layer, mirror_decoder_layer)` for each depth, input side first."""
        encoder_layers = self.encoder.layers[1:]  # after Flatten
        decoder_layers = [layer for layer in self.decoder.layers if hasattr(layer, "kernel")]
        return list(zip(encoder_layers, reversed(decoder_layers), strict=True))

    def pretrain(self, x, epochs=1, batch_size=128, optimizer="adam", callbacks=None, verbose=0):
        """Greedy layer-wise pretraining, one shallow autoencoder per layer.

        Args:
            x: Training data `[n, *data_shape]` (numpy).
            epochs: Epochs per layer.
            batch_size: Batch size.
            optimizer: Optimizer identifier or config; a fresh instance per layer.
            callbacks: Keras callbacks passed to each layer's `fit`.
            verbose: Passed to `fit`.

        Returns:
            The list of the layers' `History` objects, input side first.

        Raises:
            ValueError: for another shape, or values outside [0, 1] with cross-entropy.
        """
        inputs = tf.reshape(self._check_data(x), [len(x), -1]).numpy()
        histories = []
        for depth, (encoder_layer, decoder_layer) in enumerate(self.layer_pairs()):
            shallow = keras.Sequential(
                [keras.Input((inputs.shape[-1],)), encoder_layer, decoder_layer]
            )
            if depth == 0 and self.reconstruction_loss == "cross_entropy":
                loss = keras.losses.BinaryCrossentropy(from_logits=True)
            else:
                loss = "mean_squared_error"
            shallow.compile(optimizer=keras.optimizers.get(optimizer), loss=loss)
            history = shallow.fit(
                inputs,
                inputs,
                epochs=epochs,
                batch_size=batch_size,
                callbacks=callbacks,
                verbose=verbose,
            )
            histories.append(history)
            inputs = encoder_layer(inputs).numpy()  # the next layer's data, this one frozen
        return histories
