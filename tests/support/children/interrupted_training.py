"""Child process for the BackupAndRestore test: a training run that gets SIGKILLed mid-epoch.

python interrupted_training.py run CASE BACKUP_DIR RECORD.npz
    3 epochs of 8 batches, `BackupAndRestore(save_freq=3)`; right after the backup
    written at epoch 1, batch 3 the weights and optimizer steps are recorded, and at
    batch 4 the process kills itself with SIGKILL (no cleanup, like a preempted job).

python interrupted_training.py resume CASE BACKUP_DIR RECORD.npz
    A fresh process and model: the same `fit` call; records the weights and optimizer
    steps once `BackupAndRestore` has restored them, and the epochs that then ran.
"""

import os
import signal
import sys

import keras
import numpy as np
from support.serving_cases import CASES

EPOCHS, BATCHES, KILL_EPOCH, KILL_BATCH = 3, 8, 1, 4


def _optimizer_steps(model):
    optimizers = [getattr(model, a, None) for a in ("d_optimizer", "g_optimizer", "optimizer")]
    return [int(o.iterations.numpy()) for o in optimizers if o is not None and o.built]


class Record(keras.callbacks.Callback):
    def __init__(self, mode, path):
        super().__init__()
        self.mode, self.path, self.epochs = mode, path, []

    def _save(self, **extra):
        np.savez(
            self.path,
            steps=_optimizer_steps(self.model),
            epochs=self.epochs,
            **extra,
            **{f"w{i}": w for i, w in enumerate(self.model.get_weights())},
        )

    def on_train_begin(self, logs=None):  # runs after BackupAndRestore restored the state
        if self.mode == "resume":
            self._save()

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.mode == "run" and self._epoch == KILL_EPOCH and batch == KILL_BATCH - 1:
            self._save()  # the state BackupAndRestore just wrote (save_freq=3 hits here)
        if self.mode == "run" and self._epoch == KILL_EPOCH and batch == KILL_BATCH:
            os.kill(os.getpid(), signal.SIGKILL)

    def on_train_end(self, logs=None):
        if self.mode == "resume":
            with np.load(self.path) as restored:
                restored = dict(restored)
            restored["epochs"] = self.epochs
            np.savez(self.path, **restored)


def main(mode, name, backup_dir, record_path):
    case = CASES[name]
    keras.utils.set_random_seed(0)
    model = case.build()
    model.compile(**case.compile_kwargs())
    x = case.data()[: BATCHES * 4]
    model.fit(
        x,
        batch_size=4,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[
            keras.callbacks.BackupAndRestore(backup_dir, save_freq=3),
            Record(mode, record_path),
        ],
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
