"""Recipes of the energy-based presets: `rbm_fashion_mnist`, `dbn_fashion_mnist`.

The RBM is trained by PCD with the model's default optimizer (SGD 0.1, momentum 0.5, as in
Hinton's practical guide), visible biases started at the data's log-odds
(`BernoulliRBM.init_visible_bias`); its card reports the test NLL with log Z estimated by
AIS (`log_partition(method="ais")`, Salakhutdinov & Murray 2008) and FD-FMNIST of Gibbs
samples. The DBN is pretrained greedily (`DBN.pretrain`) and fine-tuned by the up-down
algorithm (`DBN.fine_tune`); the DBN has no `log_prob` yet, so its card reports FD-FMNIST.
"""

import numpy as np

from zoo.recipes import metrics
from zoo.recipes.recipe import STATIC_BINARY_FLAT, EvalContext, Metric, Recipe, register_recipe

AIS_CHAINS = 100
AIS_SEED = 0
RBM_BURN_IN = 1000
DBN_BURN_IN = 200


def flat_to_images(samples):
    """Flattened 784-vectors in [0, 1] -> images `[n, 28, 28, 1]`."""
    return np.reshape(samples, [-1, 28, 28, 1]).astype(np.float32)


def _fit_rbm(model, x, recipe, epochs, verbose, callbacks):
    model.init_visible_bias(x)
    model.compile(steps_per_execution=recipe.steps_per_execution)
    model.fit(
        x,
        batch_size=recipe.batch_size,
        epochs=epochs,
        shuffle=True,
        verbose=verbose,
        callbacks=callbacks,
    )


def _ais_nll(model, context: EvalContext):
    train = context.recipe.training_data(context.data_dir)
    model.log_partition(method="ais", num_chains=AIS_CHAINS, seed=AIS_SEED, data=train)
    return -metrics.mean_over_batches(model.log_prob, context.inputs(), 1000)


register_recipe(
    Recipe(
        preset="rbm_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=STATIC_BINARY_FLAT,
        optimizer=None,
        optimizer_description="the model's default: SGD(learning_rate=0.1, momentum=0.5), "
        "weight decay 2e-4; PCD-1 with 100 persistent chains",
        batch_size=100,
        epochs=10,
        steps_per_execution=100,
        fit=_fit_rbm,
        to_images=flat_to_images,
        metrics={
            "test_nll": Metric(
                protocol="negative log-likelihood in nats per image on the 10,000 "
                "statically binarized test images: -F(v) - log Z with log Z from AIS "
                f"(log_partition(method='ais'), {AIS_CHAINS} chains, 14,500 betas, seed "
                f"{AIS_SEED}, base-rate start model from the training data); lower is better",
                compute=_ais_nll,
                tolerance=1.0,
            ),
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0, burn_in=RBM_BURN_IN),
            "sampling_seconds_64": metrics.sampling_seconds(burn_in=RBM_BURN_IN),
        },
    )
)


def _fit_dbn(model, x, recipe, epochs, verbose, callbacks):
    model.pretrain(
        x,
        epochs=epochs,
        batch_size=recipe.batch_size,
        steps_per_execution=recipe.steps_per_execution,
        verbose=verbose,
        callbacks=callbacks,
    )
    model.fine_tune(x, epochs=1, batch_size=recipe.batch_size, verbose=verbose, callbacks=callbacks)


register_recipe(
    Recipe(
        preset="dbn_fashion_mnist",
        dataset="fashion_mnist",
        preprocessing=STATIC_BINARY_FLAT,
        optimizer=None,
        optimizer_description="pretraining: each RBM's default SGD(0.1, momentum=0.5), CD-1; "
        "fine-tuning: up-down algorithm with the DBN's default SGD(0.01), 1 epoch",
        batch_size=100,
        epochs=2,
        steps_per_execution=100,
        fit=_fit_dbn,
        to_images=flat_to_images,
        notes="epochs = greedy pretraining epochs per layer; then 1 epoch of up-down "
        "fine-tuning. DBN.log_prob is not implemented, so no likelihood is reported.",
        metrics={
            "fd_fmnist": metrics.fd_fmnist(tolerance=2.0, burn_in=DBN_BURN_IN),
            "sampling_seconds_64": metrics.sampling_seconds(burn_in=RBM_BURN_IN),
        },
    )
)
