"""Timing helpers shared by the benchmarks: interleaved rounds, summaries, FLOPs, targets.

Benchmark modules import them flat (`from _timing import interleaved_rounds`), so that
`python benchmarks/<name>.py` works as a script; `python -m benchmarks` puts this folder
on `sys.path` before it imports a benchmark.
"""

import math
import operator
import re
import statistics
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


def timed(function, *args):
    """`(wall seconds, process CPU seconds)` of one call `function(*args)`."""
    start, start_cpu = time.perf_counter(), time.process_time()
    function(*args)
    return time.perf_counter() - start, time.process_time() - start_cpu


def interleaved_rounds(functions, rounds, warmup=1):
    """Time every function once per round, the functions in turn, after `warmup` calls each.

    Interleaving makes all contenders share the machine's load alike.

    Args:
        functions: `{name: callable}`; each call is one timed block of work (a `fit`
            epoch, a block of steps).
        rounds: Timed calls of each function.
        warmup: Untimed calls of each before the first round (tracing, compilation).

    Returns:
        `{name: {"wall": [seconds per round], "cpu": [process CPU seconds per round]}}`.
    """
    for function in functions.values():
        for _ in range(warmup):
            function()
    times = {name: {"wall": [], "cpu": []} for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            wall, cpu = timed(function)
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu)
    return times


def summary(values):
    """`{"values", "median", "min", "max", "spread"}`; spread = (max - min) / median."""
    values = [float(v) for v in values]
    median = statistics.median(values)
    return {
        "values": values,
        "median": median,
        "min": min(values),
        "max": max(values),
        "spread": (max(values) - min(values)) / median if median else float("nan"),
    }


UNIT_SECONDS = {"s": 1.0, "ms": 1e-3}


def contender(wall, cpu=None, unit="ms/step", steps_per_unit=1, flops_per_step=None, **extra):
    """One contender's record: summaries of its timings and, given FLOPs, its GFLOP/s.

    Args:
        wall: Wall-clock times, one per round, in `unit`.
        cpu: Process CPU times in the same unit, or None.
        unit: `"<s|ms>/<what>"`, e.g. `"ms/step"` or `"s/epoch"`.
        steps_per_unit: Training steps in one `<what>` (1 for per-step units).
        flops_per_step: Floating-point operations of one step (multiply-add = 2), or None.
        **extra: More fields to keep (settings, scores).

    Returns:
        A dict with `unit`, `wall`, `cpu` (summaries), and, given FLOPs, `flops_per_step`
        and `gflops` (at the median wall time).
    """
    record = {"unit": unit, "wall": summary(wall), "cpu": summary(cpu) if cpu else None}
    if flops_per_step:
        seconds = record["wall"]["median"] * UNIT_SECONDS[unit.split("/")[0]]
        record["flops_per_step"] = float(flops_per_step)
        record["gflops"] = flops_per_step * steps_per_unit / seconds / 1e9
    record.update(extra)
    return record


def scaled(times, factor):
    """`times` from `interleaved_rounds` with every value multiplied by `factor`."""
    return {kind: [v * factor for v in values] for kind, values in times.items()}


GOAL = re.compile(r"^\s*(<=|>=|<|>)\s*([-+0-9.eE]+)")
COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def goal_met(value, goal):
    """Whether `value` meets a goal written `"<= 0.5"`, `">= 1.2"`, ...; None if unparsed."""
    match = GOAL.match(str(goal))
    if match is None or value is None:
        return None
    return bool(COMPARE[match.group(1)](float(value), float(match.group(2))))


def target(name, value, goal, **extra):
    """`{"name", "value", "goal", "met"}` for one of the issue's ratio targets."""
    return {
        "name": name,
        "value": float(value),
        "goal": goal,
        "met": goal_met(value, goal),
        **extra,
    }


def matmul_flops(m, k, n):
    """FLOPs of an `[m, k] x [k, n]` product (a multiply-add counts 2)."""
    return 2 * m * k * n


def forward_flops(model, batch_size):
    """FLOPs of one forward pass of `model`'s Dense, Conv2D and Conv2DTranspose layers.

    Other layers (activations, normalization, pooling) are not counted: element-wise work
    is small beside the products. Nested models are walked.
    """
    total = 0
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Dense):
            total += matmul_flops(batch_size, layer.kernel.shape[0], layer.units)
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            _, height, width, _ = layer.input.shape  # each input pixel scatters a kernel
            total += batch_size * height * width * 2 * math.prod(layer.kernel.shape)
        elif isinstance(layer, keras.layers.Conv2D):
            _, height, width, _ = layer.output.shape  # each output pixel gathers a kernel
            total += batch_size * height * width * 2 * math.prod(layer.kernel.shape)
    return total
