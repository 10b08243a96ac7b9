"""Timing helpers shared by the benchmark scripts (run them as `python benchmarks/<name>.py`)."""

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Record the wall-clock seconds of every epoch of `fit` in `self.seconds`."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)
