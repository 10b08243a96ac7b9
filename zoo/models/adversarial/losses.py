"""GAN losses as pure functions of discriminator logits.

Every function returns *per-example* losses (shape `[batch]`), so the caller averages them
over the global batch (`tf.nn.compute_average_loss`) and stays correct under
`tf.distribute`. A discriminator outputs an unbounded score `l(x)`; for the probabilistic
losses `D(x) = sigmoid(l(x))` is the probability that `x` is real, and every log is computed
stably from the logit (`log D = -softplus(-l)`, `log(1 - D) = -softplus(l)`).

| name | discriminator minimizes | generator minimizes |
| --- | --- | --- |
| `"minimax"` | `-[(1-α) log D(x) + α log(1-D(x))] - log(1-D(G(z)))` | `log(1-D(G(z)))` |
| `"non_saturating"` | same as minimax | `-log D(G(z))` |
| `"least_squares"` | `½(l(x) - (1-α))² + ½ l(G(z))²` | `½(l(G(z)) - 1)²` |
| `"wasserstein_gp"` | `l(G(z)) - l(x) + λ (‖∇l(x̂)‖ - 1)²` | `-l(G(z))` |

`α` is one-sided label smoothing (Salimans et al. 2016): only the *real* targets move from
1 to `1 - α`; fake targets stay 0, otherwise the optimal discriminator would reward the
generator for staying where it is. With smoothing the optimal discriminator becomes
`D*(x) = (1-α) p_data(x) / (p_data(x) + p_model(x))`.

#### Examples

```python
real_logits, fake_logits = discriminator(x), discriminator(generator(z))
d_loss = get_loss("non_saturating").discriminator(real_logits, fake_logits)
g_loss = get_loss("non_saturating").generator(fake_logits)
```

#### References

- Goodfellow et al., 2014. Generative Adversarial Nets.
- Salimans et al., 2016. Improved Techniques for Training GANs.
- Mao et al., 2017. Least Squares Generative Adversarial Networks.
- Arjovsky et al., 2017. Wasserstein GAN.
- Gulrajani et al., 2017. Improved Training of Wasserstein GANs.
"""

import dataclasses
from collections.abc import Callable

import keras
import tensorflow as tf

from zoo.random import replica_batch_noise


def _per_example(logits):
    """Flatten `[batch]` or `[batch, 1]` logits to `[batch]`."""
    logits = tf.convert_to_tensor(logits)
    return tf.reshape(logits, [tf.shape(logits)[0]])


def _check_smoothing(label_smoothing):
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must lie in [0, 1); got {label_smoothing}.")


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Cross-entropy of the discriminator, real target `1 - label_smoothing`, fake target 0.

    Args:
        real_logits: Discriminator logits on real examples, `[batch]` or `[batch, 1]`.
        fake_logits: Logits on generated examples, same batch size.
        label_smoothing: One-sided smoothing `α` of the real targets, in [0, 1).

    Returns:
        Per-example losses `[batch]`: `-[(1-α) log D(x) + α log(1-D(x))] - log(1-D(G(z)))`.

    Raises:
        ValueError: if `label_smoothing` is outside [0, 1).
    """
    _check_smoothing(label_smoothing)
    real_logits, fake_logits = _per_example(real_logits), _per_example(fake_logits)
    real = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(real_logits), 1.0 - label_smoothing), logits=real_logits
    )
    fake = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.zeros_like(fake_logits), logits=fake_logits
    )
    return real + fake


def minimax_generator_loss(fake_logits):
    """The generator's side of the original minimax game: `log(1 - D(G(z)))` per example.

    It saturates: when the discriminator confidently rejects samples (`D(G(z)) → 0`, early
    in training) its gradient vanishes. Prefer `non_saturating_generator_loss`.
    """
    return -tf.nn.softplus(_per_example(fake_logits))


def non_saturating_generator_loss(fake_logits):
    """The non-saturating generator cost `-log D(G(z))` per example (Goodfellow et al. 2014).

    Same fixed point as the minimax cost, but strong gradients where `D(G(z)) → 0`.
    """
    return tf.nn.softplus(-_per_example(fake_logits))


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Least-squares discriminator loss with the 0-1 coding `a=0, b=1` (Mao et al. 2017).

    Args:
        real_logits: Discriminator outputs on real examples (no sigmoid).
        fake_logits: Outputs on generated examples.
        label_smoothing: One-sided smoothing: the real target becomes `1 - α`.

    Returns:
        Per-example `½ (l(x) - (1-α))² + ½ l(G(z))²`.
    """
    _check_smoothing(label_smoothing)
    real_logits, fake_logits = _per_example(real_logits), _per_example(fake_logits)
    return 0.5 * tf.square(real_logits - (1.0 - label_smoothing)) + 0.5 * tf.square(fake_logits)


def least_squares_generator_loss(fake_logits):
    """Least-squares generator loss `½ (l(G(z)) - 1)²` per example (Mao et al. 2017)."""
    return 0.5 * tf.square(_per_example(fake_logits) - 1.0)


def wasserstein_critic_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Wasserstein critic loss `l(G(z)) - l(x)` per example, without the gradient penalty.

    Raises:
        ValueError: for `label_smoothing != 0` (the critic has no targets to smooth).
    """
    if label_smoothing:
        raise ValueError("label_smoothing does not apply to the Wasserstein loss; use 0.0.")
    return _per_example(fake_logits) - _per_example(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Wasserstein generator loss `-l(G(z))` per example."""
    return -_per_example(fake_logits)


def interpolate(real, fake, seed, rows=None):
    """Points `x̂ = ε x + (1 - ε) x̃` with one `ε ~ U[0, 1]` per example (Gulrajani et al.).

    Under a `tf.distribute` strategy each replica takes its rows of the global batch's
    draw (`zoo.random.replica_batch_noise`), so replicas get distinct `ε`.

    Args:
        real: Real batch `[batch, ...]`.
        fake: Generated batch of the same shape.
        seed: A `keras.random.SeedGenerator` or an integer, for the uniform draw.
        rows: Optional `zoo.random.replica_rows(batch)`, computed here by default.

    Returns:
        The interpolates, shape of `real`.
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(fake, real.dtype)
    ones = [1] * (real.shape.rank - 1)
    epsilon = replica_batch_noise(
        lambda n: keras.random.uniform([n, *ones], dtype=real.dtype, seed=seed),
        tf.shape(real)[0],
        rows,
    )
    return epsilon * real + (1.0 - epsilon) * fake


def gradient_penalty(critic, points, epsilon=1e-12):
    """Per-example two-sided gradient penalty `(‖∇ critic(x̂)‖₂ - 1)²`.

    The norm is `sqrt(Σ g² + epsilon)` (epsilon *inside* the square root), so its own
    gradient stays finite where the critic's input gradient is exactly zero.

    Args:
        critic: Callable mapping a batch to logits `[batch]` or `[batch, 1]`.
        points: Batch at which to take the input gradient (see `interpolate`).
        epsilon: Added under the square root.

    Returns:
        Per-example penalties `[batch]`.
    """
    points = tf.convert_to_tensor(points)
    with tf.GradientTape() as tape:
        tape.watch(points)
        logits = _per_example(critic(points))
    grads = tape.gradient(logits, points)
    axes = tf.range(1, tf.rank(grads))
    norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=axes) + epsilon)
    return tf.square(norm - 1.0)


@dataclasses.dataclass(frozen=True)
class GANLoss:
    """A discriminator loss and a generator loss that play one game.

    Attributes:
        name: Registry name.
        discriminator: `(real_logits, fake_logits, label_smoothing) -> [batch]`.
        generator: `fake_logits -> [batch]`.
        gradient_penalty: Whether the critic also pays `gradient_penalty`.
    """

    name: str
    discriminator: Callable
    generator: Callable
    gradient_penalty: bool = False


LOSSES = {
    loss.name: loss
    for loss in (
        GANLoss("minimax", minimax_discriminator_loss, minimax_generator_loss),
        GANLoss("non_saturating", minimax_discriminator_loss, non_saturating_generator_loss),
        GANLoss(
            "least_squares",
            least_squares_discriminator_loss,
            least_squares_generator_loss,
        ),
        GANLoss(
            "wasserstein_gp",
            wasserstein_critic_loss,
            wasserstein_generator_loss,
            gradient_penalty=True,
        ),
    )
}


def get_loss(name: str) -> GANLoss:
    """Look a `GANLoss` up by name.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if name not in LOSSES:
        raise ValueError(f"Unknown GAN loss {name!r}; expected one of {sorted(LOSSES)}.")
    return LOSSES[name]
