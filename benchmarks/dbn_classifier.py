"""Does DBN pretraining help a classifier? Fashion-MNIST, 1,000 vs 60,000 labels.

A `DBN` is pretrained greedily (each layer a `BernoulliRBM` fitted by `fit`) on all 60,000
statically binarized training images, without labels. `to_classifier(10)` then gives a
sigmoid MLP initialized from the stack, fine-tuned by backpropagation on the first
`num_labels` training images (a fixed random subset, seed 0). The baseline is the same
network from Keras' default random initialization, trained identically. Both report the
error on the 10,000 test images. Hinton, Osindero & Teh (2006) claim pretraining helps most
with few labels; this script reports whatever it measures.

With `--preset NAME` (e.g. `dbn_fashion_mnist`) the published DBN replaces the pretraining
run: this is how the preset card's `classifier_test_error` is measured (`--labels 60000`:
3 backprop epochs, Adam 1e-3, batch 100). Training the preset itself is `zoo train
dbn_fashion_mnist` (its recipe in `zoo.models.energy.recipes`).

Usage:
    python benchmarks/dbn_classifier.py --layers 784,256,256 --pretrain-epochs 2
    python benchmarks/dbn_classifier.py --preset dbn_fashion_mnist --labels 60000
"""

import argparse
import time

import keras
import numpy as np

import zoo
import zoo.data
from zoo.models import DBN


def load(split):
    images, labels = zoo.data.load_arrays("fashion_mnist", split)
    return zoo.data.binarize_static(zoo.data.to_unit_interval(images)).reshape(
        len(images), -1
    ), labels


def random_classifier(layer_sizes, num_classes, seed):
    layers = [keras.Input((layer_sizes[0],))]
    layers += [keras.layers.Dense(n, activation="sigmoid") for n in layer_sizes[1:]]
    layers.append(keras.layers.Dense(num_classes, activation="softmax"))
    keras.utils.set_random_seed(seed)
    return keras.Sequential(layers)


def test_error(classifier, x_train, y_train, x_test, y_test, epochs, batch_size):
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    classifier.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    return (
        1.0
        - classifier.evaluate(x_test, y_test, batch_size=1000, verbose=0, return_dict=True)[
            "accuracy"
        ]
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--layers", default="784,256,256", help="DBN layer sizes (the paper: 784,500,500,2000)"
    )
    parser.add_argument("--pretrain-epochs", type=int, default=2, help="epochs per RBM")
    parser.add_argument(
        "--preset", help="use this published DBN (zoo.load) instead of pretraining one"
    )
    parser.add_argument("--labels", default="1000,60000")
    parser.add_argument(
        "--small-epochs", type=int, default=60, help="backprop epochs with <= 1,000 labels"
    )
    parser.add_argument(
        "--large-epochs", type=int, default=3, help="backprop epochs with more labels"
    )
    args = parser.parse_args()
    x_train, y_train = load("train")
    x_test, y_test = load("test")
    keras.utils.set_random_seed(0)

    start = time.perf_counter()
    if args.preset:
        dbn = zoo.load(args.preset)
        layer_sizes = list(dbn.layer_sizes)
        source = f"the published {args.preset}"
    else:
        layer_sizes = [int(n) for n in args.layers.split(",")]
        dbn = DBN(layer_sizes, seed=0)
        dbn.pretrain(x_train, epochs=args.pretrain_epochs, batch_size=100, steps_per_execution=600)
        source = (
            f"greedy pretraining {args.pretrain_epochs} epoch(s) per layer on 60,000 unlabeled "
            f"images ({time.perf_counter() - start:.0f} s)"
        )

    order = np.random.default_rng(0).permutation(len(x_train))
    rows = []
    for num_labels in (int(n) for n in args.labels.split(",")):
        subset = order[:num_labels]
        epochs = args.small_epochs if num_labels <= 1000 else args.large_epochs
        batch_size = 50 if num_labels <= 1000 else 100
        errors = []
        for classifier in (dbn.to_classifier(10), random_classifier(layer_sizes, 10, seed=0)):
            errors.append(
                test_error(
                    classifier, x_train[subset], y_train[subset], x_test, y_test, epochs, batch_size
                )
            )
        rows.append((num_labels, epochs, *errors))

    print(
        f"\nFashion-MNIST (binarized), DBN {','.join(map(str, layer_sizes))}, {source}, then "
        "backprop (Adam 1e-3) on the labeled subset"
    )
    print("| labels | backprop epochs | test error, DBN-pretrained | test error, random init |")
    print("| --- | --- | --- | --- |")
    for num_labels, epochs, pretrained, random in rows:
        print(f"| {num_labels:,} | {epochs} | {pretrained:.2%} | {random:.2%} |")


if __name__ == "__main__":
    main()
