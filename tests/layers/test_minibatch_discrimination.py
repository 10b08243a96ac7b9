"""Minibatch discrimination (Salimans et al. 2016): its math, against brute force."""

import numpy as np

from zoo.layers.minibatch_discrimination import MinibatchDiscrimination


def test_minibatch_discrimination_matches_brute_force():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(5, 4)).astype("float32")
    layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    out = layer(features).numpy()
    m = (features @ layer.kernel.numpy()).reshape(5, 3, 2)
    want = np.array(
        [
            [sum(np.exp(-np.abs(m[i, b] - m[j, b]).sum()) for j in range(5)) for b in range(3)]
            for i in range(5)
        ]
    )
    np.testing.assert_allclose(out[:, :4], features)
    np.testing.assert_allclose(out[:, 4:], want, rtol=1e-5)


def test_minibatch_discrimination_sees_collapse_and_is_permutation_equivariant():
    layer = MinibatchDiscrimination(num_kernels=2, kernel_dim=3)
    collapsed = np.ones((6, 4), "float32")
    np.testing.assert_allclose(layer(collapsed).numpy()[:, 4:], 6.0)  # every pair identical
    x = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")
    perm = np.array([3, 0, 5, 1, 4, 2])
    np.testing.assert_allclose(layer(x[perm]).numpy(), layer(x).numpy()[perm], rtol=1e-5)
    restored = MinibatchDiscrimination.from_config(layer.get_config())
    assert restored.compute_output_shape((None, 4)) == (None, 6)
