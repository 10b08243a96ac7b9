"""Keras callbacks for training generative models.

Sample grids, a NaN guard, a likelihood monitor, a sample-quality monitor, and a
resumable stop on a validation plateau or a time budget.

All five work with plain `model.fit(..., callbacks=[...])`. Under a multi-worker
strategy only the chief writes files, while every worker computes what it logs, so the
workers stay in step.
"""

import importlib.util
import json
import math
import pathlib
import time

import keras
import numpy as np
import tensorflow as tf

from zoo.models.contract import data_shape_of, supports
from zoo.plotting import image_grid, save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Save a grid of `model.sample(...)` images every few epochs, as PNG and in TensorBoard.

    The same `seed` is used at every epoch, so the grids show how the same draws evolve.

    Args:
        directory: Folder for `epoch_{epoch:04d}.png` files (epochs counted from 1); None
            writes no PNG.
        log_dir: TensorBoard log folder; a `samples` image summary is written there at each
            step (the epoch number). None writes no summary.
        num_samples: Images per grid.
        seed: Integer seed passed to `model.sample`.
        every: Write every `every` epochs (and after the last one).
        image_shape: Shape `(h, w)` or `(h, w, c)` to reshape each sample to. Default: the
            model's `data_shape` when it is an image shape, or a square for flat vectors
            of a perfect-square length (784 -> 28 x 28).
        value_range: `(low, high)` of the sample values, mapped to `[0, 1]`; use
            `(-1, 1)` for tanh generators. Values outside it raise `ValueError`.
        scale: Integer upscaling of the PNG.

    Raises:
        ValueError: if neither `directory` nor `log_dir` is given, or (when training
            starts) samples cannot be shown as images.
        ImportError: for `log_dir` without the `tensorboard` package.

    #### Examples

    ```python
    model.fit(x, epochs=10, callbacks=[zoo.callbacks.SampleGrid("samples/", log_dir="logs/")])
    ```
    """

    def __init__(
        self,
        directory=None,
        log_dir=None,
        num_samples=64,
        seed=0,
        every=1,
        image_shape=None,
        value_range=(0.0, 1.0),
        scale=1,
    ):
        super().__init__()
        if directory is None and log_dir is None:
            raise ValueError("SampleGrid needs a `directory` for PNGs, a `log_dir`, or both.")
        if log_dir is not None and importlib.util.find_spec("tensorboard") is None:
            raise ImportError(
                "SampleGrid(log_dir=...) writes image summaries: pip install tensorboard."
            )
        self.directory = None if directory is None else pathlib.Path(directory)
        self.log_dir = log_dir
        self.num_samples, self.seed, self.every = num_samples, seed, every
        self.image_shape, self.value_range, self.scale = image_shape, value_range, scale
        self._writer = None
        self.written = []

    def on_train_begin(self, logs=None):
        if self.image_shape is None:
            self.image_shape = _image_shape(data_shape_of(self.model))
        if self.log_dir is not None and _is_chief(self.model):
            self._writer = tf.summary.create_file_writer(str(self.log_dir))

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs")
        if (epoch + 1) % self.every and epoch + 1 != last:
            return
        images = self.sample_images()
        if not _is_chief(self.model):
            return
        if self.directory is not None:
            path = self.directory / f"epoch_{epoch + 1:04d}.png"
            self.written.append(save_image_grid(images, path, scale=self.scale))
        if self._writer is not None:
            grid = image_grid(images)
            grid = grid[..., None] if grid.ndim == 2 else grid
            with self._writer.as_default():
                tf.summary.image("samples", grid[None], step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def sample_images(self):
        """Draw the grid's samples as images in [0, 1], shape `[n, h, w, c]`."""
        samples = np.asarray(self.model.sample(self.num_samples, seed=self.seed), np.float32)
        low, high = self.value_range
        if samples.min() < low or samples.max() > high:
            raise ValueError(
                f"samples lie in [{samples.min()}, {samples.max()}], outside value_range "
                f"({low}, {high}); pass the range the model produces."
            )
        images = (samples - low) / (high - low)
        return images.reshape([len(images), *self.image_shape])


class NaNGuard(keras.callbacks.Callback):
    """Stop training at the first non-finite logged value and restore the last finite weights.

    `keras.callbacks.TerminateOnNaN` watches only `loss`; GANs log `d_loss` and `g_loss`,
    and one diverging player can poison the other's weights within a step. `NaNGuard`
    checks every monitored value after each batch; on a NaN or Inf it sets
    `model.stop_training`, so `fit` returns normally (`on_train_end` runs, checkpoints and
    logs are closed), and puts back the weights saved at the last epoch end where
    everything was finite (optimizer state is left as is: recompile before training on).

    Args:
        monitor: Names of the logged values to check; None checks every logged number.
        restore_weights: Put back the weights of the last finite epoch end.

    Attributes:
        stopped: None, or `(epoch, batch, {name: value})` of the first non-finite values.

    #### Examples

    ```python
    gan.fit(x, epochs=50, callbacks=[zoo.callbacks.NaNGuard()])
    ```
    """

    def __init__(self, monitor=None, restore_weights=True):
        super().__init__()
        self.monitor = None if monitor is None else tuple(monitor)
        self.restore_weights = restore_weights
        self.stopped = None
        self._epoch = 0
        self._good_weights = None

    def on_train_begin(self, logs=None):
        self.stopped = None
        self._remember_weights()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = self._non_finite(logs)
        if not bad or self.stopped:
            return
        self.stopped = (self._epoch, batch, bad)
        self.model.stop_training = True
        if self.restore_weights and self._good_weights is not None:
            self.model.set_weights(self._good_weights)
        message = ", ".join(f"{k}={v}" for k, v in bad.items())
        restored = " Restored the weights of the last finite epoch." if self.restore_weights else ""
        print(f"NaNGuard: {message} at epoch {self._epoch + 1}, batch {batch}; stopping.{restored}")

    def on_epoch_end(self, epoch, logs=None):
        if not self.stopped and not self._non_finite(logs):
            self._remember_weights()

    def _remember_weights(self):
        if not self.restore_weights:
            return
        # Only trainable weights decide: non-trainable state may be NaN by design (an
        # energy model's log Z cache is NaN until its log partition is computed).
        if all(np.all(np.isfinite(w.numpy())) for w in self.model.trainable_weights):
            self._good_weights = self.model.get_weights()

    def _non_finite(self, logs):
        logs = logs or {}
        names = self.monitor if self.monitor is not None else logs
        bad = {}
        for name in names:
            value = logs.get(name)
            if value is None:
                continue
            value = np.asarray(value)
            if value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
                bad[name] = float(value) if value.ndim == 0 else value.tolist()
        return bad


_MEASURE_METHODS = {"nll": "log_prob", "free_energy_gap": "free_energy"}


class LikelihoodMonitor(keras.callbacks.Callback):
    """Log a held-out likelihood measure at the end of every few epochs.

    Two measures, as the model's math allows:

    - `"nll"`: mean negative `model.log_prob(x)` over `validation_data`, in nats per
      example, logged as `val_nll` (explicit-likelihood models: NADE, MADE, PixelCNN, VAE
      bound, RBM with a known log Z).
    - `"free_energy_gap"`: mean free energy of `validation_data` minus that of
      `training_data` (a fixed subset of the training set, best of the same size),
      logged as `free_energy_gap`. Log Z cancels,
      so it costs two forward passes; a growing gap means the RBM is overfitting
      (Hinton, 2010, section 6).

    The value is added to the epoch `logs` and therefore to `History`, `EarlyStopping`
    and `ModelCheckpoint` placed after this callback.

    Args:
        validation_data: Held-out examples: array `[n, *data_shape]` or a `tf.data.Dataset`
            of examples or `(x, y)` pairs, batched or not (told apart by the rank of the
            model's `data_shape`).
        measure: `"nll"` or `"free_energy_gap"`.
        training_data: A fixed subset of the training examples, for `"free_energy_gap"`.
        batch_size: Batch size for arrays and unbatched datasets.
        every: Compute every `every` epochs.
        log_prob_kwargs: Keyword arguments for `model.log_prob` (e.g. the number of
            importance samples of a VAE; pass a fixed `seed` to make the curve smooth).
        log_partition_kwargs: For energy models whose `log_prob` needs a current log Z
            (an RBM after a training step): keyword arguments of `model.log_partition`,
            called before each `"nll"` measurement (e.g. `method="ais"`, `num_chains`,
            `betas`, `seed`, `data`). None: `log_prob` is called as it is.

    Raises:
        ValueError: for an unknown measure or a missing `training_data`.
        TypeError: when training starts, for a model that does not offer the method the
            measure needs (`zoo.models.contract.supports`: a zoo model declares it in its
            `contract_methods`).

    #### Examples

    ```python
    nade.fit(x_train, epochs=20, callbacks=[zoo.callbacks.LikelihoodMonitor(x_valid)])
    gap = zoo.callbacks.LikelihoodMonitor(
        x_valid, "free_energy_gap", training_data=x_train[:1000]
    )
    rbm.fit(x_train, epochs=20, callbacks=[gap])
    ```

    #### References
    Hinton, 2010, "A Practical Guide to Training Restricted Boltzmann Machines".
    """

    def __init__(
        self,
        validation_data,
        measure="nll",
        training_data=None,
        batch_size=256,
        every=1,
        log_prob_kwargs=None,
        log_partition_kwargs=None,
    ):
        super().__init__()
        if measure not in _MEASURE_METHODS:
            raise ValueError(f"measure must be one of {sorted(_MEASURE_METHODS)}; got {measure!r}.")
        if measure == "free_energy_gap" and training_data is None:
            raise ValueError("measure='free_energy_gap' needs `training_data` to compare with.")
        self.measure, self.every = measure, every
        self.log_prob_kwargs = dict(log_prob_kwargs or {})
        self.log_partition_kwargs = log_partition_kwargs
        self.batch_size = batch_size
        self.validation_data, self.training_data = validation_data, training_data
        self.log_name = "val_nll" if measure == "nll" else "free_energy_gap"

    def on_train_begin(self, logs=None):
        method = _MEASURE_METHODS[self.measure]
        if not supports(self.model, method):
            raise TypeError(
                f"{type(self.model).__name__} has no `{method}` (see its contract_methods), "
                f"needed for measure={self.measure!r}."
            )
        rank = len(data_shape_of(self.model) or ()) or None
        self._validation = _batched(self.validation_data, self.batch_size, rank)
        if self.training_data is not None:
            self._training = _batched(self.training_data, self.batch_size, rank)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every and epoch + 1 != self.params.get("epochs"):
            return
        if logs is not None:
            logs[self.log_name] = self.compute()

    def compute(self):
        """The measure for the current weights, as a Python float."""
        if self.measure == "nll":
            if self.log_partition_kwargs is not None:
                self.model.log_partition(**self.log_partition_kwargs)

            def log_prob(x):
                return self.model.log_prob(x, **self.log_prob_kwargs)

            return -_mean_over(self._validation, log_prob)
        return _mean_over(self._validation, self.model.free_energy) - _mean_over(
            self._training, self.model.free_energy
        )


class SampleQualityMonitor(keras.callbacks.Callback):
    """Log the Fréchet distance of the model's samples to held-out images every few epochs.

    The validation metric of a sampler without a likelihood (a GAN): at the end of an
    epoch, `num_samples` samples are drawn with a fixed seed, mapped to images in [0, 1]
    by `to_images`, and compared with `reference_images` by the Fréchet distance of
    `feature_model`'s features (`zoo.evaluation.frechet_distance`; the reference features
    are computed once). The value is logged as `val_fd`, for `PlateauStopping(
    monitor="val_fd")` or `History` placed after this callback.

    Args:
        reference_images: Held-out real images in [0, 1], `[n, h, w, c]`.
        num_samples: Samples drawn per measurement.
        to_images: `samples -> images in [0, 1]` (e.g. `(s + 1) / 2` for a tanh
            generator); None: the samples are images already.
        feature_model: Images -> features; default
            `zoo.evaluation.fashion_mnist_features()` (the FD-FMNIST extractor).
        seed: Sampling seed, the same every epoch so the curve follows the weights only.
        batch_size: Samples per `sample` call and images per feature batch.
        every: Measure every `every` epochs (and at the last epoch).

    Raises:
        TypeError: when training starts, for a model without `sample`
            (`zoo.models.contract.supports`).

    #### Examples

    ```python
    monitor = zoo.callbacks.SampleQualityMonitor(
        x_valid_01, to_images=lambda s: (s + 1) / 2
    )
    stop = zoo.callbacks.PlateauStopping("run", monitor="val_fd", patience=8)
    gan.fit(x_train, epochs=100, callbacks=[monitor, stop])
    ```

    #### References
    Heusel et al. (2017). GANs Trained by a Two Time-Scale Update Rule Converge to a
    Local Nash Equilibrium. NeurIPS (the Fréchet distance of features).
    """

    def __init__(
        self,
        reference_images,
        num_samples=2000,
        to_images=None,
        feature_model=None,
        seed=0,
        batch_size=500,
        every=1,
    ):
        super().__init__()
        self.reference_images = np.asarray(reference_images, np.float32)
        self.num_samples, self.to_images = int(num_samples), to_images
        self.feature_model, self.seed = feature_model, seed
        self.batch_size, self.every = int(batch_size), int(every)
        self._reference_features = None

    def on_train_begin(self, logs=None):
        if not supports(self.model, "sample"):
            raise TypeError(
                f"{type(self.model).__name__} has no `sample` (see its contract_methods) "
                "to monitor."
            )
        from zoo.evaluation import sample_quality

        if self.feature_model is None:
            self.feature_model = sample_quality.fashion_mnist_features()
        self._reference_features = sample_quality.extract_features(
            self.feature_model, self.reference_images, self.batch_size
        )

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every and epoch + 1 != self.params.get("epochs"):
            return
        if logs is not None:
            logs["val_fd"] = self.compute()

    def compute(self):
        """The Fréchet distance of the current model's samples, as a Python float."""
        from zoo.evaluation import sample_quality

        images = sample_quality.draw_images(
            self.model, self.num_samples, self.seed, self.batch_size, self.to_images
        )
        features = sample_quality.extract_features(self.feature_model, images, self.batch_size)
        return sample_quality.frechet_distance(self._reference_features, features)


class PlateauStopping(keras.callbacks.Callback):
    """Stop when a validation metric has stopped improving or a time budget is spent; keep the best.

    At the end of every epoch the monitored value (e.g. `val_loss`, or `val_nll` from a
    `LikelihoodMonitor` placed before this callback) is compared with the best so far:
    an improvement saves the weights to `<directory>/best.weights.h5`; `patience` epochs
    in a row without one stop training, and so does the budget: training stops before an
    epoch that would end past `max_seconds` of training in all, estimating its length by
    the epoch just finished. When training ends the best weights are loaded back into the
    model.

    Everything this callback knows (the per-epoch logs with their wall time, the best
    value and epoch, the epochs waited, the training seconds spent, why it stopped) is
    written to `<directory>/plateau.json` after every epoch and read back when training
    begins, so a run interrupted and resumed with `keras.callbacks.BackupAndRestore`
    (which restores the model, the optimizer and the epoch) continues the same patience
    count and the same budget. Use a fresh directory for a fresh run.

    Args:
        directory: Folder for `plateau.json` and `best.weights.h5`.
        monitor: Name of the epoch log to watch.
        mode: `"min"` (lower is better) or `"max"`.
        patience: Epochs without improvement before stopping; None never stops for this.
        min_delta: Smallest change that counts as an improvement.
        max_seconds: Budget of training wall time (summed over resumed runs), checked at
            the end of each epoch: training stops when one more epoch as long as the last
            would exceed it; None: no budget.
        every: The monitored value is logged every `every` epochs (and at the last), as a
            costly monitor such as `LikelihoodMonitor(every=...)` logs it; the epochs
            between are recorded and checked against the budget only. Patience still
            counts epochs since the best one.

    Attributes:
        state: The dict saved as `plateau.json`: `history` (list of per-epoch logs, each
            with `epoch`, counted from 1, and `seconds`, cumulative), `best`, `best_epoch`,
            `wait`, `seconds`, `stopped_because` (`"patience"`, `"budget"`, `"epochs"` or
            None while training).

    Raises:
        ValueError: for an unknown `mode`; at an epoch end that should be measured, when
            the logs lack `monitor`.

    #### Examples

    ```python
    callbacks = [
        keras.callbacks.BackupAndRestore("run/backup"),
        zoo.callbacks.PlateauStopping("run", patience=10, max_seconds=2 * 3600),
    ]
    model.fit(x_train, validation_data=x_valid, epochs=1000, callbacks=callbacks)
    ```
    """

    STATE_FILE = "plateau.json"
    BEST_WEIGHTS_FILE = "best.weights.h5"

    def __init__(
        self,
        directory,
        monitor="val_loss",
        mode="min",
        patience=None,
        min_delta=0.0,
        max_seconds=None,
        every=1,
    ):
        super().__init__()
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max'; got {mode!r}.")
        self.directory = pathlib.Path(directory)
        self.monitor, self.mode, self.patience = monitor, mode, patience
        self.min_delta, self.max_seconds = float(min_delta), max_seconds
        self.every = int(every)
        self.state = self.read_state(self.directory) or self._fresh_state()

    @classmethod
    def read_state(cls, directory):
        """The saved state of a run in `directory`, or None when there is none."""
        path = pathlib.Path(directory) / cls.STATE_FILE
        return json.loads(path.read_text()) if path.exists() else None

    @staticmethod
    def _fresh_state():
        return {
            "history": [],
            "best": None,
            "best_epoch": None,
            "wait": 0,
            "seconds": 0.0,
            "stopped_because": None,
        }

    def count_seconds(self, seconds):
        """Add `seconds` of training done outside this `fit` to the wall time and budget.

        For a recipe whose training starts before the monitored `fit` (a DBN's greedy
        pretraining before its up-down epochs); saved with the state at the next epoch end.
        """
        self.state["seconds"] += float(seconds)

    def on_train_begin(self, logs=None):
        self.state["stopped_because"] = None
        self._seconds_before = self.state["seconds"]
        self._start = self._epoch_start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        measured = (epoch + 1) % self.every == 0 or epoch + 1 == self.params.get("epochs")
        if measured and self.monitor not in logs:
            raise ValueError(
                f"PlateauStopping monitors {self.monitor!r}, which the epoch logs lack "
                f"(they have {sorted(logs)}); pass validation data or fix `monitor`."
            )
        state = self.state
        now = time.perf_counter()
        state["seconds"] = self._seconds_before + now - self._start
        epoch_seconds = now - self._epoch_start
        entry = {
            "epoch": epoch + 1,
            **{k: float(v) for k, v in logs.items()},
            "seconds": round(state["seconds"], 1),
        }
        # A resumed run repeats the epochs after its last backup: keep their newest logs.
        state["history"] = [h for h in state["history"] if h["epoch"] <= epoch] + [entry]
        if self.monitor in entry:
            self._compare(entry[self.monitor], epoch + 1)
        if self.patience is not None and state["wait"] >= self.patience:
            state["stopped_because"] = "patience"
        elif self.max_seconds is not None and state["seconds"] + epoch_seconds > self.max_seconds:
            state["stopped_because"] = "budget"
        if state["stopped_because"]:
            self.model.stop_training = True
        self._write_state()

    def _compare(self, value, epoch):
        """Keep `value` of `epoch` (counted from 1) if it is the best so far; count the wait."""
        state = self.state
        sign = 1.0 if self.mode == "min" else -1.0
        if state["best"] is None or sign * (state["best"] - value) > self.min_delta:
            state["best"], state["best_epoch"], state["wait"] = value, epoch, 0
            if _is_chief(self.model):
                self.directory.mkdir(parents=True, exist_ok=True)
                self.model.save_weights(str(self.directory / self.BEST_WEIGHTS_FILE))
        else:
            state["wait"] = epoch - state["best_epoch"]

    def on_train_end(self, logs=None):
        if self.state["stopped_because"] is None:
            self.state["stopped_because"] = "epochs"
            self._write_state()
        best = self.directory / self.BEST_WEIGHTS_FILE
        if best.exists():
            self.model.load_weights(str(best))

    def _write_state(self):
        if _is_chief(self.model):
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / self.STATE_FILE
            path.with_suffix(".tmp").write_text(json.dumps(self.state, indent=1))
            path.with_suffix(".tmp").replace(path)


def _mean_over(dataset, per_example):
    """Mean of `per_example(x)` over the examples of a batched dataset."""
    total, count = 0.0, 0
    for x in dataset:
        values = np.asarray(per_example(x), np.float64)
        total += values.sum()
        count += len(values)
    if count == 0:
        raise ValueError("The monitored data set is empty.")
    return float(total / count)


def _batched(data, batch_size, example_rank):
    """A dataset of float32 example batches (labels dropped) from an array or a dataset."""
    if not isinstance(data, tf.data.Dataset):
        return tf.data.Dataset.from_tensor_slices(np.asarray(data, np.float32)).batch(batch_size)
    if isinstance(data.element_spec, tuple):
        data = data.map(lambda x, *rest: x)
    if data.element_spec.shape.rank == example_rank:
        data = data.batch(batch_size)
    return data.map(lambda x: tf.cast(x, tf.float32))


def _image_shape(data_shape):
    """Image shape for samples of `data_shape`, or ValueError."""
    if data_shape is None:
        raise ValueError("The model has no `data_shape`; pass `image_shape` to SampleGrid.")
    data_shape = tuple(data_shape)
    if len(data_shape) == 3 and data_shape[-1] in (1, 3) or len(data_shape) == 2:
        return data_shape
    if len(data_shape) == 1 and math.isqrt(data_shape[0]) ** 2 == data_shape[0]:
        side = math.isqrt(data_shape[0])
        return (side, side)
    raise ValueError(f"Samples of shape {data_shape} are not images; pass `image_shape`.")


def _is_chief(model):
    """True unless this process is a non-chief worker of a multi-worker strategy."""
    resolver = getattr(model.distribute_strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return not has_chief and resolver.task_type == "worker" and resolver.task_id == 0
