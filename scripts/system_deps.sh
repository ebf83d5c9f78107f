#!/usr/bin/env bash
# Debian packages some tests start for real: BIND (RFC 2136 delegation updates, tests/integration
# test_onefs_dns.py) and Chromium with ChromeDriver (the run page, tests/report).  Installed when
# missing and when this user may (root, or sudo without a password); otherwise the tests that
# need them say so and skip.  Idempotent: a no-op when everything is there.
set -uo pipefail

want=()
command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] || want+=(bind9 bind9-utils)
[ -x /usr/bin/chromium ] || want+=(chromium)
[ -x /usr/bin/chromedriver ] || want+=(chromium-driver)
[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "system-deps: cannot install ${want[*]} (not root, no password-less sudo); tests that need them skip" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get; tests that need ${want[*]} skip" >&2
  exit 0
fi
echo "system-deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 || true
if ! "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${want[@]}" >/dev/null; then
  echo "system-deps: apt-get install ${want[*]} failed; tests that need them skip" >&2
fi
exit 0
