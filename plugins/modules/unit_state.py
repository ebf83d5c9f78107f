#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: unit_state
short_description: Load and save a failover unit's state on its clusters (with a controller cache)
version_added: "0.1.0"
description:
  - Writes the state of one failover unit (the fact C(onefs_dr_unit_state) of the onefs.dr step
    roles, for example the cached SyncIQ schedules of step 1b) to its file on the controller,
    only when the content differs, atomically (temporary file, fsync, rename), mode 0600 in a
    0700 directory. The content is deterministic (sorted keys, no timestamps).
  - With O(clusters), the state lives on the unit's clusters, in
    C(/ifs/.onefs_dr/units/<unit>.json) on each (namespace API), and the controller file is a
    cache of it. Saving writes every reachable cluster (at least one must take it) when the
    state differs from the cached copy, with a sequence number C(seq) one higher; O(load=true)
    reads every reachable cluster, takes the copy with the highest C(seq), caches it on the
    controller and sets the fact C(onefs_dr_unit_state). A run in a fresh container (AWX) with an
    empty controller disk so resumes with the cached schedules and pending mirror runs.
  - Runs on the controller through an action plugin; no module process. The clusters'
    connection options are read from the variable C(onefs_dr_clusters), so no password is in the
    task's arguments or result.
  - Not in the C(onefs) action group; it takes no connection options.
options:
  state:
    description:
      - The unit state to save.
      - Required unless O(directory=true) or O(load=true).
    type: dict
  path:
    description:
      - The unit's state file, usually C({{ onefs_dr_state_dir }}/units/<unit>.json).
      - With O(directory=true), the directory to make.
    type: path
    required: true
  directory:
    description:
      - Make the directory O(path) (mode 0700, parents too) and check that a file can be
        written in it, instead of saving a state. The step roles do this once at the start of a
        run, so that a state directory that cannot be written stops the run before any
        cluster is touched. An existing directory with other permissions is set to 0700 (it
        holds the lockout's ACL journals).
      - Done in check mode too (it holds no cluster state).
    type: bool
    default: false
  clusters:
    description:
      - Keys of C(onefs_dr_clusters) holding the unit's state (its two clusters). Without it the
        state is only a controller file (the report uses that).
    type: list
    elements: str
  unit:
    description: The unit (default the inventory host name); names the document on the clusters.
    type: str
  load:
    description:
      - Read the state (from O(clusters), else the controller file) instead of saving one; sets
        the fact C(onefs_dr_unit_state). Reads in check mode too.
    type: bool
    default: false
  step:
    description: The step that saves the state, recorded in it as C(step).
    type: str
  mode:
    description:
      - Octal mode of the file. The run report (role C(r99_report)) is written with V(0644) by
        the same action.
    type: str
    default: "0600"
extends_documentation_fragment:
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports whether the file would change; writes nothing.
      - O(directory=true) makes the directory in check mode too.
  diff_mode:
    support: full
    details: The file's old and new content.
  idempotent:
    support: full
    details: Saving the same state again writes nothing and reports no change.
author:
  - onefs.dr contributors (@onefs-dr)
"""

EXAMPLES = r"""
- name: Save the unit state
  onefs.dr.unit_state:
    state: "{{ onefs_dr_unit_state }}"
    path: "{{ onefs_dr_state_dir }}/units/{{ inventory_hostname }}.json"

- name: Load the unit state from its clusters (sets onefs_dr_unit_state)
  onefs.dr.unit_state:
    load: true
    path: "{{ onefs_dr_state_dir }}/units/{{ inventory_hostname }}.json"
    clusters: [alpha, beta]

- name: Make the state directory (once per run, on the controller)
  onefs.dr.unit_state:
    path: "{{ onefs_dr_state_dir }}/units"
    directory: true
"""

RETURN = r"""
path:
  description: The state file (the controller cache when O(clusters) is given).
  returned: always
  type: str
  sample: /home/dr/.cache/onefs.dr/units/zone01.json
state:
  description: The state loaded.
  returned: load=true
  type: dict
source:
  description: Where the loaded state came from (C(cluster <name>), the controller cache, or C(new)).
  returned: load=true
  type: str
clusters:
  description: The clusters the state was written to.
  returned: when saved with O(clusters)
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # The same options as the action plugin, so the documentation and the argument spec agree.
    module = AnsibleModule(
        argument_spec=dict(state=dict(type="dict"), path=dict(type="path", required=True),
                           mode=dict(type="str", default="0600"), directory=dict(type="bool", default=False),
                           clusters=dict(type="list", elements="str"), unit=dict(type="str"),
                           load=dict(type="bool", default=False), step=dict(type="str")),
        required_if=[("directory", False, ("state", "load"), True)],
        supports_check_mode=True,
    )
    module.fail_json(msg="onefs.dr.unit_state runs on the controller through its action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
