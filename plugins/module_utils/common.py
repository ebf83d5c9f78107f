# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared connection options and the module runner of onefs.dr.

Every module builds its argument spec with ``connection_argument_spec()`` (documented by
the ``onefs.dr.connection`` doc fragment) and runs its logic through ``OneFSModule.run``,
which turns a ``OneFSError`` into one ``fail_json`` carrying the OneFS code and message,
adds the client's counters to every result, and always logs out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.onefs.dr.plugins.module_utils._lease import holder_info
from ansible_collections.onefs.dr.plugins.module_utils._watchdog import PlaybookWatch
from ansible_collections.onefs.dr.plugins.module_utils.client import (
    AUTH_MODES,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    OneFSClient,
    OneFSError,
)

DEFAULT_PORT = 8080
DEFAULT_TIMEOUT = 60
DEFAULT_SHARE_WRITE_LIMIT = 10
DEFAULT_RETRY_DEADLINE = 300

# Env fallbacks are bound late: an option with a default never consults its fallback in
# Ansible, so defaults are applied in ``client_kwargs`` instead (the docs state them).
_CONNECTION_SPEC = dict(
    host=dict(type="str", required=True, fallback=(env_fallback, ["ONEFS_HOST"])),
    port=dict(type="int", fallback=(env_fallback, ["ONEFS_PORT"])),
    username=dict(type="str", required=True, fallback=(env_fallback, ["ONEFS_USERNAME"])),
    password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["ONEFS_PASSWORD"])),
    validate_certs=dict(type="bool", fallback=(env_fallback, ["ONEFS_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["ONEFS_CA_PATH"])),
    auth_mode=dict(type="str", choices=list(AUTH_MODES), fallback=(env_fallback, ["ONEFS_AUTH_MODE"])),
    timeout=dict(type="int", fallback=(env_fallback, ["ONEFS_TIMEOUT"])),
    share_write_limit=dict(type="int", fallback=(env_fallback, ["ONEFS_SHARE_WRITE_LIMIT"])),
    retry_deadline=dict(type="int", fallback=(env_fallback, ["ONEFS_RETRY_DEADLINE"])),
)

_PARTNER_KEYS = (
    "host",
    "port",
    "username",
    "password",
    "validate_certs",
    "ca_path",
    "auth_mode",
    "timeout",
    "share_write_limit",
    "retry_deadline",
)


def connection_argument_spec():
    """The connection options every module accepts (fragment ``onefs.dr.connection``)."""
    return copy.deepcopy(_CONNECTION_SPEC)


def partner_argument_spec():
    """Suboptions of a second cluster (fragment ``onefs.dr.connection.PARTNER``).

    Only ``host`` is required; the rest default to the primary connection's values.
    """
    spec = {}
    for key in _PARTNER_KEYS:
        entry = dict(_CONNECTION_SPEC[key])
        entry.pop("fallback", None)
        entry.pop("required", None)
        spec[key] = entry
    spec["host"]["required"] = True
    return dict(type="dict", options=spec)


def client_kwargs(params, base=None):
    """OneFSClient keyword arguments from module params (``base`` fills gaps for a partner)."""
    base = base or {}

    def pick(key, default=None):
        value = params.get(key)
        if value is None:
            value = base.get(key)
        return default if value is None else value

    limit = pick("share_write_limit", DEFAULT_SHARE_WRITE_LIMIT)
    deadline = pick("retry_deadline", DEFAULT_RETRY_DEADLINE)
    return dict(
        host=params["host"],
        port=pick("port", DEFAULT_PORT),
        username=pick("username"),
        password=pick("password"),
        validate_certs=pick("validate_certs", True),
        ca_path=pick("ca_path"),
        auth_mode=pick("auth_mode", "session"),
        timeout=pick("timeout", DEFAULT_TIMEOUT),
        share_write_limit=limit,
        retry_deadline=deadline,
    )


class InputError(Exception):
    """Bad input found before any write; the message names the field and the fix."""


class OneFSModule:
    """AnsibleModule plus lazily created OneFS clients and uniform error handling."""

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._clients = {}
        # Bulk writers stop when the playbook that started them is gone (Ctrl-C, a killed run):
        # see module_utils/_watchdog.py. Read-only modules never ask.
        self.watch = PlaybookWatch()
        self.holder = holder_info(purpose=self.module._name)
        for key in ("share_write_limit", "retry_deadline", "timeout"):
            value = self.params.get(key)
            if value is not None and value < 1:
                self.module.fail_json(msg="%s must be a positive integer, got %s" % (key, value))

    @property
    def client(self):
        """The client of the cluster named by the connection options."""
        if "" not in self._clients:
            self._clients[""] = self._new_client(client_kwargs(self.params))
        return self._clients[""]

    def _new_client(self, kwargs):
        client = OneFSClient(**kwargs)
        client.should_stop = self.watch.lost
        client.holder = self.holder
        return client

    def partner_client(self, option="partner"):
        """The client of a second cluster given as a dict option (None when not given)."""
        params = self.params.get(option)
        if not params:
            return None
        if option not in self._clients:
            self._clients[option] = self._new_client(client_kwargs(params, base=self.params))
        return self._clients[option]

    def api_stats(self):
        total = {"api_calls": 0, "retries": 0, "conflicts_409": 0, "share_writes": 0}
        busy = {}
        for client in self._clients.values():
            for key in total:
                total[key] += client.stats.get(key, 0)
            for bucket, seconds in (client.stats.get("share_write_busy") or {}).items():
                busy[bucket] = round(busy.get(bucket, 0.0) + seconds, 4)
        if busy:
            # Share-write slot seconds per half-second of wall clock (the run's page plots them).
            total["share_write_busy"] = busy
        return total

    def close(self):
        for client in self._clients.values():
            client.close()

    def fail(self, msg, **kwargs):
        self.close()
        self.module.fail_json(msg=msg, api_stats=self.api_stats(), **kwargs)

    def run(self, func):
        """Call ``func(self)`` -> result dict; exit or fail with one uniform shape."""
        try:
            result = func(self)
        except InputError as err:
            self.fail(str(err))
        except OneFSError as err:
            self.fail(str(err), onefs_error=err.to_dict())
        else:
            self.close()
            result = dict(result or {})
            result.setdefault("changed", False)
            result["api_stats"] = self.api_stats()
            self.module.exit_json(**result)


def diff_keys(desired, current):
    """Keys of ``desired`` whose value differs from ``current`` (None in desired = unmanaged)."""
    changed = {}
    for key, value in desired.items():
        if value is None:
            continue
        if current is None or current.get(key) != value:
            changed[key] = value
    return changed
