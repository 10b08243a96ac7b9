"""DCGAN's synchronized batch norm: 2 replicas of MirroredStrategy train as one device."""

import json

import pytest
from support.child_processes import CHILDREN, run_child

from zoo.models import DCGAN


def test_synchronized_batch_norm_option_and_config():
    gan = DCGAN((8, 8, 1), latent_dim=4, filters=4, synchronized_batch_norm=True)
    batch_norms = [
        layer
        for network in (gan.generator, gan.discriminator)
        for layer in network.layers
        if "batch_normalization" in layer.name
    ]
    assert batch_norms and all(layer.synchronized for layer in batch_norms)
    assert DCGAN.from_config(gan.get_config()).synchronized_batch_norm
    with pytest.raises(ValueError, match="no batch normalization"):
        DCGAN((28, 28, 1), architecture="kerasio", synchronized_batch_norm=True)


def test_two_replicas_match_one_device_only_with_synchronized_batch_norm(tmp_path):
    out = tmp_path / "results.json"
    run_child([CHILDREN / "mirrored_dcgan_training.py", out], timeout=300)
    results = json.loads(out.read_text())
    for result in results.values():
        assert result["max_weight_change"] > 1e-3  # the epoch did train
    assert results["True"]["max_weight_difference"] < 1e-5
    # Per-replica statistics (Keras' default) normalize 8 examples instead of 16.
    assert results["False"]["max_weight_difference"] > 1e-4
