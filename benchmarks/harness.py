"""The benchmark harness: run a benchmark, record its environment, render RESULTS.md tables.

A benchmark is an entry of `BENCHMARKS` below and a module `benchmarks/<name>.py` with

    def run(smoke: bool = False, **options) -> dict

returning its part of the record: `contenders` (`{name: _timing.contender(...)}`),
`targets` (`[_timing.target(...)]`, the issue's ratio goals) and anything else worth
keeping (`settings`, `notes`: a list of sentences). Its keyword options (with defaults)
become command-line flags of `python -m benchmarks run <name>`. `smoke=True` runs a few
steps on tiny synthetic data, only to prove the code runs.

The harness adds the command line, git commit, package versions, CPU, threads, oneDNN,
the load average before and after, and a GEMM peak measured in the same process, and
writes one JSON file per run under `benchmarks/results/`. `report()` regenerates the
tables of `benchmarks/RESULTS.md` between `<!-- BEGIN GENERATED: <name> -->` and
`<!-- END GENERATED -->` from the newest record of each benchmark.
"""

import dataclasses
import datetime
import importlib
import importlib.metadata
import inspect
import json
import math
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

BENCHMARKS_DIR = pathlib.Path(__file__).resolve().parent
RESULTS_DIR = BENCHMARKS_DIR / "results"
RESULTS_MD = BENCHMARKS_DIR / "RESULTS.md"
if str(BENCHMARKS_DIR) not in sys.path:  # benchmarks import each other and _timing flat
    sys.path.insert(0, str(BENCHMARKS_DIR))


@dataclasses.dataclass(frozen=True)
class Benchmark:
    name: str
    summary: str
    goal: str  # the ratio target, in words


BENCHMARKS = {
    b.name: b
    for b in (
        Benchmark(
            "rbm_vs_sklearn",
            "zoo BernoulliRBM (CD-1, PCD-1) vs scikit-learn's BernoulliRBM, s/epoch",
            "CD-1 and PCD-1 s/epoch <= 0.5x scikit-learn's",
        ),
        Benchmark(
            "pixelcnn_step",
            "PixelCNN training step, taps form vs masked form",
            "taps form >= 1.4x faster than the masked form",
        ),
        Benchmark(
            "nade_step",
            "NADE 784-500 training step vs MADE 784-500-784",
            "NADE step <= 8x MADE step",
        ),
        Benchmark(
            "made_vs_tfp",
            "MADE 784-500-784: zoo vs TFP's AutoregressiveNetwork, s/epoch",
            "zoo MADE >= 1.2x faster than TFP",
        ),
        Benchmark(
            "vae_vs_kerasio",
            "conv VAE: zoo VAE.conv vs keras.io's vae.py (Keras 3 port), fit time per step",
            "zoo / keras.io step time <= 1.0 (within noise)",
        ),
        Benchmark(
            "dcgan_vs_kerasio",
            "DCGAN: zoo vs keras.io's GAN (Keras 3 port), ms/step",
            "zoo DCGAN step <= 0.75x keras.io's",
        ),
    )
}


class NotWiredIn(Exception):
    """A benchmark module that does not exist yet or defines no `run`."""


def load_run(name):
    """The `run` function of benchmark `name`.

    Raises:
        KeyError: `name` is not a registered benchmark.
        NotWiredIn: `benchmarks/<name>.py` is missing or defines no `run`.
    """
    if name not in BENCHMARKS:
        raise KeyError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
    reason = wired_in(name)
    if reason:
        raise NotWiredIn(reason)
    return importlib.import_module(name).run


def wired_in(name):
    """Why benchmark `name` cannot run yet (a sentence), or None; reads the source only."""
    import ast

    path = BENCHMARKS_DIR / f"{name}.py"
    if not path.exists():
        return f"benchmarks/{name}.py does not exist yet"
    tree = ast.parse(path.read_text())
    if not any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body):
        return f"benchmarks/{name}.py defines no `run(smoke=False, **options) -> dict` yet"
    return None


def option_parser(name, run):
    """An argparse parser for `run`'s keyword options: `--epochs 3`, `--jit-compile`, ..."""
    import argparse

    parser = argparse.ArgumentParser(prog=f"python -m benchmarks run {name}", add_help=False)
    for parameter in inspect.signature(run).parameters.values():
        if parameter.name == "smoke" or parameter.default is inspect.Parameter.empty:
            continue
        flag = "--" + parameter.name.replace("_", "-")
        default = parameter.default
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
        else:
            kind = str if default is None else type(default)
            parser.add_argument(flag, type=kind, default=default)
    return parser


def parse_options(name, run, args):
    """`{option: value}` for the flags in `args` (only those given; the rest keep defaults)."""
    parser = option_parser(name, run)
    if any(arg in ("-h", "--help") for arg in args):
        parser.print_help()
        raise SystemExit(0)
    parsed = vars(parser.parse_args(args))
    given = {
        re.sub(r"^--(no-)?", "", a.split("=")[0]).replace("-", "_") for a in args if a[:2] == "--"
    }
    return {key: value for key, value in parsed.items() if key in given}


# ------------------------------------------------------------------- environment
def git_state():
    """`{"sha", "dirty"}` of the checkout holding the benchmarks (None outside git).

    Dirty: uncommitted or untracked files other than the records in `benchmarks/results/`.
    """

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(BENCHMARKS_DIR), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {
            "sha": git("rev-parse", "HEAD"),
            "dirty": bool(
                git("status", "--porcelain", "--", ":/", ":(top,exclude)benchmarks/results")
            ),
        }
    except (OSError, subprocess.CalledProcessError):
        return {"sha": None, "dirty": None}


def package_versions():
    versions = {"python": platform.python_version()}
    for distribution in (
        "tensorflow",
        "keras",
        "tensorflow-probability",
        "tf-keras",
        "numpy",
        "scikit-learn",
    ):
        try:
            versions[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[distribution] = None
    return versions


def onednn_state():
    """`TF_ENABLE_ONEDNN_OPTS` as set, and whether TensorFlow's oneDNN kernels are on."""
    try:
        from tensorflow.python.util import _pywrap_util_port

        effective = bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):  # a private API: record that it is unknown
        effective = None
    return {
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
        "effective": effective,
    }


def environment():
    import tensorflow as tf

    from zoo.recipes.recipe import cpu_model

    return {
        "git": git_state(),
        "versions": package_versions(),
        "cpu": {
            "model": cpu_model(),
            "cores": os.cpu_count(),
            "usable_cores": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else None,
        },
        "threads": {
            "TF_NUM_INTRAOP_THREADS": os.environ.get("TF_NUM_INTRAOP_THREADS"),
            "TF_NUM_INTEROP_THREADS": os.environ.get("TF_NUM_INTEROP_THREADS"),
            "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
        },
        "onednn": onednn_state(),
    }


GEMM_SHAPES = ((100, 784, 256), (1024, 1024, 1024))


def measure_gemm_peak(shapes=GEMM_SHAPES, seconds=0.3, rounds=5, compilers=("tf.function", "xla")):
    """GFLOP/s of float32 matrix products in a compiled TensorFlow loop, on this machine now.

    For each `(m, k, n)` and compiler (`"tf.function"`: TensorFlow's own kernels; `"xla"`:
    the same function with `jit_compile=True`) a `tf.while_loop` multiplies an `[m, k]`
    matrix by a `[k, n]` one and the result by the transpose back to `[m, k]` (rescaled,
    so nothing is loop-invariant and values stay normal); the loop is sized to about
    `seconds` and timed `rounds` times.

    Returns:
        `[{"shape": [m, k, n], "compiler", "gflops": best round, "gflops_median"}]`.
    """
    import tensorflow as tf
    from _timing import matmul_flops

    results = []
    for m, k, n in shapes:
        generator = tf.random.Generator.from_seed(0)
        x = generator.normal([m, k])
        w = generator.normal([k, n]) / math.sqrt(k)

        def products(x, iterations, w=w):
            def body(i, x):
                x = tf.matmul(tf.matmul(x, w), w, transpose_b=True)
                return i + 1, x * tf.math.rsqrt(tf.reduce_mean(x * x) + 1e-12)

            return tf.while_loop(lambda i, x: i < iterations, body, (tf.constant(0), x))[1]

        for compiler in compilers:
            loop = tf.function(products, jit_compile=compiler == "xla")

            def seconds_for(iterations, loop=loop, x=x):
                start = time.perf_counter()
                loop(x, tf.constant(iterations)).numpy()
                return time.perf_counter() - start

            seconds_for(1)  # trace and compile
            iterations = max(2, int(seconds / max(seconds_for(2) / 2, 1e-6)))
            flops = 2 * matmul_flops(m, k, n) * iterations
            rates = sorted(flops / seconds_for(iterations) / 1e9 for _ in range(rounds))
            results.append(
                {
                    "shape": [m, k, n],
                    "compiler": compiler,
                    "gflops": rates[-1],
                    "gflops_median": rates[len(rates) // 2],
                }
            )
    return results


# ---------------------------------------------------------------------- records
def check_targets(targets):
    """The targets with `met` recomputed from `value` and `goal` where the goal parses.

    Raises:
        ValueError: a target lacks one of `name`, `value`, `goal`, `met`.
    """
    from _timing import goal_met

    checked = []
    for entry in targets:
        missing = {"name", "value", "goal", "met"} - set(entry)
        if missing:
            raise ValueError(f"target {entry!r} lacks {sorted(missing)}")
        entry = dict(entry)
        met = goal_met(entry["value"], entry["goal"])
        if met is not None and met != entry["met"]:
            entry["met_reported"], entry["met"] = entry["met"], met
        checked.append(entry)
    return checked


def run_benchmark(name, smoke=False, options=None, command=None, gemm_peak=None):
    """Run benchmark `name` and return its full record (nothing written).

    Args:
        name: A key of `BENCHMARKS`.
        smoke: A few steps on tiny synthetic data.
        options: Keyword options of its `run`.
        command: The command line to record (default: this Python and `sys.argv`).
        gemm_peak: A GEMM peak measured already in this process (smoke runs of several
            benchmarks share one); default: measure it now.
    """
    run = load_run(name)
    options = dict(options or {})
    started = datetime.datetime.now(datetime.UTC)
    env = environment()  # before the run: the commit and tree it ran on
    load_before = os.getloadavg()
    if gemm_peak is None:
        gemm_peak = measure_gemm_peak(**({"seconds": 0.05, "rounds": 1} if smoke else {}))
    start = time.perf_counter()
    result = run(smoke=smoke, **options)
    seconds = time.perf_counter() - start
    load_after = os.getloadavg()
    record = {
        "benchmark": name,
        "smoke": smoke,
        "command": list(command if command is not None else [sys.executable, *sys.argv]),
        "options": options,
        "started_utc": started.isoformat(timespec="seconds"),
        "run_seconds": seconds,
        "goal": BENCHMARKS[name].goal,
        "environment": env,
        "load_average": {"before": list(load_before), "after": list(load_after)},
        "gemm_peak": gemm_peak,
        **result,
    }
    record["contenders"] = result.get("contenders", {})
    record["targets"] = check_targets(result.get("targets", []))
    peak = max(entry["gflops"] for entry in gemm_peak)
    for entry in record["contenders"].values():
        if entry.get("gflops"):
            entry["fraction_of_gemm_peak"] = entry["gflops"] / peak
    return record


def record_path(record, out_dir=RESULTS_DIR, tag=None):
    """`<out_dir>/<UTC start>-<tag>[-smoke].json`; `tag` defaults to the benchmark's name."""
    stamp = record["started_utc"].replace("-", "").replace(":", "").replace("+0000", "Z")
    suffix = "-smoke" if record["smoke"] else ""
    return pathlib.Path(out_dir) / f"{stamp}-{tag or record['benchmark']}{suffix}.json"


def write_record(record, out_dir=RESULTS_DIR, tag=None):
    path = record_path(record, out_dir, tag)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, default=float) + "\n")
    return path


def newest_records(results_dir=RESULTS_DIR, key=None):
    """`{key: (path, record)}`: the newest non-smoke record of each key.

    `key(record)` names what a record measures (default: `record["benchmark"]`); of the
    records with one key, the latest `started_utc` wins. Only the folder's own `*.json`
    files are read, not its subfolders. Timing records written before a benchmark adopted
    the harness format are kept as history but not rendered.
    """
    key = key or (lambda record: record["benchmark"])
    newest = {}
    for path in sorted(pathlib.Path(results_dir).glob("*.json")):
        record = json.loads(path.read_text())
        if record.get("smoke") or not _harness_format(record):
            continue
        name = key(record)
        if name not in newest or record["started_utc"] >= newest[name][1]["started_utc"]:
            newest[name] = (path, record)
    return newest


def _harness_format(record):
    """Whether a timing record's contenders have the harness's summaries (older ones do not).

    Records without contenders (the one-table's) are not timing records: they pass.
    """
    contenders = record.get("contenders")
    if contenders is None:
        return True
    return bool(contenders) and all("wall" in entry for entry in contenders.values())


# ----------------------------------------------------------------------- report
def number(value):
    """A table cell: 3-4 significant digits, thousands separated, "-" for None."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        magnitude = abs(value)
        digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 0.1 else 4
        return f"{value:,.{digits}f}"
    return str(value)


TIMING_FIELDS = {"unit", "wall", "cpu", "flops_per_step", "gflops", "fraction_of_gemm_peak"}


def markdown_tables(result):
    """Markdown of a benchmark's result: contenders, targets, notes."""
    lines = []
    contenders = result.get("contenders", {})
    extra = []  # scalar fields beside the timings (scores, first epoch), in order seen
    for entry in contenders.values():
        for key, value in entry.items():
            scalar = value is None or isinstance(value, (int, float, str, bool))
            if key not in TIMING_FIELDS and key not in extra and scalar:
                extra.append(key)
    if contenders:
        header = [
            "contender",
            "unit",
            "median",
            "min",
            "max",
            "spread",
            "CPU median",
            "GFLOP/s",
            "of GEMM peak",
            *[k.replace("_", " ") for k in extra],
        ]
        lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        for name, entry in contenders.items():
            wall, cpu = entry["wall"], entry.get("cpu") or {}
            fraction = entry.get("fraction_of_gemm_peak")
            cells = [
                name,
                entry["unit"],
                number(wall["median"]),
                number(wall["min"]),
                number(wall["max"]),
                f"{wall['spread']:.0%}",
                number(cpu.get("median")),
                number(entry.get("gflops")),
                f"{fraction:.0%}" if fraction else "-",
                *[number(entry.get(k)) for k in extra],
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if result.get("targets"):
        lines += ["| target | value | goal | met | details |", "| --- | --- | --- | --- | --- |"]
        for entry in result["targets"]:
            met = {True: "**yes**", False: "**no**", None: "?"}[entry["met"]]
            details = "; ".join(
                f"{key.replace('_', ' ')} "
                + (", ".join(map(number, value)) if isinstance(value, list) else number(value))
                for key, value in entry.items()
                if key not in ("name", "value", "goal", "met")
            )
            lines.append(
                f"| {entry['name']} | {number(entry['value'])} | {entry['goal']} | {met} | "
                f"{details or '-'} |"
            )
        lines.append("")
    lines += [f"- {note}" for note in result.get("notes", [])]
    return "\n".join(lines).strip() + "\n"


def render(path, record):
    """Markdown for one record: provenance, contenders table, targets table, notes."""
    env = record["environment"]
    git, versions, onednn = env["git"], env["versions"], env["onednn"]
    load = record["load_average"]
    command = " ".join(["python", *record["command"][1:]])
    try:
        shown = path.resolve().relative_to(BENCHMARKS_DIR.parent)
    except ValueError:  # a record outside the checkout
        shown = path
    onednn_words = {True: "on", False: "off", None: "unknown"}[onednn["effective"]]
    lines = [
        f"Generated by `python -m benchmarks report` from `{shown}`; do not edit by hand.",
        "",
        f"`{command}`, {record['started_utc'].replace('T', ' ')[:16]} UTC, commit "
        f"{(git['sha'] or '?')[:10]}{' (uncommitted changes)' if git['dirty'] else ''}; "
        f"{env['cpu']['model']}, {env['cpu']['cores']} cores; Python {versions['python']}, "
        f"TensorFlow {versions['tensorflow']}, Keras {versions['keras']}, TFP "
        f"{versions['tensorflow-probability']}, NumPy {versions['numpy']}, scikit-learn "
        f"{versions['scikit-learn']}; oneDNN {onednn_words} (TF_ENABLE_ONEDNN_OPTS="
        f"{onednn['TF_ENABLE_ONEDNN_OPTS'] or 'unset'}); load average (1, 5, 15 min) "
        f"{', '.join(f'{v:.1f}' for v in load['before'])} before, "
        f"{', '.join(f'{v:.1f}' for v in load['after'])} after "
        f"({record['run_seconds']:.0f} s). GEMM peak in the same process (float32, "
        "`measure_gemm_peak`): "
        + ", ".join(
            f"{'x'.join(map(str, g['shape']))} {g.get('compiler', 'tf.function')} "
            f"{g['gflops']:.1f} GFLOP/s"
            for g in record["gemm_peak"]
        )
        + ".",
        "",
        "",
    ]
    return "\n".join(lines) + markdown_tables(record)


def marker_pattern(name):
    return re.compile(
        rf"(<!-- BEGIN GENERATED: {re.escape(name)} -->\n)(.*?)(<!-- END GENERATED -->)", re.DOTALL
    )


def replace_generated(text, name, body):
    """`text` with the section between `name`'s markers replaced by `body`; None: no marker."""
    pattern = marker_pattern(name)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda m: m.group(1) + body + m.group(3), text)


def report(results_dir=RESULTS_DIR, results_md=RESULTS_MD):
    """Rewrite the generated sections of `results_md`; returns `{name: what happened}`."""
    text = pathlib.Path(results_md).read_text()
    records = newest_records(results_dir)
    outcome = {}
    for name in BENCHMARKS:
        if not marker_pattern(name).search(text):
            outcome[name] = f"no `<!-- BEGIN GENERATED: {name} -->` marker in {results_md}"
        elif name not in records:
            outcome[name] = "no record yet; section left as it is"
        else:
            path, record = records[name]
            text = replace_generated(text, name, render(path, record))
            outcome[name] = f"rendered {path.name}"
    pathlib.Path(results_md).write_text(text)
    return outcome


def script_main(run, argv=None):
    """`python benchmarks/<name>.py [options]`: run it and print its tables (no record)."""
    name = pathlib.Path(inspect.getfile(run)).stem
    argv = sys.argv[1:] if argv is None else argv
    options = parse_options(name, run, [arg for arg in argv if arg != "--smoke"])
    load_before = os.getloadavg()
    result = run(smoke="--smoke" in argv, **options)
    print(
        f"\nload average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"`python -m benchmarks run {name}` also records the environment\n"
    )
    print(markdown_tables(result))
