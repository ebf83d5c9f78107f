# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the unit tests (no simulator, no network)."""

import functools

import pytest
from _calls import run_module


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path, monkeypatch):
    """Controller-side state (session and version caches, limiter) per test, never the user's home."""
    monkeypatch.setenv("ONEFS_DR_STATE_DIR", str(tmp_path / "onefs-dr-state"))
    # Budget leases renewed every 200 s: no renewal PUT can fall into a test's script.
    monkeypatch.setenv("ONEFS_DR_LEASE_TTL", "600")


@pytest.fixture
def papi(monkeypatch):
    """``papi(module, args, calls, check_mode=False)``: run a module against scripted PAPI exchanges."""
    return functools.partial(run_module, monkeypatch)
