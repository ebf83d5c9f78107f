#!/usr/bin/env bash
# Run `make <stage>` for each stage given, in order, even after one fails; then print how long
# each took and exit non-zero if any failed.  Used by `make test`.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

names=() results=() times=()
failed=0
for stage in "$@"; do
  echo
  echo "=== make $stage ==="
  start=$(date +%s)
  if make --no-print-directory "$stage"; then result=ok; else result=FAILED; failed=$((failed + 1)); fi
  names+=("$stage") results+=("$result") times+=($(( $(date +%s) - start )))
done

echo
echo "=== make test: stage summary ==="
total=0
for i in "${!names[@]}"; do
  printf '  %-14s %-7s %5ss\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
  total=$((total + times[i]))
done
printf '  %-14s %-7s %5ss\n' "total" "" "$total"
if [ "$failed" -ne 0 ]; then
  echo "make test: $failed stage(s) FAILED"
  exit 1
fi
echo "make test: all stages ok"
