#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: twin_capture
short_description: Capture a digital twin of a DR pair as a OneFS simulator scenario
version_added: 0.1.0
description:
  - Reads each cluster of O(clusters) read only with M(onefs.dr.onefs_info) (zones, SMB shares with
    their ACLs, NFS exports and aliases, quotas, snapshot schedules, dedupe settings, groupnets,
    subnets and pools with their SmartConnect names, AD providers and their SPNs, protocol
    settings, SyncIQ policies with their state, target policies, the newest O(history) reports and
    target reports of each policy, SMB open files and sessions) and writes a scenario that
    C(onefs-sim serve --scenario <dest>) serves, the pair's digital twin.
  - Runs on the controller (an action plugin); the clusters' connection options come from
    C(onefs_dr_clusters), as for M(onefs.dr.unit_state).
  - No password, cookie or session id goes into the file. The twin's clusters get the
    simulator's own users; the AD forest of the twin holds the identities the ACLs and quotas
    name, and the SPNs of the captured clusters' machine accounts.
  - docs/rehearsal.md lists what the twin does not reproduce.
author:
  - onefs.dr contributors (@onefs-dr)
options:
  clusters:
    description:
      - Keys of C(onefs_dr_clusters) to capture (the source and the target of the pair).
      - Required unless O(compare_to) is given (then the twin's clusters).
    type: list
    elements: str
  compare_to:
    description:
      - A twin (scenario file) to compare the capture with on what a failback must restore
        (policies, target policies' states, shares with their ACLs, exports, aliases, quotas,
        zones, SmartConnect names, SPNs); the result is RV(check). The rehearsal's end-state check.
    type: str
  dest:
    description:
      - The scenario file to write. C(.json) (fast with thousands of shares) or C(.yaml) / C(.yml).
      - Written only when its content changes (sorted keys, so a capture of an unchanged pair
        gives the same file).
    type: str
    required: true
  anonymize:
    description:
      - Replace every name (clusters, zones, shares, paths, policies, SmartConnect and host names,
        SPN hosts, AD users and groups, pools, groupnets) by a pseudonym, consistently, and empty
        the free-text fields (descriptions, MOTD, job errors).
      - The same name gets the same pseudonym everywhere (a zone's name and the path component
        naming it, a SmartConnect name and the SPNs built from it, a cluster and its machine
        account), so the twin still behaves as the pair does. IP addresses, SIDs, numbers,
        settings and OneFS's own names (C(System), C(/ifs), SPN service classes, well-known
        principals) are kept.
    type: bool
    default: false
  anonymize_key:
    description:
      - The key of the pseudonyms (HMAC-SHA256). The same key gives the same pseudonyms in every
        capture; keep it secret (with it, a guessed name can be checked against a pseudonym).
      - Required with O(anonymize=true).
    type: str
  history:
    description: SyncIQ reports kept per policy (and target reports per policy); the twin's job durations come from them.
    type: int
    default: 10
  description:
    description: The scenario's C(description).
    type: str
  share_write_service_ms:
    description:
      - Measured SMB share-configuration write service time of the pair (ms), written into the
        twin's C(timing); the simulator's default (30) otherwise.
    type: float
  share_write_capacity:
    description: Share writes in flight the pair accepts before answering 409, into the twin's C(timing).
    type: int
  time_scale:
    description: The twin's C(timing.time_scale) (durations from the history divided by it when served).
    type: float
  mode:
    description: File mode of O(dest).
    type: str
    default: "0644"
extends_documentation_fragment:
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details: Reads the clusters, writes nothing; C(changed) says whether the file would change.
  diff_mode:
    support: none
    details: The scenario is large; no diff is returned.
  idempotent:
    support: full
    details: A capture of an unchanged pair gives the same file (sorted keys) and reports no change.
notes:
  - "API calls: those of one M(onefs.dr.onefs_info) run per cluster (GETs only)."
seealso:
  - module: onefs.dr.onefs_info
"""

EXAMPLES = r"""
- name: Capture the pair's twin
  onefs.dr.twin_capture:
    clusters: [alpha, beta]
    dest: twin/site.json

- name: An anonymized twin to share with support
  onefs.dr.twin_capture:
    clusters: [alpha, beta]
    dest: twin/site-anon.json
    anonymize: true
    anonymize_key: "{{ vault_twin_key }}"
"""

RETURN = r"""
dest:
  description: The file written.
  returned: always
  type: str
  sample: twin/site.json
clusters:
  description: Per cluster of the twin (pseudonyms when anonymized), how many objects of each kind it holds.
  returned: always
  type: dict
  sample: {"alpha": {"zones": 3, "shares": 20, "policies": 4, "reports": 40}}
anonymized:
  description: Whether the names were replaced by pseudonyms.
  returned: always
  type: bool
check:
  description:
    - With O(compare_to), C(ok) (nothing the twin holds is missing or different), C(checked)
      (objects compared per kind) and C(differences) (one line each).
  returned: when O(compare_to) is given
  type: dict
  sample: {"ok": false, "checked": {"policies": 4, "shares": 20}, "differences": ["alpha: share finance/audit: permissions is ..."]}
bytes:
  description: Size of the scenario text.
  returned: always
  type: int
  sample: 1048576
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # The same options as the action plugin, so the documentation and the argument spec agree.
    module = AnsibleModule(
        argument_spec=dict(clusters=dict(type="list", elements="str"), compare_to=dict(type="str"), dest=dict(type="str", required=True),
                           anonymize=dict(type="bool", default=False), anonymize_key=dict(type="str", no_log=True),
                           history=dict(type="int", default=10), description=dict(type="str"),
                           share_write_service_ms=dict(type="float"), share_write_capacity=dict(type="int"),
                           time_scale=dict(type="float"), mode=dict(type="str", default="0644")),
        supports_check_mode=True,
    )
    module.fail_json(msg="onefs.dr.twin_capture runs on the controller through its action plugin; it cannot run as a module")


if __name__ == "__main__":
    main()
