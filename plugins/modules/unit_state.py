#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: unit_state
short_description: Save the state file of a failover unit on the controller
version_added: "0.1.0"
description:
  - Writes the state of one failover unit (the fact C(onefs_dr_unit_state) of the onefs.dr step
    roles, for example the cached SyncIQ schedules of step 1b) to its file on the controller,
    only when the content differs, atomically (temporary file, fsync, rename), mode 0600 in a
    0700 directory. The content is deterministic (sorted keys, no timestamps).
  - Runs on the controller through an action plugin; no module process, no OneFS call.
  - Not in the C(onefs) action group; it takes no connection options.
options:
  state:
    description:
      - The unit state to save.
      - Required unless O(directory=true).
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
  mode:
    description:
      - Octal mode of the file. The run report (role C(s99_report)) is written with V(0644) by
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

- name: Make the state directory (once per run, on the controller)
  onefs.dr.unit_state:
    path: "{{ onefs_dr_state_dir }}/units"
    directory: true
"""

RETURN = r"""
path:
  description: The state file.
  returned: always
  type: str
  sample: /home/dr/.cache/onefs_dr/units/zone01.json
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # The same options as the action plugin, so the documentation and the argument spec agree.
    module = AnsibleModule(
        argument_spec=dict(state=dict(type="dict"), path=dict(type="path", required=True),
                           mode=dict(type="str", default="0600"), directory=dict(type="bool", default=False)),
        required_if=[("directory", False, ("state",))],
        supports_check_mode=True,
    )
    module.fail_json(msg="onefs.dr.unit_state runs on the controller through its action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
