"""The published weights of the `zoo` model zoo, as a distribution of their own.

`pip install ./zoo_weights` (from a zoo checkout) installs this folder as the package
`zoo_weights`; `zoo` finds it and uses it as its default endpoint, so `zoo.load(name)`
works offline, outside any checkout. Each preset version is a folder
`<name>/v<version>/` holding `config.json`, `model.weights.h5` and `metadata.json`; `zoo`
verifies each file against the sha256 recorded in its own `zoo/published.json` before use.
"""

import pathlib

#: The folder holding `<name>/v<version>/`.
ROOT = pathlib.Path(__file__).resolve().parent
