# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.report_html`` filter: the run's report as one self-contained HTML page.

Documentation: plugins/filter/report_html.yml; the renderer is plugins/module_utils/_report_html.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.module_utils._report_html import render


def report_html(report):
    """The page of one run report."""
    if not isinstance(report, dict):
        raise AnsibleFilterError("report_html: the input must be the run report (a dictionary), got %s"
                                 % type(report).__name__)
    return render(report)


class FilterModule:
    def filters(self):
        return {"report_html": report_html}
