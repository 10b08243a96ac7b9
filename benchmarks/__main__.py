"""Command line of the benchmark harness.

    python -m benchmarks list
    python -m benchmarks run NAME [--smoke] [--no-write] [--out DIR] [NAME's options]
    python -m benchmarks run --all --smoke --no-write
    python -m benchmarks report [--results DIR] [--file RESULTS.md]

`run NAME --help` lists NAME's options (the keyword arguments of its `run`).
"""

import argparse
import os
import sys
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from benchmarks import harness


def list_benchmarks():
    for name, benchmark in harness.BENCHMARKS.items():
        reason = harness.wired_in(name)
        status = f"not wired in: {reason}" if reason else "ready"
        print(f"{name:18} {benchmark.summary}\n{'':18} goal: {benchmark.goal}; {status}")


def run(args, extra, command):
    names = list(harness.BENCHMARKS) if args.all else args.names
    if not names:
        raise SystemExit("name a benchmark (`python -m benchmarks list`) or pass --all")
    if extra and len(names) > 1:
        raise SystemExit(f"options {extra} apply to one benchmark; got {names}")
    unknown = [name for name in names if name not in harness.BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; known: {', '.join(harness.BENCHMARKS)}")
    gemm_peak = harness.measure_gemm_peak(seconds=0.05, rounds=1) if args.smoke else None
    failed, start = [], time.perf_counter()
    for name in names:
        began = time.perf_counter()
        try:
            options = harness.parse_options(name, harness.load_run(name), extra)
            record = harness.run_benchmark(
                name, args.smoke, options, command=command, gemm_peak=gemm_peak
            )
        except harness.NotWiredIn as error:
            print(f"SKIP {name}: {error}", flush=True)
            continue
        except Exception:  # noqa: BLE001 (one failing benchmark must not hide the others)
            traceback.print_exc()
            print(f"FAIL {name} ({time.perf_counter() - began:.0f} s)", flush=True)
            failed.append(name)
            continue
        where = "not written (--no-write)"
        if args.write:
            where = f"written to {harness.write_record(record, args.out)}"
        targets = "; ".join(
            f"{t['name']}: {t['value']:.2f} (goal {t['goal']}, {'met' if t['met'] else 'NOT met'})"
            for t in record["targets"]
        )
        print(
            f"OK   {name} ({time.perf_counter() - began:.0f} s): "
            f"{targets or 'no targets'}; {where}",
            flush=True,
        )
    print(f"{len(names)} benchmark(s) in {time.perf_counter() - start:.0f} s", flush=True)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


def main(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the benchmarks and whether they are wired in")
    run_parser = commands.add_parser(
        "run", help="run benchmarks; unknown flags go to the benchmark's run()", add_help=False
    )
    run_parser.add_argument("names", nargs="*")
    run_parser.add_argument("--all", action="store_true", help="every benchmark")
    run_parser.add_argument("--smoke", action="store_true", help="a few steps, tiny synthetic data")
    run_parser.add_argument("--no-write", dest="write", action="store_false", help="no JSON record")
    run_parser.add_argument("--out", default=str(harness.RESULTS_DIR), help="folder of the records")
    report_parser = commands.add_parser("report", help="regenerate RESULTS.md's generated tables")
    report_parser.add_argument("--results", default=str(harness.RESULTS_DIR))
    report_parser.add_argument("--file", default=str(harness.RESULTS_MD))
    args, extra = parser.parse_known_args(argv)
    if args.command == "list":
        list_benchmarks()
    elif args.command == "run":
        run(args, extra, [sys.executable, "-m", "benchmarks", *argv])
    else:
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        for name, outcome in harness.report(args.results, args.file).items():
            print(f"{name}: {outcome}")


if __name__ == "__main__":
    main(sys.argv[1:])
