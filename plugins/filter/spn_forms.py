# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.spn_forms`` filter: the HOST SPNs of SmartConnect names.

Documentation: plugins/filter/spn_forms.yml. A thin wrapper over module_utils/spn.py, the
forms the onefs.dr.onefs_spn module itself uses, so a playbook never rebuilds them in Jinja.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.module_utils.common import InputError
from ansible_collections.onefs.dr.plugins.module_utils.spn import forms_of


def spn_forms(names, lower=False):
    """``HOST/<short>`` and ``HOST/<fqdn>`` of each name (once each, in order)."""
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple)):
        raise AnsibleFilterError("spn_forms: expected a list of SmartConnect names, got %s" % type(names).__name__)
    try:
        forms = forms_of([str(n) for n in names])
    except InputError as err:
        raise AnsibleFilterError("spn_forms: %s" % err) from None
    return [f.lower() for f in forms] if lower else forms


class FilterModule:
    def filters(self):
        return {"spn_forms": spn_forms}
