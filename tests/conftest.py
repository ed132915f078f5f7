"""Shared fixtures. Tests that read ../shared use the ``shared`` fixture and skip cleanly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SUMMARIZE_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder beside the checkout; the test is skipped when it is absent."""
    if not (SHARED / "README.md").is_file():
        pytest.skip("../shared is not present")
    return SHARED


def shared_file(shared: Path, relative: str) -> Path:
    path = shared / relative
    if not path.is_file():
        pytest.skip(f"../shared/{relative} is not present")
    return path
