"""Generative adversarial network: a generator and a discriminator trained as a game.

The generator `G` maps latents `z ~ N(0, I)` to examples; the discriminator outputs a
logit `l(x)` scoring how real `x` looks. Each `train_step` performs `d_steps` discriminator
updates and then one generator update (Algorithm 1 of Goodfellow et al. 2014) with the
losses of `zoo.models.adversarial.losses`.

One generator pass serves both players: the fake batch of the last discriminator update
is produced under a gradient tape, and the generator update back-propagates through that
same forward pass, scored by the *updated* discriminator. This keeps the alternating
algorithm (the generator always answers the discriminator it is up against) while saving
the second generator forward pass that the keras.io example spends on fresh noise.

`unroll_steps=k` (Metz et al. 2016) scores the generator against the discriminator after
`k` more differentiable look-ahead updates on the current batch, taken functionally with
`stateless_call` and the discriminator optimizer's own update rule and state (Adam
moments or SGD); the generator's gradient flows through those updates, and the real
discriminator weights and optimizer state are left untouched.

`num_classes=K` makes the GAN class-conditional (Mirza & Osindero 2014): both players take
the integer label as a second input, `generator([z, labels])` and
`discriminator([x, labels])`; `fit` takes `(x, y)` pairs, each fake batch gets the labels
of the real batch it is trained against, and `sample(n, condition=labels)` draws the given
classes (uniform ones when not given). `DCGAN(..., num_classes=K)` builds the networks: the
one-hot label concatenated with `z` into the generator, and a projection discriminator
(Miyato & Koyama 2018).

A generator with reference or virtual batch normalization (Salimans et al. 2016) is wrapped
in `zoo.models.adversarial.reference_batch.ReferenceBatchGenerator`, which fixes the
reference batch and carries it through every call; the `GAN` then uses it like any other
generator (`DCGAN(..., normalization="virtual")` does this).
"""

import keras
import numpy as np
import tensorflow as tf

from zoo.checks import check_finite, check_in_range, check_inner_shape
from zoo.models.adversarial import losses as gan_losses
from zoo.models.base import GenerativeModel, resolve_condition
from zoo.models.contract import ConditionSpec
from zoo.models.steps import metric_logs
from zoo.random import next_seed, replica_batch_noise, replica_rows, split_seed, stateless_seed


@keras.saving.register_keras_serializable(package="zoo")
class GAN(GenerativeModel):
    """A generator and a discriminator, trained by `fit` with the chosen GAN loss.

    Args:
        generator: Keras model mapping `[batch, latent_dim]` to `[batch, *data_shape]`
            (with `num_classes`: `[z, labels]`, labels int32 `[batch]`). A generator with
            reference / virtual batch normalization goes in a `ReferenceBatchGenerator`.
        discriminator: Keras model mapping `[batch, *data_shape]` (with `num_classes`:
            `[x, labels]`) to logits `[batch, 1]` (or `[batch]`), without a final sigmoid.
        latent_dim: Size of the latent vector; latents are standard normal.
        loss: `"non_saturating"` (default), `"minimax"`, `"least_squares"` or
            `"wasserstein_gp"`; see `zoo.models.adversarial.losses`.
        d_steps: Discriminator updates per generator update (each with fresh noise and
            the same real batch).
        label_smoothing: One-sided smoothing `α` of the real targets (Salimans et al.).
        unroll_steps: Look-ahead discriminator updates the generator differentiates
            through (Metz et al.); 0 disables unrolling.
        gradient_penalty_weight: `λ` of the Wasserstein gradient penalty.
        data_range: `(low, high)` of the data the generator produces (e.g. `(-1, 1)` for
            a tanh output); `fit` and `discriminate` reject data outside it. None: no check.
        seed: Seed of the model's `SeedGenerator` (training noise).
        num_classes: Number of classes `K` of a class-conditional GAN (labels
            `0 .. K - 1`); None: unconditional.
        **kwargs: `keras.Model` arguments (`name`, ...).

    Raises:
        ValueError: for an unknown loss, `d_steps < 1`, `unroll_steps < 0`, smoothing with
            the Wasserstein loss, unrolling with the gradient penalty, or `num_classes < 2`.

    #### Examples

    ```python
    # Metz et al.'s 2-D setup: the saddle objective, tanh MLPs, 5 look-ahead steps
    gan = GAN(generator, discriminator, latent_dim=256, loss="minimax", unroll_steps=5)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    gan.fit(points, batch_size=512, epochs=10)
    samples = gan.sample(2500, seed=0)

    # class-conditional: both networks take [input, labels]
    cgan = GAN(conditional_generator, conditional_discriminator, latent_dim=64,
               num_classes=10)
    cgan.compile()
    cgan.fit(images, labels, batch_size=64)
    shoes = cgan.sample(16, seed=0, condition=7)
    ```

    With this setup (`benchmarks/mode_collapse.py`, 10,000 steps) the unrolled GAN covers
    all 8 modes of the ring on each of 5 seeds (so does the plain GAN). In earlier
    3,000-step runs with the non-saturating loss, ReLU networks and the discriminator at
    1e-3, every unrolled seed collapsed onto one mode (benchmarks/RESULTS.md).

    #### References

    - Goodfellow et al., 2014. Generative Adversarial Nets.
    - Salimans et al., 2016. Improved Techniques for Training GANs.
    - Metz et al., 2016. Unrolled Generative Adversarial Networks.
    - Mirza, Osindero, 2014. Conditional Generative Adversarial Nets.
    - Miyato, Koyama, 2018. cGANs with Projection Discriminator.
    """

    contract_methods = ("sample", "generate", "discriminate")

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        loss="non_saturating",
        d_steps=1,
        label_smoothing=0.0,
        unroll_steps=0,
        gradient_penalty_weight=10.0,
        data_range=None,
        seed=None,
        num_classes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if num_classes is not None and int(num_classes) < 2:
            raise ValueError(f"num_classes must be an integer >= 2 or None; got {num_classes}.")
        self.num_classes = None if num_classes is None else int(num_classes)
        self.gan_loss = gan_losses.get_loss(loss)
        if int(d_steps) < 1:
            raise ValueError(f"d_steps must be a positive integer; got {d_steps}.")
        if int(unroll_steps) < 0:
            raise ValueError(f"unroll_steps must be >= 0; got {unroll_steps}.")
        if self.gan_loss.gradient_penalty and unroll_steps:
            raise ValueError("unroll_steps is not supported with the wasserstein_gp loss.")
        if self.gan_loss.gradient_penalty and label_smoothing:
            raise ValueError("label_smoothing does not apply to the wasserstein_gp loss.")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must lie in [0, 1); got {label_smoothing}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.d_steps = int(d_steps)
        self.label_smoothing = float(label_smoothing)
        self.unroll_steps = int(unroll_steps)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.data_range = None if data_range is None else tuple(float(v) for v in data_range)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        z, labels = tf.zeros([1, self.latent_dim]), tf.zeros([1], tf.int32)
        fake = self(z if self.num_classes is None else [z, labels])  # builds the model
        self.data_shape = tuple(int(d) for d in fake.shape[1:])
        self._discriminate(fake, labels)

    @property
    def condition_spec(self):
        """With `num_classes`: class labels, taken by `sample`, `generate` and `discriminate`.

        None for an unconditional GAN (see `GenerativeModel` and `ConditionSpec`).
        """
        if self.num_classes is None:
            return None
        return ConditionSpec(
            methods=("sample", "generate", "discriminate"), num_classes=self.num_classes
        )

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def call(self, inputs, training=False):
        """Generate examples from latents `z` `[batch, latent_dim]`.

        With `num_classes`, the inputs are `[z, labels]`.
        """
        if self.num_classes is None:
            return self.generator(inputs, training=training)
        z, labels = inputs
        return self._generate(z, labels, training)

    def _generate(self, z, labels, training=False):
        """The generator on `z` (and, when conditional, `labels`; ignored otherwise)."""
        if self.num_classes is None:
            return self.generator(z, training=training)
        return self.generator([z, labels], training=training)

    def _discriminate(self, x, labels, training=False):
        """The discriminator's logits on `x` (and, when conditional, `labels`)."""
        if self.num_classes is None:
            return self.discriminator(x, training=training)
        return self.discriminator([x, labels], training=training)

    def generate(self, z, condition=None, *, labels=None):
        """Generator output for latents `z`, `[batch, latent_dim]` -> `[batch, *data_shape]`.

        Args:
            z: Latents `[batch, latent_dim]`.
            condition: Class-conditional GANs only: integer labels `[batch]` (or one label
                for all) in `0 .. num_classes - 1`; required there.
            labels: Deprecated alias of `condition` (warns; removed in the next release).

        Raises:
            ValueError: if `z` is not `[batch, latent_dim]`, for missing, unexpected or
                out-of-range labels, or for both `condition` and `labels`.
        """
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.generate")
        check_inner_shape(z, (self.latent_dim,), name="z")
        z = tf.convert_to_tensor(z, self.compute_dtype)
        labels = self._condition(condition, z.shape[0], required=True)
        return self._generate(z, labels)

    def sample_latents(self, num_samples, seed=None):
        """Standard normal latents `[num_samples, latent_dim]`; the same seed gives the same."""
        return tf.random.stateless_normal([num_samples, self.latent_dim], stateless_seed(seed))

    def sample(self, num_samples, seed=None, *, condition=None, labels=None):
        """Draw `num_samples` examples `G(z)`, `z ~ N(0, I)`; the same seed gives the same.

        Args:
            num_samples: Number of examples.
            seed: Seed of the latents (and of the drawn labels).
            condition: Class-conditional GANs only: integer labels `[num_samples]` (or one
                label for all) in `0 .. num_classes - 1`; None draws them uniformly.
            labels: Deprecated alias of `condition` (warns; removed in the next release).

        Raises:
            ValueError: for labels on an unconditional GAN, labels of the wrong shape or
                outside `0 .. num_classes - 1`, or both `condition` and `labels`.
        """
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.sample")
        z = self.sample_latents(num_samples, seed)
        labels = self._condition(condition, num_samples, required=False)
        if self.num_classes is not None and labels is None:
            labels = tf.random.stateless_uniform(
                [num_samples], split_seed(seed, 2)[1], 0, self.num_classes, tf.int32
            )
        return self._generate(z, labels)

    def discriminate(self, x, condition=None, *, labels=None):
        """Discriminator logits `[batch]` for examples `x` (`sigmoid` gives P(real)).

        Args:
            x: Examples `[batch, *data_shape]`.
            condition: Class-conditional GANs only: integer labels `[batch]` (required).
            labels: Deprecated alias of `condition` (warns; removed in the next release).

        Raises:
            ValueError: if `x` is not `[batch, *data_shape]` or lies outside `data_range`,
                for missing or bad labels, or for both `condition` and `labels`.
        """
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.discriminate")
        check_inner_shape(x, self.data_shape)
        x = self._check_data(tf.convert_to_tensor(x, self.compute_dtype))
        labels = self._condition(condition, x.shape[0], required=True)
        return tf.reshape(self._discriminate(x, labels), [-1])

    def _condition(self, condition, num_samples, required):
        """Validated int32 labels `[num_samples]` from `condition`."""
        if self.num_classes is None:
            if condition is not None:
                raise ValueError("this GAN is unconditional (num_classes=None); got labels.")
            return None
        if condition is None:
            if required:
                raise ValueError(
                    f"this GAN is class-conditional: give condition=, integer labels in "
                    f"[0, {self.num_classes - 1}]."
                )
            return None
        return check_labels(condition, self.num_classes, num_samples)

    # ----------------------------------------------------------------------------- training

    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit`.

        A class-conditional GAN takes integer labels as `y` (or `(x, y)` pairs from a
        dataset).

        Raises:
            ValueError: for array labels outside `0 .. num_classes - 1` (inside a dataset
                the same check fails the step).
        """
        if self.num_classes is not None and isinstance(y, (np.ndarray, list)):
            check_labels(y, self.num_classes)
        return super().fit(x, y, *args, **kwargs)

    def compile(self, optimizer=None, d_optimizer=None, g_optimizer=None, **kwargs):
        """Configure the two players' optimizers.

        Args:
            optimizer: Used (as two independent copies) for whichever of `d_optimizer` /
                `g_optimizer` is not given.
            d_optimizer: Discriminator optimizer.
            g_optimizer: Generator optimizer.
            **kwargs: Other `keras.Model.compile` arguments (`steps_per_execution`, ...).

        Defaults: Adam(2e-4, beta_1=0.5) for both (Radford et al.), or Adam(1e-4,
        beta_1=0, beta_2=0.9) with the gradient penalty (Gulrajani et al.).

        Raises:
            ValueError: if both players get the same optimizer instance, or unrolling is
                asked for with an optimizer other than Adam or plain SGD.
        """
        self.d_optimizer = keras.optimizers.get(d_optimizer or self._default_optimizer(optimizer))
        self.g_optimizer = keras.optimizers.get(g_optimizer or self._default_optimizer(optimizer))
        if self.d_optimizer is self.g_optimizer:
            raise ValueError("d_optimizer and g_optimizer must be two optimizer instances.")
        if self.unroll_steps:
            _check_unrollable(self.d_optimizer)
        self._extra_compile_kwargs = dict(kwargs)
        super().compile(optimizer=self.g_optimizer, **kwargs)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def _default_optimizer(self, optimizer):
        if optimizer is not None:
            optimizer = keras.optimizers.get(optimizer)
            return optimizer.__class__.from_config(optimizer.get_config())
        if self.gan_loss.gradient_penalty:
            return keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
        return keras.optimizers.Adam(2e-4, beta_1=0.5)

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            **self._extra_compile_kwargs,
        }

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config.pop("d_optimizer")),
            g_optimizer=keras.saving.deserialize_keras_object(config.pop("g_optimizer")),
            **config,
        )

    def train_step(self, data):
        real, labels = self._real_batch(data)
        with tf.control_dependencies([real]):  # bad data stops the step before any update
            batch_size = tf.identity(tf.shape(real)[0])
        rows = replica_rows(batch_size)  # replica-aware noise: N replicas == one device
        for step in range(self.d_steps):
            z = self._latents(batch_size, rows)
            if step == self.d_steps - 1:
                with tf.GradientTape() as g_tape:  # shared by the generator update below
                    fake = self._generate(z, labels, training=True)
            else:
                fake = self._generate(z, labels, training=True)
            with tf.GradientTape() as d_tape:
                d_per_example = self._discriminator_losses(
                    real, tf.stop_gradient(fake), labels, rows, training=True
                )
                d_loss = tf.nn.compute_average_loss(d_per_example)
            variables = self.discriminator.trainable_variables
            self.d_optimizer.apply(d_tape.gradient(d_loss, variables), variables)

        with tf.GradientTape() as tape:
            tape.watch(fake)
            g_per_example = self._generator_losses(real, fake, labels)
            g_loss = tf.nn.compute_average_loss(g_per_example)
        fake_grad = tape.gradient(g_loss, fake)
        variables = self.generator.trainable_variables
        grads = g_tape.gradient(fake, variables, output_gradients=fake_grad)
        self.g_optimizer.apply(grads, variables)

        # Per-example values: the averaged losses are already divided by the replicas.
        self.d_loss_tracker.update_state(d_per_example)
        self.g_loss_tracker.update_state(g_per_example)
        return metric_logs(self)

    def test_step(self, data):
        real, labels = self._real_batch(data)
        rows = replica_rows(tf.shape(real)[0])
        fake = self._generate(self._latents(tf.shape(real)[0], rows), labels)
        self.d_loss_tracker.update_state(
            self._discriminator_losses(real, fake, labels, rows, training=False)
        )
        fake_logits = self._discriminate(fake, labels)
        self.g_loss_tracker.update_state(self.gan_loss.generator(fake_logits))
        return metric_logs(self)

    def _real_batch(self, data):
        """`(examples, labels)` of a batch; labels are None for an unconditional GAN."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        check_inner_shape(x, self.data_shape, name="training data")
        x = self._check_data(tf.cast(x, self.compute_dtype))
        if self.num_classes is None:
            return x, None
        if y is None:
            raise ValueError(
                "a class-conditional GAN trains on (x, y) pairs: fit(x, y) with integer "
                f"labels y in [0, {self.num_classes - 1}]."
            )
        return x, check_labels(y, self.num_classes)

    def _check_data(self, x):
        if self.data_range is None:
            return check_finite(x, "training data")
        low, high = self.data_range
        return check_in_range(x, low, high, what="the generator's output range, data_range")

    def _latents(self, batch_size, rows):
        """Training latents from the model's seed generator.

        They are this replica's rows of the global batch's draw
        (`zoo.random.replica_batch_noise`).

        The draw names the Philox algorithm: it is what `keras.random.normal` gets from
        TensorFlow's kernels (same numbers), whereas under `jit_compile=True` XLA's default
        generator on CPU (ThreeFry) is far slower (see benchmarks/RESULTS.md).
        """

        def draw(n):
            seed = next_seed(self.seed_generator)
            return tf.random.stateless_normal([n, self.latent_dim], seed, alg="philox")

        return replica_batch_noise(draw, batch_size, rows)

    def _discriminator_losses(self, real, fake, labels, rows, training):
        """Per-example discriminator loss (plus the gradient penalty).

        `rows` as in `zoo.random.replica_rows`, for the penalty's interpolation noise.
        """
        real_logits = self._discriminate(real, labels, training)
        fake_logits = self._discriminate(fake, labels, training)
        per_example = self.gan_loss.discriminator(real_logits, fake_logits, self.label_smoothing)
        if self.gan_loss.gradient_penalty:
            points = gan_losses.interpolate(real, fake, self.seed_generator, rows)
            penalty = gan_losses.gradient_penalty(
                lambda x: self._discriminate(x, labels, training), points
            )
            per_example += self.gradient_penalty_weight * penalty
        return per_example

    def _generator_losses(self, real, fake, labels=None):
        """Per-example generator loss on `fake`, scored by the discriminator.

        With `unroll_steps`, by the discriminator after its look-ahead updates.
        """
        if self.unroll_steps:
            fake_logits = self._unrolled_logits(real, fake, labels)
        else:
            fake_logits = self._discriminate(fake, labels, training=True)
        return self.gan_loss.generator(fake_logits)

    def _unrolled_logits(self, real, fake, labels=None):
        """Logits on `fake` of the discriminator after `unroll_steps` look-ahead updates.

        The updates are differentiable functions of `fake`; nothing is assigned.
        """
        if self.num_classes is not None:
            real, fake = [real, labels], [fake, labels]
        disc = self.discriminator
        weights = [v.value for v in disc.trainable_variables]
        non_trainable = [v.value for v in disc.non_trainable_variables]
        lookahead = _Lookahead(self.d_optimizer, disc.trainable_variables)
        for _ in range(self.unroll_steps):
            with tf.GradientTape() as tape:
                tape.watch(weights)
                real_logits, _ = disc.stateless_call(weights, non_trainable, real, training=True)
                fake_logits, _ = disc.stateless_call(weights, non_trainable, fake, training=True)
                loss = tf.nn.compute_average_loss(
                    self.gan_loss.discriminator(real_logits, fake_logits, self.label_smoothing)
                )
            weights = lookahead.step(weights, tape.gradient(loss, weights))
        logits, _ = disc.stateless_call(weights, non_trainable, fake, training=True)
        return logits

    def save_own_variables(self, store):
        # Keras does not save SeedGenerator states; ours is the training noise stream, and a
        # reloaded or resumed GAN must continue it, not restart it.
        super().save_own_variables(store)
        store["seed_generator_state"] = self.seed_generator.state

    def load_own_variables(self, store):
        if "seed_generator_state" in store:
            self.seed_generator.state.assign(store["seed_generator_state"])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "latent_dim": self.latent_dim,
                "loss": self.gan_loss.name,
                "d_steps": self.d_steps,
                "label_smoothing": self.label_smoothing,
                "unroll_steps": self.unroll_steps,
                "gradient_penalty_weight": self.gradient_penalty_weight,
                "data_range": None if self.data_range is None else list(self.data_range),
                "seed": self.seed,
                "num_classes": self.num_classes,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def check_labels(labels, num_classes, num_samples=None):
    """Integer class labels as int32 `[batch]`, checked to lie in `0 .. num_classes - 1`.

    Args:
        labels: Integer array-like or tensor `[batch]` (or `[batch, 1]`); eagerly also one
            integer, repeated `num_samples` times.
        num_classes: Number of classes `K`.
        num_samples: Expected batch size, when known.

    Returns:
        int32 tensor `[batch]`.

    Raises:
        ValueError: eagerly, for non-integer labels, a wrong shape or a label outside
            `[0, K - 1]`; inside a traced step the range check is a `tf.debugging`
            assertion with the same message.
    """
    message = f"labels must be integers in [0, {num_classes - 1}] (num_classes={num_classes})"
    if tf.executing_eagerly():
        values = np.asarray(labels)
        if values.ndim == 0 and num_samples is not None:
            values = np.full([num_samples], values)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1 or (num_samples is not None and len(values) != num_samples):
            raise ValueError(f"labels must have shape ({num_samples},); got {values.shape}.")
        if not np.all(np.equal(np.mod(values, 1), 0)):
            raise ValueError(f"{message}; got non-integer values.")
        if values.size and (values.min() < 0 or values.max() > num_classes - 1):
            raise ValueError(f"{message}; got values in [{values.min()}, {values.max()}].")
        return tf.constant(values.astype(np.int32))
    labels = tf.reshape(tf.cast(labels, tf.int32), [-1])
    checks = [
        tf.debugging.assert_non_negative(labels, message=message),
        tf.debugging.assert_less(labels, num_classes, message=message),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(labels)


def _check_unrollable(optimizer):
    plain_sgd = isinstance(optimizer, keras.optimizers.SGD) and not optimizer.momentum
    adam = isinstance(optimizer, keras.optimizers.Adam) and not optimizer.amsgrad
    if not (plain_sgd or adam):
        raise ValueError(
            "unroll_steps needs a d_optimizer whose update can be replayed differentiably: "
            f"keras.optimizers.Adam (amsgrad=False) or SGD without momentum; got {optimizer}."
        )


class _Lookahead:
    """The discriminator optimizer's update rule as a pure function, from its current state.

    Adam continues from the optimizer's moment estimates and step count, as in Metz et
    al.'s unrolled optimization; SGD takes plain gradient steps. The moments are read
    through Keras' public `optimizer.variables`: Adam names the slots of a model variable
    `<variable.path with "/" as "_">_momentum` and `..._velocity`
    (`keras.optimizers.Optimizer.add_variable_from_reference`).
    """

    def __init__(self, optimizer, variables):
        self.optimizer = optimizer
        self.learning_rate = tf.cast(optimizer.learning_rate, tf.float32)
        self.adam = isinstance(optimizer, keras.optimizers.Adam)
        if self.adam:
            self.m = _slot_values(optimizer, variables, "momentum")
            self.v = _slot_values(optimizer, variables, "velocity")
            self.t = tf.cast(optimizer.iterations, tf.float32)

    def step(self, weights, grads):
        if not self.adam:
            return [w - self.learning_rate * g for w, g in zip(weights, grads, strict=True)]
        opt = self.optimizer
        self.t = self.t + 1.0
        alpha = self.learning_rate * tf.sqrt(1.0 - opt.beta_2**self.t) / (1.0 - opt.beta_1**self.t)
        self.m = [m + (g - m) * (1.0 - opt.beta_1) for m, g in zip(self.m, grads, strict=True)]
        self.v = [
            v + (tf.square(g) - v) * (1.0 - opt.beta_2) for v, g in zip(self.v, grads, strict=True)
        ]
        return [
            w - alpha * m / (_safe_sqrt(v) + opt.epsilon)
            for w, m, v in zip(weights, self.m, self.v, strict=True)
        ]


def _slot_values(optimizer, variables, slot):
    """The values of `optimizer`'s `slot` variables ("momentum", ...) for `variables`, in order.

    Raises:
        ValueError: if the optimizer holds no such slot, or more than one, for a variable
            (it was built on other variables, or two variable paths name the same slot).
    """
    by_name = {}
    for variable in optimizer.variables:
        by_name.setdefault(variable.name, []).append(variable)
    values = []
    for variable in variables:
        name = f"{variable.path.replace('/', '_')}_{slot}"
        found = by_name.get(name, [])
        if len(found) != 1 or tuple(found[0].shape) != tuple(variable.shape):
            raise ValueError(
                f"Cannot read the {slot} of {variable.path} from {optimizer.name}: expected one "
                f"variable {name!r} of shape {tuple(variable.shape)}, found shapes "
                f"{[tuple(v.shape) for v in found]}. Unrolling needs the d_optimizer built on "
                "the discriminator's trainable variables (GAN.compile builds it)."
            )
        values.append(found[0].value)
    return values


def _safe_sqrt(x):
    """`sqrt(x)` for `x >= 0` whose gradient is 0 (not inf or NaN) where `x == 0`.

    Adam's second moment stays exactly 0 for a weight whose gradients were all exactly 0
    (a dead ReLU unit); there `m` is 0 too. TensorFlow's kernel gives `m / sqrt(v)` a zero
    gradient there, but under XLA (`jit_compile=True`) the square root's gradient is
    `0 * inf = NaN`, which turned a whole unrolled GAN's weights to NaN within 250 steps.
    """
    positive = x > 0
    return tf.where(positive, tf.sqrt(tf.where(positive, x, tf.ones_like(x))), tf.zeros_like(x))
