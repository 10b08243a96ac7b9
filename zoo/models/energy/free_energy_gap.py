"""Overfitting monitor for energy models: the free-energy gap between held-out and training data."""

import keras
import numpy as np


class FreeEnergyGap(keras.callbacks.Callback):
    """Log mean F(validation) - mean F(training subset) at the end of every epoch.

    Hinton's practical guide (Sec. 6) compares the average free energy of a fixed set of
    training examples with that of held-out examples: the log Z terms cancel, so the gap
    is the log-likelihood ratio of the two sets, and a gap that keeps growing means the
    model is overfitting. The value is added to the epoch logs (and so to the `History`)
    as `free_energy_gap`.

    Args:
        training_subset: A fixed sample of the training data (same size as the held-out set
            is best), numpy `[N, *data_shape]`.
        validation_data: Held-out data, numpy `[M, *data_shape]`.
        batch_size: Batch size for the free-energy evaluation.

    Example:
        >>> gap = FreeEnergyGap(x_train[:1000], x_valid[:1000])
        >>> history = rbm.fit(x_train, epochs=20, callbacks=[gap])
        >>> history.history["free_energy_gap"]

    #### References
    Hinton, G. E. (2010). A practical guide to training restricted Boltzmann machines.
    UTML TR 2010-003.
    """

    def __init__(self, training_subset, validation_data, batch_size=1000):
        super().__init__()
        self.training_subset = training_subset
        self.validation_data = validation_data
        self.batch_size = int(batch_size)

    def _mean_free_energy(self, x):
        return float(
            np.mean(
                np.concatenate(
                    [
                        np.asarray(self.model.free_energy(x[i : i + self.batch_size]))
                        for i in range(0, len(x), self.batch_size)
                    ]
                )
            )
        )

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["free_energy_gap"] = self._mean_free_energy(
                self.validation_data
            ) - self._mean_free_energy(self.training_subset)
