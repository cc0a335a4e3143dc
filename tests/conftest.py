"""Shared pytest setup. Keep it generic: fixtures any test module may use."""

from __future__ import annotations

import os

import pytest

import libreoffice as _lo


def require_libreoffice() -> None:
    """Skip when soffice is missing, but fail in CI (CI=true), where it must be installed."""
    if _lo.available():
        return
    reason = "LibreOffice (soffice) is not installed; apt-get install libreoffice-calc-nogui"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("libreoffice") is not None:
        require_libreoffice()


@pytest.fixture
def libreoffice():
    """The tests/libreoffice.py helpers (recalculate, convert), after checking soffice is there."""
    require_libreoffice()
    return _lo
