# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The `target` option: a second cluster built with partner_argument_spec()
    # (module_utils/common.py), for modules whose connection options name the source.
    DOCUMENTATION = r"""
options:
  target:
    description:
      - The cluster the configuration is copied to. The connection options (O(host) and the
        rest) name the source cluster. Options not given here are taken from the source's.
    type: dict
    suboptions:
      host:
        description: Address of the target cluster.
        type: str
        required: true
      port:
        description: Platform API port of the target (default the source's, then V(8080)).
        type: int
      username:
        description: User on the target (default the source's).
        type: str
      password:
        description: Password on the target (default the source's).
        type: str
      validate_certs:
        description: Verify the target's TLS certificate (default the source's, then V(true)).
        type: bool
      ca_path:
        description: CA bundle for the target (default the source's).
        type: path
      auth_mode:
        description: Authentication mode on the target (default the source's).
        type: str
        choices: [session, private_session, basic]
      timeout:
        description: HTTP timeout for the target (default the source's).
        type: int
      share_write_limit:
        description: Share-write slots on the target (default the source's, then V(10)).
        type: int
      retry_deadline:
        description: Retry deadline in seconds on the target (default the source's, then V(300)).
        type: int
"""
