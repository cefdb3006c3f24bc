#!/bin/sh
# Seed fuzz/corpus/{parse_eval,expr_eval} and write fuzz/expr.dict.
# Usage: fuzz/seed.sh [CONFORMANCE_LANG_DIR]   (default /work/shared/conformance/lang)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
conf=${1:-/work/shared/conformance/lang}
mkdir -p "$here/corpus/parse_eval" "$here/corpus/expr_eval"
python3 - "$root" "$conf" "$here" <<'PY'
import glob, hashlib, os, re, sys
root, conf, here = sys.argv[1:4]
def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(here, "corpus", target, name), "wb") as f:
        f.write(data)
files = sorted(glob.glob(os.path.join(conf, "*", "main.tf")))
files += sorted(glob.glob(os.path.join(root, "tests", "malformed", "*")))
files += sorted(glob.glob(os.path.join(root, "tests", "fmt", "*.tf")))
n = 0
for p in files:
    data = open(p, "rb").read()
    put("parse_eval", data)
    n += 1
    # One-line right-hand sides of arguments, as stand-alone expressions.
    for line in data.decode("utf-8", "replace").splitlines():
        m = re.match(r'^\s*[A-Za-z_][\w-]*\s*=\s*(.+?)\s*$', line)
        if m and not m.group(1).endswith(("{", "[", "(", "<<EOT", "<<-EOT")):
            put("expr_eval", m.group(1))
# Dictionary: every built-in function name plus HCL tokens.
names = set()
for p in glob.glob(os.path.join(root, "src", "lang", "funcs", "*.rs")):
    names.update(re.findall(r'(?:Func::new|\b(?:f|fs|func|c|cs|e|j))\(\s*"([a-z][a-z0-9_:]*)"', open(p).read()))
toks = ["${", "%{", "}", "for", "in", "if", "endfor", "endif", "else", "=>", "...",
        "[*]", ".*", "<<EOT\n", "\nEOT\n", "<<-EOT\n", "null", "true", "false",
        "?", ":", "&&", "||", "==", "!=", "<=", ">=", "%", "1e308", "-1",
        "9999999999", "\"%d\"", "\"%9999d\"", "\"10.0.0.0/8\"", "\"::/0\"", "~}", "{~"]
with open(os.path.join(here, "expr.dict"), "w") as f:
    for t in sorted(names):
        f.write('"%s("\n' % t)
    for t in toks:
        esc = "".join(c if c.isprintable() and c not in '\\"' else "\\x%02X" % ord(c) for c in t)
        f.write('"%s"\n' % esc)
print(f"seeded from {n} files; {len(names)} function names in the dictionary")
PY
ls "$here/corpus/parse_eval" | wc -l
ls "$here/corpus/expr_eval" | wc -l
