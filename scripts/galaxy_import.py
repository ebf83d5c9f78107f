#!/usr/bin/env python3
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import the built collection tarball with galaxy-importer, as Galaxy does on upload.

    scripts/galaxy_import.py .build/dist/onefs-dr-0.1.0.tar.gz

Settings: scripts/galaxy-importer.cfg. galaxy-importer gives ansible-lint a fixed 180 s, which
a busy 2-core machine can exceed (it then logs an error and skips the lint); this wrapper gives
it ``ansible_lint_timeout`` seconds from the same file instead. Exits 1 when the import fails
or logs an error (a missing role README, an ansible-doc failure, the lint's timeout).
"""

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    tarball = Path(argv[0]).resolve()
    os.environ.setdefault("GALAXY_IMPORTER_CONFIG", str(HERE / "galaxy-importer.cfg"))

    from galaxy_importer import config
    from galaxy_importer import main as importer
    from galaxy_importer.loaders import collection as loader

    limit = float(config.ConfigFile.load().get("ansible_lint_timeout") or 180)

    class Popen(subprocess.Popen):
        def communicate(self, input=None, timeout=None):  # noqa: A002 - Popen's own signature
            return super().communicate(input, None if timeout is None else max(timeout, limit))

    loader.Popen = Popen  # the loader's only subprocess is ansible-lint
    errors = _Errors()
    logging.getLogger("galaxy_importer").addHandler(errors)
    with tempfile.TemporaryDirectory(prefix="galaxy-importer-") as workdir:
        os.chdir(workdir)  # galaxy-importer writes importer_result.json to the current directory
        status = importer.main([str(tarball)])
    if status or errors.records:
        print("galaxy-importer: %s FAILED (%d error(s))" % (tarball.name, len(errors.records)), file=sys.stderr)
        return 1
    print("galaxy-importer: %s imported" % tarball.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
