"""The scheduled configuration sync (playbooks/config_sync.yml, issue 6 item 8): every unit's
configuration goes to the partner, and a unit suspended by a failover in progress is skipped."""

from support import Control
from test_orchestration import UNITS, Runner, _connection_file, _norm_acl, _ok, _shares

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient
from ansible_collections.onefs.dr.plugins.module_utils.config_sync import read_suspend, set_suspend


def _client(cluster, limiter_dir):
    return OneFSClient(cluster.host, cluster.port, cluster.username, cluster.password, ca_path=cluster.ca,
                       limiter_dir=str(limiter_dir))


def test_scheduled_config_sync_replicates_units_and_skips_suspended(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    alpha = _client(sim.clusters["alpha"], tmp_path / "limiter")
    # A failover of "eng" is in progress: step 3b suspended its configuration sync.
    changed, _marker = set_suspend(alpha, "eng", True, reason="failover in progress")
    assert changed

    proc = runner.playbook("config_sync.yml")
    _ok(proc)
    source, target = control.state("alpha"), control.state("beta")
    for unit, (_mode, _policies, zone, paths) in UNITS.items():
        want = _shares(source, zone, paths)
        have = _shares(target, zone, paths)
        assert want, unit
        if unit == "eng":
            assert have == {}, "a suspended unit must not be synced: %s" % sorted(have)
            continue
        assert sorted(have) == sorted(want), unit
        for name, share in want.items():
            assert _norm_acl(have[name]["permissions"]) == _norm_acl(share["permissions"]), (unit, name)

    # The next scheduled run changes nothing, and the suspended unit stays untouched.
    control.reset_counters("beta")
    again = runner.playbook("config_sync.yml")
    _ok(again)
    assert control.counters("beta")["writes"] == 0
    assert {u: r["changed"] for u, r in runner.recap(again).items() if u in UNITS} == {u: 0 for u in UNITS}

    # Once the failover clears the marker, the unit is synced like the others.
    assert set_suspend(alpha, "eng", False)[0]
    assert read_suspend(alpha, "eng") is None
    _ok(runner.playbook("config_sync.yml"))
    zone, paths = UNITS["eng"][2], UNITS["eng"][3]
    assert sorted(_shares(control.state("beta"), zone, paths)) == sorted(_shares(source, zone, paths))
    alpha.close()
