# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller-side helpers of the collection's action plugins (unit_lease, unit_state)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail

# The options of onefs_dr_clusters.<name> that are connection options of the modules.
CONN_KEYS = ("host", "port", "username", "password", "ca_path", "validate_certs", "auth_mode", "timeout",
             "share_write_limit", "retry_deadline")


def connections(templar, task_vars, names, who):
    """{name: connection options} of the named clusters, read from ``onefs_dr_clusters`` in the
    task's variables (templated here): the task's arguments name clusters and hold no password."""
    if not names:
        return {}
    if isinstance(names, str):
        names = [names]
    clusters = task_vars.get("onefs_dr_clusters")
    if clusters is None:
        raise AnsibleActionFail("%s: clusters names keys of onefs_dr_clusters, which is not defined" % who)
    clusters = templar.template(clusters)
    out = {}
    for name in names:
        if name not in clusters:
            raise AnsibleActionFail("%s: cluster %r is not a key of onefs_dr_clusters (%s)" % (who, name, ", ".join(sorted(clusters))))
        conn = templar.template(clusters[name]) or {}
        out[name] = dict((k, v) for k, v in conn.items() if k in CONN_KEYS and v is not None)
    return out
