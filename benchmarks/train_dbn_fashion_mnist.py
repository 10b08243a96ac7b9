"""Train the `dbn_fashion_mnist` preset (784-500-500-2000), optionally publish it.

Greedy layer-wise pretraining on the 60,000 statically binarized Fashion-MNIST training
images (each layer a `BernoulliRBM`, CD-1, SGD 0.1 with momentum 0.5, weight decay 2e-4,
batch 100), then up-down fine-tuning (SGD 0.01). Reported: the test reconstruction error
of the up-down model (bottom-up recognition probabilities, top-down generative mean), and,
as a check of the features, the test error of `to_classifier(10)` after backpropagation
on the 60,000 labels (Adam 1e-3, batch 100); the published weights are the generative
DBN, not the classifier.

Usage:
    python benchmarks/train_dbn_fashion_mnist.py --pretrain-epochs 2 --up-down-epochs 1 [--publish]
"""

import argparse
import time

import keras

import zoo
import zoo.data
from zoo._registry import get_preset


def load(split):
    images, labels = zoo.data.load_arrays("fashion_mnist", split)
    return zoo.data.binarize_static(zoo.data.to_unit_interval(images)).reshape(
        len(images), -1
    ), labels


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pretrain-epochs", type=int, default=2)
    parser.add_argument("--up-down-epochs", type=int, default=1)
    parser.add_argument("--classifier-epochs", type=int, default=3)
    parser.add_argument(
        "--publish", action="store_true", help="write zoo_weights/ and zoo/published.json"
    )
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load("train"), load("test")

    config = get_preset("dbn_fashion_mnist").config
    dbn = zoo.load("dbn_fashion_mnist", pretrained=False, seed=0)
    start = time.perf_counter()
    dbn.pretrain(x_train, epochs=args.pretrain_epochs, batch_size=100, steps_per_execution=600)
    pretrain_seconds = time.perf_counter() - start
    dbn.compile(steps_per_execution=600)
    start = time.perf_counter()
    if args.up_down_epochs:
        dbn.fine_tune(x_train, epochs=args.up_down_epochs, batch_size=100, verbose=2)
    up_down_seconds = time.perf_counter() - start
    test_logs = dbn.evaluate(x_test, batch_size=1000, verbose=0, return_dict=True)

    classifier = dbn.to_classifier(10)
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    classifier.fit(x_train, y_train, epochs=args.classifier_epochs, batch_size=100, verbose=0)
    error = (
        1.0
        - classifier.evaluate(x_test, y_test, batch_size=1000, verbose=0, return_dict=True)[
            "accuracy"
        ]
    )

    print(
        f"\ndbn_fashion_mnist: pretraining {args.pretrain_epochs} epoch(s) per layer ({pretrain_seconds:.0f} s), "
        f"up-down {args.up_down_epochs} epoch(s) ({up_down_seconds:.0f} s)"
    )
    print("| quantity | value |")
    print("| --- | --- |")
    print(
        f"| test reconstruction error (mean squared, per pixel) | {test_logs['reconstruction_error']:.4f} |"
    )
    print(
        f"| test error of to_classifier(10), {args.classifier_epochs} backprop epochs, 60,000 labels | {error:.2%} |"
    )

    if args.publish:
        from zoo._hub import publish_preset

        record = publish_preset(
            dbn,
            "dbn_fashion_mnist",
            config,
            {
                "description": "DBN 784-500-500-2000: greedy RBM pretraining + up-down fine-tuning",
                "dataset": "Fashion-MNIST train (60,000), statically binarized at 0.5",
                "paper": get_preset("dbn_fashion_mnist").paper,
                "training": {
                    "command": (
                        f"python benchmarks/train_dbn_fashion_mnist.py --pretrain-epochs "
                        f"{args.pretrain_epochs} --up-down-epochs {args.up_down_epochs} --publish"
                    ),
                    "pretraining": f"{args.pretrain_epochs} epochs per layer, CD-1, SGD(0.1, momentum 0.5), batch 100",
                    "up_down": f"{args.up_down_epochs} epoch(s), SGD(0.01), batch 100",
                    "wall_time_seconds": round(pretrain_seconds + up_down_seconds),
                    "machine": "2 shared CPU cores",
                },
                "metrics": {
                    "test_reconstruction_error": {
                        "value": round(float(test_logs["reconstruction_error"]), 5),
                        "protocol": "mean squared error per pixel between the 10,000 binarized test images "
                        "and the generative mean given the first hidden layer's recognition probabilities",
                    },
                    "classifier_test_error": {
                        "value": round(float(error), 4),
                        "protocol": f"to_classifier(10) fine-tuned {args.classifier_epochs} epochs by backprop "
                        "(Adam 1e-3, batch 100) on the 60,000 training labels; error on the 10,000 test images",
                    },
                },
            },
        )
        print("published", record["version"])


if __name__ == "__main__":
    main()
