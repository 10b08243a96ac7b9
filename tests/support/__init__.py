"""What the tests share: one package beside the tests that mirror `zoo/`.

- `model_contract`: the contract checks every model's own tests run on a tiny model.
- `export_checks`: export a model and compare what it serves with the model in memory.
- `tiny_preset`, `hub_fixtures`: a tiny registered preset, and the fixtures publishing it
  to a local hub (`pytest_plugins = ("support.hub_fixtures",)`).
- `pixel_helpers`: autoregressive image checks (all images of a tiny shape, earlier
  sub-pixels, input Jacobians).
- `serving_toy_models`, `serving_cases`: tiny models and training cases of every family,
  shared by the export, input-check, callback and distribution tests and their children.
- `child_processes`: run a child Python (quiet, one thread, `tests/` importable) on a
  script of `children/`, and serve an export in a process without zoo or TFP.
"""
