//! End-to-end tests of the plan/apply engine with the built-in
//! `terraform_data` resource and `local-exec` provisioners: each case copies
//! a fixture from `tests/fixtures/engine/<case>/` into a temporary directory
//! and drives `herd` there, checking its output and the state files it
//! writes against Terraform's behaviour.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value as J;
use tempfile::TempDir;

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine")
        .join(case)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A temporary working directory holding a copy of a fixture.
fn setup(case: &str) -> TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture(case), d.path());
    d
}

fn herd_cmd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("herd").expect("binary built");
    c.current_dir(dir);
    c.env_remove("TF_WORKSPACE");
    c.env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    herd_cmd(dir).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run and require success; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "herd {args:?} failed ({:?}):\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Run and require exit code 1; returns (stdout, stderr).
fn fails(dir: &Path, args: &[&str]) -> (String, String) {
    let out = run(dir, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "herd {args:?} should fail:\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    (text(&out.stdout), text(&out.stderr))
}

fn state_path(d: &TempDir) -> PathBuf {
    d.path().join("terraform.tfstate")
}

fn state(d: &TempDir) -> J {
    serde_json::from_str(&std::fs::read_to_string(state_path(d)).unwrap()).unwrap()
}

fn resources(s: &J) -> &Vec<J> {
    s["resources"].as_array().unwrap()
}

/// The resource entry for `module` (None for root), `name` of terraform_data.
fn resource<'a>(s: &'a J, module: Option<&str>, name: &str) -> Option<&'a J> {
    resources(s).iter().find(|r| {
        r["name"] == name
            && r["type"] == "terraform_data"
            && r.get("module").and_then(|m| m.as_str()) == module
    })
}

/// Every instance address in the state, in state order.
fn addresses(s: &J) -> Vec<String> {
    let mut out = vec![];
    for r in resources(s) {
        let base = format!(
            "{}.{}",
            r["type"].as_str().unwrap(),
            r["name"].as_str().unwrap()
        );
        let base = match r.get("module").and_then(|m| m.as_str()) {
            Some(m) => format!("{m}.{base}"),
            None => base,
        };
        for i in r["instances"].as_array().unwrap() {
            let key = match i.get("index_key") {
                Some(J::Number(n)) => format!("[{n}]"),
                Some(J::String(s)) => format!("[{s:?}]"),
                _ => String::new(),
            };
            let dep = match i.get("deposed") {
                Some(J::String(k)) => format!(" (deposed {k})"),
                _ => String::new(),
            };
            out.push(format!("{base}{key}{dep}"));
        }
    }
    out
}

fn attr(s: &J, module: Option<&str>, name: &str, idx: usize, a: &str) -> J {
    resource(s, module, name).expect("resource in state")["instances"][idx]["attributes"][a].clone()
}

/// Replace volatile UUIDs so output can be snapshotted.
fn scrub(s: &str) -> String {
    let re =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    re.replace_all(s, "<uuid>").into_owned()
}

// ---------------------------------------------------------------------------
// 1. create → no changes → update → replace → destroy

#[cfg(unix)]
fn mode_of(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn lifecycle_create_update_replace_destroy() {
    let d = setup("lifecycle_basic");
    let p = d.path();

    // Create.
    let out = ok(p, &["apply", "-auto-approve"]);
    assert!(
        out.contains("  # terraform_data.main will be created"),
        "{out}"
    );
    assert!(
        out.contains("      + output           = (known after apply)"),
        "{out}"
    );
    assert!(
        out.contains("Plan: 3 to add, 0 to change, 0 to destroy."),
        "{out}"
    );
    assert!(out.contains("terraform_data.main: Creating..."), "{out}");
    assert!(
        out.contains("terraform_data.main: Creation complete after 0s [id="),
        "{out}"
    );
    assert!(
        out.contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(out.contains("Outputs:\n\nmain = \"one\"\n"), "{out}");
    let s1 = state(&d);
    assert_eq!(s1["version"], 4);
    let lineage = s1["lineage"].as_str().unwrap().to_string();
    assert!(s1["serial"].as_u64().unwrap() >= 1);
    assert_eq!(
        addresses(&s1),
        [
            "terraform_data.copies[0]",
            "terraform_data.copies[1]",
            "terraform_data.main"
        ]
    );
    assert_eq!(
        resource(&s1, None, "copies").unwrap()["instances"][1]["index_key"],
        1
    );
    assert_eq!(attr(&s1, None, "copies", 1, "input"), "one-1");
    assert_eq!(attr(&s1, None, "main", 0, "output"), "one");
    assert_eq!(
        resource(&s1, None, "main").unwrap()["provider"],
        "provider[\"terraform.io/builtin/terraform\"]"
    );
    assert_eq!(
        resource(&s1, None, "copies").unwrap()["instances"][0]["dependencies"],
        serde_json::json!(["terraform_data.main"])
    );
    assert_eq!(s1["outputs"]["main"]["value"], "one");
    #[cfg(unix)]
    assert_eq!(mode_of(&state_path(&d)), 0o600);
    // The first apply had no prior state, so there is nothing to back up.
    assert!(!p.join("terraform.tfstate.backup").exists());
    let main_id = attr(&s1, None, "main", 0, "id");

    // Re-plan: no changes, exit code 0 even with -detailed-exitcode.
    let out = ok(p, &["plan", "-detailed-exitcode"]);
    assert!(
        out.contains("No changes. Your infrastructure matches the configuration."),
        "{out}"
    );
    assert_eq!(
        state(&d)["serial"],
        s1["serial"],
        "plan must not write state"
    );

    // Update in place: output is unknown until apply.
    let out = ok(p, &["apply", "-auto-approve", "-var", "value=two"]);
    assert!(
        out.contains("  # terraform_data.main will be updated in-place"),
        "{out}"
    );
    assert!(
        out.contains("      ~ input            = \"one\" -> \"two\""),
        "{out}"
    );
    assert!(
        out.contains("      ~ output           = \"one\" -> (known after apply)"),
        "{out}"
    );
    assert!(
        out.contains("  ~ main = \"one\" -> (known after apply)"),
        "{out}"
    );
    assert!(
        out.contains("terraform_data.main: Modifying... [id="),
        "{out}"
    );
    assert!(
        out.contains("Apply complete! Resources: 0 added, 3 changed, 0 destroyed."),
        "{out}"
    );
    let s2 = state(&d);
    assert_eq!(s2["lineage"], lineage.as_str());
    assert!(s2["serial"].as_u64() > s1["serial"].as_u64());
    assert_eq!(
        attr(&s2, None, "main", 0, "id"),
        main_id,
        "update keeps the id"
    );
    assert_eq!(attr(&s2, None, "copies", 0, "output"), "two-0");
    assert_eq!(s2["outputs"]["main"]["value"], "two");
    // The backup is the state as it was before this apply.
    let backup: J =
        serde_json::from_str(&std::fs::read_to_string(p.join("terraform.tfstate.backup")).unwrap())
            .unwrap();
    assert_eq!(backup["serial"], s1["serial"]);
    assert_eq!(backup["outputs"]["main"]["value"], "one");
    #[cfg(unix)]
    assert_eq!(mode_of(&p.join("terraform.tfstate.backup")), 0o600);
    assert_eq!(
        ok(p, &["output", "-raw", "main"]),
        "two",
        "output reads the new state"
    );

    // Replace via triggers_replace.
    let args = ["-var", "value=two", "-var", "trigger=t2"];
    let out = ok(p, &[&["plan"][..], &args].concat());
    assert!(
        out.contains("  # terraform_data.main must be replaced"),
        "{out}"
    );
    assert!(
        out.contains("-/+ resource \"terraform_data\" \"main\" {"),
        "{out}"
    );
    assert!(
        out.contains("      ~ triggers_replace = \"t1\" -> \"t2\" # forces replacement"),
        "{out}"
    );
    assert!(
        out.contains("-/+ destroy and then create replacement"),
        "{out}"
    );
    let out = ok(p, &[&["apply", "-auto-approve"][..], &args].concat());
    assert!(
        out.contains("Apply complete! Resources: 1 added, 2 changed, 1 destroyed."),
        "{out}"
    );
    let dpos = out
        .find("terraform_data.main: Destruction complete")
        .unwrap();
    let cpos = out.find("terraform_data.main: Creation complete").unwrap();
    assert!(dpos < cpos, "destroy before create:\n{out}");
    let s3 = state(&d);
    assert_ne!(attr(&s3, None, "main", 0, "id"), main_id);
    assert_eq!(s3["lineage"], lineage.as_str());
    assert!(s3["serial"].as_u64() > s2["serial"].as_u64());

    // Destroy.
    let out = ok(p, &["destroy", "-auto-approve", "-var", "trigger=t2"]);
    assert!(
        out.contains("  # terraform_data.main will be destroyed"),
        "{out}"
    );
    assert!(out.contains("  - main = \"two\" -> null"), "{out}");
    assert!(
        out.contains("Plan: 0 to add, 0 to change, 3 to destroy."),
        "{out}"
    );
    assert!(
        out.contains("Destroy complete! Resources: 3 destroyed."),
        "{out}"
    );
    // Dependents go first.
    let copies = out
        .find("terraform_data.copies[0]: Destruction complete")
        .unwrap();
    let main = out.find("terraform_data.main: Destroying...").unwrap();
    assert!(copies < main, "{out}");
    let s4 = state(&d);
    assert_eq!(s4["resources"], serde_json::json!([]));
    assert_eq!(s4["outputs"], serde_json::json!({}));
    assert_eq!(s4["lineage"], lineage.as_str());
    let out = ok(p, &["plan", "-destroy"]);
    assert!(
        out.contains("No changes. No objects need to be destroyed."),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// 2. count and for_each

#[test]
fn count_and_for_each_expansion() {
    let d = setup("count_each");
    let p = d.path();
    let out = ok(p, &["apply", "-auto-approve"]);
    assert!(
        out.contains("Apply complete! Resources: 12 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    let s = state(&d);
    assert_eq!(
        addresses(&s),
        [
            "terraform_data.refs",
            "terraform_data.x[0]",
            "terraform_data.x[1]",
            "terraform_data.x[2]",
            "terraform_data.y[\"a\"]",
            "terraform_data.y[\"b\"]",
            "terraform_data.y[\"c\"]",
            "terraform_data.z[0]",
            "terraform_data.z[1]",
            "module.f[\"k\"].terraform_data.x",
            "module.m[0].terraform_data.x",
            "module.m[1].terraform_data.x",
        ]
    );
    let mut sorted = addresses(&s);
    sorted.sort();
    for want in [
        "module.f[\"k\"].terraform_data.x",
        "module.m[0].terraform_data.x",
        "module.m[1].terraform_data.x",
        "terraform_data.y[\"b\"]",
        "terraform_data.x[2]",
    ] {
        assert!(sorted.contains(&want.to_string()), "{want} in {sorted:?}");
    }
    // Module resources come after root ones, keyed by module instance.
    assert_eq!(addresses(&s)[0], "terraform_data.refs");
    assert_eq!(
        resource(&s, Some("module.m[1]"), "x").unwrap()["instances"][0]["attributes"]["input"],
        "m1"
    );
    assert_eq!(
        resource(&s, None, "y").unwrap()["instances"][1]["index_key"],
        "b"
    );
    // References through splats and keys.
    let refs = attr(&s, None, "refs", 0, "output");
    assert_eq!(refs["b"], "y-b");
    let ids: Vec<J> = (0..3).map(|i| attr(&s, None, "x", i, "id")).collect();
    assert_eq!(refs["ids"], J::Array(ids));
    assert_eq!(
        s["outputs"]["tags"]["value"],
        serde_json::json!(["m0", "m1", "f-k"])
    );

    // Shrink count, drop a for_each key.
    let out = ok(p, &["plan", "-var", "n=1", "-var", r#"keys=["b","c"]"#]);
    assert!(
        out.contains(
            "  # terraform_data.x[2] will be destroyed\n  # (because index [2] is out of range for count)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "  # terraform_data.y[\"a\"] will be destroyed\n  # (because key [\"a\"] is not in for_each map)"
        ),
        "{out}"
    );
    assert!(
        out.contains("Plan: 0 to add, 1 to change, 3 to destroy."),
        "{out}"
    );
    ok(
        p,
        &[
            "apply",
            "-auto-approve",
            "-var",
            "n=1",
            "-var",
            r#"keys=["b","c"]"#,
        ],
    );
    let s = state(&d);
    assert_eq!(
        resource(&s, None, "x").unwrap()["instances"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(!addresses(&s).contains(&"terraform_data.y[\"a\"]".to_string()));

    // Grow again.
    let out = ok(
        p,
        &[
            "apply",
            "-auto-approve",
            "-var",
            "n=2",
            "-var",
            r#"keys=["b","c"]"#,
        ],
    );
    assert!(out.contains("terraform_data.x[1]: Creating..."), "{out}");
    assert!(!out.contains("terraform_data.x[0]: Creating..."), "{out}");

    // count -> for_each.
    std::fs::write(
        p.join("z.tf"),
        "resource \"terraform_data\" \"z\" {\n  for_each = toset([\"p\"])\n  input    = \"z\"\n}\n",
    )
    .unwrap();
    let out = ok(p, &["plan", "-var", "n=2", "-var", r#"keys=["b","c"]"#]);
    assert!(
        out.contains(
            "  # terraform_data.z[0] will be destroyed\n  # (because resource does not use count)"
        ),
        "{out}"
    );
    assert!(
        out.contains("  # terraform_data.z[\"p\"] will be created"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// 3. dependencies and parallelism

#[test]
fn parallel_apply_and_dependency_order() {
    let d = setup("parallel");
    let p = d.path();
    let t = Instant::now();
    let out = ok(p, &["apply", "-auto-approve"]);
    let took = t.elapsed();
    // Six 1 s provisioners in parallel: far less than 6 s (loose bound).
    assert!(took < Duration::from_secs(3), "took {took:?}\n{out}");
    assert!(
        out.contains("Apply complete! Resources: 9 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(p.join("order.log")).unwrap(),
        "a\nb\nc\n"
    );
    // Terraform's provisioner lines, with "Creation complete" after them.
    let prov = out
        .find("terraform_data.a (local-exec): Executing: [\"/bin/sh\" \"-c\" \"sleep 0.2; echo a >> order.log\"]")
        .expect(&out);
    let done = out.find("terraform_data.a: Creation complete").unwrap();
    assert!(prov < done, "{out}");
    assert!(
        out.contains("terraform_data.a: Provisioning with 'local-exec'..."),
        "{out}"
    );
    let s = state(&d);
    assert_eq!(
        resource(&s, None, "c").unwrap()["instances"][0]["dependencies"],
        serde_json::json!(["terraform_data.a", "terraform_data.b"])
    );
}

#[test]
fn parallelism_one_serializes() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        "resource \"terraform_data\" \"w\" {\n  count = 3\n  provisioner \"local-exec\" {\n    command = \"sleep 0.4\"\n  }\n}\n",
    )
    .unwrap();
    let t = Instant::now();
    ok(d.path(), &["apply", "-auto-approve", "-parallelism=1"]);
    assert!(
        t.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        t.elapsed()
    );
}

// ---------------------------------------------------------------------------
// 4. failure isolation, tainting, on_failure, destroy-time provisioners

#[test]
fn provisioner_failure_taints_and_isolates() {
    let d = setup("failure");
    let p = d.path();
    let (out, err) = fails(p, &["apply", "-auto-approve"]);
    assert!(err.contains("Error: local-exec provisioner error"), "{err}");
    assert!(
        err.contains("Error running command 'echo boom; exit 1': exit status 1. Output: boom"),
        "{err}"
    );
    assert!(!out.contains("Apply complete!"), "{out}");
    assert!(
        !out.contains("terraform_data.after_bad: Creating..."),
        "{out}"
    );
    let s = state(&d);
    let addrs = addresses(&s);
    assert!(addrs.contains(&"terraform_data.independent".to_string()));
    assert!(addrs.contains(&"terraform_data.tolerant".to_string()));
    assert!(!addrs.contains(&"terraform_data.after_bad".to_string()));
    assert_eq!(
        resource(&s, None, "bad").unwrap()["instances"][0]["status"],
        "tainted"
    );
    // on_failure = continue does not taint.
    assert!(resource(&s, None, "tolerant").unwrap()["instances"][0]
        .get("status")
        .is_none());

    let out = ok(p, &["plan"]);
    assert!(
        out.contains("  # terraform_data.bad is tainted, so must be replaced"),
        "{out}"
    );
    assert!(
        out.contains("  # terraform_data.after_bad will be created"),
        "{out}"
    );
    assert!(
        out.contains("Plan: 2 to add, 0 to change, 1 to destroy."),
        "{out}"
    );

    let out = ok(p, &["apply", "-auto-approve", "-var", "fail=false"]);
    assert!(
        out.contains("Apply complete! Resources: 2 added, 0 changed, 1 destroyed."),
        "{out}"
    );
    let tolerant_id = attr(&state(&d), None, "tolerant", 0, "id");

    // Destroy-time provisioner.
    let out = ok(p, &["destroy", "-auto-approve", "-var", "fail=false"]);
    assert!(
        out.contains("Destroy complete! Resources: 4 destroyed."),
        "{out}"
    );
    let log = std::fs::read_to_string(p.join("destroy.log")).unwrap();
    assert_eq!(
        log,
        format!("destroyed {}\n", tolerant_id.as_str().unwrap())
    );
}

// ---------------------------------------------------------------------------
// 5. lifecycle meta-arguments, -replace, -target

#[test]
fn lifecycle_meta_arguments() {
    let d = setup("lifecycle_meta");
    let p = d.path();
    ok(p, &["apply", "-auto-approve"]);
    let s1 = state(&d);
    let cbd_id = attr(&s1, None, "cbd", 0, "id");

    let out = ok(p, &["apply", "-auto-approve", "-var", "v=2"]);
    // create_before_destroy.
    assert!(
        out.contains("+/- resource \"terraform_data\" \"cbd\" {"),
        "{out}"
    );
    assert!(
        out.contains("+/- create replacement and then destroy"),
        "{out}"
    );
    let created = out.find("terraform_data.cbd: Creation complete").unwrap();
    let destroyed = out.find("terraform_data.cbd (deposed object ").expect(&out);
    assert!(created < destroyed, "{out}");
    // ignore_changes.
    assert!(!out.contains("terraform_data.ignored will"), "{out}");
    assert!(!out.contains("terraform_data.ignored_all will"), "{out}");
    // replace_triggered_by.
    assert!(
        out.contains(
            "  # terraform_data.triggered will be replaced due to changes in replace_triggered_by"
        ),
        "{out}"
    );
    assert!(
        out.contains("Apply complete! Resources: 2 added, 2 changed, 2 destroyed."),
        "{out}"
    );
    let s2 = state(&d);
    assert_ne!(attr(&s2, None, "cbd", 0, "id"), cbd_id);
    assert!(!addresses(&s2).iter().any(|a| a.contains("deposed")));
    assert_eq!(attr(&s2, None, "ignored", 0, "input"), "1");
    assert_eq!(attr(&s2, None, "ignored_all", 0, "input"), "1");

    // -replace.
    let out = ok(
        p,
        &["plan", "-var", "v=2", "-replace=terraform_data.source"],
    );
    assert!(
        out.contains("  # terraform_data.source will be replaced, as requested"),
        "{out}"
    );

    // Precondition failure.
    let (_, err) = fails(p, &["plan", "-var", "v=2", "-var", "ok=false"]);
    assert!(err.contains("Error: Resource precondition failed"), "{err}");
    assert!(err.contains("The precondition flag is off."), "{err}");
    // Postcondition failure, on apply.
    let (_, err) = fails(p, &["apply", "-auto-approve", "-var", "v=bad"]);
    assert!(
        err.contains("Error: Resource postcondition failed"),
        "{err}"
    );
    assert!(err.contains("The output must not be bad."), "{err}");
}

#[test]
fn prevent_destroy_blocks_destroy() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        "resource \"terraform_data\" \"keep\" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    )
    .unwrap();
    ok(d.path(), &["apply", "-auto-approve"]);
    let before = std::fs::read_to_string(state_path(&d)).unwrap();
    let (_, err) = fails(d.path(), &["destroy", "-auto-approve"]);
    assert!(err.contains("Error: Instance cannot be destroyed"), "{err}");
    assert!(
        err.contains("Resource terraform_data.keep has lifecycle.prevent_destroy set"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(state_path(&d)).unwrap(), before);
}

#[test]
fn target_limits_plan_to_target_and_dependencies() {
    let d = setup("count_each");
    let p = d.path();
    let out = run(
        p,
        &["apply", "-auto-approve", "-target=terraform_data.refs"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stderr.contains("Warning: Resource targeting is in effect"),
        "{stderr}"
    );
    // refs and what it depends on (x, y) only.
    assert!(
        stdout.contains("Apply complete! Resources: 7 added, 0 changed, 0 destroyed."),
        "{stdout}"
    );
    assert!(
        !stdout.contains("(known after apply)\n}\n\nApply"),
        "{stdout}"
    );
    let s = state(&d);
    assert!(!addresses(&s).iter().any(|a| a.starts_with("module.")));
    assert!(!addresses(&s)
        .iter()
        .any(|a| a.starts_with("terraform_data.z")));
}

// ---------------------------------------------------------------------------
// 6. moved, import and removed blocks

#[test]
fn moved_import_and_removed_blocks() {
    let d = setup("refactor");
    let p = d.path();
    ok(p, &["apply", "-auto-approve"]);
    let s1 = state(&d);
    let old_id = attr(&s1, None, "old", 0, "id");
    let tomod_id = attr(&s1, None, "tomod", 0, "id");
    std::fs::rename(p.join("after.tf.txt"), p.join("main.tf")).unwrap();

    let out = run(p, &["plan"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stdout.contains("  # terraform_data.old has moved to terraform_data.new"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  # terraform_data.tomod has moved to module.m.terraform_data.inner"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  # terraform_data.imported will be imported"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{stdout}"
    );
    assert!(!stdout.contains("destroyed"), "{stdout}");
    assert!(
        stderr.contains("Warning: Some objects will no longer be managed"),
        "{stderr}"
    );
    assert!(stderr.contains(" - terraform_data.gone"), "{stderr}");

    let out = ok(p, &["apply", "-auto-approve"]);
    assert!(!out.contains("Destroying"), "{out}");
    let s2 = state(&d);
    assert_eq!(
        addresses(&s2),
        [
            "terraform_data.imported",
            "terraform_data.new",
            "module.m.terraform_data.inner"
        ]
    );
    assert_eq!(attr(&s2, None, "new", 0, "id"), old_id);
    assert_eq!(attr(&s2, Some("module.m"), "inner", 0, "id"), tomod_id);
    assert_eq!(attr(&s2, None, "imported", 0, "id"), "existing-id");
    let out = ok(p, &["plan"]);
    assert!(out.contains("No changes."), "{out}");
}

// ---------------------------------------------------------------------------
// 7. saved plans, -detailed-exitcode, show -json

#[test]
fn saved_plans_and_json() {
    let d = setup("saved_plan");
    let p = d.path();
    let out = run(p, &["plan", "-detailed-exitcode", "-out=tfplan"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Saved the plan to: tfplan"));
    assert!(!state_path(&d).exists(), "plan writes no state");

    let js: J = serde_json::from_str(&ok(p, &["show", "-json", "tfplan"])).unwrap();
    let rc = js["resource_changes"].as_array().unwrap();
    let secret = rc
        .iter()
        .find(|c| c["address"] == "terraform_data.secret")
        .unwrap();
    assert_eq!(secret["change"]["actions"], serde_json::json!(["create"]));
    // herd redacts sensitive values (as null) where Terraform prints them.
    assert_eq!(
        secret["change"]["after"]["input"],
        J::Null,
        "sensitive value redacted"
    );
    assert_eq!(secret["change"]["after_sensitive"]["input"], true);
    assert!(!serde_json::to_string(&js).unwrap().contains("hunter2"));
    let plain = rc
        .iter()
        .find(|c| c["address"] == "terraform_data.plain")
        .unwrap();
    assert_eq!(plain["change"]["after"]["input"], "1");

    let out = ok(p, &["apply", "tfplan"]);
    assert!(
        out.contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    let s = state(&d);
    // The sensitive input, and the output copied from it, are recorded as
    // sensitive in state.
    assert_eq!(
        resource(&s, None, "secret").unwrap()["instances"][0]["sensitive_attributes"],
        serde_json::json!([[{"type": "get_attr", "value": "input"}], [{"type": "get_attr", "value": "output"}]])
    );

    // The state moved on: the plan is stale.
    let (_, err) = fails(p, &["apply", "tfplan"]);
    assert!(err.contains("Error: Saved plan is stale"), "{err}");

    let out = run(p, &["plan", "-detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0));

    let js: J = serde_json::from_str(&ok(p, &["show", "-json"])).unwrap();
    let res = js["values"]["root_module"]["resources"].as_array().unwrap();
    assert_eq!(res.len(), 2);
    let secret = res
        .iter()
        .find(|r| r["address"] == "terraform_data.secret")
        .unwrap();
    assert_eq!(secret["sensitive_values"]["input"], true);
    assert_eq!(secret["values"]["input"], J::Null, "redacted");
    // Unlike Terraform, herd also keeps `output` (a copy of the sensitive
    // input) sensitive, so the secret never appears in `show -json`.
    assert_eq!(secret["sensitive_values"]["output"], true);
    assert_eq!(secret["values"]["output"], J::Null, "redacted");
    assert!(!serde_json::to_string(&js).unwrap().contains("hunter2"));
}

// ---------------------------------------------------------------------------
// 8. locking

#[test]
fn apply_fails_fast_when_state_is_locked() {
    let d = setup("locking");
    let p = d.path();
    let guard = herd::state::lock::acquire(&state_path(&d), "OperationTypeApply", None).unwrap();
    let t = Instant::now();
    let (_, err) = fails(p, &["apply", "-auto-approve"]);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(err.contains("Error acquiring the state lock"), "{err}");
    assert!(!state_path(&d).exists());
    let out = ok(p, &["apply", "-auto-approve", "-lock=false"]);
    assert!(out.contains("Apply complete! Resources: 1 added"), "{out}");
    drop(guard);
    let out = ok(p, &["plan"]);
    assert!(out.contains("No changes."), "{out}");
}

// ---------------------------------------------------------------------------
// 9. crash safety

#[cfg(unix)]
#[test]
fn killed_apply_leaves_valid_state_with_pending_operation() {
    let d = setup("crash");
    let p = d.path();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("herd"))
        .current_dir(p)
        .args(["apply", "-auto-approve"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the three fast instances are recorded.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = None;
    while Instant::now() < deadline {
        if let Ok(t) = std::fs::read_to_string(state_path(&d)) {
            if let Ok(s) = serde_json::from_str::<J>(&t) {
                if resource(&s, None, "fast")
                    .map(|r| r["instances"].as_array().unwrap().len() == 3)
                    .unwrap_or(false)
                {
                    seen = Some(s);
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(seen.is_some(), "fast resources never recorded");
    // SIGKILL: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();

    let s = state(&d);
    assert_eq!(s["version"], 4);
    assert_eq!(
        resource(&s, None, "fast").unwrap()["instances"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let slow_recorded = resource(&s, None, "slow").is_some();
    let pending = s
        .get("pending_operations")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    if !slow_recorded {
        // Its create was in flight.
        assert_eq!(pending.len(), 1, "{s}");
        assert_eq!(pending[0]["address"], "terraform_data.slow");
        assert_eq!(pending[0]["operation"], "create");
    }
    // The lock died with the process; a new apply finishes the work.
    std::fs::write(
        p.join("main.tf"),
        std::fs::read_to_string(p.join("main.tf"))
            .unwrap()
            .replace("sleep 5", "true"),
    )
    .unwrap();
    let out = ok(p, &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete!"), "{out}");
    let s = state(&d);
    assert!(resource(&s, None, "slow").is_some());
    assert!(s.get("pending_operations").is_none(), "{s}");
}

// ---------------------------------------------------------------------------
// 10. diagnostics

/// Run a failing plan and apply on a diagnostics fixture; both exit 1 and
/// leave no state. Returns the rendered diagnostics.
fn diag_case(case: &str) -> String {
    let d = setup(case);
    let (_, err) = fails(d.path(), &["plan"]);
    let (_, err2) = fails(d.path(), &["apply", "-auto-approve"]);
    assert_eq!(err, err2);
    assert!(!state_path(&d).exists());
    err
}

#[test]
fn diag_unknown_resource_type() {
    insta::assert_snapshot!(diag_case("diag_unknown_type"));
}

#[test]
fn diag_unknown_resource_type_without_instances_warns() {
    let d = setup("diag_unknown_type_count0");
    let out = run(d.path(), &["apply", "-auto-approve"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Apply complete! Resources: 1 added"));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn diag_unknown_argument() {
    insta::assert_snapshot!(diag_case("diag_unknown_arg"));
}

#[test]
fn diag_wrong_type() {
    insta::assert_snapshot!(diag_case("diag_wrong_type"));
}

#[test]
fn diag_cycle() {
    let err = diag_case("diag_cycle");
    assert!(
        err.contains("terraform_data.x (declared at main.tf:1)"),
        "{err}"
    );
    assert!(
        err.contains("terraform_data.y (declared at main.tf:5)"),
        "{err}"
    );
    insta::assert_snapshot!(err);
}

#[test]
fn diag_state_untouched_on_error() {
    let d = setup("lifecycle_basic");
    ok(d.path(), &["apply", "-auto-approve"]);
    let before = std::fs::read_to_string(state_path(&d)).unwrap();
    std::fs::copy(
        fixture("diag_unknown_arg").join("main.tf"),
        d.path().join("main.tf"),
    )
    .unwrap();
    fails(d.path(), &["apply", "-auto-approve"]);
    assert_eq!(std::fs::read_to_string(state_path(&d)).unwrap(), before);
}

// ---------------------------------------------------------------------------
// 11. graph

#[test]
fn graph_dot_and_mermaid() {
    let d = setup("graph");
    insta::assert_snapshot!("graph_dot", ok(d.path(), &["graph"]));
    insta::assert_snapshot!("graph_mermaid", ok(d.path(), &["graph", "-format=mermaid"]));
}

// ---------------------------------------------------------------------------
// Wording of progress messages.

#[test]
fn progress_lines_are_worded_like_terraform() {
    // ("Still creating... [10s elapsed]" needs a 10 s operation and is not
    // exercised here, to keep the suite fast.)
    let d = setup("lifecycle_basic");
    let out = ok(d.path(), &["apply", "-auto-approve"]);
    assert_eq!(
        scrub(&out)
            .lines()
            .filter(|l| l.starts_with("terraform_data.main:"))
            .collect::<Vec<_>>(),
        [
            "terraform_data.main: Creating...",
            "terraform_data.main: Creation complete after 0s [id=<uuid>]"
        ]
    );
}

// ---------------------------------------------------------------------------
// Progress lines for long operations.

#[test]
fn long_operations_report_progress() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        "resource \"terraform_data\" \"slow\" {\n  provisioner \"local-exec\" {\n    command = \"sleep 3\"\n  }\n}\n",
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("herd")
        .unwrap()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["apply", "-auto-approve", "-no-color"])
        .env("HERD_PROGRESS_INTERVAL", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("terraform_data.slow: Still creating... [1s elapsed]"),
        "{text}"
    );
    assert!(
        text.contains("terraform_data.slow: Still creating... [2s elapsed]"),
        "{text}"
    );
    assert!(
        text.contains("terraform_data.slow: Creation complete after 3s"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// terraform_remote_state and interrupts.

#[test]
fn remote_state_reads_another_configurations_outputs() {
    let a = tempfile::tempdir().unwrap();
    std::fs::write(a.path().join("main.tf"), "output \"vpc_id\" { value = \"vpc-123\" }\noutput \"cidrs\" { value = [\"10.0.0.0/24\"] }\n").unwrap();
    assert_cmd::Command::cargo_bin("herd")
        .unwrap()
        .arg(format!("-chdir={}", a.path().display()))
        .args(["apply", "-auto-approve"])
        .assert()
        .success();
    let b = tempfile::tempdir().unwrap();
    std::fs::write(
        b.path().join("main.tf"),
        format!(
            "data \"terraform_remote_state\" \"net\" {{\n  backend = \"local\"\n  config = {{ path = \"{}\" }}\n}}\nresource \"terraform_data\" \"app\" {{\n  input = data.terraform_remote_state.net.outputs.vpc_id\n}}\noutput \"first\" {{ value = data.terraform_remote_state.net.outputs.cidrs[0] }}\n",
            a.path().join("terraform.tfstate").display()
        ),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("herd")
        .unwrap()
        .arg(format!("-chdir={}", b.path().display()))
        .args(["apply", "-auto-approve", "-no-color"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("input  = \"vpc-123\""), "{text}");
    assert!(text.contains("first = \"10.0.0.0/24\""), "{text}");
    // A missing state file is an error with the path in it.
    std::fs::remove_file(a.path().join("terraform.tfstate")).unwrap();
    let out = assert_cmd::Command::cargo_bin("herd")
        .unwrap()
        .arg(format!("-chdir={}", b.path().display()))
        .args(["plan", "-no-color"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Unable to find remote state"));
}

#[test]
fn interrupt_finishes_in_flight_work_and_saves_state() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        "resource \"terraform_data\" \"slow\" {\n  provisioner \"local-exec\" {\n    command = \"sleep 2\"\n  }\n}\nresource \"terraform_data\" \"after\" {\n  input = terraform_data.slow.id\n}\n",
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("herd");
    let child = std::process::Command::new(bin)
        .arg(format!("-chdir={}", d.path().display()))
        .args(["apply", "-auto-approve", "-no-color"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the slow resource has been created (its provisioner runs).
    let state = d.path().join("terraform.tfstate");
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(10) {
        if std::fs::read_to_string(&state)
            .map(|s| s.contains("\"slow\""))
            .unwrap_or(false)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Interrupt received"), "{err}");
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let names: Vec<&str> = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["slow"],
        "the in-flight resource is saved, its dependent never started"
    );
}

/// A root resource that refers to one output of a module must not freeze the
/// module's other outputs: `second` reads `b_ids`, which exists only after
/// `module.m.terraform_data.b` is created, well after `first` started.
#[test]
fn module_outputs_are_read_when_their_resources_are_applied() {
    let d = setup("module_outputs_order");
    ok(d.path(), &["init"]);
    ok(d.path(), &["apply", "-auto-approve"]);
    let s = state(&d);
    let a_id = attr(&s, Some("module.m"), "a", 0, "id");
    let a_id = a_id.as_str().unwrap();
    let second = attr(&s, None, "second", 0, "input");
    assert_eq!(
        second,
        serde_json::json!([format!("{a_id}-0"), format!("{a_id}-1")]),
        "terraform_data.second got a stale module output"
    );
    let out = run(d.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
