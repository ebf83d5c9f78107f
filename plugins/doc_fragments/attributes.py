# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Attribute descriptions; each module sets C(support) and C(details).
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without writing to the cluster.
  diff_mode:
    description: Returns C(diff) with C(before) and C(after) of what changed, or would change in check mode.
  idempotent:
    description: Running the task again with the same arguments reports no change and writes nothing.
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode. The module only reads, so it behaves the same.
    support: full
  diff_mode:
    description: Does not return a diff; it changes nothing.
    support: N/A
  idempotent:
    description: Reads only.
    support: full
"""
