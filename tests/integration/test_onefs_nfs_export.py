"""onefs_nfs_export against the simulator: declarative client lists, aliases, check mode, bad input."""

import pytest
from _config_sync_helpers import aliases, exports, reset, start, writes
from support import connection

MODULE = "onefs_nfs_export"
PATH = "/ifs/eng/proj/new"


def _with_export_dir(data):
    # OneFS refuses an export on a directory that does not exist: the test's export path exists.
    data["clusters"]["alpha"].setdefault("files", []).append({"path": PATH, "type": "container"})


@pytest.fixture
def env(sim_factory):
    return start(sim_factory, _with_export_dir)


def args(sim, **extra):
    out = connection(sim.clusters["alpha"])
    out.update(zone="eng")
    out.update(extra)
    return out


def export_at(control, path):
    found = [e for e in exports(control, "alpha") if e["paths"] == [path]]
    assert len(found) <= 1
    return found[0] if found else None


def test_create_check_apply_idempotent(env, ansible):
    sim, control = env
    task = args(
        sim,
        paths=[PATH],
        description="new export",
        clients=["10.1.0.0/16", "10.2.0.0/16"],
        root_clients=["build01.example.com"],
        read_only=True,
        map_root={"enabled": False},
        map_all={"enabled": True, "user": "nobody"},
        security_flavors=["unix", "krb5"],
        aliases=[{"name": "/new"}],
    )
    reset(control, "alpha")
    check, apply, again = ansible.idempotence(MODULE, task)
    assert check["changed"] is True, check
    assert check["export_id"] is None
    assert check["diff"]["after"]["export"]["clients"] == ["10.1.0.0/16", "10.2.0.0/16"]
    assert check["diff"]["after"]["aliases"] == {"/new": {"path": PATH}}
    assert apply["changed"] is True, apply
    assert again["changed"] is False, again
    assert "diff" not in again
    # Exactly one export create and one alias create: check mode and the re-run wrote nothing.
    counters = control.counters("alpha")
    assert counters["writes"] == 2, counters["by_endpoint"]
    export = export_at(control, PATH)
    assert export["id"] == apply["export_id"] == again["export_id"]
    assert export["description"] == "new export"
    assert sorted(export["clients"]) == ["10.1.0.0/16", "10.2.0.0/16"]
    assert export["root_clients"] == ["build01.example.com"]
    assert export["read_only"] is True
    assert export["map_root"]["enabled"] is False
    assert export["map_all"]["enabled"] is True and export["map_all"]["user"]["id"] == "USER:nobody"
    assert sorted(export["security_flavors"]) == ["krb5", "unix"]
    assert aliases(control, "alpha")["/new"]["path"] == PATH


def test_exact_lists_remove_and_incremental_edits(env, ansible):
    sim, control = env
    base = "/ifs/eng/proj/docs"  # the scenario's export: clients [10.1.0.0/16], root [build01]
    results = ansible.tasks(
        [
            # Exact lists: clients replaced, root_clients emptied.
            {"module": MODULE, "args": args(sim, paths=[base], clients=["10.3.0.0/16", "10.4.0.0/16"], root_clients=[])},
            # Same lists in another order: no change.
            {"module": MODULE, "args": args(sim, paths=[base], clients=["10.4.0.0/16", "10.3.0.0/16"], root_clients=[])},
            # Incremental: add one root client and one client, remove one client.
            {
                "module": MODULE,
                "args": args(
                    sim,
                    paths=[base],
                    add_clients={"root_clients": ["build02.example.com"], "clients": ["10.5.0.0/16"]},
                    remove_clients={"clients": ["10.3.0.0/16", "10.99.0.0/16"]},
                ),
            },
            # The same incremental edit again: nothing left to do.
            {
                "module": MODULE,
                "args": args(
                    sim,
                    paths=[base],
                    add_clients={"root_clients": ["build02.example.com"], "clients": ["10.5.0.0/16"]},
                    remove_clients={"clients": ["10.3.0.0/16"]},
                ),
            },
        ]
    )
    first, same, incremental, again = results
    assert first["changed"] is True, first
    assert first["diff"]["before"]["export"] == {"clients": ["10.1.0.0/16"], "root_clients": ["build01.example.com"]}
    assert first["diff"]["after"]["export"] == {"clients": ["10.3.0.0/16", "10.4.0.0/16"], "root_clients": []}
    assert same["changed"] is False, same
    assert incremental["changed"] is True, incremental
    assert again["changed"] is False, again
    export = export_at(control, base)
    assert sorted(export["clients"]) == ["10.4.0.0/16", "10.5.0.0/16"]
    assert export["root_clients"] == ["build02.example.com"]
    # Untouched settings stay as they were.
    assert export["read_only"] is True and export["description"] == "docs export"


def test_absent_removes_export_and_alias(env, ansible):
    sim, control = env
    task = args(sim, paths=["/ifs/eng/proj/docs/"], state="absent", aliases=[{"name": "/docs"}])
    reset(control, "alpha")
    check, apply, again = ansible.idempotence(MODULE, task)
    assert check["changed"] is True and apply["changed"] is True, apply
    assert again["changed"] is False, again
    assert control.counters("alpha")["writes"] == 2
    assert export_at(control, "/ifs/eng/proj/docs") is None
    assert "/docs" not in aliases(control, "alpha")
    # The other unit's export and alias are untouched.
    assert export_at(control, "/ifs/eng/other/data") is not None
    assert "/other" in aliases(control, "alpha")


def test_alias_only_mode_moves_an_alias(env, ansible):
    sim, control = env
    task = args(sim, aliases=[{"name": "/docs", "path": "/ifs/eng/proj/src"}, {"name": "/gone", "state": "absent"}])
    check, apply, again = ansible.idempotence(MODULE, task)
    assert check["changed"] is True and apply["changed"] is True
    assert apply["diff"]["before"]["aliases"] == {"/docs": {"path": "/ifs/eng/proj/docs"}}
    assert again["changed"] is False
    assert "export" not in apply
    assert aliases(control, "alpha")["/docs"]["path"] == "/ifs/eng/proj/src"


BAD = [
    ({"paths": ["/data/x"]}, "outside /ifs"),
    ({"paths": []}, "paths is empty"),
    ({"paths": [PATH], "add_clients": {"clients": ["h1"]}, "remove_clients": {"clients": ["h1"]}}, "added and removed"),
    ({"paths": [PATH], "state": "absent", "clients": ["h1"]}, "state=absent deletes the export"),
    ({"paths": [PATH], "aliases": [{"name": "noslash"}]}, "must start with /"),
    ({"clients": ["h1"]}, "give paths too"),
    ({"paths": [PATH], "security_flavors": ["kerberos"]}, "security_flavors"),
]


def test_bad_input_fails_clearly_without_writes(env, ansible):
    sim, control = env
    reset(control, "alpha")
    results = ansible.tasks([{"module": MODULE, "args": args(sim, **extra)} for extra, _ in BAD])
    for (extra, needle), result in zip(BAD, results, strict=True):
        assert result.get("failed") is True, (extra, result)
        assert needle in result["msg"], (extra, result["msg"])
    assert writes(control, "alpha") == 0


def test_onefs_error_is_reported_with_its_code(env, ansible):
    sim, control = env
    # /ifs/other is outside zone eng's base path: OneFS rejects the export.
    result = ansible.run(MODULE, args(sim, paths=["/ifs/other/x"], clients=["h1"]))
    assert result["failed"] is True
    assert result["onefs_error"]["status"] == 400, result
    assert "base path" in result["msg"]
