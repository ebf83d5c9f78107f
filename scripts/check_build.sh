#!/usr/bin/env bash
# Check a built collection tarball: the collection is there, development tooling is not.
#   scripts/check_build.sh .build/dist/onefs-dr-0.1.0.tar.gz
set -euo pipefail

tarball=${1:?usage: check_build.sh TARBALL}
listing=$(tar -tzf "$tarball")

missing=()
for want in MANIFEST.json FILES.json README.md meta/runtime.yml meta/execution-environment.yml requirements.txt; do
  grep -qx "$want" <<<"$listing" || missing+=("$want")
done
unwanted=$(grep -E '^(simulator|benchmarks|scripts|extensions/molecule|\.ci|\.venv[^/]*|\.build|collections|reports|tests/output|tests/simulator|tests/integration|tests/faults|tests/contract|tests/awx|tests/conftest\.py|tests/support\.py)(/|$)|(^|/)(__pycache__|\.pytest_cache|\.ruff_cache)(/|$)|\.tar\.gz$|\.pyc$' <<<"$listing" || true)

if [ "${#missing[@]}" -gt 0 ] || [ -n "$unwanted" ]; then
  [ "${#missing[@]}" -gt 0 ] && echo "build-check: missing from $tarball: ${missing[*]}"
  [ -n "$unwanted" ] && { echo "build-check: must not be in $tarball:"; while IFS= read -r path; do echo "  $path"; done <<<"$unwanted"; }
  exit 1
fi
echo "build-check: $tarball ok ($(wc -l <<<"$listing") entries, $(du -k "$tarball" | cut -f1) KiB)"
