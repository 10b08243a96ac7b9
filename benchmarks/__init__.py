"""zoo's benchmarks: peers side by side, step times; `python -m benchmarks --help`.

See `benchmarks/harness.py` for the protocol a benchmark module follows and
`benchmarks/RESULTS.md` for the results.
"""
