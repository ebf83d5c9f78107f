"""A throwaway BIND (named) for the RFC 2136 tests: primary for example.com on a free high port
of 127.0.0.1, dynamic updates allowed with one TSIG key, run unprivileged (as the Debian user
``bind`` when the tests run as root, else as the test's own user).

``ensure_named()`` installs Debian's bind9 when named is missing (``apt-get install -y bind9
bind9-utils``, waiting for the dpkg lock) and skips with the reason when that is impossible.
"""

import base64
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

ZONE = "example.com"
KEY_NAME = "onefs-dr-test"
ALGORITHM = "hmac-sha256"

ZONE_FILE = """$TTL 300
@           IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
@           IN NS  ns1.example.com.
ns1         IN A   127.0.0.1
ssip-alpha  IN A   192.0.2.5
"""


def _named():
    for path in (shutil.which("named"), "/usr/sbin/named"):
        if path and os.access(path, os.X_OK):
            return path
    return None


def ensure_named():
    path = _named()
    if path:
        return path
    if not shutil.which("apt-get"):
        pytest.skip("BIND (named) is not installed and there is no apt-get to install it (Debian package bind9)")
    cmd = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", "bind9", "bind9-utils"]
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            pytest.skip("BIND (named) is not installed; installing bind9 needs root or sudo")
        cmd = ["sudo", "-n"] + cmd
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    path = _named()
    if proc.returncode != 0 or not path:
        pytest.skip("BIND (named) is not installed and `%s` failed (rc=%d): %s"
                    % (" ".join(cmd), proc.returncode, (proc.stderr or proc.stdout)[-400:]))
    return path


def _free_port():
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port for named")


class Bind:
    def __init__(self, named):
        self.named = named
        # Under /tmp itself: pytest's tmp_path parents are 0700, which the user bind cannot enter.
        self.dir = Path(tempfile.mkdtemp(prefix="onefs-dr-bind-"))
        os.chmod(self.dir, 0o755)
        self.port = _free_port()
        self.secret = base64.b64encode(os.urandom(32)).decode()
        self.proc = None

    def start(self):
        d = self.dir
        (d / "example.com.db").write_text(ZONE_FILE)
        (d / "named.conf").write_text(
            'options {\n  directory "%(d)s";\n  listen-on port %(p)d { 127.0.0.1; };\n  listen-on-v6 { none; };\n'
            '  pid-file "%(d)s/named.pid";\n  session-keyfile "%(d)s/session.key";\n  recursion no;\n'
            '  dnssec-validation no;\n  notify no;\n};\ncontrols { };\n'
            'key "%(k)s" { algorithm %(a)s; secret "%(s)s"; };\n'
            'zone "%(z)s" { type primary; file "%(d)s/example.com.db";\n'
            '  update-policy { grant %(k)s subdomain %(z)s. ANY; }; };\n'
            % {"d": d, "p": self.port, "k": KEY_NAME, "a": ALGORITHM, "s": self.secret, "z": ZONE})
        cmd = [self.named, "-g", "-n", "1", "-c", str(d / "named.conf")]
        if os.geteuid() == 0:
            # Unprivileged: named drops to the Debian package's user after reading its config.
            try:
                bind_user = pwd.getpwnam("bind")
            except KeyError:
                bind_user = None
            if bind_user is not None:
                for p in [d] + list(d.iterdir()):
                    os.chown(p, bind_user.pw_uid, bind_user.pw_gid)
                cmd += ["-u", "bind"]
        with open(d / "named.log", "w") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(300):
            if self.proc.poll() is not None:
                break
            if self.serial() is not None:
                return self
            time.sleep(0.1)
        log = (d / "named.log").read_text()[-3000:]
        self.stop()
        raise AssertionError("named did not start:\n" + log)

    def serial(self):
        """The zone's SOA serial (each accepted update adds one), None while named is not up."""
        try:
            resp = dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=self.port, timeout=1)
        except Exception:  # noqa: BLE001 - not up yet
            return None
        if resp.rcode() != dns.rcode.NOERROR or not resp.answer:
            return None
        return resp.answer[0][0].serial

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def module_args(self, **extra):
        args = {"server": "127.0.0.1", "port": self.port, "zone": ZONE, "key_name": KEY_NAME,
                "key_secret": self.secret, "key_algorithm": ALGORITHM}
        args.update(extra)
        return args
