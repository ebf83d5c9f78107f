# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Save a failover unit's state file on the controller (documentation: plugins/modules/unit_state.py).

Runs in the worker process (no module is sent anywhere): an ``ansible.builtin.copy`` of the
state took two module runs (stat and copy) each time a step saved it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

ARGS = ("state", "path", "mode", "directory")


def state_text(state):
    """The state file's content: deterministic (sorted keys, no timestamps)."""
    return json.dumps(state, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomically(path, text, mode=0o600):
    """Temporary file in the same directory, fsync, then rename; ``mode`` (0600), a new directory 0700."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        unknown = sorted(set(args) - set(ARGS))
        if unknown:
            raise AnsibleActionFail("unit_state: unknown option(s) %s; it takes state, path, mode and directory"
                                    % ", ".join(unknown))
        try:
            directory = boolean(args.get("directory", False), strict=True)
        except TypeError:
            raise AnsibleActionFail("unit_state: directory must be true or false, got %r" % (args.get("directory"),)) from None
        if directory:
            return self._directory(result, args)
        mode = args.get("mode", "0600")
        try:
            mode = int(str(mode), 8)
            if not 0 <= mode <= 0o777:
                raise ValueError
        except ValueError:
            raise AnsibleActionFail("unit_state: mode %r is not an octal file mode such as '0600' or '0644'" % (args.get("mode"),)) from None
        state, path = args.get("state"), args.get("path")
        if not isinstance(state, dict):
            raise AnsibleActionFail("unit_state: state must be a dict (the fact onefs_dr_unit_state), got %s"
                                    % type(state).__name__)
        if not path or not isinstance(path, str):
            raise AnsibleActionFail("unit_state: path is required (the unit's state file)")
        path = os.path.expanduser(path)
        text = state_text(state)
        try:
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = None
        except OSError as err:
            raise AnsibleActionFail("unit_state: cannot read %s: %s" % (path, err)) from err
        result.update(changed=current != text, path=path)
        if current != text and not self._task.check_mode:
            try:
                write_atomically(path, text, mode)
            except OSError as err:
                raise AnsibleActionFail(
                    "unit_state: cannot write %s: %s. Set onefs_dr_state_dir to a writable directory that survives "
                    "between runs" % (path, err)) from err
        if current != text and self._task.diff:
            result["diff"] = {"before": current or "", "after": text, "before_header": path, "after_header": path}
        return result

    def _directory(self, result, args):
        """``directory: true``: make the state directory (0700) and check that it is writable.

        Done in check mode too: it holds no cluster state, and a directory that cannot be
        written must stop the run before any cluster is touched, not after the first write.
        """
        if args.get("state") is not None:
            raise AnsibleActionFail("unit_state: directory: true makes a directory; it takes no state")
        path = args.get("path")
        if not path or not isinstance(path, str):
            raise AnsibleActionFail("unit_state: path is required (the state directory)")
        path = os.path.expanduser(path)
        existed = os.path.isdir(path)
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            # The directory holds the lockout's ACL journals: 0700 also when it already existed
            # with wider permissions (what the file module's mode did before).
            widened = existed and stat.S_IMODE(os.stat(path).st_mode) != 0o700
            if widened:
                os.chmod(path, 0o700)
            fd, probe = tempfile.mkstemp(prefix=".probe.", dir=path)
            os.close(fd)
            os.unlink(probe)
        except OSError as err:
            raise AnsibleActionFail(
                "unit_state: cannot write in the directory %s: %s. Set onefs_dr_state_dir to a writable directory that "
                "survives between runs" % (path, err)) from err
        result.update(changed=not existed or widened, path=path)
        return result
