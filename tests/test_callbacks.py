"""`zoo.callbacks`: sample grids (PNG + TensorBoard), the NaN guard, the likelihood monitor,
plateau stopping."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from support.serving_toy_models import ToyGAN, ToyVAE

from zoo.callbacks import (
    LikelihoodMonitor,
    NaNGuard,
    PlateauStopping,
    SampleGrid,
    SampleQualityMonitor,
)
from zoo.evaluation.sample_quality import frechet_distance
from zoo.plotting import image_grid

# Also run under the other oneDNN setting by .ci/run (CPU kernels differ in numerics).
pytestmark = pytest.mark.numerics

BINARY = np.random.default_rng(0).integers(0, 2, size=(32, 4)).astype(np.float32)


def _summary_images(log_dir):
    """(tag, step, height, width) of every image summary under `log_dir`."""
    found = []
    for path in tf.io.gfile.glob(f"{log_dir}/events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(path):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                image = tf.io.decode_png(tf.make_ndarray(value.tensor)[2])
                found.append((value.tag, event.step, *image.shape[:2]))
    return found


def test_sample_grid_writes_a_png_of_the_seeded_samples_every_few_epochs(tmp_path):
    model = ToyVAE(data_dim=4)  # flat vectors of length 4 -> 2 x 2 images
    model.compile(optimizer="adam")
    grid = SampleGrid(tmp_path / "png", num_samples=9, seed=3, every=2)
    model.fit(BINARY, epochs=3, batch_size=8, verbose=0, callbacks=[grid])
    assert [p.name for p in grid.written] == ["epoch_0002.png", "epoch_0003.png"]
    last = np.asarray(Image.open(grid.written[-1]))
    expected = image_grid(np.asarray(model.sample(9, seed=3)).reshape(9, 2, 2))
    np.testing.assert_array_equal(last, expected)


def test_sample_grid_writes_tensorboard_image_summaries(tmp_path):
    pytest.importorskip("tensorboard")
    model = ToyVAE(data_dim=4)
    model.compile(optimizer="adam")
    grid = SampleGrid(log_dir=tmp_path / "logs", num_samples=9, every=2)
    model.fit(BINARY, epochs=3, batch_size=8, verbose=0, callbacks=[grid])
    expected = image_grid(np.zeros([9, 2, 2]))
    assert sorted(_summary_images(tmp_path / "logs")) == [
        ("samples", 2, *expected.shape),
        ("samples", 3, *expected.shape),
    ]


def test_sample_grid_refuses_samples_it_cannot_show(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        SampleGrid()
    model = ToyVAE(data_dim=6)  # 6 is not a square
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="not images; pass `image_shape`"):
        model.fit(BINARY[:, :2].repeat(3, 1), epochs=1, verbose=0, callbacks=[SampleGrid(tmp_path)])
    gan = ToyGAN(data_dim=4)
    gan.compile()
    with pytest.raises(ValueError, match=r"outside value_range \(0.0, 1.0\)"):
        gan.fit(BINARY * 10, epochs=1, verbose=0, callbacks=[SampleGrid(tmp_path, num_samples=32)])


class SeeingGAN(ToyGAN):
    """The toy GAN plus a linear path from every input value to the discriminator's logit.

    Whether a ReLU layer keeps a NaN or maps it to 0 depends on the CPU kernel (oneDNN on
    AVX-512 drops it), so a NaN planted in the data may never reach the losses of the plain
    `ToyGAN`. A matrix product propagates it under IEEE arithmetic, whatever kernel runs it.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = keras.layers.Dense(1, use_bias=False)
        self.linear.build((None, self.data_dim))

    def discriminate(self, x):
        return super().discriminate(x) + self.linear(x)[:, 0]


def _data_with_nan_at_batch(batch, batch_size=4, num_batches=4):
    x = np.random.default_rng(1).normal(size=(batch_size * num_batches, 4)).astype(np.float32)
    x[batch * batch_size] = np.nan
    return x


def test_nan_guard_stops_gan_training_cleanly_and_restores_finite_weights():
    gan = SeeingGAN()
    gan.compile()
    initial = [w.copy() for w in gan.get_weights()]
    guard = NaNGuard()
    history = gan.fit(
        _data_with_nan_at_batch(2), epochs=3, batch_size=4, verbose=0, callbacks=[guard]
    )
    epoch, batch, bad = guard.stopped
    assert (epoch, batch) == (0, 2) and set(bad) == {"d_loss", "g_loss"}
    assert len(history.history["d_loss"]) == 1  # fit returned normally after that epoch
    for restored, start in zip(gan.get_weights(), initial, strict=True):
        np.testing.assert_array_equal(restored, start)

    unguarded = SeeingGAN()
    unguarded.compile()
    unguarded.fit(_data_with_nan_at_batch(2), epochs=1, batch_size=4, verbose=0)
    assert not all(np.isfinite(w).all() for w in unguarded.get_weights())


def test_nan_guard_restores_weights_of_a_model_holding_nan_state_by_design():
    gan = SeeingGAN()  # like an energy model's log Z cache: NaN until computed, not trained
    gan.cache = gan.add_weight(
        shape=(), initializer=keras.initializers.Constant(np.nan), trainable=False
    )
    gan.compile()
    initial = [w.copy() for w in gan.get_weights()]
    guard = NaNGuard()
    gan.fit(_data_with_nan_at_batch(2), epochs=2, batch_size=4, verbose=0, callbacks=[guard])
    assert guard.stopped[:2] == (0, 2)
    for restored, start in zip(gan.get_weights(), initial, strict=True):
        np.testing.assert_array_equal(restored, start)


def test_nan_guard_restores_the_last_finite_epoch_and_watches_only_what_it_is_told():
    x = np.random.default_rng(2).normal(size=(20, 4)).astype(np.float32)
    x[16] = np.nan  # fifth batch of four: the first batch of the third epoch of two steps
    gan = SeeingGAN()
    gan.compile()
    epoch_end_weights = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: epoch_end_weights.append(gan.get_weights())
    )
    guard = NaNGuard()
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(4)
    gan.fit(dataset, epochs=4, steps_per_epoch=2, verbose=0, callbacks=[record, guard])
    assert guard.stopped[:2] == (2, 0)
    assert len(epoch_end_weights) == 3  # the stopped epoch still ends
    for restored, good in zip(gan.get_weights(), epoch_end_weights[1], strict=True):
        np.testing.assert_array_equal(restored, good)

    ignoring = NaNGuard(monitor=["no_such_metric"])
    other = SeeingGAN()
    other.compile()
    other.fit(_data_with_nan_at_batch(0), epochs=1, batch_size=4, verbose=0, callbacks=[ignoring])
    assert ignoring.stopped is None


def test_likelihood_monitor_logs_held_out_nll_in_history():
    model = ToyVAE(data_dim=4)
    model.compile(optimizer="adam")
    held_out = BINARY[:10]
    monitor = LikelihoodMonitor(
        tf.data.Dataset.from_tensor_slices((held_out, np.zeros(10))),
        batch_size=4,
        log_prob_kwargs={"seed": 5, "num_samples": 8},
    )
    history = model.fit(BINARY, epochs=2, batch_size=8, verbose=0, callbacks=[monitor])
    assert len(history.history["val_nll"]) == 2
    batches = [held_out[i : i + 4] for i in range(0, 10, 4)]  # the seed fixes each batch's draws
    expected = -np.mean(np.concatenate([model.log_prob(b, num_samples=8, seed=5) for b in batches]))
    np.testing.assert_allclose(history.history["val_nll"][-1], expected, rtol=1e-5)


def test_likelihood_monitor_refreshes_log_z_of_an_energy_model_before_measuring():
    from zoo.models.energy.rbm import BernoulliRBM

    model = BernoulliRBM(n_visible=4, n_hidden=3, seed=0)
    model.compile()
    held_out = BINARY[:10]
    monitor = LikelihoodMonitor(held_out, batch_size=4, log_partition_kwargs={"method": "exact"})
    history = model.fit(BINARY, epochs=2, batch_size=8, verbose=0, callbacks=[monitor])
    # The training steps leave log Z stale; the monitor computed it for the final weights.
    exact = -float(model.log_partition(method="exact").value)
    expected = -np.mean(-np.asarray(model.free_energy(held_out)) + exact)
    np.testing.assert_allclose(history.history["val_nll"][-1], expected, rtol=1e-5)


def test_likelihood_monitor_free_energy_gap_is_held_out_minus_training_free_energy():
    class QuadraticEnergy(keras.Model):
        """F(v) = sum(v^2) / 2: enough to check the arithmetic of the gap."""

        data_shape = (4,)

        def free_energy(self, v):
            return 0.5 * tf.reduce_sum(tf.square(v), axis=-1)

    model = QuadraticEnergy()
    train, held_out = np.ones((10, 4), np.float32), 2 * np.ones((6, 4), np.float32)
    train[5:] = 3.0  # training mean F = (2 + 18) / 2 = 10; held-out F = 8
    monitor = LikelihoodMonitor(held_out, "free_energy_gap", training_data=train, batch_size=4)
    monitor.set_model(model)
    monitor.on_train_begin()
    assert monitor.compute() == pytest.approx(8.0 - 10.0)

    with pytest.raises(ValueError, match="needs `training_data`"):
        LikelihoodMonitor(held_out, "free_energy_gap")
    with pytest.raises(ValueError, match="measure must be one of"):
        LikelihoodMonitor(held_out, "bits")
    no_log_prob = LikelihoodMonitor(held_out)
    no_log_prob.set_model(model)
    with pytest.raises(TypeError, match="has no `log_prob`"):
        no_log_prob.on_train_begin()


def test_sample_quality_monitor_logs_the_fd_of_its_seeded_samples_against_the_reference():
    gan = ToyGAN(data_dim=4)
    gan.compile()
    reference = np.random.default_rng(1).random((300, 4)).astype(np.float32)
    identity = keras.Sequential([keras.Input((4,)), keras.layers.Identity()])
    monitor = SampleQualityMonitor(
        reference, num_samples=200, feature_model=identity, batch_size=64, seed=3
    )
    history = gan.fit(BINARY, epochs=2, batch_size=8, verbose=0, callbacks=[monitor])
    assert len(history.history["val_fd"]) == 2
    samples = np.concatenate(
        [gan.sample(n, seed=(3, i)) for i, n in enumerate([64, 64, 64, 8])]
    )  # 200 samples, drawn batch by batch with the seeds (3, 0), (3, 1), ...
    expected = frechet_distance(reference.astype(np.float64), samples.astype(np.float64))
    np.testing.assert_allclose(history.history["val_fd"][-1], expected, rtol=1e-6)
    assert monitor.compute() == pytest.approx(expected)  # fixed seed: same weights, same FD

    class Copier(ToyGAN):
        def sample(self, num_samples, seed=None):
            index = 0 if seed is None else seed[1]
            return reference[index * 100 : index * 100 + num_samples]

    copier = Copier(data_dim=4)
    copier.compile()
    half = SampleQualityMonitor(reference[:200], 200, feature_model=identity, batch_size=100)
    copier.fit(BINARY, epochs=1, batch_size=8, verbose=0, callbacks=[half])
    assert abs(half.compute()) < 1e-6  # samples equal to the reference: distance 0
    with pytest.raises(TypeError, match="has no `sample`"):
        model, x, y = _regression()
        model.fit(x, y, verbose=0, callbacks=[SampleQualityMonitor(reference)])


class _Scripted(keras.callbacks.Callback):
    """Sets `logs["val_score"]` to `values[epoch]`, keeps each epoch's weights, may interrupt."""

    def __init__(self, values, interrupt_after=None):
        super().__init__()
        self.values, self.interrupt_after, self.weights = values, interrupt_after, {}

    def on_epoch_end(self, epoch, logs=None):
        if self.values[epoch] is not None:  # None: an epoch the monitor does not measure
            logs["val_score"] = self.values[epoch]
        self.weights[epoch + 1] = [w.copy() for w in self.model.get_weights()]

    def on_epoch_begin(self, epoch, logs=None):
        if self.interrupt_after is not None and epoch == self.interrupt_after:
            raise RuntimeError("interrupted")


def _regression():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    return model, x, x.sum(axis=1, keepdims=True)


def test_plateau_stopping_stops_after_patience_and_keeps_the_best_epoch(tmp_path):
    model, x, y = _regression()
    scripted = _Scripted([5.0, 3.0, 3.5, 3.2, 2.0, 1.0])
    stopping = PlateauStopping(tmp_path, monitor="val_score", patience=2)
    model.fit(x, y, epochs=6, verbose=0, callbacks=[scripted, stopping])
    state = stopping.state
    assert [h["epoch"] for h in state["history"]] == [1, 2, 3, 4]  # 2 epochs without progress
    assert state["stopped_because"] == "patience" and state["best_epoch"] == 2
    assert state["best"] == 3.0 and all("loss" in h and h["seconds"] >= 0 for h in state["history"])
    for kept, best in zip(model.get_weights(), scripted.weights[2], strict=True):
        np.testing.assert_array_equal(kept, best)
    assert PlateauStopping.read_state(tmp_path) == state


def test_plateau_stopping_every_few_epochs_counts_patience_in_epochs(tmp_path):
    model, x, y = _regression()
    scripted = _Scripted([None, 5.0, None, 3.0, None, 3.5, None, 3.2, None, 1.0])
    stopping = PlateauStopping(tmp_path, monitor="val_score", patience=4, every=2)
    model.fit(x, y, epochs=10, verbose=0, callbacks=[scripted, stopping])
    state = stopping.state
    assert [h["epoch"] for h in state["history"]] == list(range(1, 9))  # 4 epochs after 4
    assert "val_score" not in state["history"][2] and state["history"][3]["val_score"] == 3.0
    assert state["stopped_because"] == "patience" and state["best_epoch"] == 4
    for kept, best in zip(model.get_weights(), scripted.weights[4], strict=True):
        np.testing.assert_array_equal(kept, best)
    missing = PlateauStopping(tmp_path / "b", monitor="val_score", every=2)
    with pytest.raises(ValueError, match="lack"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[_Scripted([1.0, None]), missing])


def test_plateau_stopping_stops_on_the_budget_and_on_max_mode(tmp_path):
    model, x, y = _regression()
    stopping = PlateauStopping(tmp_path / "a", monitor="val_score", max_seconds=0.0)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[_Scripted([1.0] * 5), stopping])
    assert stopping.state["stopped_because"] == "budget" and len(stopping.state["history"]) == 1

    stopping = PlateauStopping(tmp_path / "b", monitor="val_score", mode="max")
    model.fit(x, y, epochs=3, verbose=0, callbacks=[_Scripted([1.0, 4.0, 2.0]), stopping])
    assert stopping.state["best_epoch"] == 2 and stopping.state["stopped_because"] == "epochs"


class _TenSecondEpochs(keras.callbacks.Callback):
    """A clock for `zoo.callbacks` on which every epoch lasts 10 s."""

    def __init__(self):
        super().__init__()
        self.now = 0.0

    def perf_counter(self):
        return self.now

    def on_epoch_end(self, epoch, logs=None):
        self.now += 10.0


def test_plateau_stopping_does_not_start_an_epoch_that_would_overrun_the_budget(
    tmp_path, monkeypatch
):
    model, x, y = _regression()
    clock = _TenSecondEpochs()
    monkeypatch.setattr("zoo.callbacks.time", clock)
    # Epochs of 10 s and a budget of 35 s: three fit (30 s); a fourth would end at 40 s,
    # where the old rule (stop once past the budget) ran it.
    stopping = PlateauStopping(tmp_path, monitor="val_score", max_seconds=35.0)
    model.fit(x, y, epochs=6, verbose=0, callbacks=[_Scripted([1.0] * 6), clock, stopping])
    assert stopping.state["stopped_because"] == "budget"
    assert [h["seconds"] for h in stopping.state["history"]] == [10.0, 20.0, 30.0]


def test_plateau_stopping_resumes_with_backup_and_restore_without_losing_its_count(tmp_path):
    values = [5.0, 3.0, 4.0, 4.0, 4.0, 4.0, 4.0]

    def run(interrupt_after=None):
        model, x, y = _regression()
        stopping = PlateauStopping(tmp_path / "run", monitor="val_score", patience=3)
        backup = keras.callbacks.BackupAndRestore(str(tmp_path / "run" / "backup"))
        scripted = _Scripted(values, interrupt_after)
        model.fit(x, y, epochs=7, verbose=0, callbacks=[backup, scripted, stopping])
        return stopping

    with pytest.raises(RuntimeError, match="interrupted"):
        run(interrupt_after=3)  # epochs 1-3 done and backed up
    assert [h["epoch"] for h in PlateauStopping.read_state(tmp_path / "run")["history"]] == [
        1,
        2,
        3,
    ]
    stopping = run()
    # Epoch 3 had already waited one epoch: the patience of 3 runs out at epoch 5, not 6.
    assert [h["epoch"] for h in stopping.state["history"]] == [1, 2, 3, 4, 5]
    assert stopping.state["stopped_because"] == "patience" and stopping.state["best_epoch"] == 2


def test_plateau_stopping_names_a_missing_monitor(tmp_path):
    model, x, y = _regression()
    with pytest.raises(ValueError, match="'val_loss'.*validation data"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[PlateauStopping(tmp_path)])
    with pytest.raises(ValueError, match="mode"):
        PlateauStopping(tmp_path, mode="lowest")


def test_plateau_stopping_counts_seconds_spent_before_fit_in_the_time_and_budget(tmp_path):
    model, x, y = _regression()
    stopping = PlateauStopping(tmp_path, monitor="val_score", max_seconds=100.0)
    stopping.count_seconds(60.0)  # e.g. greedy pretraining before the monitored fit
    model.fit(x, y, epochs=2, verbose=0, callbacks=[_Scripted([1.0, 1.0]), stopping])
    assert stopping.state["history"][0]["seconds"] >= 60.0
    assert stopping.state["stopped_because"] == "epochs"
    stopping = PlateauStopping(tmp_path / "b", monitor="val_score", max_seconds=100.0)
    stopping.count_seconds(120.0)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[_Scripted([1.0] * 3), stopping])
    assert stopping.state["stopped_because"] == "budget" and len(stopping.state["history"]) == 1
