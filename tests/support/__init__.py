"""What the tests share: one package beside the tests that mirror `zoo/`.

- `model_contract`: the contract checks every model's own tests run on a tiny model.
- `export_checks`: export a model and compare what it serves with the model in memory.
- `tiny_preset`, `hub_fixtures`: a tiny registered preset, and the fixtures publishing it
  to a local hub (`pytest_plugins = ("support.hub_fixtures",)`).
- `pixel_helpers`: autoregressive image checks (all images of a tiny shape, earlier
  sub-pixels, input Jacobians).
"""
