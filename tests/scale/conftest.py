"""Helpers for the scale tests: small clustered vector sets (not uniform noise)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `from scale_vectors import ...` in the tests


def pytest_configure(config):
    config.addinivalue_line("markers", "ray: starts a local Ray instance (skipped when ray is not installed)")


from tests.scale.scale_vectors import clustered  # noqa: E402


@pytest.fixture
def vecs():
    x = clustered(3000, seed=1)
    ids = (np.arange(len(x), dtype=np.int64) * 7 + 3)  # ids are not row numbers
    return ids, x
