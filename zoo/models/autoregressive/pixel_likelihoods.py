"""Per-pixel output distributions of PixelCNN / PixelRNN, built from `tfp.distributions`.

A pixel network outputs `params_per_channel` numbers for every sub-pixel (row, column,
colour channel); `PixelLikelihood` turns them into the conditional distribution of that
sub-pixel's value:

- `"bernoulli"`: binary images, one logit.
- `"categorical"`: a 256-way softmax over 8-bit levels (van den Oord et al., 2016).
- `"logistic_mixture"`: a mixture of `num_mixtures` discretized logistics over the levels
  0..255, the edge levels taking the tail mass (Salimans et al., 2017). Colour channels
  are coupled here by the channel-masked network (G sees R, B sees R and G), so each
  channel has its own mixture instead of PixelCNN++'s shared mixture indicator and linear
  channel coefficients.

#### References
- van den Oord, Kalchbrenner, Kavukcuoglu (2016). Pixel Recurrent Neural Networks. ICML.
- Salimans, Karpathy, Chen, Kingma (2017). PixelCNN++: Improving the PixelCNN with
  Discretized Logistic Mixture Likelihood and Other Modifications. ICLR.
"""

import tensorflow as tf
import tensorflow_probability as tfp

from zoo.checks import check_in_range

tfd = tfp.distributions

LIKELIHOODS = ("bernoulli", "categorical", "logistic_mixture")


class PixelLikelihood:
    """The distribution of every sub-pixel given the network's outputs.

    Args:
        name: One of `LIKELIHOODS`.
        num_levels: Number of intensity levels of `"categorical"` and
            `"logistic_mixture"` data (256 for 8-bit images); values are 0..num_levels-1.
        num_mixtures: Mixture components of `"logistic_mixture"`.

    Raises:
        ValueError: for an unknown `name`.
    """

    def __init__(self, name="bernoulli", num_levels=256, num_mixtures=5):
        if name not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}; got {name!r}.")
        self.name = name
        self.num_levels = 2 if name == "bernoulli" else int(num_levels)
        self.num_mixtures = int(num_mixtures)

    @property
    def params_per_channel(self):
        """How many network outputs parameterise one sub-pixel."""
        return {
            "bernoulli": 1,
            "categorical": self.num_levels,
            "logistic_mixture": 3 * self.num_mixtures,
        }[self.name]

    def validate(self, x):
        """Check that `x` holds values the likelihood supports (ValueError if not)."""
        high = 1.0 if self.name == "bernoulli" else float(self.num_levels - 1)
        what = "binary pixels" if self.name == "bernoulli" else "integer intensity levels"
        return check_in_range(x, 0.0, high, what=what)

    def network_input(self, x):
        """Scale data values to the network's input range ({0, 1} or [-1, 1])."""
        x = tf.cast(x, tf.float32)
        if self.name == "bernoulli":
            return x
        return x * (2.0 / (self.num_levels - 1)) - 1.0

    def distribution(self, params):
        """Distribution with batch shape `params.shape[:-1]` (one sub-pixel per entry).

        Args:
            params: float tensor `[..., params_per_channel]`.

        Returns:
            A `tfd.Distribution` over values in {0, 1} or {0, ..., num_levels - 1}.
        """
        if self.name == "bernoulli":
            return tfd.Bernoulli(logits=params[..., 0], dtype=tf.float32)
        if self.name == "categorical":
            return tfd.Categorical(logits=params, dtype=tf.float32)
        logits, loc, raw_scale = tf.split(params, 3, axis=-1)
        half_range = (self.num_levels - 1) / 2.0
        # Network units [-1, 1] -> levels; +0.5 centres each level's bin [x - 0.5, x + 0.5].
        level_loc = (loc + 1.0) * half_range + 0.5
        level_scale = (tf.nn.softplus(raw_scale) + 1e-3) * half_range
        levels = tfd.QuantizedDistribution(
            tfd.Logistic(level_loc, level_scale), low=0.0, high=float(self.num_levels - 1)
        )
        return tfd.MixtureSameFamily(tfd.Categorical(logits=logits), levels)

    def log_prob(self, params, x):
        """The log p(x) per image: the sum over rows, columns and channels, shape [batch]."""
        per_subpixel = self.distribution(params).log_prob(tf.cast(x, tf.float32))
        return tf.reduce_sum(per_subpixel, axis=[1, 2, 3])
