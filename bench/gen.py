#!/usr/bin/env python3
"""Config generators for the herd benchmark harness (python3 stdlib only).

Usage:
  gen.py engine N DIR [--shape layers|blocks] [--state]
  gen.py critical wide|deep|mixed DIR
  gen.py locals N DIR
  gen.py modvars N DIR

Every generator writes main.tf (and, where needed, a module or a
terraform.tfstate) into DIR, which is created if missing.
"""
import json
import os
import sys
import uuid

ENGINE_LAYERS = 10  # `layers` shape: 10 resource blocks, each count = N/10
BLOCK_CHAIN = 10    # `blocks` shape: N distinct blocks in chains of 10


def _write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# --------------------------------------------------------------------------
# 1. Engine scale (terraform_data)
# --------------------------------------------------------------------------

def engine_instances(n, shape):
    """The instances of the engine config, in dependency order:
    (resource name, index or None, input literal or (ref name, ref index))."""
    out = []
    if shape == "layers":
        w = n // ENGINE_LAYERS
        for k in range(ENGINE_LAYERS):
            for i in range(w):
                out.append((f"r{k}", i, ("seed", i) if k == 0 else (f"r{k-1}", i)))
    else:
        for b in range(n):
            c, k = divmod(b, BLOCK_CHAIN)
            out.append((f"b{c}_{k}", None, ("seed", c) if k == 0 else (f"b{c}_{k-1}", None)))
    return out


def engine_config(n, shape):
    parts = []
    if shape == "layers":
        w = n // ENGINE_LAYERS
        parts.append(f'# {n} terraform_data instances: {ENGINE_LAYERS} layers of count = {w},\n'
                     f'# each instance takes the id of its counterpart in the layer before.\n')
        for k in range(ENGINE_LAYERS):
            inp = f'"seed-${{count.index}}"' if k == 0 else f"terraform_data.r{k-1}[count.index].id"
            parts.append(f'resource "terraform_data" "r{k}" {{\n  count = {w}\n  input = {inp}\n}}\n')
        parts.append(f'output "last" {{\n  value = terraform_data.r{ENGINE_LAYERS-1}[0].id\n}}\n')
    else:
        parts.append(f'# {n} distinct terraform_data blocks in chains of {BLOCK_CHAIN}.\n')
        for b in range(n):
            c, k = divmod(b, BLOCK_CHAIN)
            inp = f'"seed-{c}"' if k == 0 else f"terraform_data.b{c}_{k-1}.id"
            parts.append(f'resource "terraform_data" "b{c}_{k}" {{\n  input = {inp}\n}}\n')
        parts.append('output "last" {\n  value = terraform_data.b0_0.id\n}\n')
    return "\n".join(parts)


def _dyn(v):
    """herd stores a dynamic attribute holding a string as the bare string."""
    return v


def engine_state(n, shape):
    """A valid v4 state for engine_config(n, shape), as if it had been applied:
    the same layout that `herd apply` writes (ids are UUIDs, input == output,
    dependencies as Terraform records them)."""
    ids = {}
    resources = {}
    order = []
    for name, idx, src in engine_instances(n, shape):
        if src[0] == "seed":
            val = f"seed-{src[1]}"
            deps = []
        else:
            val = ids[src]
            deps = [f"terraform_data.{src[0]}"]
        iid = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{name}[{idx}]"))
        ids[(name, idx)] = iid
        inst = {"schema_version": 0,
                "attributes": {"id": iid, "input": _dyn(val), "output": _dyn(val),
                               "triggers_replace": None},
                "sensitive_attributes": []}
        if idx is not None:
            inst = {"index_key": idx, **inst}
        if deps:
            inst["dependencies"] = deps
        if name not in resources:
            resources[name] = {"mode": "managed", "type": "terraform_data", "name": name,
                               "provider": 'provider["terraform.io/builtin/terraform"]',
                               "instances": []}
            order.append(name)
        resources[name]["instances"].append(inst)
    last = ids[(f"r{ENGINE_LAYERS-1}", 0)] if shape == "layers" else ids[("b0_0", None)]
    return {"version": 4, "terraform_version": "1.5.7", "serial": 1,
            "lineage": str(uuid.uuid5(uuid.NAMESPACE_OID, f"bench-{shape}-{n}")),
            "outputs": {"last": {"value": last, "type": "string"}},
            "resources": [resources[r] for r in order],
            "check_results": None}


def gen_engine(n, d, shape="layers", state=False):
    _write(os.path.join(d, "main.tf"), engine_config(n, shape))
    if state:
        _write(os.path.join(d, "terraform.tfstate"), json.dumps(engine_state(n, shape), indent=2) + "\n")


# --------------------------------------------------------------------------
# 2. Critical path (terraform_data + local-exec sleep 1)
# --------------------------------------------------------------------------

def _sleeper(name, count=None, inp=None):
    s = f'resource "terraform_data" "{name}" {{\n'
    if count is not None:
        s += f"  count = {count}\n"
    if inp is not None:
        s += f"  input = {inp}\n"
    s += '  provisioner "local-exec" {\n    command = "sleep 1"\n  }\n}\n'
    return s


def critical_config(kind):
    """(config text, critical path length in sleeps, total sleeps)."""
    if kind == "wide":
        return _sleeper("w", count=100), 1, 100
    if kind == "deep":
        parts = [_sleeper("d0", inp='"start"')]
        parts += [_sleeper(f"d{i}", inp=f"terraform_data.d{i-1}.id") for i in range(1, 10)]
        return "\n".join(parts), 10, 10
    if kind == "mixed":
        parts = []
        for c in range(5):
            parts.append(_sleeper(f"c{c}_0", inp=f'"chain-{c}"'))
            parts += [_sleeper(f"c{c}_{k}", inp=f"terraform_data.c{c}_{k-1}.id") for k in range(1, 4)]
        parts.append(_sleeper("free", count=50))
        return "\n".join(parts), 4, 70
    raise SystemExit(f"unknown critical-path shape {kind!r}")


def gen_critical(kind, d):
    text, _, _ = critical_config(kind)
    _write(os.path.join(d, "main.tf"), text)


# --------------------------------------------------------------------------
# 3. Language scale (locals in layers; module variables)
# --------------------------------------------------------------------------

LANG_LAYERS = 10


def locals_config(n):
    """N locals in LANG_LAYERS layers of N/LANG_LAYERS; each local of layer k>0
    references its counterpart in layer k-1 through format, cidrsubnet or
    merge (chosen round-robin), so the language does real work."""
    w = n // LANG_LAYERS
    out = [f"# {n} locals: {LANG_LAYERS} layers of {w}.\nlocals {{\n"]
    for i in range(w):
        out.append(f'  l0_{i} = format("n%04d", {i})\n')
    for k in range(1, LANG_LAYERS):
        for i in range(w):
            p = f"local.l{k-1}_{i}"
            m = (i + k) % 3
            if m == 0:
                e = f'format("%s-%d", {p}, {k})'
            elif m == 1:
                e = f'format("%s|%s", {p}, cidrsubnet("10.0.0.0/8", 8, ({i} + length({p})) % 256))'
            else:
                e = f'merge({{ v = {p} }}, {{ k = "{k}" }}, {{ v = upper({p}) }}).v'
            out.append(f"  l{k}_{i} = {e}\n")
    out.append("}\n\n")
    last = LANG_LAYERS - 1
    out.append(f'output "count" {{\n  value = length([{", ".join(f"local.l{last}_{i}" for i in range(w))}])\n}}\n')
    out.append(f'output "first" {{\n  value = local.l{last}_0\n}}\n')
    return "".join(out)


def modvars_config(n):
    """A module called with N variables (each a format() of a root local),
    whose module uses every one of them in a local and an output."""
    root = ['locals {\n  prefix = "mv"\n}\n\nmodule "m" {\n  source = "./m"\n']
    for i in range(n):
        root.append(f'  v{i} = format("%s-%d", local.prefix, {i})\n')
    root.append("}\n\n")
    root.append('output "count" {\n  value = module.m.count\n}\n')
    root.append('output "first" {\n  value = module.m.first\n}\n')
    mod = []
    for i in range(n):
        mod.append(f'variable "v{i}" {{\n  type = string\n}}\n')
    mod.append("\nlocals {\n  all = [\n")
    for i in range(n):
        mod.append(f"    var.v{i},\n")
    mod.append("  ]\n}\n\n")
    mod.append('output "count" {\n  value = length(local.all)\n}\n')
    mod.append('output "first" {\n  value = upper(var.v0)\n}\n')
    return "".join(root), "".join(mod)


def gen_locals(n, d):
    _write(os.path.join(d, "main.tf"), locals_config(n))


def gen_modvars(n, d):
    root, mod = modvars_config(n)
    _write(os.path.join(d, "main.tf"), root)
    _write(os.path.join(d, "m", "main.tf"), mod)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    what = argv[0]
    if what == "engine":
        shape = "blocks" if "--shape" in argv and argv[argv.index("--shape") + 1] == "blocks" else "layers"
        gen_engine(int(argv[1]), argv[2], shape, "--state" in argv)
    elif what == "critical":
        gen_critical(argv[1], argv[2])
    elif what == "locals":
        gen_locals(int(argv[1]), argv[2])
    elif what == "modvars":
        gen_modvars(int(argv[1]), argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
