#!/usr/bin/env bash
# Hook for role scenarios: runs `molecule test` for every scenario found under
# extensions/molecule/ (collection-level layout) or roles/*/molecule/.  Nothing found -> no-op.
# Each scenario's ephemeral directory (what its playbooks write) is .build/molecule/<base>/<name>
# in this checkout, not molecule's default under ~/.ansible/tmp, which every checkout on the
# machine would share.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

found=0
for base in extensions roles/*; do
  [ -d "$base/molecule" ] || continue
  for scenario in "$base"/molecule/*/molecule.yml; do
    [ -f "$scenario" ] || continue
    name=$(basename "$(dirname "$scenario")")
    [ "$name" = default ] && [ "$base" = extensions ] && continue  # shared config, not a scenario
    found=1
    echo "molecule: $base scenario $name"
    ephemeral=$root/.build/molecule/${base//\//-}/$name
    mkdir -p "$ephemeral"
    (cd "$base" && MOLECULE_EPHEMERAL_DIRECTORY=$ephemeral molecule test --scenario-name "$name")
  done
done
[ "$found" -eq 1 ] || echo "molecule: no scenarios yet (extensions/molecule/*/ or roles/*/molecule/*/)"
