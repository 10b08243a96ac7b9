"""Test-wide settings: quiet TF, fixed seeds, and a private zoo cache per test."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import pytest


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Seed everything and point ZOO_HOME at a fresh folder so no test sees another's cache."""
    keras.utils.set_random_seed(0)
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "zoo_home"))
    monkeypatch.delenv("ZOO_OFFLINE", raising=False)
    monkeypatch.delenv("ZOO_ENDPOINT", raising=False)
