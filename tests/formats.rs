//! The on-disk formats documented in `state/`: the JSON Schemas accept the
//! golden samples, and what herd writes today still matches them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn assert_valid(schema: &str, instance: &serde_json::Value, what: &str) {
    let schema = load(&root().join("state").join(schema));
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match {schema}:\n{}",
        errors.join("\n"),
        schema = "schema"
    );
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

#[test]
fn golden_samples_match_the_schemas() {
    assert_valid(
        "state-v4.schema.json",
        &load(&root().join("state/samples/terraform.tfstate")),
        "state sample",
    );
    assert_valid(
        "plan.schema.json",
        &load(&root().join("state/samples/plan.json")),
        "plan sample",
    );
}

#[test]
fn schemas_reject_broken_documents() {
    let mut st = load(&root().join("state/samples/terraform.tfstate"));
    st["version"] = serde_json::json!(3);
    let schema = load(&root().join("state/state-v4.schema.json"));
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&st));
    let mut st = load(&root().join("state/samples/terraform.tfstate"));
    st["resources"][0]["instances"][0]["status"] = serde_json::json!("weird");
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&st));
    let mut plan = load(&root().join("state/samples/plan.json"));
    plan["resource_changes"][0]["change"]["actions"] = serde_json::json!(["explode"]);
    let pschema = load(&root().join("state/plan.schema.json"));
    assert!(!jsonschema::validator_for(&pschema).unwrap().is_valid(&plan));
}

#[test]
fn fresh_state_and_plan_match_the_schemas_and_hide_secrets() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&root().join("tests/fixtures/formats"), d.path());
    let herd = || {
        let mut c = Command::cargo_bin("herd").unwrap();
        c.arg(format!("-chdir={}", d.path().display()));
        c
    };
    herd()
        .args(["plan", "-out=p.plan", "-no-color"])
        .assert()
        .success();
    let out = herd().args(["show", "-json", "p.plan"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("s3cr3t"),
        "a sensitive value leaked into show -json"
    );
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_valid("plan.schema.json", &plan, "show -json output");
    // -show-sensitive is the explicit opt-in to plain text; still marked.
    let out = herd()
        .args(["show", "-json", "-show-sensitive", "p.plan"])
        .output()
        .unwrap();
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("s3cr3t"), "-show-sensitive shows the value");
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_valid("plan.schema.json", &shown, "show -json -show-sensitive");
    assert_eq!(shown["resource_changes"], {
        let mut rc = shown["resource_changes"].clone();
        for c in rc.as_array_mut().unwrap() {
            c["change"]["after_sensitive"] = plan["resource_changes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["address"] == c["address"])
                .unwrap()["change"]["after_sensitive"]
                .clone();
        }
        rc
    });
    let changes = plan["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 7, "every instance has a change");
    assert!(changes
        .iter()
        .all(|c| c["change"]["actions"] == serde_json::json!(["create"])));

    herd()
        .args(["apply", "p.plan", "-no-color"])
        .assert()
        .success();
    let st = load(&d.path().join("terraform.tfstate"));
    assert_valid("state-v4.schema.json", &st, "state written by apply");
    let secret = st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "secret")
        .unwrap();
    assert_eq!(
        secret["instances"][0]["sensitive_attributes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(st["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["module"] == "module.child"));
    let out = herd().args(["show", "-json"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("s3cr3t"),
        "a sensitive value leaked into show -json of the state"
    );
}
