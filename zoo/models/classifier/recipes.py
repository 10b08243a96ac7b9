"""Recipe of `classifier_fashion_mnist`, the FD-FMNIST feature extractor.

It belongs to the preset declared in `zoo.models.classifier.presets`, beside this module;
`zoo.recipes.get_recipe` imports this module on the first need of it.

The same settings as `benchmarks/train_classifier_fashion_mnist.py`, which published it.
"""

import keras

from zoo.recipes.recipe import UNIT_INTERVAL, EvalContext, Metric, Recipe, register_recipe


def _accuracy(model, context: EvalContext):
    model.compile(optimizer="adam")
    return model.evaluate(
        context.inputs(), context.labels(), batch_size=500, verbose=0, return_dict=True
    )["accuracy"]


register_recipe(
    Recipe(
        preset="classifier_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=UNIT_INTERVAL,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        optimizer_description="Adam(1e-3), sparse categorical cross-entropy",
        batch_size=128,
        epochs=3,
        steps_per_execution=20,
        with_labels=True,
        metrics={
            "test_accuracy": Metric(
                protocol="Fashion-MNIST test split, 10,000 images, top-1",
                compute=_accuracy,
                tolerance=0.002,
            )
        },
    )
)
