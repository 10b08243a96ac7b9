"""The package version, in one place (read by `pyproject.toml`, `zoo.__version__`, cards)."""

__version__ = "0.1.0.dev0"
