"""AWS benchmarks for bench/harness.py (section `aws`): herd against moto
(AWS API emulator, server mode) behind bench/awsproxy.py, which adds latency,
counts calls per service and action, and can throttle like AWS.

4. apply of examples/fargate-app through a 100 ms proxy: wall ÷ bound, where
   the bound is the longest dependency path of the operations' own durations
   (HERD_OP_LOG), i.e. what an ideal scheduler could reach; plus total calls.
5. refresh (plan) of 200 subnets + 200 security groups + 50 target groups:
   API calls per resource.
6. apply of 200 security groups with EC2 throttled at 20 requests/s:
   failures, and achieved accepted rate ÷ allowed rate.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, what, timeout=60):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start on port {port}")


class Env:
    """moto plus one proxy; stop() ends both."""

    def __init__(self, work, latency=0.0, rate=0.0):
        moto = subprocess.run([os.path.join(ROOT, "scripts/moto-venv")], capture_output=True,
                              text=True, check=True).stdout.strip()
        self.moto_port, self.port = free_port(), free_port()
        # moto issues ACM certificates after MOTO_ACM_VALIDATION_WAIT s (default 60).
        e = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true", MOTO_ACM_VALIDATION_WAIT="1")
        self.moto = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(self.moto_port)], env=e,
                                     stdout=open(os.path.join(work, "moto.log"), "w"),
                                     stderr=subprocess.STDOUT)
        wait_port(self.moto_port, "moto")
        # moto builds a region's EC2 backend (AMIs, instance types) on the first
        # EC2 call, which takes seconds: do it now, directly, so that neither the
        # proxy's counts nor the timings include it.
        subprocess.run([os.path.join(os.path.dirname(moto), "python"), "-c",
                        "import boto3,sys; boto3.client('ec2', endpoint_url=sys.argv[1], "
                        "region_name='us-east-1', aws_access_key_id='testing', "
                        "aws_secret_access_key='testing').describe_vpcs()",
                        f"http://127.0.0.1:{self.moto_port}"], check=True)
        self.proxy = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "awsproxy.py"), "--listen", str(self.port),
             "--upstream", f"http://127.0.0.1:{self.moto_port}", "--latency", str(latency),
             "--rate", str(rate)])
        wait_port(self.port, "proxy")
        self.url = f"http://127.0.0.1:{self.port}"

    def env(self):
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "HERD_PROGRESS_INTERVAL": "3600"}

    def stats(self):
        return json.load(urllib.request.urlopen(self.url + "/__stats"))

    def reset_stats(self):
        urllib.request.urlopen(urllib.request.Request(self.url + "/__reset", method="POST")).read()

    def stop(self):
        for p in (self.proxy, self.moto):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def run(herd, d, args, env, out):
    t0 = time.monotonic()
    with open(out, "w") as f:
        rc = subprocess.call([herd, f"-chdir={d}"] + args, env=dict(os.environ, **env), stdout=f,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return rc, time.monotonic() - t0


def resource_of(addr):
    """module.x.aws_y.z[0] → module.x.aws_y.z"""
    depth, cur = 0, ""
    for ch in addr:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            continue
        if depth:
            continue
        cur += ch
    return cur


def critical_path(ops, state):
    """Longest path through the instances' dependencies, weighted by each
    operation's own duration. Instances without recorded dependencies (data
    sources) count as roots, which makes the bound smaller, never larger."""
    dur = {o["address"]: o["end"] - o["start"] for o in ops}
    deps = {}
    for r in state.get("resources", []):
        base = (r.get("module", "") + "." if r.get("module") else "") + \
            ("data." if r["mode"] == "data" else "") + f"{r['type']}.{r['name']}"
        for i in r["instances"]:
            k = i.get("index_key")
            a = base if k is None else (f'{base}["{k}"]' if isinstance(k, str) else f"{base}[{k}]")
            deps[a] = [resource_of(d) for d in i.get("dependencies", [])]
    by_res = {}
    for a in dur:
        by_res.setdefault(resource_of(a), []).append(a)
    memo = {}

    def longest(a, seen=()):
        if a in memo:
            return memo[a]
        best = 0.0
        for dr in deps.get(a, []):
            for b in by_res.get(dr, []):
                if b != a and b not in seen:
                    best = max(best, longest(b, seen + (a,)))
        memo[a] = best + dur.get(a, 0.0)
        return memo[a]

    path = max((longest(a), a) for a in dur) if dur else (0.0, "")
    return path


def bench_apply(herd, work, latency):
    d = os.path.join(work, "aws-fargate")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "examples/fargate-app"), d)
    env_ = Env(work, latency=latency)
    try:
        # moto answers the operations it lacks (Application Auto Scaling tags)
        # with HTTP 500, which the SDK retries with backoff: once is enough.
        env = dict(env_.env(), TF_VAR_db_password="bench-password-0123456789", AWS_MAX_ATTEMPTS="2")
        oplog = os.path.join(work, "aws-ops.jsonl")
        rc, plan_wall = run(herd, d, ["plan", "-input=false", "-out=p.plan", "-no-color"], env,
                            d + ".plan.out")
        if rc != 0:
            return {"error": f"plan failed, see {d}.plan.out"}
        env_.reset_stats()
        if os.path.exists(oplog):
            os.unlink(oplog)
        rc, wall = run(herd, d, ["apply", "-input=false", "-no-color", "p.plan"],
                       dict(env, HERD_OP_LOG=oplog), d + ".apply.out")
        if rc != 0:
            return {"error": f"apply failed, see {d}.apply.out"}
        st = env_.stats()
        ops = [json.loads(l) for l in open(oplog)]
        state = json.load(open(os.path.join(d, "terraform.tfstate")))
        bound, last = critical_path(ops, state)
        return {"wall": wall, "plan_wall": plan_wall, "bound": bound, "ratio": wall / bound,
                "calls": st["total"], "ops": len(ops), "latency": latency, "last": last,
                "path_calls": bound / latency}
    finally:
        env_.stop()


REFRESH_TF = """
provider "aws" {
  region = "us-east-1"
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "s" {
  count      = %(subnets)d
  vpc_id     = aws_vpc.v.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}
resource "aws_security_group" "g" {
  count       = %(sgs)d
  name        = "bench-${count.index}"
  description = "bench"
  vpc_id      = aws_vpc.v.id
}
resource "aws_lb_target_group" "t" {
  count       = %(tgs)d
  name        = "bench-${count.index}"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.v.id
}
"""


def bench_refresh(herd, work, n_sub, n_sg, n_tg):
    d = os.path.join(work, "aws-refresh")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    open(os.path.join(d, "main.tf"), "w").write(REFRESH_TF % {"subnets": n_sub, "sgs": n_sg, "tgs": n_tg})
    env_ = Env(work)
    try:
        env = dict(env_.env(), AWS_MAX_ATTEMPTS="2")
        rc, _ = run(herd, d, ["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=20"],
                    env, d + ".apply.out")
        if rc != 0:
            return {"error": f"apply failed, see {d}.apply.out"}
        env_.reset_stats()
        rc, wall = run(herd, d, ["plan", "-input=false", "-no-color", "-detailed-exitcode"], env,
                       d + ".plan.out")
        st = env_.stats()
        n = n_sub + n_sg + n_tg + 1
        return {"rc": rc, "wall": wall, "calls": st["total"], "resources": n,
                "per_resource": st["total"] / n, "by_action": st["calls"]}
    finally:
        env_.stop()


THROTTLE_TF = """
provider "aws" {
  region = "us-east-1"
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "g" {
  count       = %(n)d
  name        = "throttle-${count.index}"
  description = "throttle"
  vpc_id      = aws_vpc.v.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
"""


def bench_throttle(herd, work, n, rate, parallelism, mode=None):
    d = os.path.join(work, "aws-throttle")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    open(os.path.join(d, "main.tf"), "w").write(THROTTLE_TF % {"n": n})
    env_ = Env(work, latency=0.02, rate=rate)
    try:
        env = env_.env()
        if mode:
            env["AWS_RETRY_MODE"] = mode
        # The VPC first (moto's first calls of a kind are slow), so that the
        # measured span is the security groups' apply only.
        rc, _ = run(herd, d, ["apply", "-auto-approve", "-input=false", "-no-color",
                              "-target=aws_vpc.v"], env, d + ".vpc.out")
        if rc != 0:
            return {"error": f"VPC apply failed, see {d}.vpc.out"}
        env_.reset_stats()
        rc, wall = run(herd, d, ["apply", "-auto-approve", "-input=false", "-no-color",
                                 f"-parallelism={parallelism}"], env, d + ".apply.out")
        st = env_.stats()
        out = open(d + ".apply.out").read()
        errors = out.count("Error:")
        ec2 = st["accepted"].get("ec2", 0)
        span = st["last"].get("ec2", 0) - st["first"].get("ec2", 0)
        achieved = ec2 / span if span > 0 else 0.0
        return {"rc": rc, "wall": wall, "errors": errors, "accepted": ec2,
                "throttled": st["throttled"].get("ec2", 0), "achieved": achieved,
                "ratio": achieved / rate, "rate": rate, "parallelism": parallelism, "n": n,
                "mode": mode or "adaptive (default)"}
    finally:
        env_.stop()


def bench_aws(herd, work, quick):
    res = {}
    log("aws: fargate-app apply through a 100 ms proxy")
    res["apply"] = bench_apply(herd, work, 0.1)
    log("aws: refresh API calls")
    res["refresh"] = bench_refresh(herd, work, *((20, 20, 5) if quick else (200, 200, 50)))
    log("aws: throttled apply")
    res["throttle"] = [bench_throttle(herd, work, 20 if quick else 200, 20.0, 10),
                       bench_throttle(herd, work, 20 if quick else 200, 20.0, 10, "standard")]
    return res


def report(w, res, mark):
    w("## 4–6. AWS against moto, through a latency / throttling proxy\n")
    w("moto (AWS API emulator, server mode) behind `bench/awsproxy.py`, the project's own proxy: "
      "it counts calls per service and action, adds a fixed latency per call and can throttle "
      "each service like AWS does. herd reaches it through `AWS_ENDPOINT_URL`, as it would a "
      "region.\n")
    a = res.get("apply", {})
    if "error" in a:
        w(f"**4. fargate-app apply: failed** ({a['error']}).\n")
    elif a:
        w("**4. Apply of `examples/fargate-app`** (saved plan; 100 ms per call). Bound = the "
          "longest dependency path, each resource weighted by its own operation's duration "
          "(`HERD_OP_LOG`), i.e. the apply time of a scheduler with no overhead; "
          "≈ calls on that path × latency.\n")
        w("| operations | API calls | apply wall | bound (critical path) | ≈ calls on the path | ratio | target ≤ 1.3 |")
        w("|---|---|---|---|---|---|---|")
        w(f"| {a['ops']} | {a['calls']} | {a['wall']:.2f} s | {a['bound']:.2f} s (ends at `{a['last']}`) | "
          f"{a['path_calls']:.0f} | {a['ratio']:.2f} | {mark(a['ratio'] <= 1.3)} |\n")
    r = res.get("refresh", {})
    if "error" in r:
        w(f"**5. Refresh: failed** ({r['error']}).\n")
    elif r:
        w("**5. Refresh API calls** (`plan` with existing state, no latency).\n")
        w("| resources | API calls | calls per resource | target ≤ 0.1 | plan wall |")
        w("|---|---|---|---|---|")
        w(f"| {r['resources']} | {r['calls']} | {r['per_resource']:.3f} | {mark(r['per_resource'] <= 0.1)} | {r['wall']:.2f} s |\n")
        w("Calls by action: " + ", ".join(f"{s}:{a} {n}" for s, acts in sorted(r["by_action"].items())
                                          for a, n in sorted(acts.items())) + "\n")
    ts = res.get("throttle", [])
    for t in [t for t in ts if "error" in t]:
        w(f"**6. Throttling: failed** ({t['error']}).\n")
    ts = [t for t in ts if "error" not in t]
    if ts:
        t = ts[0]
        w(f"**6. Throttling**: {t['n']} security groups (each with an ingress rule), EC2 throttled at "
          f"{t['rate']:.0f} requests/s per service (RequestLimitExceeded), `-parallelism={t['parallelism']}`, "
          "20 ms latency. herd's default retry mode is adaptive (a client-side rate limiter per "
          "service that backs off on throttling and grows on success) with 8 retries, backoff capped at 5 s, and no retry "
          "quota; `standard` is shown for comparison.\n")
        w("| retry mode | exit code | errors | EC2 calls accepted | throttled | achieved rate | ÷ allowed | target ≥ 0.8 | wall |")
        w("|---|---|---|---|---|---|---|---|---|")
        for t in ts:
            w(f"| {t['mode']} | {t['rc']} | {t['errors']} | {t['accepted']} | {t['throttled']} | {t['achieved']:.1f}/s | "
              f"{t['ratio']:.2f} | {mark(t['ratio'] >= 0.8 and t['rc'] == 0 and t['errors'] == 0)} | {t['wall']:.1f} s |")
        w("")
