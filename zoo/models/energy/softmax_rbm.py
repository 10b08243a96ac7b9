"""RBM with K-way softmax visible units for collaborative filtering (ratings).

Each user is one training case: the visible units are the items that user rated, each a
K-way softmax (one-hot over the rating values 1..K); items the user did not rate are simply
absent from that user's RBM. All users share the weights W[item, rating, hidden], the visible
biases b[item, rating] and the hidden biases c. With V the one-hot table and m the mask of
rated items,

    E(V, h) = -sum_i m_i sum_k V_ik (b_ik + sum_j W_ikj h_j) - c^T h,

p(h_j = 1 | V) = sigmoid(c_j + sum_i m_i sum_k V_ik W_ikj) and
p(V_i = k | h) = softmax_k(b_ik + sum_j W_ikj h_j) for rated items only. Inside the model a
missing item is an all-zero row of the one-hot table, so the mask rides along every Gibbs
chain (unrated items are never sampled) and drops out of the energy and therefore of the
gradient.
"""

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import check_in_range, check_inner_shape
from zoo.models.energy.rbm import RestrictedBoltzmannMachine
from zoo.models.energy.units import bernoulli_units, sample_one_hot, softmax_unit_scores
from zoo.models.steps import metric_logs

tfd = tfp.distributions


@keras.saving.register_keras_serializable(package="zoo")
class SoftmaxRBM(RestrictedBoltzmannMachine):
    """Restricted Boltzmann machine for ratings, with a softmax visible unit per item.

    Inputs are rating matrices `[users, num_items]` with integer ratings 1..num_ratings and
    0 for "not rated", or dicts `{"ratings": ..., "mask": ...}` whose 0/1 `mask` says which
    entries are rated (the ratings under a 0 mask are ignored, whatever their value). Trained
    with CD-k (persistent chains do not apply: every user has their own set of visible units).
    `predict_ratings` gives the expected rating of every item under the exact
    p(v_q = k | the user's other ratings) (or its one-step mean-field approximation);
    `evaluate(x, y)` with held-out ratings `y` (0 = not held out) reports their RMSE (exact).

    The rows need not be users: trained on the transposed matrix (one case per item, a
    softmax unit per user: the "item-based" RBM), the same class predicts each rating from
    the item's other ratings, which works better on small data sets (MovieLens-100k:
    test RMSE 0.922 item-based vs 0.959 user-based, see `benchmarks/RESULTS.md`).

    Args:
        num_items: Number of items (visible softmax units).
        num_ratings: Number of rating values K (ratings are 1..K).
        n_hidden: Number of binary hidden units.
        cd_k: Gibbs steps per update.
        **kwargs: See `RestrictedBoltzmannMachine` (weight_decay, seed, name, ...).

    Raises:
        ValueError: for `persistent=True`.

    #### Examples

    ```python
    ratings = ...  # [num_users, num_items] int, 0 = missing
    rbm = zoo.models.SoftmaxRBM(ratings.shape[1], 5, 100)
    rbm.init_visible_bias(ratings)
    rbm.compile()
    rbm.fit(ratings, batch_size=10, epochs=20)
    rbm.predict_ratings(ratings)  # [num_users, num_items] expected ratings
    item_rbm = zoo.models.SoftmaxRBM(ratings.shape[0], 5, 100)  # item-based
    item_rbm.init_visible_bias(ratings.T)
    item_rbm.compile(optimizer=keras.optimizers.SGD(0.02, momentum=0.9))
    item_rbm.fit(ratings.T, batch_size=20, epochs=30)
    item_rbm.predict_ratings(ratings.T).T  # [num_users, num_items]
    ```

    #### References
    Salakhutdinov, R., Mnih, A. & Hinton, G. (2007). Restricted Boltzmann machines for
    collaborative filtering. ICML.
    """

    # One partition function per set of rated items: no single log Z, so no log_prob.
    contract_methods = ("sample", "decode", "free_energy", "encode")

    def __init__(self, num_items, num_ratings, n_hidden, cd_k=1, **kwargs):
        if kwargs.pop("persistent", False):
            raise ValueError(
                "SoftmaxRBM does not support persistent=True: each user has their own "
                "visible units (the items they rated), so chains cannot persist across users."
            )
        if num_ratings < 2:
            raise ValueError(f"num_ratings must be at least 2; got {num_ratings}.")
        self.num_items = int(num_items)
        self.num_ratings = int(num_ratings)
        super().__init__(self.num_items * self.num_ratings, n_hidden, cd_k=cd_k, **kwargs)
        self.rmse_tracker = keras.metrics.RootMeanSquaredError(name="rmse")

    @property
    def data_shape(self):
        """Shape of one user's ratings row."""
        return (self.num_items,)

    @property
    def _visible_state_shape(self):
        return (self.num_items, self.num_ratings)

    @property
    def metrics(self):
        return [*super().metrics, self.rmse_tracker]

    def _default_optimizer(self):
        return keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)

    # ----------------------------------------------------------------- inputs
    def _prepare_visible(self, x, mask=None):
        """Ratings (and mask) -> one-hot table `[batch, items, K]` with zero rows when missing."""
        if isinstance(x, dict):
            x, mask = x["ratings"], x["mask"]
        check_inner_shape(x, self.data_shape, "ratings")
        ratings = check_in_range(x, 0, self.num_ratings, "ratings", "0 = missing, 1..K = rating")
        ratings = tf.cast(ratings, tf.int32)
        if mask is None:
            mask = ratings > 0
        else:
            check_inner_shape(mask, self.data_shape, "mask")
            mask = tf.cast(mask, tf.bool) & (ratings > 0)
        one_hot = tf.one_hot(ratings - 1, self.num_ratings)  # rating 0 -> all-zero row
        return one_hot * tf.cast(mask, tf.float32)[..., None]

    def _to_ratings(self, one_hot):
        """One-hot table -> integer ratings, 0 where the row is empty (missing)."""
        observed = tf.reduce_sum(one_hot, axis=-1) > 0
        return tf.where(observed, tf.argmax(one_hot, axis=-1, output_type=tf.int32) + 1, 0)

    def _expected_ratings(self, probabilities):
        return tf.linalg.matvec(probabilities, tf.range(1, self.num_ratings + 1, dtype=tf.float32))

    # ----------------------------------------------------------------- visible units
    def _visible_input(self, v):
        return tf.reshape(v, [-1, self.n_visible])

    def _visible_term(self, v, visible_bias=None):
        bias = self.visible_bias if visible_bias is None else visible_bias
        return tf.reduce_sum(v * bias, axis=[1, 2])

    def _visible_logits(self, hidden, kernel=None, visible_bias=None):
        kernel = self.kernel if kernel is None else kernel
        bias = self.visible_bias if visible_bias is None else visible_bias
        logits = tf.matmul(hidden, kernel, transpose_b=True)
        return tf.reshape(logits, [-1, self.num_items, self.num_ratings]) + bias

    def _sample_visible(self, hidden, seed, kernel=None, visible_bias=None, like=None, rows=None):
        logits = self._visible_logits(hidden, kernel, visible_bias)
        sample, mean = sample_one_hot(logits, seed, rows)
        if like is not None:  # keep the chain's mask: unrated items stay empty
            mask = tf.reduce_sum(like, axis=-1, keepdims=True)
            sample, mean = sample * mask, mean * mask
        return sample, mean

    def _base_rate_bias(self, v):
        counts = tf.reduce_sum(v, axis=0) + 1.0  # add-one smoothing
        return tf.math.log(counts / tf.reduce_sum(counts, axis=-1, keepdims=True))

    def _reconstruction_error(self, v, v_mean):
        """Per-user mean squared error of the expected rating over the rated items."""
        mask = tf.reduce_sum(v, axis=-1)
        error = tf.square(self._expected_ratings(v_mean) - self._expected_ratings(v)) * mask
        return tf.reduce_sum(error, -1) / tf.maximum(tf.reduce_sum(mask, -1), 1.0)

    # ----------------------------------------------------------------- public API
    def init_visible_bias(self, ratings, mask=None):
        """Set b_ik to the log frequency of rating k for item i (add-one smoothed).

        Args:
            ratings: Training ratings `[users, num_items]`, 0 = missing.
            mask: Optional 0/1 mask of rated entries.
        """
        self.visible_bias.assign(self._base_rate_bias(self._prepare_visible(ratings, mask)))

    def free_energy(self, ratings, mask=None, hidden_logits=None):
        """Free energy of each user's observed ratings, float32 `[users]`.

        Args:
            ratings: `[users, num_items]`, 0 = missing (or see `mask`). When
                `hidden_logits` is given, a visible state instead, the one-hot table
                `[users, num_items, num_ratings]` a training step holds (unchecked; see
                `RestrictedBoltzmannMachine.free_energy`).
            mask: Optional 0/1 mask of observed entries (ratings only).
            hidden_logits: Optional `hidden_logits` of the one-hot table, already computed.

        Returns:
            float32 `[users]`.

        Raises:
            ValueError: for bad ratings (shape, range).
        """
        if hidden_logits is not None:
            return super().free_energy(ratings, hidden_logits=hidden_logits)
        v = self._prepare_visible(ratings, mask)
        return super().free_energy(v, hidden_logits=self.hidden_logits(v))

    def encode(self, ratings, mask=None):
        """p(h | observed ratings): independent Bernoullis over the hidden units.

        Args:
            ratings: `[users, num_items]`, 0 = missing (or see `mask`).
            mask: Optional 0/1 mask of observed entries.

        Returns:
            `tfd.Independent(tfd.Bernoulli(...), 1)`, batch shape `[users]`, event shape
            `[n_hidden]`; its `mean()` is p(h_j = 1 | V).

        Raises:
            ValueError: for bad ratings (shape, range).
        """
        return bernoulli_units(self.hidden_logits(self._prepare_visible(ratings, mask)))

    def _visible_distribution(self, hidden):
        # One K-way softmax unit per item, its values the ratings 1..K.
        ratings = tf.range(1, self.num_ratings + 1, dtype=tf.float32)
        per_item = tfd.FiniteDiscrete(ratings, logits=self._visible_logits(hidden))
        return tfd.Independent(per_item, reinterpreted_batch_ndims=1)

    def predict_ratings(self, ratings, mask=None, method="exact"):
        """Expected rating of every item given each user's other observed ratings.

        `method="exact"` (as Salakhutdinov et al. 2007 predict) sums the hidden units out:
        for item q the K candidate ratings are scored by the free energy of the user's
        ratings with v_q = k added, p(v_q = k | V) ∝ exp(-F(V, v_q = k)), i.e.

            log p(v_q = k | V) = b_qk + sum_j softplus(x_j + W_qkj) + const,

        x = c + sum_{i != q} sum_k V_ik W_ik the hidden input from the other rated items (an
        item the user rated is predicted from the user's other ratings). `method="mean_field"`
        is the cheaper one-step approximation r_hat_q = sum_k k softmax_k(b_qk + sum_j W_qkj
        p(h_j = 1 | V)), which also keeps a rated item's own rating in p(h | V).

        Args:
            ratings: `[users, num_items]`, 0 = missing (or see `mask`).
            mask: Optional 0/1 mask of observed entries.
            method: `"exact"` or `"mean_field"`.

        Returns:
            float32 `[users, num_items]` in [1, num_ratings].

        Raises:
            ValueError: for an unknown method, or bad ratings (shape, range).
        """
        if method == "mean_field":
            return self.decode(self.encode(ratings, mask).mean()).mean()
        if method != "exact":
            raise ValueError(f'method must be "exact" or "mean_field"; got {method!r}.')
        return self._expected_ratings(
            self._exact_rating_probabilities(self._prepare_visible(ratings, mask))
        )

    def _item_kernel(self):
        return tf.reshape(self.kernel, [self.num_items, self.num_ratings, self.n_hidden])

    @tf.function(reduce_retracing=True)
    def _exact_rating_probabilities(self, v):
        """p(v_q = k | V_{-q}) for every user and item, `[users, num_items, K]`.

        One user at a time (`tf.map_fn`), so memory stays at num_items * K * n_hidden floats.
        """
        kernel = self._item_kernel()

        def one_user(args):
            hidden_input, v_user = args
            own = tf.einsum("ik,ikj->ij", v_user, kernel)  # each item's own contribution
            return tf.nn.softmax(softmax_unit_scores(hidden_input - own, kernel, self.visible_bias))

        return tf.map_fn(one_user, (self.hidden_logits(v), v), fn_output_signature=tf.float32)

    def _exact_expected_ratings_at(self, v, query):
        """Exact expected ratings at the `[n, 2]` (user, item) pairs `query`, `[n]`."""
        users, items = query[:, 0], query[:, 1]
        kernel = tf.gather(self._item_kernel(), items)
        own = tf.einsum("nk,nkj->nj", tf.gather_nd(v, query), kernel)
        hidden_input = tf.gather(self.hidden_logits(v), users) - own
        logits = softmax_unit_scores(hidden_input, kernel, tf.gather(self.visible_bias, items))
        return self._expected_ratings(tf.nn.softmax(logits))

    def sample(self, num_samples, seed=None, *, burn_in=1000, start=None):
        """Rating rows by block Gibbs sampling; see `RestrictedBoltzmannMachine.sample`.

        Without `start` every item is rated; with `start` (ratings, 0 = missing) the chain
        resamples the rated items only.

        Returns:
            int32 `[num_samples, num_items]`, 0 where not rated.
        """
        return self._to_ratings(
            super().sample(num_samples, seed=seed, burn_in=burn_in, start=start)
        )

    def log_partition(self, method="exact", **kwargs):
        """Not available: each user's RBM has its own partition function.

        A user's RBM is over the set of items that user rated.

        Raises:
            NotImplementedError: always.
        """
        raise NotImplementedError(
            "SoftmaxRBM has one partition function per set of rated items; evaluate it "
            "with predict_ratings / RMSE instead."
        )

    # ----------------------------------------------------------------- training
    def _update_metrics(self, v_data, hidden_logits, free_energy, recon_mean):
        super()._update_metrics(v_data, hidden_logits, free_energy, recon_mean)
        mask = tf.reduce_sum(v_data, axis=-1)
        self.rmse_tracker.update_state(
            self._expected_ratings(v_data), self._expected_ratings(recon_mean), sample_weight=mask
        )

    def test_step(self, data):
        """Evaluate as in training, or the RMSE on held-out ratings `y`.

        With held-out ratings `y` (0 = not held out), the RMSE of the exact
        `predict_ratings(x)` on them (computed at the held-out entries only).
        """
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if y is None:
            return super().test_step(data)
        v_data = self._prepare_visible(x)
        target = tf.cast(y, tf.float32)
        query = tf.where(target > 0)
        self.free_energy_tracker.update_state(self.state_free_energy(v_data))
        self.rmse_tracker.update_state(
            tf.gather_nd(target, query), self._exact_expected_ratings_at(v_data, query)
        )
        return metric_logs(self)

    def get_config(self):
        config = super().get_config()
        for key in ("n_visible", "persistent"):
            config.pop(key)
        return {**config, "num_items": self.num_items, "num_ratings": self.num_ratings}
