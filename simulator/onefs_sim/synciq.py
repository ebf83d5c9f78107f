"""SyncIQ in simulated time: sync jobs, allow_write(_revert), resync_prep and mirror policies."""
import threading
import time

from . import models
from .errors import ApiError, bad_request, conflict, not_found
from .scenario import _mkdirs, new_policy
from .util import new_guid, norm_path, path_under, strip_private

RECOVERY_ACTIONS = ("resync_prep", "allow_write", "allow_write_revert")
_ZERO_STATS = {k: 0 for k in models.REPORT_INT_FIELDS}


def _copy_generations(src_gens, src_root, dst_gens, dst_root, delete_extra=True):
    copied = {}
    for k, v in src_gens.items():
        if path_under(k, src_root):
            copied[dst_root + k[len(src_root):]] = v
    if delete_extra:
        for k in [k for k in dst_gens if path_under(k, dst_root) and k not in copied]:
            del dst_gens[k]
    dst_gens.update(copied)
    return copied


def _selected(path, root, include, exclude):
    """SyncIQ's directory selection: under an include directory (when any), under no exclude one."""
    if include and path != root and not any(path_under(path, d) or path_under(d, path) for d in include):
        return False
    return not any(path_under(path, d) for d in exclude)


def _copy_files(src_files, src_root, dst_files, dst_root, include=(), exclude=(), delete_extra=True):
    """Replicate the namespace (directories and small files) under src_root to dst_root.

    A sync policy also removes what the source no longer has (within the selection); a copy
    policy only adds and overwrites. Returns the number of entries copied.
    """
    copied = {}
    for path, entry in src_files.items():
        if path_under(path, src_root) and _selected(path, src_root, include, exclude):
            copied[dst_root + path[len(src_root):]] = dict(entry)
    if delete_extra:
        for path in [p for p in dst_files if path_under(p, dst_root) and p not in copied and p != dst_root]:
            if _selected(src_root + path[len(dst_root):], src_root, include, exclude):
                del dst_files[path]
    _mkdirs({"files": dst_files}, dst_root)
    dst_files.update(copied)
    return len(copied)


def _snapshot(gens, root):
    return {k: v for k, v in gens.items() if path_under(k, root)}


def _restore(gens, root, snap):
    for k in [k for k in gens if path_under(k, root)]:
        del gens[k]
    gens.update(snap or {})


class Engine:
    def __init__(self, world):
        self.world = world
        self.timers = {}
        self.timers_lock = threading.Lock()
        self.stopped = False

    # ---- views -------------------------------------------------------------------------------
    def policy_view(self, cluster, pol):
        out = strip_private(pol)
        jobs = cluster.s["jobs"]
        if jobs:
            for j in jobs.values():
                if j["policy_name"] == pol["name"] and j["action"] in RECOVERY_ACTIONS:
                    # Real OneFS quirk: the policy reports the recovery action while the job exists.
                    out["action"] = j["action"]
        return out

    def job_view(self, job):
        out = dict(_ZERO_STATS)
        out.pop("subreport_count")  # a report field; SyncJobExtended has none
        out.update(strip_private(job))
        t = time.time()
        out["duration"] = int((job.get("end_time") or t) - job["start_time"])
        return out

    def find_job(self, cluster, key):
        jobs = cluster.s["jobs"]
        if key in jobs:
            return jobs[key]
        for j in jobs.values():
            if key in (j["policy_name"], j["policy_id"], str(j["job_id"])):
                return j
        raise not_found("Job '%s' not found" % key)

    # ---- start -----------------------------------------------------------------------------
    def start(self, cluster, body):
        action = body.get("action")
        if action == "run":
            raise bad_request("Field: action 'run' is not valid; omit action to run the policy", "action")
        if action not in (None, "test", "resync_prep", "allow_write", "allow_write_revert"):
            raise bad_request("Field: action must be one of resync_prep, allow_write, allow_write_revert, test",
                              "action")
        key = body["id"]
        if action in ("allow_write", "allow_write_revert"):
            return self._start_recovery(cluster, key, action)
        pol = self._policy(cluster, key)
        if pol["id"] in cluster.s["jobs"]:
            raise conflict("A job is already running for policy '%s'" % pol["name"])
        if cluster.s["sync_settings"].get("service") != "on":
            raise conflict("SyncIQ service is %s" % cluster.s["sync_settings"].get("service"))
        if action == "resync_prep":
            self._refuse_copy_failback(pol)
            tc = self.world.cluster_for_host(pol["target_host"])
            tp = tc.s["target_policies"].get(pol["id"]) if tc else None
            if tp is None:
                raise conflict("Unable to resync-prep policy '%s': no target policy found on target %s" % (
                    pol["name"], pol["target_host"]))
            if tp["failover_failback_state"] != "writes_enabled":
                raise conflict("Unable to resync-prep policy '%s': writes are not enabled on the target "
                               "(failover_failback_state is %s); run allow_write on the target first" % (
                                   pol["name"], tp["failover_failback_state"]))
            self._set_tp(tc, tp, failover_failback_state="creating_resync_policy")
            job = self._new_job(cluster, pol, "resync_prep", tc.name)
        else:
            if not pol["enabled"]:
                raise conflict("Unable to start job: policy '%s' is disabled" % pol["name"])
            job = self._new_job(cluster, pol, action or "run", None)
        return 201, {"id": job["id"]}

    @staticmethod
    def _refuse_copy_failback(pol):
        """Resync-prep (the first step of failback) of a copy policy is refused unless the policy
        sets ``allow_copy_fb``. Sources: OneFS web administration guide, "Configure basic policy
        settings": "Failback is not supported for copy policies"; isilon_sdk SyncPolicy.allow_copy_fb:
        "If set to true, SyncIQ will allow a policy with copy action failback which is not supported
        by default". Allow-write (failover) stays allowed for copy policies. The status and wording
        of the refusal are inferred (simulator/README.md)."""
        if pol.get("action") == "copy" and not pol.get("allow_copy_fb"):
            raise conflict("Unable to resync-prep policy '%s': failback is not supported for copy policies "
                           "(allow_copy_fb is false)" % pol["name"])

    def _start_recovery(self, cluster, key, action):
        tp = None
        for p in cluster.s["target_policies"].values():
            if key in (p["id"], p["name"]):
                tp = p
                break
        if tp is None:
            raise not_found("Target policy '%s' not found" % key)
        for c in self.world.clusters.values():
            for j in c.s["jobs"].values():
                if j["policy_id"] == tp["id"] and j["action"] in ("run", "test"):
                    raise conflict("Unable to %s for policy '%s': a sync job of this policy is running on %s" % (
                        action.replace("_", " "), tp["name"], c.name))
        if tp["id"] in cluster.s["jobs"]:
            raise conflict("A recovery job is already running for policy '%s'" % tp["name"])
        state = tp["failover_failback_state"]
        if action == "allow_write":
            if state in ("creating_resync_policy", "disabling_writes", "enabling_writes"):
                raise conflict("Unable to allow writes for policy '%s' in state %s" % (tp["name"], state))
            tp["_pre_allow"] = _snapshot(cluster.s["generations"], tp["target_path"])
            if state != "writes_enabled":
                self._set_tp(cluster, tp, failover_failback_state="enabling_writes")
        else:
            if state != "writes_enabled":
                raise conflict("Unable to revert allow writes for policy '%s': failover_failback_state is %s" % (
                    tp["name"], state))
            self._set_tp(cluster, tp, failover_failback_state="disabling_writes")
        pseudo = {"id": tp["id"], "name": tp["name"], "action": "sync", "source_root_path": tp["target_path"],
                  "target_path": tp["target_path"], "target_host": cluster.name}
        job = self._new_job(cluster, pseudo, action, None)
        return 201, {"id": job["id"]}

    def _policy(self, cluster, key):
        pols = cluster.s["policies"]
        if key in pols:
            return pols[key]
        for p in pols.values():
            if p["name"] == key:
                return p
        raise not_found("Policy '%s' not found" % key)

    def _set_tp(self, cluster, tp, **vals):
        tp.update(vals)
        self.world.mark_dirty()

    def _new_job(self, cluster, pol, action, target_name):
        s = cluster.s
        job_id = s["next_job_id"]
        s["next_job_id"] += 1
        t = time.time()
        job = {
            "id": pol["name"], "job_id": job_id, "policy_id": pol["id"], "policy_name": pol["name"],
            "action": action, "state": "running", "start_time": int(t), "end_time": None,
            "policy_action": pol.get("action") if pol.get("action") in ("copy", "sync") else "sync",
            # While a recovery job runs, OneFS reports its action as the job policy's action (the same
            # record as the policy-list quirk above; SyncJobPolicy.action's enum lists them).
            "policy": {"action": action if action in RECOVERY_ACTIONS else pol.get("action", "sync"),
                       "name": pol["name"],
                       "file_matching_pattern": pol.get("file_matching_pattern", {"or_criteria": []}),
                       "source_exclude_directories": pol.get("source_exclude_directories", []),
                       "source_include_directories": pol.get("source_include_directories", []),
                       "source_root_path": pol["source_root_path"], "target_host": pol["target_host"],
                       "target_path": pol["target_path"]},
            "sync_type": "incremental" if pol.get("has_sync_state") else "initial",
            "dead_node": False, "encrypted": False, "error": "", "errors": [], "phases": [],
            "retransmitted_files": [], "target_snapshots": [], "warnings": [], "workers": [],
            "service_report": [], "total_phases": 0,
            "_due": t + cluster.job_duration(pol["name"], action), "_target": target_name,
        }
        s["jobs"][pol["id"]] = job
        if action in ("run", "test"):
            pol["last_job_state"] = "running"
            pol["last_started"] = int(t)
        self.world.mark_dirty()
        self.schedule(cluster, job)
        return job

    # ---- timers ------------------------------------------------------------------------------
    def schedule(self, cluster, job):
        if self.stopped:
            return
        delay = max(0.0, job["_due"] - time.time())
        timer = threading.Timer(delay, self._fire, args=(cluster.name, job["policy_id"], job["job_id"], job["_due"]))
        timer.daemon = True
        with self.timers_lock:
            old = self.timers.pop((cluster.name, job["job_id"]), None)
            self.timers[(cluster.name, job["job_id"])] = timer
        if old is not None:
            old.cancel()
        timer.start()

    def retime(self, cluster):
        """Control API (not OneFS): a new ``job_seconds`` applies to the jobs in flight too, each
        ending ``job_seconds`` from now. A test can hold a job for as long as it needs (a large
        value) and then let it end at once (a small one), whatever the machine's speed."""
        now = time.time()
        for job in list(cluster.s["jobs"].values()):
            job["_due"] = now + cluster.job_seconds
            self.schedule(cluster, job)

    def reschedule_all(self):
        for c in self.world.clusters.values():
            for job in list(c.s["jobs"].values()):
                self.schedule(c, job)

    def stop(self):
        self.stopped = True
        with self.timers_lock:
            for t in self.timers.values():
                t.cancel()
            self.timers.clear()

    def _fire(self, cname, pid, job_id, due=None):
        with self.timers_lock:
            if self.timers.get((cname, job_id)) is threading.current_thread():
                self.timers.pop((cname, job_id))
        if self.stopped:
            return
        world = self.world
        with world.lock:
            c = world.clusters.get(cname)
            job = c.s["jobs"].get(pid) if c else None
            if job is None or job["job_id"] != job_id:
                return
            if due is not None and job["_due"] != due:
                return  # retimed: a newer timer ends this job
            if job["state"] == "paused":
                job["_due"] = time.time() + c.job_seconds
                self.schedule(c, job)
                return
            try:
                self._complete(c, job)
            finally:
                world.mark_dirty()

    # ---- completion --------------------------------------------------------------------------
    def _complete(self, c, job):
        action = job["action"]
        error = None
        rule = c.match_fault("JOB", job["policy_name"])
        if rule is not None:
            error = rule.message or "Injected SyncIQ job failure"
        if error is None and action in ("run", "test"):
            error = self._missing_source_root(c, job)
        if action in ("run", "test"):
            self._complete_sync(c, job, error)
        elif action == "resync_prep":
            self._complete_resync_prep(c, job, error)
        else:
            self._complete_recovery(c, job, error)

    @staticmethod
    def _missing_source_root(c, job):
        """A sync job whose source root directory does not exist fails (issue 16, point 8)."""
        pol = c.s["policies"].get(job["policy_id"])
        root = pol["source_root_path"] if pol else None
        if root and root != "/ifs" and c.s["files"].get(root, {}).get("type") != "container":
            return "Source root path %s does not exist" % root
        return None

    def _finish(self, c, job, state, error=None):
        t = int(time.time())
        job["state"] = state
        job["end_time"] = t
        if error:
            job["error"] = error
            job["errors"] = [error]
        c.s["jobs"].pop(job["policy_id"], None)
        report = self.report(job)
        c.s["reports"].append(report)
        self._trim(c.s["reports"])
        return report

    @staticmethod
    def _trim(reports, limit=2000):
        if len(reports) > limit:
            del reports[: len(reports) - limit]

    def report(self, job, target=None):
        rep = dict(_ZERO_STATS)
        rep.update(strip_private(job))
        for k in ("workers", "service_report"):
            rep.pop(k, None)
        rep["id"] = "%d-%s" % (job["job_id"], job["policy_name"])
        rep["duration"] = int((job.get("end_time") or time.time()) - job["start_time"])
        rep["subreport_count"] = 1  # one subreport per job (sync/reports/<id>/subreports)
        if target is not None:
            rep.pop("policy", None)
            rep.pop("policy_action", None)  # not part of TargetReport
            rep["source_host"] = target["source_host"]
            rep["target_path"] = target["target_path"]
        return rep

    def _complete_sync(self, c, job, error):
        pol = c.s["policies"].get(job["policy_id"])
        if pol is None:
            c.s["jobs"].pop(job["policy_id"], None)
            return
        tc = self.world.cluster_for_host(pol["target_host"])
        tp = None
        if error is None:
            if tc is None or tc is c:
                error = "Unable to connect to target cluster '%s'" % pol["target_host"]
            elif tc.down:
                error = "Unable to connect to target cluster %s: connection refused" % tc.name
        if error is None:
            tp = tc.s["target_policies"].get(pol["id"])
            if tp is None:
                for other in tc.s["target_policies"].values():
                    if other["target_path"] == pol["target_path"] or path_under(pol["target_path"],
                                                                                other["target_path"]):
                        error = "Target path %s overlaps target of policy %s" % (pol["target_path"], other["name"])
                        break
            elif tp["failover_failback_state"] not in ("writes_disabled",):
                error = ("Target path %s on %s is not read-only (failover_failback_state is %s): the policy "
                         "has been failed over" % (pol["target_path"], tc.name, tp["failover_failback_state"]))
        t = int(time.time())
        if error is not None:
            pol["last_job_state"] = "failed"
            self._finish(c, job, "failed", error)
            if tp is not None:
                tp["last_job_state"] = "failed"
            return
        if tp is None:
            tp = models.with_defaults(models.TARGET_POLICY_DEFAULTS, {
                "id": pol["id"], "name": pol["name"], "source_host": c.name, "source_cluster_guid": c.s["guid"],
                "target_path": pol["target_path"]})
            tc.s["target_policies"][pol["id"]] = tp
            _mkdirs(tc.s, pol["target_path"])
        if job["action"] == "run":
            _copy_generations(c.s["generations"], pol["source_root_path"], tc.s["generations"],
                              pol["target_path"], delete_extra=pol.get("action") == "sync")
            n_files = _copy_files(c.s["files"], pol["source_root_path"], tc.s["files"], pol["target_path"],
                                  [norm_path(d) for d in pol.get("source_include_directories") or []],
                                  [norm_path(d) for d in pol.get("source_exclude_directories") or []],
                                  delete_extra=pol.get("action") == "sync")
            job["files_transferred"] = job["total_files"] = n_files
            pol["_synced"] = _snapshot(c.s["generations"], pol["source_root_path"])
            tp["_synced"] = _snapshot(tc.s["generations"], pol["target_path"])
        pol["last_job_state"] = "finished"
        pol["last_success"] = t
        pol["has_sync_state"] = True
        tp.update({"last_job_state": "finished", "last_update_from_source": t, "name": pol["name"],
                   "source_host": c.name, "source_cluster_guid": c.s["guid"]})
        self._finish(c, job, "finished")
        trep = self.report(job, tp)
        tc.s["target_reports"].append(trep)
        self._trim(tc.s["target_reports"])

    def _complete_recovery(self, c, job, error):
        tp = c.s["target_policies"].get(job["policy_id"])
        if tp is None:
            c.s["jobs"].pop(job["policy_id"], None)
            return
        if error:
            tp["failover_failback_state"] = "writes_disabled" if job["action"] == "allow_write" else "writes_enabled"
            self._finish(c, job, "failed", error)
            return
        if job["action"] == "allow_write":
            tp["failover_failback_state"] = "writes_enabled"
        else:
            tp["failover_failback_state"] = "writes_disabled"
            # allow_write_revert restores the target to the last successfully replicated data.
            _restore(c.s["generations"], tp["target_path"], tp.get("_synced", tp.get("_pre_allow")))
        self._finish(c, job, "finished")

    def _complete_resync_prep(self, c, job, error):
        pol = c.s["policies"].get(job["policy_id"])
        tc = self.world.clusters.get(job["_target"])
        tp = tc.s["target_policies"].get(job["policy_id"]) if tc else None
        if pol is None or tp is None:
            self._finish(c, job, "failed", error or "policy or target policy disappeared")
            return
        if error is None and tc.down:
            error = "Unable to connect to target cluster %s: connection refused" % tc.name
        if error:
            tp["failover_failback_state"] = "writes_enabled"
            self._finish(c, job, "failed", error)
            return
        t = int(time.time())
        # The source is restored to the last successfully replicated snapshot and stops being a source.
        _restore(c.s["generations"], pol["source_root_path"], pol.get("_synced"))
        pol["enabled"] = False
        tp["failover_failback_state"] = "resync_policy_created"
        orig_id = pol.get("_mirror_of")
        if orig_id and orig_id in tc.s["policies"]:
            # Failback: resync_prep of P_mirror re-enables P where it lives and makes its target read-only.
            orig = tc.s["policies"][orig_id]
            orig["enabled"] = True
            mine = c.s["target_policies"].get(orig_id)
            if mine is not None:
                mine["failover_failback_state"] = "writes_disabled"
                mine["_synced"] = _snapshot(c.s["generations"], mine["target_path"])
            orig["_synced"] = _snapshot(tc.s["generations"], orig["source_root_path"])
        else:
            mirror = None
            for p in tc.s["policies"].values():
                if p.get("_mirror_of") == pol["id"]:
                    mirror = p
                    break
            mname = pol["name"] + "_mirror"
            if mirror is None:
                for p in tc.s["policies"].values():
                    if p["name"] == mname:
                        mirror = p
                        break
            vals = {"name": mname, "source_root_path": pol["target_path"], "target_path": pol["source_root_path"],
                    "target_host": c.name, "action": pol.get("action", "sync"), "enabled": True,
                    # The mirror of a copy policy whose failback is allowed may fail back in turn (inferred).
                    "allow_copy_fb": bool(pol.get("allow_copy_fb")),
                    "description": "Mirror of policy %s created by resync-prep" % pol["name"]}
            if mirror is None:
                mirror = new_policy(dict(vals, schedule="", id=new_guid()))
                mirror["last_job_state"] = "finished"
                mirror["last_success"] = t
                mirror["has_sync_state"] = True
                tc.s["policies"][mirror["id"]] = mirror
            else:
                mirror.update(vals)
            mirror["_mirror_of"] = pol["id"]
            mirror["_synced"] = _snapshot(tc.s["generations"], mirror["source_root_path"])
            mtp = models.with_defaults(models.TARGET_POLICY_DEFAULTS, {
                "id": mirror["id"], "name": mname, "source_host": tc.name, "source_cluster_guid": tc.s["guid"],
                "target_path": pol["source_root_path"], "last_job_state": "finished",
                "last_update_from_source": t})
            mtp["_synced"] = _snapshot(c.s["generations"], pol["source_root_path"])
            c.s["target_policies"][mirror["id"]] = mtp
        self._finish(c, job, "finished")

    # ---- cancel / pause / delete ----------------------------------------------------------------
    def set_job_state(self, cluster, key, state):
        job = self.find_job(cluster, key)
        if state == "canceled":
            self._cancel(cluster, job)
        elif state == "paused":
            job["state"] = "paused"
        else:
            if job["state"] == "paused":
                job["state"] = "running"
        self.world.mark_dirty()
        return 204, None

    def _cancel(self, cluster, job):
        pol = cluster.s["policies"].get(job["policy_id"])
        if job["action"] in ("run", "test") and pol is not None:
            pol["last_job_state"] = "canceled"
        elif job["action"] in ("allow_write", "allow_write_revert"):
            tp = cluster.s["target_policies"].get(job["policy_id"])
            if tp is not None:
                tp["failover_failback_state"] = ("writes_disabled" if job["action"] == "allow_write"
                                                 else "writes_enabled")
        elif job["action"] == "resync_prep":
            tc = self.world.clusters.get(job["_target"])
            tp = tc.s["target_policies"].get(job["policy_id"]) if tc else None
            if tp is not None:
                tp["failover_failback_state"] = "writes_enabled"
        self._finish(cluster, job, "canceled")

    def cancel_for_target(self, tcluster, tp):
        for c in self.world.clusters.values():
            for job in list(c.s["jobs"].values()):
                if job["policy_id"] == tp["id"] and job["action"] in ("run", "test"):
                    self._cancel(c, job)
        tp["last_job_state"] = "canceled"
        self.world.mark_dirty()

    def delete_policy(self, cluster, pol, local_only=False):
        job = cluster.s["jobs"].get(pol["id"])
        if job is not None:
            raise ApiError(409, "AEC_CONFLICT", "Policy '%s' has a running job; cancel it first" % pol["name"])
        del cluster.s["policies"][pol["id"]]
        if not local_only:
            tc = self.world.cluster_for_host(pol["target_host"])
            if tc is not None and tc is not cluster:
                tc.s["target_policies"].pop(pol["id"], None)
        return 204, None
