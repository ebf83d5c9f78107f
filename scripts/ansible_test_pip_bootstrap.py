#!/usr/bin/env python3
"""Let `ansible-test sanity` create its virtualenvs on a machine that only reaches PyPI.

ansible-test runs every sanity test that needs packages (pylint, validate-modules, yamllint,
import, ...) in a virtualenv of its own, made with `python -m venv --without-pip`.  It puts pip
into each one by running a `get-pip.py` bootstrap script which it downloads from
ci-files.testing.ansible.com -- a host outside PyPI -- and caches as
`~/.ansible/test/cache/get_pip_<pip version>.py` (see ansible_test/_util/target/setup/requirements.py,
`bootstrap()`).  A cached file is used as is.

This script writes a stand-in at that cache path.  ansible-test runs it as `__main__` inside
the new virtualenv with get-pip's arguments (`pip==<version>`, `--no-setuptools`,
`--no-wheel`, ...).  The stand-in installs pip from the interpreter's own bundled wheel
(`ensurepip`), then asks that pip for exactly the packages ansible-test requested, from PyPI.
The virtualenv ends up with the same pip version the real bootstrap would have given.

Run with the Python that has ansible-core installed (the project venv).  A real get-pip
script already in the cache is left alone.
"""

import os
import re
import sys

MARKER = "onefs.dr stand-in for get-pip.py"

STAND_IN = '''\
"""%s: pip from ensurepip, then the requested packages from the index."""
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel", "--no-pip"}
args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check"] + args)
if "--no-setuptools" in sys.argv[1:]:
    # ensurepip on Python < 3.12 also installs setuptools; get-pip would not have.
    subprocess.call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])
''' % MARKER


def pip_versions():
    """The pip version(s) this ansible-test bootstraps, read from its source."""
    import ansible_test  # noqa: F401 - only its location is needed

    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    # default_packages = dict(pip='24.2', ...)  and per-Python overrides: pip='...'
    versions = sorted(set(re.findall(r"""\bpip\s*=\s*['"]([0-9][0-9.]*)['"]""", text)))
    if not versions:
        sys.exit("ansible_test_pip_bootstrap: cannot find the pip version in %s" % source)
    return versions


def main():
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    for version in pip_versions():
        path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                head = handle.read(200)
            if MARKER not in head:
                continue  # a real get-pip.py someone placed there: keep it
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(STAND_IN)
        os.replace(path + ".tmp", path)
        print("ansible-test pip bootstrap: %s (pip %s)" % (path, version))


if __name__ == "__main__":
    main()
