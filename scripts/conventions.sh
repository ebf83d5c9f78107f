#!/usr/bin/env bash
# The conventions a published collection's users' tooling checks (`make conventions`, a stage of
# `make test`): role READMEs in sync with their argument specs, the changelog fragments, the
# plugin documentation (antsibull-docs), and Galaxy's import of the built tarball. Every check
# runs even after one fails; exit 1 if any failed.
#   scripts/conventions.sh TARBALL
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
tarball=${1:?usage: conventions.sh TARBALL}
bin=${VENV:-.venv}/bin
failed=()

check() {
  local name=$1; shift
  echo "--- conventions: $name"
  if "$@"; then echo "--- conventions: $name ok"; else failed+=("$name"); fi
}

check role-readmes "$bin/python" scripts/role_readmes.py --check
check changelog-fragments "$bin/antsibull-changelog" lint
check changelog-yaml "$bin/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
# antsibull-docs and galaxy-importer call ansible-doc / ansible-lint from PATH.
check plugin-docs env PATH="$root/$bin:$PATH" "$bin/antsibull-docs" lint-collection-docs --plugin-docs \
  "${ANSIBLE_COLLECTIONS_PATH:-$root/.build/collections}/ansible_collections/onefs/dr"
check galaxy-importer env PATH="$root/$bin:$PATH" "$bin/python" scripts/galaxy_import.py "$tarball"

if [ "${#failed[@]}" -gt 0 ]; then
  echo "conventions: FAILED: ${failed[*]}"
  exit 1
fi
echo "conventions: all ok"
