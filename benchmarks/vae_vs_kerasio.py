"""Conv VAE training speed: zoo's `VAE.conv` vs a faithful Keras 3 port of keras.io's `vae.py`.

Every contender is trained by `model.fit` (batch 128, Adam 1e-3) on the same `--steps`
batches of statically binarized Fashion-MNIST per round; the rounds of the contenders are
interleaved so that they share the machine's load, after one untimed round each (tracing).
Reported as ms per step (the round's wall time / steps); one 60,000-image epoch is 469
steps.

- keras.io port (2-d latent): `vae.KerasIOVAE`, the example's networks and `train_step`;
- zoo `VAE.conv`, 2-d latent: keras.io's latent size, the like-for-like comparison;
- zoo `VAE.conv`, 16-d latent: the default builder's latent.

Target (issue 15): zoo / keras.io ms per step <= 1.0 within noise. Both the ratio of the
medians and the per-round ratios (round i of each ran back to back) are recorded;
`met_within_noise` holds when the ratio of medians is <= 1 or 1 lies within the range of
the per-round ratios.

    python -m benchmarks run vae_vs_kerasio --steps 80 --rounds 5   # writes a JSON record
    python benchmarks/vae_vs_kerasio.py --steps 80 --rounds 5        # prints the tables only

Quality (ELBO, IWAE NLL) of the same models: `benchmarks/vae.py`; the step's parts:
`benchmarks/profiles/vae_step.py`.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from _timing import contender, forward_flops, interleaved_rounds, scaled, target
from vae import KerasIOVAE, keras_io_encoder_decoder

import zoo.data
from zoo.models import VAE

KERASIO, ZOO_Z2, ZOO_Z16 = (
    "keras.io vae.py port (2-d latent)",
    "zoo VAE.conv, 2-d latent",
    "zoo VAE.conv, 16-d latent (default builder)",
)
BUILDERS = {
    KERASIO: lambda: KerasIOVAE(*keras_io_encoder_decoder(latent_dim=2)),
    ZOO_Z2: lambda: VAE.conv((28, 28, 1), latent_dim=2, seed=0),
    ZOO_Z16: lambda: VAE.conv((28, 28, 1), latent_dim=16, seed=0),
}


def training_images(count, smoke):
    """`count` statically binarized Fashion-MNIST training images; random ones for a smoke run."""
    if smoke:
        rng = np.random.default_rng(0)
        return (rng.random((count, 28, 28, 1)) < 0.3).astype("float32")
    images = zoo.data.load_arrays("fashion_mnist", "train")[0][:count]
    return zoo.data.binarize_static(images).reshape(count, 28, 28, 1)


def run(smoke=False, steps=80, rounds=5, batch_size=128):
    """ms per `fit` step of the three contenders, interleaved rounds; the target ratios.

    Args:
        smoke: 2 steps of batch 16 on random images, 1 round, without the 16-d model.
        steps: Batches per round.
        rounds: Timed rounds (after one untimed round each).
        batch_size: Images per batch.
    """
    if smoke:
        steps, rounds, batch_size = 2, 1, 16
    x = training_images(steps * batch_size, smoke)
    names = [KERASIO, ZOO_Z2] if smoke else list(BUILDERS)  # the 16-d one: same code path
    models, fits = {}, {}
    for name in names:
        keras.utils.set_random_seed(0)
        models[name] = BUILDERS[name]()
        models[name].compile(optimizer=keras.optimizers.Adam(1e-3))
        fits[name] = lambda model=models[name]: model.fit(x, batch_size=batch_size, verbose=0)
    times = interleaved_rounds(fits, rounds)
    contenders = {}
    for name, model in models.items():
        per_step = scaled(times[name], 1e3 / steps)
        flops = 3 * (  # forward + backward (about twice the forward)
            forward_flops(model.encoder, batch_size) + forward_flops(model.decoder, batch_size)
        )
        contenders[name] = contender(
            per_step["wall"],
            per_step["cpu"],
            unit="ms/step",
            flops_per_step=flops,
            parameters=sum(int(np.prod(w.shape)) for w in model.trainable_weights),
        )
    theirs = contenders[KERASIO]["wall"]
    targets = []
    for name in names[1:]:
        paired = [
            ours / base
            for ours, base in zip(contenders[name]["wall"]["values"], theirs["values"], strict=True)
        ]
        ratio = contenders[name]["wall"]["median"] / theirs["median"]
        targets.append(
            target(
                f"{name} / keras.io ms per step (medians)",
                ratio,
                "<= 1.0",
                per_round_ratios=paired,
                met_within_noise=ratio <= 1.0 or min(paired) <= 1.0 <= max(paired),
                cpu_ratio=contenders[name]["cpu"]["median"] / contenders[KERASIO]["cpu"]["median"],
            )
        )
    data = "random binary images (smoke)" if smoke else "statically binarized Fashion-MNIST"
    return {
        "settings": {"steps": steps, "rounds": rounds, "batch_size": batch_size},
        "contenders": contenders,
        "targets": targets,
        "notes": [
            (
                f"`fit` on the same {steps} batches of {batch_size} ({data}) per round, Adam 1e-3, "
                f"{rounds} interleaved rounds after an untimed one; ms per step = round / steps."
            ),
            (
                "FLOPs per step: 3x the forward FLOPs of the encoder's and decoder's Dense, "
                "Conv2D and Conv2DTranspose layers (2 per multiply-add)."
            ),
        ],
    }


if __name__ == "__main__":
    from harness import script_main

    script_main(run)
