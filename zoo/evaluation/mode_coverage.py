"""Mode coverage of samples from a 2-D Gaussian mixture (ring of 8, 5×5 grid).

The protocol of the mode-collapse literature (Metz et al. 2017; Srivastava et al. 2017):
draw 2,500 samples; a sample is *high quality* when it lies within 3 standard deviations
of its nearest mixture center; a mode is *covered* when at least one high-quality sample
is nearest to it.

#### References
- Metz, Poole, Pfau, Sohl-Dickstein, 2017. Unrolled Generative Adversarial Networks.
- Srivastava, Valkov, Russell, Gutmann, Sutton, 2017. VEEGAN: Reducing Mode Collapse in
  GANs using Implicit Variational Learning.
"""

import numpy as np

NUM_SAMPLES = 2500
NUM_STD = 3.0


def mode_coverage(samples, mixture, num_std=NUM_STD):
    """Modes covered and the fraction of high-quality samples.

    Args:
        samples: `[n, 2]` points (the protocol uses n = 2,500).
        mixture: A `zoo.data.toy.GaussianMixture2D` (`centers`, `std`), e.g.
            `zoo.data.toy.ring_mixture()`.
        num_std: A sample within `num_std * std` (Euclidean) of its nearest center is
            high quality.

    Returns:
        `{"modes_covered", "num_modes", "high_quality_fraction", "protocol"}`.

    Raises:
        ValueError: if `samples` is not `[n, 2]`.

    #### Examples

    ```python
    ring = zoo.data.toy.ring_mixture()
    mode_coverage(ring.sample(2500, seed=0), ring)["modes_covered"]
    # ==> 8
    ```
    """
    samples = np.asarray(samples, np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2 or len(samples) == 0:
        raise ValueError(f"samples must have shape (n, 2); got {samples.shape}.")
    centers = np.asarray(mixture.centers, np.float64)
    distances = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest = distances.argmin(axis=1)
    high_quality = distances.min(axis=1) <= num_std * mixture.std
    covered = np.unique(nearest[high_quality])
    return {
        "modes_covered": len(covered),
        "num_modes": len(centers),
        "high_quality_fraction": float(high_quality.mean()),
        "protocol": {
            "num_samples": len(samples),
            "high_quality_radius": f"{num_std} std of the nearest center",
            "std": float(mixture.std),
        },
    }
