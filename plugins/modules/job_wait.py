#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: job_wait
short_description: Wait for async module runs, saying what is awaited
version_added: "0.1.0"
description:
  - "Waits for the async runs (C(async), C(poll=0)) registered by a loop, for example the SyncIQ
    jobs of a unit's policies started in parallel, by polling C(ansible.builtin.async_status) in
    one task, and prints every O(report_every) seconds what it is waiting for
    (C(eng: waiting for final sync of policy eng_src_policy on alpha (40 s))) instead of one
    C(FAILED - RETRYING) line per poll of an C(until) loop."
  - Returns the runs' results as a loop would (C(results), each with its C(item)); fails when one
    of them failed, with that run's message, or when O(timeout) runs out.
  - Runs in the controller's worker through an action plugin; not in the C(onefs) action group.
  - Use the same C(ansible_async_dir) as the task that started the runs.
options:
  jobs:
    description:
      - The registered results of the async loop (its C(results)); entries without
        C(ansible_job_id) (skipped items) are left out.
    type: list
    elements: dict
    required: true
  timeout:
    description: Seconds to wait for all of them.
    type: float
    default: 3600
  delay:
    description: Seconds between two rounds of status polls.
    type: float
    default: 5
  report_every:
    description: Seconds between two lines saying what is awaited.
    type: float
    default: 10
  label:
    description: How one run is named in those lines; C(%s) is replaced by the item's O(key).
    type: str
    default: "%s"
  key:
    description: The field of each run's C(item) that names it.
    type: str
    default: name
extends_documentation_fragment:
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details: Waits in check mode too (async runs in check mode are check-mode runs).
  diff_mode:
    support: none
  idempotent:
    support: full
    details: Only reads the runs' status.
author:
  - onefs.dr contributors (@onefs-dr)
"""

EXAMPLES = r"""
- name: Run the final sync of each policy (in parallel)
  onefs.dr.onefs_synciq_job:
    name: "{{ item.name }}"
    job: run
  loop: "{{ onefs_dr_unit_policies }}"
  async: 7320
  poll: 0
  register: started

- name: Wait for every final sync
  onefs.dr.job_wait:
    jobs: "{{ started.results }}"
    timeout: 7200
    delay: 5
    label: job of policy %s on alpha
"""

RETURN = r"""
results:
  description: The async_status result of each run, with the run's C(item) (its start result).
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # The same options as the action plugin, so the documentation and the argument spec agree.
    module = AnsibleModule(
        argument_spec=dict(jobs=dict(type="list", elements="dict", required=True),
                           timeout=dict(type="float", default=3600), delay=dict(type="float", default=5),
                           report_every=dict(type="float", default=10), label=dict(type="str", default="%s"),
                           key=dict(type="str", default="name", no_log=False)),
        supports_check_mode=True,
    )
    module.fail_json(msg="onefs.dr.job_wait runs on the controller through its action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
