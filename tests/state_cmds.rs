//! End-to-end tests of `herd state ...`, `herd force-unlock`, `herd workspace
//! ...` and state locking, on hand-written v4 state fixtures.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

const BASIC: &str = include_str!("fixtures/state/basic.tfstate");

fn herd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("herd").expect("binary built");
    c.arg(format!("-chdir={}", dir.display()));
    c.env_remove("TF_WORKSPACE");
    c
}

/// A directory with the basic fixture as its default-workspace state.
fn setup() -> TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("terraform.tfstate"), BASIC).unwrap();
    d
}

fn stdout(dir: &Path, args: &[&str]) -> String {
    let out = herd(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "herd {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn state_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn tfstate(d: &TempDir) -> PathBuf {
    d.path().join("terraform.tfstate")
}

// ---------------------------------------------------------------------------
// state list

#[test]
fn state_list_orders_like_terraform() {
    let d = setup();
    insta::assert_snapshot!("list_all", stdout(d.path(), &["state", "list"]));
}

#[test]
fn state_list_filters_by_address_and_id() {
    let d = setup();
    insta::assert_snapshot!(
        "list_filtered",
        stdout(
            d.path(),
            &[
                "state",
                "list",
                "module.net",
                "aws_subnet.s",
                "aws_instance.web[1]",
                "module.app",
                "aws_missing.x",
            ]
        )
    );
    assert_eq!(
        stdout(d.path(), &["state", "list", "-id=vpc-1"]),
        "aws_vpc.main\n"
    );
    assert_eq!(
        stdout(d.path(), &["state", "list", "-id=subnet-a", "aws_subnet.s"]),
        "aws_subnet.s[\"a\"]\n"
    );
    assert_eq!(
        stdout(d.path(), &["state", "list", "module.net[1]"]),
        "module.net[1].aws_vpc.this\n"
    );
}

#[test]
fn state_list_with_state_flag_and_errors() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("other.tfstate"), BASIC).unwrap();
    let out = stdout(d.path(), &["state", "list", "-state=other.tfstate"]);
    assert_eq!(out.lines().count(), 12);
    herd(d.path())
        .args(["state", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("No state file was found!"));
    herd(d.path())
        .args(["state", "list", "-state=other.tfstate", "aws_vpc"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Invalid address"));
}

#[test]
fn state_list_uses_selected_workspace() {
    let d = tempfile::tempdir().unwrap();
    let ws = d.path().join("terraform.tfstate.d/dev");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("terraform.tfstate"), BASIC).unwrap();
    std::fs::create_dir_all(d.path().join(".terraform")).unwrap();
    std::fs::write(d.path().join(".terraform/environment"), "dev").unwrap();
    assert_eq!(stdout(d.path(), &["state", "list"]).lines().count(), 12);
}

// ---------------------------------------------------------------------------
// state show

#[test]
fn state_show_renders_like_terraform() {
    let d = setup();
    let mut all = String::new();
    for a in [
        "aws_vpc.main",
        "aws_iam_policy.p",
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        "aws_db_instance.db",
        "data.aws_ami.ubuntu",
        "aws_subnet.s[\"a\"]",
        "module.net[0].aws_vpc.this",
        "module.app.data.aws_caller_identity.me",
    ] {
        all.push_str(&stdout(d.path(), &["state", "show", a]));
        all.push_str("----\n");
    }
    insta::assert_snapshot!("show_all", all);
}

#[test]
fn state_show_errors() {
    let d = setup();
    herd(d.path())
        .args(["state", "show", "aws_vpc.nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "No instance found for the given address!",
        ));
    // The whole resource has no no-key instance.
    herd(d.path())
        .args(["state", "show", "aws_instance.web"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("No instance found"));
    herd(d.path())
        .args(["state", "show", "module.net"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error parsing instance address: module.net",
        ));
    herd(d.path())
        .args(["state", "show"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Exactly one argument expected."));
    herd(d.path())
        .args(["state", "show", "aws_vpc.main", "aws_vpc.main"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Exactly one argument expected."));
}

// ---------------------------------------------------------------------------
// state mv

#[test]
fn state_mv_resource_bumps_serial_and_keeps_backup() {
    let d = setup();
    herd(d.path())
        .args(["state", "mv", "aws_vpc.main", "aws_vpc.primary"])
        .assert()
        .success()
        .stdout("Move \"aws_vpc.main\" to \"aws_vpc.primary\"\nSuccessfully moved 1 object(s).\n");
    let st = state_json(&tfstate(&d));
    assert_eq!(st["serial"], 8);
    assert_eq!(st["lineage"], "3f8c1a52-7d3e-4b8e-9a51-0c2d9e6b1f00");
    let backup = state_json(&d.path().join("terraform.tfstate.backup"));
    assert_eq!(backup["serial"], 7);
    let list = stdout(d.path(), &["state", "list"]);
    assert!(list.contains("aws_vpc.primary\n"));
    assert!(!list.contains("aws_vpc.main\n"));
    // Dependencies on the moved resource are dropped.
    let deps: Vec<_> = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "aws_db_instance")
        .map(|r| r["instances"][0].get("dependencies").cloned())
        .collect();
    assert_eq!(deps, vec![None]);
    // No lock is left behind.
    assert!(!d.path().join(".terraform.tfstate.lock.info").exists());
}

#[test]
fn state_mv_instances() {
    let d = setup();
    herd(d.path())
        .args(["state", "mv", "aws_subnet.s[\"a\"]", "aws_subnet.s[\"c\"]"])
        .assert()
        .success()
        .stdout("Move \"aws_subnet.s[\\\"a\\\"]\" to \"aws_subnet.s[\\\"c\\\"]\"\nSuccessfully moved 1 object(s).\n");
    // A no-key resource moves as an instance to a keyed address.
    herd(d.path())
        .args(["state", "mv", "aws_vpc.main", "aws_vpc.v[0]"])
        .assert()
        .success()
        .stdout("Move \"aws_vpc.main\" to \"aws_vpc.v[0]\"\nSuccessfully moved 1 object(s).\n");
    // Deposed objects travel with their instance.
    herd(d.path())
        .args([
            "state",
            "mv",
            "aws_instance.web[1]",
            "module.m.aws_instance.web[5]",
        ])
        .assert()
        .success();
    let list = stdout(d.path(), &["state", "list"]);
    insta::assert_snapshot!("mv_instances_list", list);
    let st = state_json(&tfstate(&d));
    let web = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["module"] == "module.m")
        .unwrap()
        .clone();
    assert_eq!(web["instances"].as_array().unwrap().len(), 2);
    assert_eq!(web["instances"][1]["deposed"], "00000001");
    assert_eq!(web["instances"][1]["index_key"], 5);
    assert_eq!(
        web["provider"],
        "provider[\"registry.terraform.io/hashicorp/aws\"]"
    );
}

#[test]
fn state_mv_modules_and_into_modules() {
    let d = setup();
    herd(d.path())
        .args(["state", "mv", "module.app", "module.application"])
        .assert()
        .success()
        .stdout(
            "Move \"module.app\" to \"module.application\"\n\
             Move \"module.app.module.inner\" to \"module.application.module.inner\"\n\
             Successfully moved 2 object(s).\n",
        );
    herd(d.path())
        .args(["state", "mv", "module.net[0]", "module.net0"])
        .assert()
        .success();
    herd(d.path())
        .args(["state", "mv", "aws_instance.web", "module.compute"])
        .assert()
        .success()
        .stdout("Move \"aws_instance.web\" to \"module.compute.aws_instance.web\"\nSuccessfully moved 1 object(s).\n");
    insta::assert_snapshot!("mv_modules_list", stdout(d.path(), &["state", "list"]));
}

#[test]
fn state_mv_dry_run_changes_nothing() {
    let d = setup();
    herd(d.path())
        .args(["state", "mv", "-dry-run", "module.app", "module.x"])
        .assert()
        .success()
        .stdout(
            "Would move \"module.app\" to \"module.x\"\n\
             Would move \"module.app.module.inner\" to \"module.x.module.inner\"\n",
        );
    assert_eq!(std::fs::read_to_string(tfstate(&d)).unwrap(), BASIC);
    assert!(!d.path().join("terraform.tfstate.backup").exists());
}

#[test]
fn state_mv_errors() {
    let d = setup();
    let fails = |args: &[&str], summary: &str, detail: &str| {
        herd(d.path())
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(summary))
            .stderr(predicate::str::contains(detail));
    };
    fails(
        &["state", "mv", "aws_vpc.nope", "aws_vpc.x"],
        "Error: Invalid source address",
        "Cannot move aws_vpc.nope: does not match anything in the current state.",
    );
    fails(
        &["state", "mv", "aws_subnet.s", "aws_subnet.s2[0]"],
        "Error: Invalid target address",
        "the source is a whole resource (not a resource instance) so the target must also be a whole resource.",
    );
    fails(
        &["state", "mv", "aws_subnet.s[\"a\"]", "aws_subnet.s[\"b\"]"],
        "Error: Invalid target address",
        "Cannot move to aws_subnet.s[\"b\"]: there is already a resource instance at that address in the current state.",
    );
    fails(
        &["state", "mv", "aws_subnet.s", "aws_vpc.main"],
        "Error: Invalid target address",
        "Cannot move to aws_vpc.main: there is already a resource at that address in the current state.",
    );
    fails(
        &["state", "mv", "aws_vpc.main", "aws_subnet.x"],
        "Error: Invalid state move request",
        "Cannot move aws_vpc.main to aws_subnet.x: resource types don't match.",
    );
    fails(
        &["state", "mv", "data.aws_ami.ubuntu", "aws_ami.ubuntu"],
        "Error: Invalid state move request",
        "a data resource can be moved only to another data resource address.",
    );
    fails(
        &["state", "mv", "module.app", "aws_vpc.x"],
        "Error: Invalid target address",
        "Cannot move module.app to aws_vpc.x: the target must also be a module.",
    );
    fails(
        &["state", "mv", "module.net[0]", "module.net[1]"],
        "Error moving state: destination module already exists",
        "No\nstate was persisted",
    );
    fails(
        &["state", "mv", "aws_vpc.main[", "aws_vpc.x"],
        "Error: Invalid address",
        "",
    );
    fails(
        &["state", "mv", "aws_vpc.main"],
        "Exactly two arguments expected.",
        "",
    );
    assert_eq!(std::fs::read_to_string(tfstate(&d)).unwrap(), BASIC);
    let empty = tempfile::tempdir().unwrap();
    herd(empty.path())
        .args(["state", "mv", "aws_vpc.a", "aws_vpc.b"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("No state file was found!"));
}

// ---------------------------------------------------------------------------
// state rm

#[test]
fn state_rm_removes_instances() {
    let d = setup();
    herd(d.path())
        .args(["state", "rm", "aws_subnet.s", "module.app", "aws_vpc.main"])
        .assert()
        .success()
        .stdout(
            "Removed aws_subnet.s[\"a\"]\n\
             Removed aws_subnet.s[\"b\"]\n\
             Removed module.app.data.aws_caller_identity.me\n\
             Removed module.app.module.inner.aws_s3_bucket.b\n\
             Removed aws_vpc.main\n\
             Successfully removed 5 resource instance(s).\n",
        );
    let st = state_json(&tfstate(&d));
    assert_eq!(st["serial"], 8);
    assert_eq!(st["resources"].as_array().unwrap().len(), 6);
    assert_eq!(stdout(d.path(), &["state", "list"]).lines().count(), 7);
    herd(d.path())
        .args(["state", "rm", "aws_instance.web[1]"])
        .assert()
        .success()
        .stdout("Removed aws_instance.web[1]\nSuccessfully removed 1 resource instance(s).\n");
}

#[test]
fn state_rm_dry_run_and_errors() {
    let d = setup();
    herd(d.path())
        .args(["state", "rm", "-dry-run", "module.net"])
        .assert()
        .success()
        .stdout(
            "Would remove module.net[0].aws_vpc.this\nWould remove module.net[1].aws_vpc.this\n",
        );
    herd(d.path())
        .args(["state", "rm", "-dry-run", "aws_nope.x"])
        .assert()
        .success()
        .stdout("Would have removed nothing.\n");
    herd(d.path())
        .args(["state", "rm", "aws_nope.x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Error: Invalid target address"))
        .stderr(predicate::str::contains("No matching objects found."));
    herd(d.path())
        .args(["state", "rm", "module."])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Error: Invalid address"));
    herd(d.path())
        .args(["state", "rm"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "At least one address is required.",
        ));
    assert_eq!(std::fs::read_to_string(tfstate(&d)).unwrap(), BASIC);
}

// ---------------------------------------------------------------------------
// state pull / push

#[test]
fn state_pull_prints_the_state() {
    let d = setup();
    let out = stdout(d.path(), &["state", "pull"]);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j, state_json(&tfstate(&d)));
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(stdout(empty.path(), &["state", "pull"]), "");
}

#[test]
fn state_push_checks_lineage_and_serial() {
    let d = setup();
    let mut st = state_json(&tfstate(&d));
    let write = |name: &str, v: &serde_json::Value| {
        let p = d.path().join(name);
        std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
        p
    };
    st["serial"] = 3.into();
    write("lower.tfstate", &st);
    herd(d.path())
        .args(["state", "push", "lower.tfstate"])
        .assert()
        .code(1)
        .stderr("Failed to write state: cannot import state with serial 3 over newer state with serial 7\n");
    st["serial"] = 7.into();
    st["resources"] = serde_json::json!([]);
    write("same.tfstate", &st);
    herd(d.path())
        .args(["state", "push", "same.tfstate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot overwrite existing state with serial 7 with a different state that has the same serial",
        ));
    st["lineage"] = "other".into();
    st["serial"] = 9.into();
    write("other.tfstate", &st);
    herd(d.path())
        .args(["state", "push", "other.tfstate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot import state with lineage \"other\" over unrelated state with lineage \"3f8c1a52-7d3e-4b8e-9a51-0c2d9e6b1f00\"",
        ));
    assert_eq!(std::fs::read_to_string(tfstate(&d)).unwrap(), BASIC);
    herd(d.path())
        .args(["state", "push", "-force", "other.tfstate"])
        .assert()
        .success();
    let now = state_json(&tfstate(&d));
    assert_eq!(now["lineage"], "other");
    assert_eq!(now["serial"], 9);
    assert!(d.path().join("terraform.tfstate.backup").exists());

    // A newer serial of the same lineage is accepted, from standard input too.
    st["serial"] = 12.into();
    herd(d.path())
        .args(["state", "push", "-"])
        .write_stdin(serde_json::to_string(&st).unwrap())
        .assert()
        .success();
    assert_eq!(state_json(&tfstate(&d))["serial"], 12);

    herd(d.path())
        .args(["state", "push", "missing.tfstate"])
        .assert()
        .code(1);
    std::fs::write(d.path().join("bad.tfstate"), "{not json").unwrap();
    herd(d.path())
        .args(["state", "push", "bad.tfstate"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Error reading source state \"bad.tfstate\"",
        ));
}

#[test]
fn state_push_into_empty_directory() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("in.tfstate"), BASIC).unwrap();
    herd(d.path())
        .args(["state", "push", "in.tfstate"])
        .assert()
        .success();
    assert_eq!(state_json(&tfstate(&d))["serial"], 7);
}

// ---------------------------------------------------------------------------
// locking

fn hold_lock(d: &TempDir) -> herd::state::lock::LockGuard {
    herd::state::lock::acquire(&tfstate(d), "OperationTypeApply", None).unwrap()
}

#[test]
fn lock_held_elsewhere_blocks_writes() {
    let d = setup();
    let guard = hold_lock(&d);
    let info = std::fs::read_to_string(d.path().join(".terraform.tfstate.lock.info")).unwrap();
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["ID"], guard.id());
    assert_eq!(info["Operation"], "OperationTypeApply");
    for k in ["Info", "Who", "Version", "Created", "Path"] {
        assert!(info.get(k).is_some(), "{k}");
    }
    assert!(info["Who"].as_str().unwrap().contains('@'));

    let t = Instant::now();
    herd(d.path())
        .args(["state", "rm", "aws_vpc.main"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Error: Error acquiring the state lock",
        ))
        .stderr(predicate::str::contains(format!(
            "ID:        {}",
            guard.id()
        )))
        .stderr(predicate::str::contains("Operation: OperationTypeApply"))
        .stderr(predicate::str::contains("-lock=false"));
    assert!(t.elapsed() < Duration::from_secs(2), "fails fast");
    for args in [
        &["state", "mv", "aws_vpc.main", "aws_vpc.x"][..],
        &["state", "push", "terraform.tfstate"][..],
    ] {
        herd(d.path())
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("Error acquiring the state lock"));
    }
    // Reading commands don't lock.
    stdout(d.path(), &["state", "list"]);

    // -lock-timeout waits, then fails.
    let t = Instant::now();
    herd(d.path())
        .args(["state", "rm", "-lock-timeout=2s", "aws_vpc.main"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Error acquiring the state lock"));
    assert!(t.elapsed() >= Duration::from_secs(2));
    assert_eq!(std::fs::read_to_string(tfstate(&d)).unwrap(), BASIC);

    // -lock=false ignores the lock.
    herd(d.path())
        .args(["state", "rm", "-lock=false", "aws_vpc.main"])
        .assert()
        .success();

    drop(guard);
    assert!(!d.path().join(".terraform.tfstate.lock.info").exists());
    herd(d.path())
        .args(["state", "rm", "aws_iam_policy.p"])
        .assert()
        .success();
}

#[test]
fn lock_timeout_succeeds_when_released_in_time() {
    let d = setup();
    let guard = hold_lock(&d);
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(800));
        drop(guard);
    });
    herd(d.path())
        .args(["state", "rm", "-lock-timeout=10s", "aws_vpc.main"])
        .assert()
        .success();
    releaser.join().unwrap();
}

#[test]
fn lock_timeout_must_parse() {
    let d = setup();
    herd(d.path())
        .args(["state", "rm", "-lock-timeout=soon", "aws_vpc.main"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "invalid value \"soon\" for flag -lock-timeout",
        ));
    herd(d.path())
        .args([
            "state",
            "mv",
            "-lock-timeout=1m30s",
            "aws_vpc.main",
            "aws_vpc.x",
        ])
        .assert()
        .success();
}

#[test]
fn force_unlock_removes_stale_locks_only() {
    let d = setup();
    let info = serde_json::json!({
        "ID": "6f1d3ef8-5b2c-4a55-8a3e-5c6e2b9a1d00",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "someone@elsewhere",
        "Version": "1.9.0",
        "Created": "2024-05-01T10:20:30.123456Z",
        "Path": "terraform.tfstate"
    });
    let ip = d.path().join(".terraform.tfstate.lock.info");
    std::fs::write(&ip, info.to_string()).unwrap();
    herd(d.path())
        .args(["force-unlock", "-force", "wrong-id"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Failed to unlock state: invalid lock id: \"wrong-id\"",
        ));
    herd(d.path())
        .args(["force-unlock", "6f1d3ef8-5b2c-4a55-8a3e-5c6e2b9a1d00"])
        .write_stdin("no\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("force-unlock cancelled."));
    assert!(ip.exists());
    herd(d.path())
        .args(["force-unlock", "6f1d3ef8-5b2c-4a55-8a3e-5c6e2b9a1d00"])
        .write_stdin("yes\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("successfully unlocked"));
    assert!(!ip.exists());
    herd(d.path())
        .args([
            "force-unlock",
            "-force",
            "6f1d3ef8-5b2c-4a55-8a3e-5c6e2b9a1d00",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not locked"));

    // A lock held by a live process can't be broken.
    let guard = hold_lock(&d);
    herd(d.path())
        .args(["force-unlock", "-force", guard.id()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Local state cannot be unlocked by another process",
        ));
    herd(d.path())
        .args(["force-unlock"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Expected a single argument: LOCK_ID",
        ));
    drop(guard);
}

#[test]
fn stale_lock_info_does_not_block() {
    let d = setup();
    std::fs::write(
        d.path().join(".terraform.tfstate.lock.info"),
        r#"{"ID":"x","Operation":"OperationTypeApply","Info":"","Who":"a@b","Version":"1.9.0","Created":"2024-05-01T10:20:30Z","Path":"terraform.tfstate"}"#,
    )
    .unwrap();
    herd(d.path())
        .args(["state", "rm", "aws_vpc.main"])
        .assert()
        .success();
    assert!(!d.path().join(".terraform.tfstate.lock.info").exists());
}

// ---------------------------------------------------------------------------
// workspaces

#[test]
fn workspace_lifecycle() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    assert_eq!(stdout(p, &["workspace", "show"]), "default\n");
    assert_eq!(stdout(p, &["workspace", "list"]), "* default\n\n");
    herd(p)
        .args(["workspace", "new", "dev"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Created and switched to workspace \"dev\"!",
        ));
    assert!(p.join("terraform.tfstate.d/dev").is_dir());
    assert_eq!(
        std::fs::read_to_string(p.join(".terraform/environment")).unwrap(),
        "dev"
    );
    herd(p)
        .args(["workspace", "new", "dev"])
        .assert()
        .code(1)
        .stderr("Workspace \"dev\" already exists\n");
    herd(p)
        .args(["workspace", "new", "prod"])
        .assert()
        .success();
    assert_eq!(stdout(p, &["workspace", "show"]), "prod\n");
    assert_eq!(
        stdout(p, &["workspace", "list"]),
        "  default\n  dev\n* prod\n\n"
    );
    herd(p)
        .args(["workspace", "select", "dev"])
        .assert()
        .success()
        .stdout("Switched to workspace \"dev\".\n");
    herd(p)
        .args(["workspace", "select", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Workspace \"nope\" doesn't exist.",
        ));
    herd(p)
        .args(["workspace", "select", "-or-create", "qa"])
        .assert()
        .success();
    assert_eq!(stdout(p, &["workspace", "show"]), "qa\n");
    herd(p)
        .args(["workspace", "new", "a/b"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "The workspace name \"a/b\" is not allowed.",
        ));
    herd(p)
        .args(["workspace", "delete", "qa"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Workspace \"qa\" is your active workspace.",
        ));
    herd(p)
        .args(["workspace", "delete", "default"])
        .assert()
        .code(1)
        .stderr("cannot delete default state\n");
    herd(p)
        .args(["workspace", "select", "default"])
        .assert()
        .success();
    herd(p)
        .args(["workspace", "delete", "qa"])
        .assert()
        .success()
        .stdout("Deleted workspace \"qa\"!\n");
    assert!(!p.join("terraform.tfstate.d/qa").exists());
    herd(p)
        .args(["workspace", "delete", "qa"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "Workspace \"qa\" doesn't exist.",
        ));

    // TF_WORKSPACE overrides the selection.
    let out = herd(p)
        .env("TF_WORKSPACE", "dev")
        .args(["workspace", "show"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "dev\n");
    herd(p)
        .env("TF_WORKSPACE", "dev")
        .args(["workspace", "select", "prod"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("TF_WORKSPACE"));
}

#[test]
fn workspace_delete_with_resources_needs_force() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    herd(p)
        .args(["workspace", "new", "-state=../x", "dev"])
        .assert()
        .code(1);
    std::fs::write(p.join("seed.tfstate"), BASIC).unwrap();
    herd(p)
        .args(["workspace", "select", "dev"])
        .assert()
        .success();
    herd(p)
        .args(["workspace", "new", "-state=seed.tfstate", "stage"])
        .assert()
        .success();
    assert_eq!(
        state_json(&p.join("terraform.tfstate.d/stage/terraform.tfstate"))["lineage"],
        "3f8c1a52-7d3e-4b8e-9a51-0c2d9e6b1f00"
    );
    assert_eq!(stdout(p, &["state", "list"]).lines().count(), 12);
    herd(p)
        .args(["workspace", "select", "default"])
        .assert()
        .success();
    herd(p)
        .args(["workspace", "delete", "stage"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Error: Workspace is not empty"))
        .stderr(predicate::str::contains("  - aws_vpc.main"))
        .stderr(predicate::str::contains(
            "  - aws_instance.web[1] (deposed object 00000001)",
        ))
        .stderr(predicate::str::contains("-force"));
    assert!(p
        .join("terraform.tfstate.d/stage/terraform.tfstate")
        .exists());
    herd(p)
        .args(["workspace", "delete", "-force", "stage"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Deleted workspace \"stage\"!"))
        .stdout(predicate::str::contains(
            "WARNING: \"stage\" was non-empty.",
        ));
    assert!(!p.join("terraform.tfstate.d/stage").exists());
    assert_eq!(stdout(p, &["workspace", "list"]), "* default\n  dev\n\n");
}

#[test]
fn workspace_delete_respects_lock() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    herd(p).args(["workspace", "new", "dev"]).assert().success();
    herd(p)
        .args(["workspace", "select", "default"])
        .assert()
        .success();
    let g = herd::state::lock::acquire(
        &p.join("terraform.tfstate.d/dev/terraform.tfstate"),
        "test",
        None,
    )
    .unwrap();
    herd(p)
        .args(["workspace", "delete", "dev"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Error acquiring the state lock"));
    drop(g);
    herd(p)
        .args(["workspace", "delete", "dev"])
        .assert()
        .success();
}
