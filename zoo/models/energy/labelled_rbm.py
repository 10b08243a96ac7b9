"""RBM of the joint distribution of binary features and a class label (a softmax unit).

The visible layer is v = [x, y]: binary features x and one K-way softmax unit y (a one-hot
group of K label units). With W the feature weights, U the label weights and a, d, c the
feature, label and hidden biases,

    E(x, y, h) = -a^T x - d^T y - c^T h - x^T W h - y^T U h,

so p(h_j = 1 | x, y) = sigmoid(c_j + (W^T x)_j + U_yj), p(x_i = 1 | h) = sigmoid(a_i + (W h)_i)
and p(y = k | h) = softmax_k(d_k + (U h)_k). Summing h out gives the free energy of each
label configuration, F(x, y) = -a^T x - d_y - sum_j softplus(c_j + (W^T x)_j + U_yj), hence
the exact classifier p(y | x) = softmax_y(-F(x, y)) (`classify` gives its logits). This is
the top-level associative memory of Hinton, Osindero & Teh (2006): `DBN(..., num_labels=K)`
uses it as its top RBM, with x the features of the layer below.
"""

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import check_in_range, check_inner_shape
from zoo.models.base import resolve_condition
from zoo.models.contract import ConditionSpec
from zoo.models.energy.rbm import RestrictedBoltzmannMachine
from zoo.models.energy.units import (
    bernoulli_units,
    sample_bernoulli,
    sample_one_hot,
    softmax_unit_scores,
)
from zoo.random import stateless_seed

tfd = tfp.distributions


@keras.saving.register_keras_serializable(package="zoo")
class LabelledRBM(RestrictedBoltzmannMachine):
    """RBM over binary features and a K-way softmax label unit; classifies exactly.

    The model's visible vector is `[features, one_hot(label)]` (`n_features + num_labels`
    units): `free_energy`, `log_prob`, `log_partition` and `sample` take and return it.
    `fit(features, labels)` with integer labels joins them itself (as does
    `evaluate`); a single joint array works too. Trained by CD-k or PCD: the negative phase
    samples the labels as well. `classify(features)` gives the logits of the exact p(y | x), and
    `sample(n, condition=labels)` clamps the label units during the Gibbs chain.

    Args:
        n_features: Number of binary feature units.
        num_labels: Number of classes K (at least 2).
        n_hidden: Number of binary hidden units.
        cd_k: Gibbs steps per update.
        persistent: Use persistent chains (PCD).
        **kwargs: See `RestrictedBoltzmannMachine` (num_chains, weight_decay, seed, name, ...).

    Raises:
        ValueError: for fewer than 2 labels.

    #### Examples

    ```python
    rbm = zoo.models.LabelledRBM(784, 10, 500)
    rbm.init_visible_bias(x_train, y_train)
    rbm.compile()
    rbm.fit(x_train, y_train, batch_size=100, epochs=10)
    tf.nn.softmax(rbm.classify(x_test))        # [N, 10] exact p(y | x)
    rbm.sample(10, condition=range(10), seed=0)   # [10, 794], one sample per class
    ```

    #### References
    Hinton, G. E., Osindero, S. & Teh, Y.-W. (2006). A fast learning algorithm for deep
    belief nets. Neural Computation 18. Larochelle, H. & Bengio, Y. (2008). Classification
    using discriminative restricted Boltzmann machines. ICML.
    """

    def __init__(self, n_features, num_labels, n_hidden, cd_k=1, persistent=False, **kwargs):
        if num_labels < 2:
            raise ValueError(f"num_labels must be at least 2; got {num_labels}.")
        if n_features < 1:
            raise ValueError(f"n_features must be positive; got {n_features}.")
        self.n_features = int(n_features)
        self.num_labels = int(num_labels)
        super().__init__(
            self.n_features + self.num_labels, n_hidden, cd_k=cd_k, persistent=persistent, **kwargs
        )
        self.classification_error_tracker = keras.metrics.Mean(name="classification_error")

    @property
    def condition_spec(self):
        """`num_labels` classes, which `sample(condition=...)` may clamp (see `ConditionSpec`).

        The model is the joint of features and labels: `sample` draws the labels too
        unless given them.
        """
        return ConditionSpec(num_classes=self.num_labels, clamps=("sample",))

    @property
    def metrics(self):
        return [*super().metrics, self.classification_error_tracker]

    # ----------------------------------------------------------------- joining data and labels
    def join(self, features, labels):
        """The visible vectors `[features, one_hot(labels)]`.

        Args:
            features: `[batch, n_features]` in [0, 1].
            labels: Integer class indices `[batch]` in [0, num_labels).

        Returns:
            float32 `[batch, n_features + num_labels]`.

        Raises:
            ValueError: for wrong shapes or values out of range.
        """
        check_inner_shape(features, (self.n_features,), "features")
        features = check_in_range(
            tf.cast(features, tf.float32), 0.0, 1.0, "features", "Bernoulli units"
        )
        return tf.concat([features, self.one_hot_labels(labels)], axis=-1)

    def one_hot_labels(self, labels):
        """One-hot float32 `[batch, num_labels]` from integer labels `[batch]` (or `[batch, 1]`).

        Raises:
            ValueError: for another shape or labels outside [0, num_labels - 1].
        """
        labels = tf.convert_to_tensor(labels)
        if labels.shape.rank == 2 and labels.shape[-1] == 1:
            labels = labels[:, 0]
        if labels.shape.rank != 1:
            raise ValueError(f"labels must have shape (batch,); got {tuple(labels.shape)}.")
        labels = check_in_range(labels, 0, self.num_labels - 1, "labels", "class indices")
        return tf.one_hot(tf.cast(labels, tf.int32), self.num_labels)

    def _split(self, v):
        return v[:, : self.n_features], v[:, self.n_features :]

    def _joint_data(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        return (x if y is None else self.join(x, y),)

    def train_step(self, data):
        return super().train_step(self._joint_data(data))

    def test_step(self, data):
        return super().test_step(self._joint_data(data))

    # ----------------------------------------------------------------- visible units
    def _prepare_visible(self, x):
        check_inner_shape(x, self.data_shape, "v")
        return check_in_range(tf.cast(x, tf.float32), 0.0, 1.0, "v", "features then one-hot labels")

    def _sample_visible(self, hidden, seed, kernel=None, visible_bias=None, like=None, rows=None):
        kernel = self.kernel if kernel is None else kernel
        bias = self.visible_bias if visible_bias is None else visible_bias
        feature_logits, label_logits = self._split(
            tf.matmul(hidden, kernel, transpose_b=True) + bias
        )
        seed_features, seed_labels = tf.unstack(tf.random.split(seed, 2))
        feature_means = tf.sigmoid(feature_logits)
        labels, label_means = sample_one_hot(label_logits, seed_labels, rows)
        sample = tf.concat([sample_bernoulli(feature_means, seed_features, rows), labels], -1)
        return sample, tf.concat([feature_means, label_means], -1)

    def _visible_distribution(self, hidden):
        feature_logits, label_logits = self._split(
            tf.matmul(hidden, self.kernel, transpose_b=True) + self.visible_bias
        )
        labels = tfd.OneHotCategorical(logits=label_logits, dtype=tf.float32)
        return tfd.Blockwise([bernoulli_units(feature_logits), labels])

    def _log_normalizer(self, visible_bias):
        feature_bias, label_bias = visible_bias[: self.n_features], visible_bias[self.n_features :]
        return tf.reduce_sum(tf.nn.softplus(feature_bias)) + tf.reduce_logsumexp(label_bias)

    def _hidden_free_energy(self, hidden):
        feature_logits, label_logits = self._split(
            tf.matmul(hidden, self.kernel, transpose_b=True) + self.visible_bias
        )
        return (
            -tf.linalg.matvec(hidden, self.hidden_bias)
            - tf.reduce_sum(tf.nn.softplus(feature_logits), -1)
            - tf.reduce_logsumexp(label_logits, -1)
        )

    def _base_rate_bias(self, v, epsilon=1e-3):
        features, labels = self._split(v)
        mean = tf.clip_by_value(tf.reduce_mean(features, 0), epsilon, 1.0 - epsilon)
        counts = tf.reduce_sum(labels, 0) + 1.0  # add-one smoothing
        return tf.concat(
            [tf.math.log(mean / (1.0 - mean)), tf.math.log(counts / tf.reduce_sum(counts))], 0
        )

    def init_visible_bias(self, features, labels):
        """Feature biases at the data's log-odds, label biases at the log class frequencies.

        Args:
            features: Training features `[N, n_features]` in [0, 1].
            labels: Their integer labels `[N]`.
        """
        self.visible_bias.assign(self._base_rate_bias(self.join(features, labels)))

    def _update_metrics(self, v_data, hidden_logits, free_energy, recon_mean):
        super()._update_metrics(v_data, hidden_logits, free_energy, recon_mean)
        features, labels = self._split(v_data)
        predicted = tf.argmax(self._label_scores(features), -1)
        wrong = tf.cast(predicted != tf.argmax(labels, -1), tf.float32)
        self.classification_error_tracker.update_state(wrong)

    # ----------------------------------------------------------------- classification
    def _label_scores(self, features):
        """-F(x, y) + a^T x for each label y, `[batch, num_labels]`."""
        hidden_input = tf.matmul(features, self.kernel[: self.n_features]) + self.hidden_bias
        return softmax_unit_scores(
            hidden_input, self.kernel[self.n_features :], self.visible_bias[self.n_features :]
        )

    def _prepare_features(self, features):
        check_inner_shape(features, (self.n_features,), "features")
        return check_in_range(
            tf.cast(features, tf.float32), 0.0, 1.0, "features", "Bernoulli units"
        )

    def classify(self, features):
        """Class logits, exact, with the hidden units summed out.

        Their softmax is p(y | x) = softmax_y(-F(x, y)).

        Args:
            features: `[batch, n_features]` in [0, 1] (binary states or probabilities).

        Returns:
            float32 `[batch, num_labels]` logits (-F(x, y) up to a per-example constant),
            as `ImageClassifier.classify` returns.

        Raises:
            ValueError: for a wrong shape or values outside [0, 1].
        """
        return self._label_scores(self._prepare_features(features))

    def feature_free_energy(self, features):
        """F(x) = -log sum_y exp(-F(x, y)), the free energy of the features alone, `[batch]`."""
        x = self._prepare_features(features)
        feature_term = tf.linalg.matvec(x, self.visible_bias[: self.n_features])
        return -feature_term - tf.reduce_logsumexp(self._label_scores(x), -1)

    def feature_log_prob(self, features):
        """The log p(x) = -F(x) - log Z in nats, the label summed out; log Z as in `log_prob`."""
        return -self.feature_free_energy(features) - self._cached_log_partition()

    def encode_features(self, features):
        """p(h | x), the label summed out: a mixture over labels of independent Bernoullis.

        p(h | x) = sum_y p(y | x) prod_j p(h_j | x, y), p(h_j = 1 | x, y) =
        sigmoid(c_j + (W^T x)_j + U_yj).

        Args:
            features: `[batch, n_features]` in [0, 1].

        Returns:
            A `tfd.MixtureSameFamily`, batch shape `[batch]`, event shape `[n_hidden]`;
            its `mean()` is p(h_j = 1 | x) = sum_y p(y | x) p(h_j = 1 | x, y).

        Raises:
            ValueError: for a wrong shape or values outside [0, 1].
        """
        x = self._prepare_features(features)
        hidden_input = tf.matmul(x, self.kernel[: self.n_features]) + self.hidden_bias
        per_label = bernoulli_units(hidden_input[:, None, :] + self.kernel[self.n_features :])
        labels = tfd.Categorical(logits=self._label_scores(x))
        return tfd.MixtureSameFamily(labels, per_label)

    # ----------------------------------------------------------------- sampling
    def sample(
        self, num_samples, seed=None, *, burn_in=1000, start=None, condition=None, labels=None
    ):
        """Joint samples `[features, one_hot(label)]` by block Gibbs sampling.

        Args:
            num_samples: Number of chains (ignored when `start` or `condition` fix it).
            seed: Integer or shape-[2] seed; the same seed gives the same samples.
            burn_in: Number of Gibbs steps.
            start: Optional initial visible states `[num_samples, n_features + num_labels]`.
            condition: Optional integer labels `[num_samples]` (or one int for all chains)
                to clamp: the label units stay fixed while features and hiddens are
                resampled, so the features are drawn from p(x | y).
            labels: Deprecated alias of `condition` (warns; removed in the next release).

        Returns:
            float32 `[num_samples, n_features + num_labels]`.

        Raises:
            ValueError: for labels out of range, or both `condition` and `labels`.
        """
        condition = resolve_condition(condition, labels, f"{type(self).__name__}.sample")
        if condition is None:
            return super().sample(num_samples, seed=seed, burn_in=burn_in, start=start)
        condition = tf.convert_to_tensor(condition)
        if condition.shape.rank == 0:
            condition = tf.fill([num_samples], condition)
        clamped = self.one_hot_labels(condition)
        seed_start, seed_chain = tf.unstack(tf.random.split(stateless_seed(seed), 2))
        if start is None:
            hidden = sample_bernoulli(
                tf.fill([tf.shape(clamped)[0], self.n_hidden], 0.5), seed_start
            )
            start = self._sample_visible(
                hidden, tf.random.experimental.stateless_fold_in(seed_start, 1)
            )[0]
        start = tf.concat([self._split(self._prepare_visible(start))[0], clamped], -1)
        return self._run_clamped_chain(start, tf.constant(int(burn_in)), seed_chain)

    @tf.function(reduce_retracing=True)
    def _run_clamped_chain(self, v, num_steps, seed):
        """Block-Gibbs steps that keep the label part of `v` fixed."""
        clamped = self._split(v)[1]

        def body(i, v):
            step_seed = tf.random.experimental.stateless_fold_in(seed, i)
            features = self._split(self._gibbs_step(v, step_seed)[0])[0]
            return i + 1, tf.concat([features, clamped], -1)

        return tf.while_loop(lambda i, _: i < num_steps, body, (tf.constant(0), v))[1]

    def get_config(self):
        config = super().get_config()
        config.pop("n_visible")
        return {**config, "n_features": self.n_features, "num_labels": self.num_labels}
