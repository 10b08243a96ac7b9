"""Train the `classifier_fashion_mnist` preset (the FD-FMNIST feature extractor).

    python benchmarks/train_classifier_fashion_mnist.py --epochs 3 [--publish]

Prints the test accuracy as a markdown table; with `--publish`, writes the preset with
`zoo.hub.publish_preset` (model card with the accuracy and this command).
"""

import argparse
import time

import keras
import numpy as np

import zoo
import zoo.data
from zoo.models.classifier import ImageClassifier


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--publish", action="store_true")
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    train_x, train_y = zoo.data.load_arrays("fashion_mnist", "train")
    test_x, test_y = zoo.data.load_arrays("fashion_mnist", "test")
    train_x, test_x = (
        zoo.data.to_unit_interval(train_x),
        zoo.data.to_unit_interval(test_x),
    )
    config = zoo.info("classifier_fashion_mnist")["config"]
    model = ImageClassifier(**config)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=20)
    start = time.time()
    model.fit(train_x, train_y, batch_size=args.batch_size, epochs=args.epochs, verbose=2)
    seconds = time.time() - start
    _, accuracy = model.evaluate(test_x, test_y, batch_size=500, verbose=0)
    print("| preset | epochs | test accuracy | train time (s) |")
    print("| --- | --- | --- | --- |")
    print(f"| classifier_fashion_mnist | {args.epochs} | {accuracy:.4f} | {seconds:.0f} |")
    if args.publish:
        from zoo.hub import publish_preset

        card = {
            "description": "Small CNN classifier, feature extractor of FD-FMNIST / KID-FMNIST.",
            "dataset": "Fashion-MNIST train (60,000); evaluated on test (10,000)",
            "training": {
                "command": "python benchmarks/train_classifier_fashion_mnist.py "
                f"--epochs {args.epochs} --publish",
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "optimizer": "Adam(1e-3)",
                "wall_time_s": round(seconds),
                "machine": "2 shared CPU cores",
            },
            "metrics": {
                "test_accuracy": {
                    "value": float(accuracy),
                    "protocol": "Fashion-MNIST test split, 10,000 images, top-1",
                }
            },
        }
        print(publish_preset(model, "classifier_fashion_mnist", config, card))


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
