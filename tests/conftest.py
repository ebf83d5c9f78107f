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


# Longest tests first.  `make integration` (--dist loadgroup) hands tests to the xdist workers a
# few at a time in collection order, so the whole-playbook tests start first and the short
# module tests fill the gaps: no worker starts a several-minute test while the others sit idle
# at the end.  Weight = seconds one test took in a `--durations` run (2 cores, load ~20: only the
# ranking matters); the longest matching prefix wins.  A file not listed here weighs 0 (runs
# in collection order, after these), unless its tests carry @pytest.mark.slow (weight 60) or a
# timeout mark of 600 s or more (weight 60).  Only the order changes, never what runs.
TEST_WEIGHTS = {
    "tests/integration/test_copy_policies.py::test_zone_unit_with_a_copy_policy": 510,
    "tests/integration/test_orchestration.py::test_failover_failback_demo": 490,
    "tests/integration/test_orchestration_rollback.py": 430,
    "tests/awx/test_awx_job.py": 405,
    "tests/faults/test_interrupt.py": 300,
    "tests/integration/test_lockout_crash.py": 255,
    "tests/awx/test_job_wait.py": 255,
    "tests/faults/test_kill_resume.py": 200,
    "tests/integration/test_orchestration_config_sync.py": 200,
    "tests/faults/test_cluster_budget.py": 200,
    "tests/faults/test_fault_injection.py": 190,
    "tests/integration/test_orchestration.py": 185,
    "tests/integration/test_copy_policies.py": 170,
    "tests/awx/test_report_dir.py": 145,
    "tests/integration/test_onefs_synciq_job.py::test_action_quirk_during_resync_prep": 140,
    "tests/integration/test_onefs_smb_share_lockout.py::test_lockout_100_shares": 140,
    "tests/twin/test_rehearsal_pipeline.py": 270,
    "tests/report/test_report_page.py": 170,
    "tests/twin/test_capture_twin.py": 60,
    "tests/integration/test_onefs_dns.py::test_dns_verify_task_file": 80,
    "tests/integration/test_budget_broker.py": 20,
    "tests/faults/test_stateless_resume.py": 135,
    "tests/faults/test_concurrent_runs.py": 120,
    "tests/faults/test_source_down.py": 100,
    "tests/integration/test_readiness_": 60,
    "tests/integration/test_build_inventory.py": 40,
    "tests/integration/test_bad_input.py": 40,
    "tests/integration/test_onefs_": 20,
    "tests/integration/test_controller_plugins.py": 10,
}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a whole-playbook test; xdist starts it before the short ones")


def _weight(item):
    matches = [prefix for prefix in TEST_WEIGHTS if item.nodeid.startswith(prefix)]
    if matches:
        return TEST_WEIGHTS[max(matches, key=len)]
    timeout = item.get_closest_marker("timeout")
    if item.get_closest_marker("slow") or (timeout and timeout.args and timeout.args[0] >= 600):
        return 60
    return 0


def _shared_fixture_group(item):
    """The xdist group of a test that uses a module- or class-scoped fixture: every test sharing
    one instance of it (same file, same params) runs on one worker, so the fixture's run (a
    simulator, a failover) is made once, not once per worker."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    shared = sorted(name for name, defs in info.name2fixturedefs.items()
                    if defs and defs[-1].scope in ("module", "class", "package"))
    if not shared:
        return None
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "|".join([item.nodeid.split("::", 1)[0]] + ["%s=%s" % (n, params[n]) for n in shared if n in params])


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: -_weight(item))  # stable: equal weights keep collection order
    for item in items:
        group = _shared_fixture_group(item)
        if group and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group))


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
