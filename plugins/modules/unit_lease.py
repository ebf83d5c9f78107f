#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: unit_lease
short_description: Take, check or give back a failover unit's lease on its clusters
version_added: "0.2.0"
description:
  - No two runs work on one failover unit at once, from one controller or from many (AWX
    execution nodes). A run takes the unit's lease on each of its clusters before its first
    write, and a second run is refused, naming the holder, before it writes anything.
  - The lease is a file per holder under C(/ifs/.onefs_dr/leases/unit/unit.<unit>.*.lease) on the cluster
    (namespace API), created and then checked against the other holders; see
    C(docs/leases.md) for the protocol and why two takers cannot both win.
  - O(state=held) takes the lease on every cluster in O(connections) (in a fixed order) and
    starts a keeper process that renews it while the playbook runs (every 40 s for a O(ttl) of
    60, in general O(ttl) - 2 x O(ttl)/6, retrying every second when a renewal fails). When
    the playbook is gone (Ctrl-C, a killed job) the keeper stops renewing, prints where the run
    stood and how to continue, and the lease expires O(ttl) + O(ttl)/2 seconds later.
  - O(state=check) reads the keeper's heartbeat (no cluster call) and returns RV(held) false,
    with a message, when the keeper lost the lease (another run may hold the unit now).
  - O(state=released) stops the keeper and deletes this run's lease entries.
  - Runs on the controller through an action plugin. Not in the C(onefs) action group.
options:
  state:
    description: What to do.
    type: str
    choices: [held, check, released]
    default: held
  unit:
    description: The failover unit (default the inventory host name).
    type: str
  clusters:
    description:
      - The unit's clusters, as keys of the variable C(onefs_dr_clusters); their connection
        options are read from it by the action (the task's arguments then hold no password).
      - O(state=held) and O(state=released) need O(clusters) or O(connections).
    type: list
    elements: str
  connections:
    description:
      - Connection options of the unit's clusters, by cluster name, as the modules take them,
        instead of O(clusters). Use C(no_log) on such a task, as they hold passwords.
    type: dict
  optional:
    description:
      - Cluster names whose lease may be skipped when they cannot be reached (the source of an
        uncontrolled failover). A busy lease is never skipped.
    type: list
    elements: str
    default: []
  wait:
    description:
      - Seconds to wait for another run's lease (a holder that stopped loses it after
        O(ttl) + O(ttl)/2 seconds). The wait is announced every 10 s. 0 refuses at once.
    type: float
    default: 120
  ttl:
    description:
      - Seconds a lease entry stays live after its last renewal. C($ONEFS_DR_LEASE_TTL)
        overrides it (tests).
    type: int
    default: 60
  run_id:
    description: The run that holds the lease (shown to whoever finds it held).
    type: str
  purpose:
    description: What the run does (shown to whoever finds it held).
    type: str
  lease:
    description: The RV(lease) result of O(state=held), for O(state=check) and O(state=released).
    type: dict
  playbook:
    description: The playbook to name in the message printed when the run is interrupted.
    type: str
  direction:
    description: C(failover) or C(failback), for the message printed when the run is interrupted.
    type: str
  state_file:
    description: The unit's state file on the controller; its C(step) is named in the interruption message.
    type: path
extends_documentation_fragment:
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details: Takes no lease in check mode (nothing is written then).
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - Each O(state=held) takes a new lease entry; O(state=released) of a released lease does nothing.
      - Never reports C(changed), since a lease changes no configuration of the clusters.
author:
  - onefs.dr contributors (@onefs-dr)
"""

EXAMPLES = r"""
- name: Take the unit's lease on both clusters
  onefs.dr.unit_lease:
    clusters: [alpha, beta]
    run_id: "{{ onefs_dr_run_id }}"
    purpose: failover
  register: _lease

- name: Give it back
  onefs.dr.unit_lease:
    state: released
    lease: "{{ _lease.lease }}"
    clusters: [alpha, beta]
"""

RETURN = r"""
lease:
  description: The lease taken (no secret in it).
  returned: state=held
  type: dict
  contains:
    unit: {description: The unit., type: str}
    run_id: {description: The run holding it., type: str}
    ttl: {description: Seconds an entry stays live after its last renewal., type: int}
    entries: {description: "Cluster name -> {host, port, path} of this run's entry.", type: dict}
    skipped: {description: Optional clusters that could not be reached., type: list}
    keeper_pid: {description: The keeper process., type: int}
held:
  description: Whether the lease is still this run's.
  returned: state=check
  type: bool
released:
  description: Clusters whose entry was deleted.
  returned: state=released
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # The same options as the action plugin, so the documentation and the argument spec agree.
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["held", "check", "released"], default="held"),
            unit=dict(type="str"),
            clusters=dict(type="list", elements="str"),
            connections=dict(type="dict", no_log=True),
            optional=dict(type="list", elements="str", default=[]),
            wait=dict(type="float", default=120),
            ttl=dict(type="int", default=60),
            run_id=dict(type="str"),
            purpose=dict(type="str"),
            lease=dict(type="dict"),
            playbook=dict(type="str"),
            direction=dict(type="str"),
            state_file=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="onefs.dr.unit_lease runs on the controller through its action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
