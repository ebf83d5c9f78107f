# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run as a page (issue 19 point 4) and the estimate in the run report (point 3).

One small failover (unit ``eng`` of the demo scenario: two policies, seven shares) runs once
against the simulator in a module-scoped fixture, with an RTO estimate computed as readiness
would from the policies' SyncIQ reports (each policy ran once before). The tests read its JSON
report and load its page in headless Chromium (Debian's chromium + chromium-driver, installed
with apt-get when missing) through chromedriver (selenium): no console error, no request at
all, the numbers on the page equal the JSON's; a screenshot goes to tests/output/.
"""

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ansible_collections.onefs.dr.plugins.filter.rto_estimate import rto_estimate
from ansible_collections.onefs.dr.plugins.module_utils._report_html import busy_series, render
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "output"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
UNIT, POLICIES, ZONE = "eng", ["eng_builds_policy", "eng_src_policy"], "eng"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1100,1800"]


def _sim_inventory():
    import importlib.util

    spec = importlib.util.spec_from_file_location("sim_inventory", REPO / "scripts" / "sim_inventory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _client(sim, name):
    c = sim.clusters[name]
    return OneFSClient(c.host, port=c.port, username=c.username, password=c.password, ca_path=c.ca,
                       auth_mode="basic")


def _history(sim):
    """Run each policy of the unit once (its history), then read both clusters' reports."""
    alpha = _client(sim, "alpha")
    for policy in POLICIES:
        alpha.post(alpha.api("sync/jobs"), {"id": policy})
    for policy in POLICIES:
        while alpha.item(alpha.api("sync/jobs", policy), "jobs") is not None:
            time.sleep(0.05)
    reports = []
    for name in ("alpha", "beta"):
        client = _client(sim, name)
        reports += client.list(client.api("sync/reports"), "reports")
    shares = alpha.list(alpha.api("protocols/smb/shares"), "shares", query={"zone": ZONE})
    return reports, len(shares)


@pytest.fixture(scope="module")
def run(collections_root):
    from onefs_sim import Simulator

    tmp = Path(tempfile.mkdtemp(prefix="onefs-report-page-"))
    sim = Simulator.from_scenario("demo", share_write_service_ms=20, job_seconds=0.3, dns=True)
    sim.start()
    try:
        reports, shares = _history(sim)
        estimate = rto_estimate({"name": UNIT, "cluster": "alpha", "policies": POLICIES, "shares": shares}, reports,
                                service_ms=20, in_flight=10, units_per_core=1.0 / (os.cpu_count() or 1))
        tool = _sim_inventory()
        ready = {"clusters": {n: {"url": c.url, "ca": c.ca, "username": c.username, "password": c.password,
                                  "host": c.host, "port": c.port} for n, c in sim.clusters.items()},
                 "control": sim.control_url}
        conn = tmp / "connection.yml"
        conn.write_text(tool.to_yaml(tool.connection_vars(ready)))
        # Readiness estimates the unit from the clusters' reports with these inputs (one unit in
        # the batch, this machine's cores, the simulator's service time): the test's own estimate
        # from the same reports must come out equal.
        extra = tmp / "estimate.json"
        # DNS checks on (docs/dns.md): readiness and step 14 ask the clusters' SmartConnect DNS.
        dns = {n: {"server": "127.0.0.1", "port": c.dns.port} for n, c in sim.clusters.items()}
        extra.write_text(json.dumps({"onefs_dr_rto_controller_cores": os.cpu_count() or 1,
                                     "onefs_dr_readiness_share_write_ms": 20, "onefs_dr_dns": dns}))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_root), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_PIPELINING="1", ONEFS_DR_CONNECTION_VARS=str(conn),
                   ONEFS_DR_STATE_DIR=str(tmp / "state"), ONEFS_LIMITER_DIR=str(tmp / "limiter"))
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(REPO / "inventories" / "demo"),
               str(REPO / "playbooks" / "failover.yml"), "--limit", UNIT, "-e", "@%s" % extra,
               "-e", "onefs_dr_report_dir=%s" % (tmp / "reports")]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd=str(REPO))
        assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
        path = sorted((tmp / "reports").glob("failover-*.json"))[-1]
        yield {"report": json.loads(path.read_text()), "json": path, "html": path.with_suffix(".html"),
               "estimate": estimate, "stdout": proc.stdout}
    finally:
        sim.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_report_has_estimate_and_actual_per_step(run):
    report = run["report"]
    unit = report["units"][UNIT]
    assert unit["status"] == "ok" and unit["estimate"] == run["estimate"]
    steps = {s["step"]: s for s in unit["steps"]}
    # The final sync's estimate is the unit's history (jobs of 0.3 s) plus the step's overhead.
    assert steps["r06_final_sync"]["estimate_s"] == run["estimate"]["steps"]["final_sync"] > 0
    for s in unit["steps"]:
        assert s["error_s"] == pytest.approx(s["duration_s"] - s["estimate_s"], abs=0.002)
        assert s["ended"] - s["started"] == pytest.approx(s["duration_s"], abs=0.002)
    # The lockout's share writes were recorded over time, within the limit.
    busy = steps["r03_smb_lockout"]["share_write_busy"]
    assert busy and sum(busy.values()) > 0
    assert max(v for _t, v in busy_series(report)["alpha"]) <= report["share_write_limit"]
    assert set(report["rto"]) == {"estimate_s", "actual_s", "error_s", "error_pct"} and report["rto"]["actual_s"] > 0
    assert "RTO: estimate" in run["stdout"] and ".html" in run["stdout"]


def test_dns_as_a_client_sees_it_before_and_after(run):
    """Readiness: the unit's names resolve to the sending cluster (alpha) and beta refuses them;
    step 14: after the move they resolve to beta's pool (issue 18 point 4, wired in the run)."""
    unit = run["report"]["units"][UNIT]
    dns = [c for c in unit["readiness"] if c["check"] == "dns_names"]
    assert [c["status"] for c in dns] == ["OK"], unit["readiness"]
    assert "eng.example.com -> 192.0.2." in dns[0]["detail"] and dns[0]["detail"].endswith("(alpha)")
    after = [line for line in run["stdout"].splitlines() if "OK | dns_names |" in line and "(beta)" in line]
    assert after, run["stdout"][-4000:]


def _chromium():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        proc = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"],
                              capture_output=True, text=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if proc.returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True)
            proc = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"],
                                  capture_output=True, text=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if proc.returncode != 0 or not os.path.exists(CHROMEDRIVER):
            pytest.skip("headless Chromium is not installed and apt-get could not install chromium and "
                        "chromium-driver: %s" % (proc.stderr or proc.stdout)[-300:])
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (requirements-test.txt) is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="onefs-chromium-")
    for flag in CHROME_FLAGS + ["--user-data-dir=%s" % profile]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    return driver, profile


@pytest.fixture(scope="module")
def page(run):
    driver, profile = _chromium()
    try:
        driver.get_log("performance")  # the browser's own start (its new-tab page), before the page
        driver.get(run["html"].as_uri())
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _attr(driver, css, name):
    return [e.get_attribute(name) for e in driver.find_elements("css selector", css)]


def test_page_loads_offline_with_no_error_and_no_request(run, page):
    from selenium.webdriver.common.by import By

    assert page.title.startswith("onefs.dr failover ")
    errors = [e for e in page.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    requests, failed, ours, internal = [], [], set(), set()
    for entry in page.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        url = msg.get("params", {}).get("request", {}).get("url", "")
        if msg["method"] == "Network.requestWillBeSent":
            # The browser's own pages (chrome:, chrome-untrusted:, about:) are not the page's requests.
            if url.startswith(("chrome:", "chrome-", "about:")):
                internal.add(msg["params"]["requestId"])
            else:
                requests.append(url)
                ours.add(msg["params"]["requestId"])
        elif msg["method"] == "Network.loadingFailed":
            failed.append(msg["params"])
    # A failure of the browser's own background work (its new-tab page looking up a host on this
    # closed network) is not the page's; every other failed request is.
    failed = [f for f in failed if f["requestId"] in ours or f["requestId"] not in internal
              and f.get("errorText") != "net::ERR_NAME_NOT_RESOLVED"]
    # The page itself is the only request that leaves the page (its favicon is an inline data: URL).
    assert [u for u in requests if not u.startswith("data:")] == [run["html"].as_uri()] and failed == []
    assert page.find_elements(By.CSS_SELECTOR, "script, link[rel=stylesheet], img, iframe") == []
    OUTPUT.mkdir(exist_ok=True)
    page.set_window_size(1100, page.execute_script("return document.body.scrollHeight") + 40)
    assert page.save_screenshot(str(OUTPUT / "report_page.png"))


def test_numbers_on_the_page_equal_the_json(run, page):
    report = run["report"]
    unit = report["units"][UNIT]
    row = 'tr[data-unit="%s"]' % UNIT
    assert float(_attr(page, row + ' td[data-field="duration_s"]', "data-value")[0]) == unit["duration_s"]
    assert float(_attr(page, row + ' td[data-field="estimate_s"]', "data-value")[0]) == unit["estimate"]["total_s"]
    assert int(_attr(page, row + ' td[data-field="api_calls"]', "data-value")[0]) == unit["api_calls"]
    assert float(_attr(page, "[data-run-estimate-s]", "data-run-estimate-s")[0]) == report["rto"]["estimate_s"]
    assert float(_attr(page, "[data-run-actual-s]", "data-run-actual-s")[0]) == report["rto"]["actual_s"]
    # Timeline: one bar per step, with the step's duration.
    bars = page.find_elements("css selector", 'rect.step[data-unit="%s"]' % UNIT)
    assert [(b.get_attribute("data-step"), float(b.get_attribute("data-duration-s"))) for b in bars] == [
        (s["step"], s["duration_s"]) for s in unit["steps"]]
    # Estimate against actual per step.
    for s in unit["steps"]:
        cells = 'table.rto tr[data-step="%s"] td' % s["step"]
        assert float(_attr(page, cells + '[data-field="estimate_s"]', "data-value")[0]) == s["estimate_s"]
        assert float(_attr(page, cells + '[data-field="duration_s"]', "data-value")[0]) == s["duration_s"]
    # Readiness findings by severity.
    for sev in ("ERROR", "WARNING", "OK"):
        count = sum(1 for c in unit["readiness"] if c["status"] == sev)
        assert int(_attr(page, '[data-severity="%s"]' % sev, "data-count")[0]) == count
    # Share writes in flight on alpha (the lockout and the unlock) against the limit.
    peak = max(v for _t, v in busy_series(report)["alpha"])
    svg = 'svg.in-flight[data-cluster="alpha"]'
    assert float(_attr(page, svg, "data-peak")[0]) == round(peak, 3) and 0 < peak <= report["share_write_limit"]
    assert int(_attr(page, svg, "data-limit")[0]) == report["share_write_limit"]
    # What changed.
    changes = sum(len(s["changes"]) for s in unit["steps"])
    assert int(_attr(page, '[data-unit-changes="%s"]' % UNIT, "data-count")[0]) == changes > 0


def test_every_string_from_the_clusters_is_escaped(run):
    hostile = '<script>alert(1)</script>"\'&'
    report = json.loads(json.dumps(run["report"]))
    unit = report["units"].pop(UNIT)
    unit["policies"] = [hostile]
    unit["readiness"].append({"check": hostile, "status": "WARNING", "detail": hostile})
    unit["steps"][0]["changes"] = [hostile]
    unit["steps"][0]["step"] = hostile
    report["units"][hostile] = unit
    page = render(report)
    assert "<script" not in page and hostile not in page
    assert page.count(html.escape(hostile, quote=True)) >= 5
