"""Recipe of the autoencoder preset `dae_fashion_mnist`.

It belongs to the preset declared in `zoo.models.autoencoders.presets`, beside this module;
`zoo.recipes.get_recipe` imports this module on the first need of it.

Adam on grey levels in [0, 1], 30 % masking noise drawn fresh each batch by the model; the
card reports the test reconstruction cross-entropy of clean inputs (the model's
`evaluate`, which does not corrupt). Version 1 trained 5 epochs on all 60,000 images;
version 2 holds out the last 5,000 and trains until their clean reconstruction loss
(`val_loss`) stops improving, or for half an hour, keeping the best epoch.
"""

import keras

from zoo.recipes.recipe import UNIT_INTERVAL, EvalContext, Metric, Recipe, register_recipe


def _reconstruction(model, context: EvalContext):
    model.compile(optimizer="adam")
    return model.evaluate(context.inputs(), batch_size=500, verbose=0, return_dict=True)[
        "reconstruction_loss"
    ]


register_recipe(
    Recipe(
        preset="dae_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=UNIT_INTERVAL,
        optimizer=lambda: keras.optimizers.Adam(1e-3),
        optimizer_description="Adam(1e-3), cross-entropy against the clean input",
        batch_size=128,
        epochs=200,
        validation_images=5000,
        patience=5,
        budget_hours=0.5,
        steps_per_execution=10,
        metrics={
            "test_reconstruction_cross_entropy": Metric(
                protocol="sum over the 784 pixels of the sigmoid cross-entropy between a clean "
                "test image (grey levels in [0, 1]) and its reconstruction, mean over the "
                "10,000 test images, nats (includes the data's own entropy; lower is better)",
                compute=_reconstruction,
                tolerance=0.1,
            )
        },
    )
)
