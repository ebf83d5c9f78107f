# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Connection options shared by every module (argspec: module_utils/common.py).
    DOCUMENTATION = r"""
options:
  host:
    description:
      - Address or name of the OneFS cluster (any node, or its SmartConnect service name).
      - If not set, the value of the E(ONEFS_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - Port of the OneFS Platform API.
      - If not set, the value of E(ONEFS_PORT) is used, and then V(8080).
    type: int
  username:
    description:
      - OneFS user the API calls run as. It needs the RBAC privileges listed in the
        collection README for what the module does.
      - If not set, the value of E(ONEFS_USERNAME) is used.
    type: str
    required: true
  password:
    description:
      - Password of O(username).
      - If not set, the value of E(ONEFS_PASSWORD) is used.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the cluster's TLS certificate. Leave it on outside a lab; use O(ca_path) for a
        private CA instead of turning it off.
      - If not set, the value of E(ONEFS_VALIDATE_CERTS) is used, and then V(true).
    type: bool
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the cluster's certificate.
      - If not set, the value of E(ONEFS_CA_PATH) is used, and then the system trust store.
    type: path
  auth_mode:
    description:
      - V(session) logs in through C(/session/1/session) (cookie and CSRF token) and shares the
        session with the next module calls to the same cluster with the same credentials on
        this controller, so a playbook opens one session per cluster instead of one per task.
        The session is kept in the controller state directory (E(ONEFS_DR_STATE_DIR), else
        C(~/.cache/onefs.dr)) under C(sessions/), directory mode 0700 and file mode 0600, named
        by an HMAC of the URL and credentials (no password is stored). It is reused while it
        was last used less than 10 minutes ago and OneFS ends it after its inactivity timeout
        (15 minutes by default); a session OneFS refuses is replaced by a new login.
      - V(private_session) logs in when the module starts and logs out when it ends.
      - V(basic) sends HTTP Basic credentials on every call.
      - If not set, the value of E(ONEFS_AUTH_MODE) is used, and then V(session).
    type: str
    choices: [session, private_session, basic]
  timeout:
    description:
      - Seconds to wait for one HTTP answer.
      - If not set, the value of E(ONEFS_TIMEOUT) is used, and then V(60).
    type: int
  share_write_limit:
    description:
      - Most SMB share-configuration writes in flight at once against this cluster, counted
        across every process on the controller (all forks and all concurrent playbooks share
        one lock directory per cluster). OneFS serializes share writes and answers
        C(409 AEC_CONFLICT) past about 10 concurrent writes.
      - If not set, the value of E(ONEFS_SHARE_WRITE_LIMIT) is used, and then V(10).
      - The lock directory is E(ONEFS_LIMITER_DIR), else C(~/.cache/onefs.dr/limiter).
    type: int
  retry_deadline:
    description:
      - Seconds one API call may keep retrying C(409 AEC_CONFLICT) on share writes, C(429) and
        C(503) answers and dropped connections, with exponential backoff and full jitter.
      - If not set, the value of E(ONEFS_RETRY_DEADLINE) is used, and then V(300).
    type: int
notes:
  - All connection options can come from C(module_defaults) with the action group
    C(group/onefs.dr.onefs), or from the E(ONEFS_*) environment variables.
requirements:
  - requests
"""

    PARTNER = r"""
options:
  partner:
    description:
      - The second cluster of the SyncIQ pair. Options not given here are taken from the
        primary connection options.
    type: dict
    suboptions:
      host:
        description: Address of the partner cluster.
        type: str
        required: true
      port:
        description: Platform API port of the partner (default the primary's, then V(8080)).
        type: int
      username:
        description: User on the partner (default the primary's).
        type: str
      password:
        description: Password on the partner (default the primary's).
        type: str
      validate_certs:
        description: Verify the partner's TLS certificate (default the primary's, then V(true)).
        type: bool
      ca_path:
        description: CA bundle for the partner (default the primary's).
        type: path
      auth_mode:
        description: Authentication mode on the partner (default the primary's).
        type: str
        choices: [session, private_session, basic]
      timeout:
        description: HTTP timeout for the partner (default the primary's).
        type: int
      share_write_limit:
        description: Share-write slots on the partner (default the primary's, then V(10)).
        type: int
      retry_deadline:
        description: Retry deadline in seconds on the partner (default the primary's, then V(300)).
        type: int
"""
