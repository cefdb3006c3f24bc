#!/usr/bin/env bash
# Regenerate tests/fmt/*.expected using a real `terraform fmt` (0.15) as the
# oracle. Inputs are tests/fmt/*.tf and tests/fmt/*.tfvars; for each input
# INPUT the oracle's output is written to INPUT.expected. Inputs the oracle
# rejects (syntax errors) must live in tests/fmt/errors/ instead; for those
# the script only checks that the oracle does reject them.
#
# Usage: scripts/gen-fmt-expected.sh [path/to/terraform]
set -euo pipefail
cd "$(dirname "$0")/.."
TF="${1:-${TERRAFORM:-/opt/tfvenv/lib/python3.11/site-packages/cloudrail/terraform_0_15/terraform}}"
if [ ! -x "$TF" ]; then
  echo "oracle terraform binary not found at $TF; nothing regenerated" >&2
  exit 0
fi
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
for f in tests/fmt/*.tf tests/fmt/*.tfvars; do
  [ -e "$f" ] || continue
  name="$(basename "$f")"
  rm -rf "$tmp/d" && mkdir "$tmp/d"
  cp "$f" "$tmp/d/$name"
  if (cd "$tmp/d" && "$TF" fmt >/dev/null 2>&1); then
    cp "$tmp/d/$name" "$f.expected"
  else
    echo "oracle rejected $f (move it to tests/fmt/errors/)" >&2
    status=1
  fi
done
for f in tests/fmt/errors/*.tf; do
  [ -e "$f" ] || continue
  rm -rf "$tmp/d" && mkdir "$tmp/d"
  cp "$f" "$tmp/d/"
  if (cd "$tmp/d" && "$TF" fmt >/dev/null 2>&1); then
    echo "oracle accepted error case $f" >&2
    status=1
  fi
done
exit $status
