//! Helpers: a temporary working directory, herd runs, state access.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value as J;
use tempfile::TempDir;

pub fn workdir(main_tf: &str) -> TempDir {
    let d = tempfile::tempdir().unwrap();
    write_tf(d.path(), main_tf);
    d
}

pub fn write_tf(dir: &Path, main_tf: &str) {
    std::fs::write(dir.join("main.tf"), main_tf).unwrap();
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    let mut c = Command::cargo_bin("herd").expect("binary built");
    c.current_dir(dir);
    c.env_remove("TF_WORKSPACE");
    c.env("NO_COLOR", "1");
    c.env("HERD_PROGRESS_INTERVAL", "1");
    c.args(args).output().unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run and require success; returns stdout and stderr together.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "herd {args:?} failed:\n{all}");
    all
}

/// Run and require failure; returns stdout and stderr together.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "herd {args:?} should fail:\n{all}");
    all
}

pub fn apply(dir: &Path) -> String {
    ok(dir, &["apply", "-auto-approve"])
}

pub fn plan(dir: &Path) -> String {
    ok(dir, &["plan"])
}

pub fn assert_no_changes(dir: &Path) {
    let p = plan(dir);
    assert!(p.contains("No changes."), "expected no changes:\n{p}");
}

pub fn state(dir: &Path) -> J {
    serde_json::from_str(&std::fs::read_to_string(dir.join("terraform.tfstate")).unwrap()).unwrap()
}

/// The state's resource `TYPE.NAME` (managed) or `data.TYPE.NAME`.
pub fn resource(st: &J, addr: &str) -> J {
    let (mode, rest) = match addr.strip_prefix("data.") {
        Some(r) => ("data", r),
        None => ("managed", addr),
    };
    let (ty, name) = rest.split_once('.').unwrap();
    st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["mode"] == mode && r["type"] == ty && r["name"] == name)
        .unwrap_or_else(|| panic!("{addr} not in state: {st:#}"))
        .clone()
}

/// The single instance's attributes of `addr`.
pub fn attrs(st: &J, addr: &str) -> J {
    resource(st, addr)["instances"][0]["attributes"].clone()
}

/// A root output's value (data sources are checked through outputs: herd
/// does not record data resources in state).
pub fn output(st: &J, name: &str) -> J {
    st["outputs"][name]["value"].clone()
}

pub fn provider_of(st: &J, addr: &str) -> String {
    resource(st, addr)["provider"].as_str().unwrap().to_string()
}

pub fn schema_version(st: &J, addr: &str) -> u64 {
    resource(st, addr)["instances"][0]["schema_version"]
        .as_u64()
        .unwrap()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
