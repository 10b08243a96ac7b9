"""NADE: the neural autoregressive distribution estimator for binary vectors.

    h_d = sigmoid(c + W[:d]^T x_<d)          p(x_d = 1 | x_<d) = sigmoid(b_d + V_d . h_d)

The hidden pre-activations of consecutive conditionals differ by one rank-one term,
a_{d+1} = a_d + x_d W_d, so all D conditionals cost O(D H) per example. Both `log_prob`
and `sample` run this recursion one variable at a time (`tf.scan` / `tf.while_loop` over
[batch, H] states): on CPU that was 7x faster per training step than the vectorised
exclusive `cumsum` over a [batch, D, H] tensor (measured here, D=784, H=500, batch 100).
"""

import keras
import tensorflow as tf
import tensorflow_probability as tfp

from zoo._checks import check_in_range, check_inner_shape
from zoo._random import stateless_seed
from zoo._registry import register_model
from zoo.models.autoregressive.base import AutoregressiveModel

tfd = tfp.distributions

PAPER = "Larochelle, Murray (2011). The Neural Autoregressive Distribution Estimator. AISTATS."


@keras.saving.register_keras_serializable(package="zoo")
class NADE(AutoregressiveModel):
    """Neural autoregressive distribution estimator over binary vectors (natural order).

    Args:
        input_dim: Number of binary variables D.
        hidden_units: Number of hidden units H (shared by all D conditionals).
        **kwargs: Passed to `keras.Model`.

    Example:
        >>> model = NADE(input_dim=784, hidden_units=500)
        >>> model.compile(optimizer=keras.optimizers.Adam(1e-3))
        >>> model.fit(binary_images.reshape(-1, 784), epochs=5)      # loss: NLL in nats
        >>> model.log_prob(binary_images[:8].reshape(-1, 784))       # exact, [8]
        >>> model.sample(16, seed=0)                                 # [16, 784] in {0, 1}

    #### References
    - Larochelle, Murray (2011). The Neural Autoregressive Distribution Estimator. AISTATS.
    """

    def __init__(self, input_dim, hidden_units=500, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.hidden_units = int(hidden_units)
        self.data_shape = (self.input_dim,)
        shape = (self.input_dim, self.hidden_units)
        self.W = self.add_weight(name="W", shape=shape, initializer="glorot_uniform")
        self.V = self.add_weight(name="V", shape=shape, initializer="glorot_uniform")
        self.c = self.add_weight(name="c", shape=(self.hidden_units,), initializer="zeros")
        self.b = self.add_weight(name="b", shape=(self.input_dim,), initializer="zeros")
        self.built = True

    def call(self, x):
        """Logits of p(x_d = 1 | x_<d) for every d, shape [batch, D]."""
        x = tf.cast(x, self.W.dtype)

        def step(carry, inputs):
            running, _ = carry
            x_d, w_d, v_d = inputs
            logit = tf.linalg.matvec(tf.sigmoid(running), v_d)
            return running + x_d[:, None] * w_d, logit

        start = (tf.zeros_like(x[:, :1]) + self.c, tf.zeros_like(x[:, 0]))
        _, logits = tf.scan(step, (tf.transpose(x), self.W, self.V), initializer=start)
        return self.b + tf.transpose(logits)

    def _validate(self, x):
        check_inner_shape(x, self.data_shape)
        return check_in_range(x, 0.0, 1.0, what="binary NADE variables")

    def log_prob(self, x):
        """Exact log p(x) in nats.

        Args:
            x: Binary array `[batch, input_dim]` (values in [0, 1]).

        Returns:
            float32 tensor `[batch]`.

        Raises:
            ValueError: for another shape or values outside [0, 1].
        """
        x = self._validate(x)
        x = tf.cast(x, self.W.dtype)
        return tfd.Independent(tfd.Bernoulli(logits=self(x)), 1).log_prob(x)

    def _negative_log_likelihood(self, x, condition, training):
        return -self.log_prob(x)

    def sample(self, num_samples, seed=None):
        """Draw binary vectors, one variable at a time in the model's order.

        Args:
            num_samples: Number of vectors.
            seed: Integer or shape-[2] seed; the same seed gives the same samples.

        Returns:
            float32 tensor `[num_samples, input_dim]` of 0/1.
        """
        return self._sample(tf.convert_to_tensor(num_samples, tf.int32), stateless_seed(seed))

    @tf.function(reduce_retracing=True)
    def _sample(self, num_samples, seed):
        def step(d, running, values):
            hidden = tf.sigmoid(self.c + running)
            logits = self.b[d] + tf.linalg.matvec(hidden, self.V[d])
            x_d = tfd.Bernoulli(logits=logits, dtype=self.W.dtype).sample(
                seed=tf.random.experimental.stateless_fold_in(seed, d)
            )
            return d + 1, running + x_d[:, None] * self.W[d], values.write(d, x_d)

        _, _, values = tf.while_loop(
            lambda d, *_: d < self.input_dim,
            step,
            (
                tf.constant(0),
                tf.zeros([num_samples, self.hidden_units], self.W.dtype),
                tf.TensorArray(self.W.dtype, size=self.input_dim),
            ),
        )
        return tf.transpose(values.stack())

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "hidden_units": self.hidden_units,
        }


register_model(
    "nade_fashion_mnist",
    NADE,
    {"input_dim": 784, "hidden_units": 500},
    family="autoregressive",
    paper=PAPER,
    dataset="Fashion-MNIST train, flattened, binarized (pixel/255 > 0.5)",
    description="NADE 784-500 on statically binarized Fashion-MNIST; exact log p(x)",
)
