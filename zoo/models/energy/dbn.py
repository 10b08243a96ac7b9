"""Deep belief network: a stack of RBMs, pretrained greedily and fine-tuned by up-down.

A DBN with layers x = h_0, h_1, ..., h_L is a generative model whose top two layers form an
undirected RBM (an associative memory) and whose lower layers are directed sigmoid belief
layers, p(h_l | h_{l+1}) = prod_i sigmoid(b_l + G_l h_{l+1}). Greedy layer-wise pretraining
(Hinton, Osindero & Teh, 2006) trains one `BernoulliRBM` per pair of layers, each on the
hidden probabilities of the one below, by plain `fit`. Afterwards the weights are *untied*:
the recognition weights R_l (the RBMs' kernels and hidden biases) drive the bottom-up pass
and separate generative weights G_l, b_l (copies of the RBMs' kernels and visible biases)
the top-down one. The up-down algorithm (contrastive wake-sleep) then fine-tunes:

- up (wake) pass: sample h_1..h_{L-1} bottom-up with R; move the generative weights to
  reconstruct each layer from the one above (delta rule = gradient of log p(h_l | h_{l+1}));
- top RBM: CD-k from the top-level states;
- down (sleep) pass: from the top RBM's negative sample, sample down with G; move the
  recognition weights to infer each layer above from the one below.

All three updates are gradients of one scalar (stop-gradient on every sampled state), applied
by the compiled optimizer in `train_step`, so `fine_tune` is just `fit`.

With `num_labels=K` the top RBM is a `LabelledRBM`: it models the joint of the penultimate
layer's features and a K-way softmax label unit, as in the paper's MNIST network
(784-500-500-2000 with 10 label units joined at the top). Pretraining and up-down then
take labels (the top RBM's positive phase clamps them, its negative phase samples them);
`classify` is exact given the penultimate features, p(y | h) = softmax_y(-F(h, y)), and
`sample(n, condition=labels)` clamps the label units during the top-level Gibbs chain.
"""

import itertools

import keras
import numpy as np
import tensorflow as tf

from zoo.checks import check_in_range, check_inner_shape
from zoo.models.base import GenerativeModel, resolve_condition
from zoo.models.contract import ConditionSpec
from zoo.models.energy.default_optimizer import DefaultOptimizerMixin
from zoo.models.energy.labelled_rbm import LabelledRBM
from zoo.models.energy.rbm import BernoulliRBM
from zoo.models.energy.units import bernoulli_units, sample_bernoulli
from zoo.random import next_seed, replica_rows, stateless_seed


def _total(per_layer, like):
    """Sum of per-layer, per-example losses; zeros `[batch]` when there are no layers."""
    return tf.add_n(per_layer) if per_layer else tf.zeros_like(like[:, 0])


def _cross_entropy(targets, logits):
    """Per-example sum over units of the Bernoulli cross-entropy."""
    return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), -1)


@keras.saving.register_keras_serializable(package="zoo")
class DBN(DefaultOptimizerMixin, GenerativeModel):
    """Deep belief network of binary units (e.g. MNIST's 784-500-500-2000).

    Args:
        layer_sizes: Units per layer, visible first; at least two entries.
        cd_k: Gibbs steps of the RBMs' negative phase (pretraining and the top RBM).
        weight_decay: L2 cost on the RBM kernels.
        seed: Seed of the RBMs' initial weights and of the training noise.
        num_labels: None (an unsupervised DBN), or the number of classes K: the top RBM is
            then a `LabelledRBM` over the penultimate layer and K label units.
        **kwargs: Passed to `keras.Model`.

    Raises:
        ValueError: for fewer than two layers, a non-positive size, or a labelled DBN of
            two layers (the labels join the top RBM's visible layer, so it needs a
            penultimate layer of features).

    #### Examples

    ```python
    dbn = zoo.models.DBN([784, 500, 500, 2000])
    dbn.pretrain(x_train, epochs=10)       # greedy, each layer an RBM fitted by `fit`
    dbn.fine_tune(x_train, epochs=5)       # up-down algorithm
    images = dbn.sample(16, seed=0)
    classifier = dbn.to_classifier(10)     # a keras.Model for backprop fine-tuning
    labelled = zoo.models.DBN([784, 500, 500, 2000], num_labels=10)
    labelled.pretrain(x_train, labels=y_train, epochs=10)
    labelled.fine_tune(x_train, labels=y_train, epochs=5)
    labelled.predict(x_test)               # [N, 10] class probabilities
    labelled.sample(10, condition=range(10), seed=0)   # one image per class
    ```

    #### References
    Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep
    belief nets. Neural Computation 18.
    """

    def __init__(
        self, layer_sizes, cd_k=1, weight_decay=2e-4, seed=None, num_labels=None, **kwargs
    ):
        super().__init__(**kwargs)
        layer_sizes = [int(n) for n in layer_sizes]
        if len(layer_sizes) < 2 or min(layer_sizes) < 1:
            raise ValueError(f"layer_sizes needs at least two positive sizes; got {layer_sizes}.")
        if num_labels is not None and len(layer_sizes) < 3:
            raise ValueError(
                "a labelled DBN needs at least three layers (data, features, top hidden); "
                f"got layer_sizes={layer_sizes}."
            )
        self.layer_sizes = layer_sizes
        self.cd_k = int(cd_k)
        self.weight_decay = float(weight_decay)
        self.seed = seed
        self.num_labels = None if num_labels is None else int(num_labels)
        self.rbms = [
            self._make_rbm(
                index,
                n_in,
                n_out,
                cd_k=cd_k,
                weight_decay=weight_decay,
                seed=None if seed is None else seed + index,
                name=f"rbm_{index}",
            )
            for index, (n_in, n_out) in enumerate(itertools.pairwise(layer_sizes))
        ]
        # Top-down weights of the directed layers (all but the top RBM), untied by `pretrain`.
        self.generative_kernels = [
            self.add_weight(
                shape=rbm.kernel.shape, initializer="zeros", name=f"generative_kernel_{i}"
            )
            for i, rbm in enumerate(self.rbms[:-1])
        ]
        self.generative_biases = [
            self.add_weight(
                shape=rbm.visible_bias.shape, initializer="zeros", name=f"generative_bias_{i}"
            )
            for i, rbm in enumerate(self.rbms[:-1])
        ]
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_error")
        self.top_free_energy_tracker = keras.metrics.Mean(name="top_free_energy")
        self.recognition_tracker = keras.metrics.Mean(name="sleep_recognition_loss")
        self.classification_error_tracker = keras.metrics.Mean(name="classification_error")
        self.built = True

    def _make_rbm(self, index, n_in, n_out, **kwargs):
        if self.num_labels is not None and index == len(self.layer_sizes) - 2:
            return LabelledRBM(n_in, self.num_labels, n_out, **kwargs)
        return BernoulliRBM(n_in, n_out, **kwargs)

    @property
    def data_shape(self):
        """The shape of one example, `(layer_sizes[0],)`."""
        return (self.layer_sizes[0],)

    @property
    def labelled(self):
        """Whether the top RBM models labels (`num_labels` was given)."""
        return self.num_labels is not None

    @property
    def contract_methods(self):
        """`sample` and `encode`, and `classify` when labelled (see `GenerativeModel`).

        No `log_prob`: a DBN's likelihood is only bounded (`log_prob_lower_bound`).
        """
        return ("sample", "encode", "classify") if self.labelled else ("sample", "encode")

    @property
    def condition_spec(self):
        """Labelled: `num_labels` classes, which `sample(condition=...)` may clamp.

        The labelled DBN models labels and data jointly: `sample` draws the labels too
        unless given them. None for an unlabelled DBN (see `ConditionSpec`).
        """
        if not self.labelled:
            return None
        return ConditionSpec(num_classes=self.num_labels, clamps=("sample",))

    @property
    def latent_dim(self):
        """The number of top-level hidden units, `layer_sizes[-1]`."""
        return self.layer_sizes[-1]

    @property
    def top_rbm(self):
        """The undirected top-level RBM (its `free_energy`, `log_partition`).

        A `BernoulliRBM`, or a `LabelledRBM` when `num_labels` is given.
        """
        return self.rbms[-1]

    @property
    def metrics(self):
        trackers = [
            self.reconstruction_tracker,
            self.top_free_energy_tracker,
            self.recognition_tracker,
        ]
        return [*trackers, self.classification_error_tracker] if self.labelled else trackers

    def _prepare(self, x):
        check_inner_shape(x, self.data_shape, "x")
        return check_in_range(tf.cast(x, tf.float32), 0.0, 1.0, "x", "binary units")

    def _prepare_labels(self, labels, required):
        """One-hot labels for a labelled DBN (None for an unlabelled one, whatever is given).

        Raises:
            ValueError: when a labelled DBN gets no labels where `required`.
        """
        if not self.labelled:
            return None
        if labels is None:
            if required:
                raise ValueError(
                    f"this DBN models labels (num_labels={self.num_labels}): pass the integer "
                    "class labels, e.g. pretrain(x, labels=y) and fine_tune(x, labels=y)."
                )
            return None
        return self.top_rbm.one_hot_labels(labels)

    def _mean_field_features(self, v):
        """Deterministic bottom-up pass to the top RBM's visible layer (probabilities)."""
        for layer in range(len(self.rbms) - 1):
            v = tf.sigmoid(self._recognition_logits(layer, v))
        return v

    def penultimate_features(self, x):
        """The top RBM's visible features of `x`: a deterministic up-pass (recognition weights).

        They are what the top RBM was pretrained on, so they are the data for its AIS
        base-rate model (`top_rbm.log_partition(method="ais", data=...)`; a labelled DBN's
        top RBM takes them joined with the labels, `top_rbm.join(features, labels)`).

        Args:
            x: Data `[batch, layer_sizes[0]]` in [0, 1].

        Returns:
            float32 `[batch, layer_sizes[-2]]` probabilities.

        Raises:
            ValueError: for a wrong shape or values outside [0, 1].
        """
        return self._mean_field_features(self._prepare(x))

    # ----------------------------------------------------------------- pretraining
    def pretrain(
        self,
        x,
        epochs=10,
        batch_size=100,
        optimizer=None,
        steps_per_execution=None,
        verbose=0,
        *,
        labels=None,
        **fit_kwargs,
    ):
        """Greedy layer-wise pretraining: fit each RBM on the hidden probabilities below.

        Each layer's visible biases start at the log-odds of its input's means; after the
        last layer the generative weights are set to copies of the recognition weights
        (the untied start of `fine_tune`). In a labelled DBN the top RBM is fitted on the
        penultimate features joined with `labels`.

        Args:
            x: Training data, numpy `[N, layer_sizes[0]]` in [0, 1].
            epochs: Epochs per layer (an int, or a list with one entry per RBM).
            batch_size: Mini-batch size.
            optimizer: Zero-argument callable returning a fresh optimizer per layer;
                default each RBM's own default (SGD, learning rate 0.1, momentum 0.5).
            steps_per_execution: Passed to each RBM's `compile`; None (the default) takes
                the RBM's `DEFAULT_STEPS_PER_EXECUTION` (many steps per compiled call remove
                the per-batch Python overhead).
            verbose: Passed to `fit`.
            labels: Integer class labels `[N]`; required by a labelled DBN, ignored otherwise.
            **fit_kwargs: Further `fit` arguments (callbacks, ...).

        Returns:
            The list of `fit` histories, one per RBM.

        Raises:
            ValueError: for bad data or labels, or a labelled DBN without labels.
        """
        data = np.asarray(self._prepare(x))
        if self._prepare_labels(labels, required=True) is not None:
            labels = np.asarray(labels).reshape(-1)
        epochs = list(epochs) if isinstance(epochs, (list, tuple)) else [epochs] * len(self.rbms)
        histories = []
        for index, (rbm, layer_epochs) in enumerate(zip(self.rbms, epochs, strict=True)):
            targets = labels if self.labelled and rbm is self.top_rbm else None
            rbm.init_visible_bias(data, *([] if targets is None else [targets]))
            rbm.compile(
                optimizer=optimizer() if optimizer else None,
                steps_per_execution=steps_per_execution,
            )
            histories.append(
                rbm.fit(
                    data,
                    targets,
                    epochs=layer_epochs,
                    batch_size=batch_size,
                    verbose=verbose,
                    **fit_kwargs,
                )
            )
            if index < len(self.rbms) - 1:
                data = rbm.predict(data, batch_size=max(batch_size, 1000), verbose=0)
        # The directed layers start as copies of their RBMs; the top RBM stays undirected.
        for rbm, kernel, bias in zip(
            self.rbms[:-1], self.generative_kernels, self.generative_biases, strict=True
        ):
            kernel.assign(rbm.kernel)
            bias.assign(rbm.visible_bias)
        return histories

    # ----------------------------------------------------------------- up-down fine-tuning
    def _default_optimizer(self):
        return keras.optimizers.SGD(learning_rate=0.01)

    def fine_tune(self, x, epochs=1, batch_size=100, *, labels=None, **fit_kwargs):
        """Up-down (contrastive wake-sleep) fine-tuning: `fit` with this model's `train_step`.

        Compiles with the default optimizer first unless already compiled. A labelled DBN
        needs `labels` (the same as `fit(x, labels)`).

        Returns:
            The `fit` history.
        """
        if not self.compiled:
            self.compile()
        self._prepare_labels(labels, required=True)
        return self.fit(x, labels, epochs=epochs, batch_size=batch_size, **fit_kwargs)

    def _generative_logits(self, layer, above):
        return (
            tf.matmul(above, self.generative_kernels[layer], transpose_b=True)
            + self.generative_biases[layer]
        )

    def _recognition_logits(self, layer, below):
        return tf.matmul(below, self.rbms[layer].kernel) + self.rbms[layer].hidden_bias

    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        v = self._prepare(x)
        labels = self._prepare_labels(y, required=True)
        num_directed = len(self.rbms) - 1
        seeds = tf.unstack(tf.random.split(next_seed(self.seed_generator), 2 * num_directed + 1))
        top = self.top_rbm
        rows = replica_rows(
            tf.shape(v)[0]
        )  # replica-aware noise (see `zoo.random.stateless_noise`)
        with tf.GradientTape() as tape:
            # Up (wake) pass with the recognition weights; learn the generative weights.
            wake = [v]
            for layer in range(num_directed):
                probs = tf.sigmoid(tf.stop_gradient(self._recognition_logits(layer, wake[-1])))
                wake.append(sample_bernoulli(probs, seeds[layer], rows))
            wake_loss = _total(
                [
                    _cross_entropy(wake[n], self._generative_logits(n, wake[n + 1]))
                    for n in range(num_directed)
                ],
                v,
            )
            # Top-level RBM: CD-k from the wake states (joined with the labels, whose units
            # the negative phase samples too).
            top_visible = wake[-1] if labels is None else tf.concat([wake[-1], labels], -1)
            top_logits = top.hidden_logits(top_visible)
            top_free_energy = top.free_energy(top_visible, hidden_logits=top_logits)
            negative, _ = top.negative_phase(
                top_visible, tf.stop_gradient(top_logits), seeds[-1], rows
            )
            top_loss = top_free_energy - top.state_free_energy(negative)
            # Down (sleep) pass from the top RBM's negative sample; learn the recognition weights.
            sleep = [negative[:, : self.layer_sizes[-2]]]
            for layer in reversed(range(num_directed)):
                probs = tf.sigmoid(tf.stop_gradient(self._generative_logits(layer, sleep[0])))
                sleep.insert(0, sample_bernoulli(probs, seeds[num_directed + layer], rows))
            sleep_loss = _total(
                [
                    _cross_entropy(sleep[n + 1], self._recognition_logits(n, sleep[n]))
                    for n in range(num_directed)
                ],
                v,
            )
            loss = tf.nn.compute_average_loss(wake_loss + top_loss + sleep_loss) + top.penalty(
                top_logits
            )
        variables = self._optimized_variables()
        self.optimizer.apply(tape.gradient(loss, variables), variables)
        top.log_z_cache.assign(float("nan"))
        first_hidden = wake[1] if num_directed else tf.sigmoid(top_logits)
        self.reconstruction_tracker.update_state(self._reconstruction_error(v, first_hidden))
        self.top_free_energy_tracker.update_state(top_free_energy)
        self.recognition_tracker.update_state(sleep_loss)
        trained = self.metrics[:3]  # `classify`'s error is measured by `evaluate` only
        return {m.name: m.result() for m in trained}

    def _optimized_variables(self):
        """What up-down trains: recognition weights, generative weights, the top RBM."""
        recognition = [w for rbm in self.rbms[:-1] for w in (rbm.kernel, rbm.hidden_bias)]
        return [
            *recognition,
            *self.generative_kernels,
            *self.generative_biases,
            *self.top_rbm.trainable_variables,
        ]

    def _reconstruction_error(self, v, first_hidden):
        """Mean squared error of the top-down mean of v given the first hidden layer."""
        if len(self.rbms) > 1:
            mean = tf.sigmoid(self._generative_logits(0, first_hidden))
        else:
            mean = tf.sigmoid(
                tf.matmul(first_hidden, self.top_rbm.kernel, transpose_b=True)
                + self.top_rbm.visible_bias
            )
        return tf.reduce_mean(tf.square(v - mean), -1)

    def test_step(self, data):
        """Reconstruction error and top free energy of the mean-field up-pass.

        A labelled DBN given labels also reports its `classify` error and F(h, y) at the top.
        """
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        v = self._prepare(x)
        labels = self._prepare_labels(y, required=False)
        features = self._mean_field_features(v)
        first_hidden = tf.sigmoid(self._recognition_logits(0, v))
        self.reconstruction_tracker.update_state(self._reconstruction_error(v, first_hidden))
        logs = [self.reconstruction_tracker, self.top_free_energy_tracker]
        if labels is None:
            self.top_free_energy_tracker.update_state(self._top_free_energy(features))
        else:
            top_visible = tf.concat([features, labels], -1)
            self.top_free_energy_tracker.update_state(self.top_rbm.state_free_energy(top_visible))
            predicted = tf.argmax(self.top_rbm.classify(features), -1)
            wrong = tf.cast(predicted != tf.argmax(labels, -1), tf.float32)
            self.classification_error_tracker.update_state(wrong)
            logs.append(self.classification_error_tracker)
        return {m.name: m.result() for m in logs}

    def _top_free_energy(self, features):
        """Free energy of the top RBM's features (the labels summed out when labelled)."""
        if self.labelled:
            return self.top_rbm.feature_free_energy(features)
        return self.top_rbm.state_free_energy(features)

    # ----------------------------------------------------------------- inference, sampling
    def encode(self, x):
        """The top layer given the data, after a deterministic bottom-up pass.

        The layers below the top take mean-field probabilities through the recognition
        weights; the top layer is independent Bernoullis given the last of them. In a
        labelled DBN the label is summed out at the top, a mixture over labels:
        p(h_top | h) = sum_y p(y | h) p(h_top | h, y) (`LabelledRBM.encode_features`).

        Args:
            x: Data `[batch, layer_sizes[0]]` in [0, 1].

        Returns:
            A `tfd.Distribution` with batch shape `[batch]` and event shape
            `[layer_sizes[-1]]` (`tfd.Independent` Bernoullis, or a `tfd.MixtureSameFamily`
            when labelled); its `mean()` is the top layer's probabilities.

        Raises:
            ValueError: for a wrong shape or values outside [0, 1].
        """
        features = self._mean_field_features(self._prepare(x))
        if self.labelled:
            return self.top_rbm.encode_features(features)
        return bernoulli_units(self._recognition_logits(len(self.rbms) - 1, features))

    def classify(self, x):
        """Class logits, exact given the features.

        Their softmax is p(y | h) = softmax_y(-F(h, y)); `call` (and so `predict`) returns
        those probabilities.

        h is the penultimate layer's mean-field up-pass (recognition weights); the top
        RBM's hidden units are summed out analytically, so no sampling is involved.

        Args:
            x: Data `[batch, layer_sizes[0]]` in [0, 1].

        Returns:
            float32 `[batch, num_labels]` logits, as `ImageClassifier.classify` returns.

        Raises:
            NotImplementedError: for an unlabelled DBN (it has no label units).
            ValueError: for a wrong shape or values outside [0, 1].
        """
        if not self.labelled:
            raise NotImplementedError(
                "classify needs a labelled DBN (DBN(..., num_labels=K)); for an unlabelled "
                "one use to_classifier(num_classes) and train it with labels."
            )
        return self.top_rbm.classify(self._mean_field_features(self._prepare(x)))

    def call(self, inputs):
        """Class probabilities (softmax of `classify`) for a labelled DBN, else `encode`'s mean.

        So `predict` gives a labelled DBN's class probabilities.
        """
        if self.labelled:
            return tf.nn.softmax(self.classify(inputs))
        return self.encode(inputs).mean()

    def log_prob_lower_bound(self, x, num_samples=100, seed=None):
        """A stochastic lower bound on log p(x) in nats, per example.

        Salakhutdinov & Murray (2008): the recognition pass is a factorial posterior
        q(h_1, ..., h_{L-1} | x) = prod_l q(h_l | h_{l-1}); with p(h_{L-1}) = exp(-F(h_{L-1}))
        / Z the top RBM's marginal (log Z from `top_rbm.log_partition`), the generative
        weights give p(x, h) = p(h_{L-1}) prod_l p(h_{l-1} | h_l), and

            log p(x) >= E_q[log (1/K) sum_k p(x, h^(k)) / q(h^(k) | x)]

        for K = `num_samples` draws of q (the importance-weighted bound of Burda et al. 2016;
        K = 1 is the paper's variational bound, and the bound tightens as K grows). Each call
        returns one unbiased draw of that bound, so averaging over many examples estimates
        it closely. Up to log Z's own error: with an AIS log Z (which tends to under-estimate
        log Z) the result is a lower bound only in expectation, as in the paper.

        Args:
            x: Binary data `[batch, layer_sizes[0]]`.
            num_samples: K, posterior draws per example.
            seed: Integer or shape-[2] seed.

        Returns:
            float32 `[batch]`.

        Raises:
            ValueError: for a wrong shape or values outside [0, 1].
            RuntimeError: when the top RBM's log Z is unknown and too expensive to compute
                exactly; call `dbn.top_rbm.log_partition(method="ais", data=...)` first, with
                `data` the top RBM's training inputs (`dbn.encode`-like probabilities of the
                layer below the top).

        #### Examples

        ```python
        dbn.top_rbm.log_partition("exact")  # small top layers; else method="ais"
        dbn.log_prob_lower_bound(x_test[:100], num_samples=100, seed=0)
        ```

        #### References
        Salakhutdinov, R. & Murray, I. (2008). On the quantitative analysis of deep belief
        networks. ICML. Burda, Y., Grosse, R. & Salakhutdinov, R. (2016). Importance
        weighted autoencoders. ICLR.
        """
        v = self._prepare(x)
        num_directed = len(self.rbms) - 1
        batch = tf.shape(v)[0]
        seeds = tf.unstack(tf.random.split(stateless_seed(seed), max(1, num_directed)))
        states = tf.repeat(v, num_samples, axis=0)  # example-major: [batch * K, n_visible]
        log_weight = tf.zeros([batch * num_samples])
        for layer in range(num_directed):
            logits = self._recognition_logits(layer, states)
            above = sample_bernoulli(tf.sigmoid(logits), seeds[layer])
            log_weight += _cross_entropy(above, logits)  # - log q(h_{l+1} | h_l)
            log_weight -= _cross_entropy(states, self._generative_logits(layer, above))
            states = above
        log_weight += (
            self.top_rbm.feature_log_prob(states)
            if self.labelled
            else self.top_rbm.log_prob(states)
        )
        log_weight = tf.reshape(log_weight, [batch, num_samples])
        return tf.reduce_logsumexp(log_weight, axis=1) - tf.math.log(float(num_samples))

    def sample(
        self, num_samples, seed=None, *, burn_in=1000, condition=None, mean=False, labels=None
    ):
        """Gibbs sampling in the top RBM, then one top-down pass with the generative weights.

        Args:
            num_samples: Number of samples.
            seed: Integer or shape-[2] seed; the same seed gives the same samples.
            burn_in: Block-Gibbs steps in the top RBM.
            condition: Labelled DBN only: integer classes `[num_samples]` (or one int)
                whose label units stay clamped during the top-level chain, so each sample
                is drawn from p(x | y). Without them the labels are sampled too.
            mean: Return the probabilities p(x = 1 | h1) of the last top-down step
                instead of the binary draw from them (the pictures papers show; not
                samples). With the same seed, the draws are Bernoulli draws of these.
            labels: Deprecated alias of `condition` (warns; removed in the next release).

        Returns:
            Binary float32 `[num_samples, layer_sizes[0]]`, or probabilities in [0, 1]
            with `mean=True`.

        Raises:
            ValueError: for a `condition` with an unlabelled DBN, labels out of range, or
                both `condition` and `labels`.
        """
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.sample")
        if condition is not None and not self.labelled:
            raise ValueError(
                "a condition (class labels) needs a labelled DBN (DBN(..., num_labels=K))."
            )
        seeds = tf.unstack(tf.random.split(stateless_seed(seed), len(self.rbms)))
        top_options = {} if condition is None else {"condition": condition}
        if mean and len(self.rbms) == 1:  # then the DBN is its (unlabelled) top RBM
            top_options["mean"] = True
        states = self.top_rbm.sample(num_samples, seed=seeds[-1], burn_in=burn_in, **top_options)
        states = states[:, : self.layer_sizes[-2]]
        for layer in reversed(range(len(self.rbms) - 1)):
            probabilities = tf.sigmoid(self._generative_logits(layer, states))
            if mean and layer == 0:
                return probabilities
            states = sample_bernoulli(probabilities, seeds[layer])
        return states

    def to_classifier(self, num_classes):
        """A feed-forward classifier initialized from the recognition weights.

        The network is the DBN's bottom-up pass (sigmoid `Dense` layers with the RBM
        kernels and hidden biases) plus a zero-initialized softmax layer; compile and fit it
        with labels for discriminative fine-tuning by backpropagation.

        Args:
            num_classes: Number of output classes.

        Returns:
            An uncompiled `keras.Sequential` mapping `[batch, layer_sizes[0]]` to class
            probabilities.
        """
        layers = [keras.Input(self.data_shape)]
        for index, rbm in enumerate(self.rbms):
            layers.append(
                keras.layers.Dense(rbm.n_hidden, activation="sigmoid", name=f"dense_{index}")
            )
        layers.append(
            keras.layers.Dense(
                num_classes, activation="softmax", kernel_initializer="zeros", name="classes"
            )
        )
        classifier = keras.Sequential(layers, name="dbn_classifier")
        inputs = self.layer_sizes[:-1]
        for layer, rbm, n_in in zip(classifier.layers[:-1], self.rbms, inputs, strict=True):
            # A labelled top RBM's kernel also has label rows, which get no input here.
            layer.set_weights([np.asarray(rbm.kernel)[:n_in], np.asarray(rbm.hidden_bias)])
        return classifier

    def to_autoencoder(self, code_activation=None, **kwargs):
        """The RBM stack unrolled into a `DeepAutoencoder` (Hinton & Salakhutdinov 2006).

        Uses the RBMs' weights (the recognition weights and the RBMs' visible biases, not
        the untied generative weights of up-down); compile and `fit` it to fine-tune by
        backpropagation on the reconstruction cross-entropy.

        Args:
            code_activation: Activation of the code layer; None (linear) as in the paper.
            **kwargs: Passed to `DeepAutoencoder.from_rbm_stack`.

        Returns:
            An uncompiled `zoo.models.DeepAutoencoder`.

        Raises:
            ValueError: for a labelled DBN (its top RBM also models labels).
        """
        from zoo.models.autoencoders.deep_autoencoder import DeepAutoencoder

        if self.labelled:
            raise ValueError(
                "to_autoencoder unrolls binary RBMs; a labelled DBN's top RBM models labels "
                "too. Use DeepAutoencoder.from_rbm_stack(dbn.rbms[:-1])."
            )
        return DeepAutoencoder.from_rbm_stack(self.rbms, code_activation=code_activation, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "layer_sizes": list(self.layer_sizes),
            "cd_k": self.cd_k,
            "weight_decay": self.weight_decay,
            "seed": self.seed,
            "num_labels": self.num_labels,
        }
