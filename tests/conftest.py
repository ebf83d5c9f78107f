"""Shared pytest fixtures: in-process simulators and running modules the way Ansible does.

- ``sim`` / ``sim_factory``: an in-process OneFS simulator (``onefs_sim``) over real HTTPS.
- ``control``: a small client of the simulator's control API (``/sim/v1``).
- ``ansible``: runs tasks through ``ansible-playbook`` against localhost (the collection is
  found through a temporary ``ansible_collections/onefs/dr`` link to this checkout) and
  returns each task's registered result.
"""

import contextlib
import os
import sys
from pathlib import Path

import pytest
from support import AnsibleRunner, Control

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = REPO / ".build" / "collections"


def _link_collection():
    """``.build/collections/ansible_collections/onefs/dr`` -> this checkout (idempotent)."""
    link = COLLECTIONS / "ansible_collections" / "onefs" / "dr"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        with contextlib.suppress(FileExistsError):  # another xdist worker made it first
            link.symlink_to(REPO)
    return COLLECTIONS


# Cluster leases (unit leases, the share-write budget) of every run a test starts live 10 s after
# their last renewal instead of 60: a re-run after a killed run waits ~15 s for its lease, not 90.
# Tests of lease expiry set their own value.
os.environ.setdefault("ONEFS_DR_LEASE_TTL", "10")

# Tests import the collection's module_utils as Ansible does, and the simulator package.
sys.path.insert(0, str(_link_collection()))
sys.path.insert(0, str(REPO / "simulator"))


@pytest.fixture(scope="session")
def collections_root():
    """A collections path in which ``onefs.dr`` is this checkout."""
    return COLLECTIONS


@pytest.fixture
def limiter_dir(tmp_path):
    """A private limiter directory, so parallel tests do not share slots."""
    path = tmp_path / "limiter"
    path.mkdir()
    return path


@pytest.fixture
def sim_factory():
    """Start simulators with any scenario and options; all are stopped at teardown."""
    from onefs_sim import Simulator

    started = []

    def start(scenario="demo", **options):
        sim = Simulator.from_scenario(scenario, **options)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(sim_factory):
    """The ``demo`` scenario (clusters ``alpha`` -> ``beta``) with a fast share store."""
    return sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)


@pytest.fixture
def control(sim):
    return Control(sim.control_url)


@pytest.fixture
def ansible(collections_root, limiter_dir, tmp_path):
    return AnsibleRunner(collections_root, limiter_dir, tmp_path)




@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path, monkeypatch):
    """Controller-side state (version cache, limiter) per test, never the user's home."""
    monkeypatch.setenv("ONEFS_DR_STATE_DIR", str(tmp_path / "onefs-dr-state"))
