//! The `s3` backend against moto's S3 and DynamoDB: locking between two
//! herd processes (refused, then waiting with `-lock-timeout`), a process
//! killed mid-apply (lock left, finished work in S3, `force-unlock`),
//! workspaces, migration both ways, partial configuration, unimplemented
//! backends, `terraform_remote_state`, and — where Terraform is installed —
//! Terraform and herd side by side on one bucket and key.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use common::moto::{run, text, write, Moto};
use md5::Digest as _;

const BUCKET: &str = "herd-state";
const TABLE: &str = "herd-locks";
const KEY: &str = "app/terraform.tfstate";

/// The bucket and lock table, as the bootstrap config makes them.
fn setup(m: &Moto) {
    let s3 = m.s3();
    let ddb = m.dynamodb();
    m.block_on(async {
        s3.create_bucket().bucket(BUCKET).send().await.unwrap();
        ddb.create_table()
            .table_name(TABLE)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("LockID")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("LockID")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    });
}

/// A backend block for moto (Terraform needs the endpoints and skips; herd
/// would find moto through AWS_ENDPOINT_URL as well).
fn backend(m: &Moto, key: &str, extra: &str) -> String {
    format!(
        r#"terraform {{
  backend "s3" {{
    bucket                      = "{BUCKET}"
    key                         = "{key}"
    region                      = "us-east-1"
    use_lockfile                = true
    dynamodb_table              = "{TABLE}"
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    endpoints = {{
      s3       = "{e}"
      dynamodb = "{e}"
    }}
{extra}  }}
}}
"#,
        e = m.endpoint
    )
}

/// `terraform_data` resources only: no provider, no AWS.
fn resources(input: &str, sleep: u32) -> String {
    let prov = if sleep > 0 {
        format!(
            r#"
  provisioner "local-exec" {{
    command = "sleep {sleep}"
  }}"#
        )
    } else {
        String::new()
    };
    format!(
        r#"
resource "terraform_data" "a" {{
  input = "{input}"
}}

resource "terraform_data" "slow" {{
  input = terraform_data.a.output{prov}
}}

output "a" {{
  value = terraform_data.a.output
}}
"#
    )
}

fn get_object(m: &Moto, key: &str) -> Option<Vec<u8>> {
    let s3 = m.s3();
    m.block_on(async {
        match s3.get_object().bucket(BUCKET).key(key).send().await {
            Ok(o) => Some(o.body.collect().await.unwrap().into_bytes().to_vec()),
            Err(_) => None,
        }
    })
}

fn get_item(m: &Moto, id: &str) -> Option<std::collections::HashMap<String, AttributeValue>> {
    let ddb = m.dynamodb();
    m.block_on(async {
        ddb.get_item()
            .table_name(TABLE)
            .key("LockID", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
    })
}

fn state_json(m: &Moto, key: &str) -> serde_json::Value {
    let b = get_object(m, key).unwrap_or_else(|| panic!("no state object {key}"));
    serde_json::from_slice(&b).unwrap()
}

fn has_resource(st: &serde_json::Value, name: &str) -> bool {
    st["resources"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r["name"] == name))
}

fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(
            t.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// herd in the background.
fn spawn_herd(m: &Moto, dir: &Path, args: &[&str]) -> Child {
    let bin = assert_cmd::cargo::cargo_bin("herd");
    let mut c = Command::new(bin);
    c.arg(format!("-chdir={}", dir.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in herd_env(m) {
        c.env(k, v);
    }
    c.spawn().unwrap()
}

fn herd_env(m: &Moto) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", m.endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_MAX_ATTEMPTS", "2".into()),
        ("AWS_CONFIG_FILE", "/dev/null".into()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
}

fn lock_info(m: &Moto) -> serde_json::Value {
    serde_json::from_slice(&get_object(m, &format!("{KEY}.tflock")).expect("lock object")).unwrap()
}

#[test]
fn second_process_is_refused_then_waits_with_lock_timeout() {
    let m = Moto::start();
    setup(&m);
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &(backend(&m, KEY, "") + &resources("one", 4)),
    );
    run(&m, d.path(), &["init", "-input=false", "-no-color"], 0);
    let first = spawn_herd(
        &m,
        d.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    wait_for("the lock object", 30, || {
        get_object(&m, &format!("{KEY}.tflock")).is_some()
    });
    // Both locks hold the same lock info, in Terraform's layout.
    let info = lock_info(&m);
    for k in [
        "ID",
        "Operation",
        "Info",
        "Who",
        "Version",
        "Created",
        "Path",
    ] {
        assert!(info.get(k).is_some(), "{k} missing in {info}");
    }
    assert_eq!(info["Path"], format!("{BUCKET}/{KEY}"));
    assert_eq!(info["Operation"], "OperationTypeApply");
    let item = get_item(&m, &format!("{BUCKET}/{KEY}")).expect("DynamoDB lock item");
    let ddb_info: serde_json::Value = serde_json::from_str(item["Info"].as_s().unwrap()).unwrap();
    assert_eq!(ddb_info, info);
    let id = info["ID"].as_str().unwrap().to_string();

    let o = m
        .herd(d.path())
        .args(["plan", "-input=false", "-no-color"])
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("Error acquiring the state lock"), "{t}");
    assert!(t.contains("PreconditionFailed"), "{t}");
    assert!(t.contains(&id), "{t}");

    // Waiting: the plan runs once the apply has released the lock.
    let t0 = Instant::now();
    let t = run(
        &m,
        d.path(),
        &[
            "plan",
            "-lock-timeout=60s",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
        ],
        0,
    );
    assert!(t.contains("No changes"), "{t}");
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        t0.elapsed() > Duration::from_millis(500),
        "the second plan did not wait"
    );
    assert!(get_object(&m, &format!("{KEY}.tflock")).is_none());
    assert!(get_item(&m, &format!("{BUCKET}/{KEY}")).is_none());
    // The digest item matches the state object.
    let body = get_object(&m, KEY).unwrap();
    let digest = get_item(&m, &format!("{BUCKET}/{KEY}-md5")).expect("digest item");
    let want: String = md5::Md5::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest["Digest"].as_s().unwrap(), &want);
    assert!(
        !d.path().join("terraform.tfstate").exists(),
        "a local state was written"
    );
}

#[test]
fn killed_apply_leaves_lock_and_finished_work_then_force_unlock() {
    let m = Moto::start();
    setup(&m);
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &(backend(&m, KEY, "") + &resources("one", 60)),
    );
    run(&m, d.path(), &["init", "-input=false", "-no-color"], 0);
    let mut child = spawn_herd(
        &m,
        d.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    wait_for("terraform_data.a in S3", 60, || {
        get_object(&m, KEY)
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|s| has_resource(&s, "a"))
    });
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let st = state_json(&m, KEY);
    assert!(has_resource(&st, "a"), "{st}");
    let info = lock_info(&m);
    let id = info["ID"].as_str().unwrap().to_string();
    assert!(get_item(&m, &format!("{BUCKET}/{KEY}")).is_some());
    let o = m
        .herd(d.path())
        .args(["plan", "-input=false", "-no-color"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = run(&m, d.path(), &["force-unlock", "-force", "wrong-id"], 1);
    assert!(t.contains("does not match"), "{t}");
    let t = run(&m, d.path(), &["force-unlock", "-force", &id], 0);
    assert!(t.contains("successfully unlocked"), "{t}");
    assert!(get_object(&m, &format!("{KEY}.tflock")).is_none());
    assert!(get_item(&m, &format!("{BUCKET}/{KEY}")).is_none());
    // The finished resource is known: it is not created again.
    write(
        d.path(),
        "main.tf",
        &(backend(&m, KEY, "") + &resources("one", 0)),
    );
    let t = run(
        &m,
        d.path(),
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        2,
    );
    assert!(!t.contains("terraform_data.a will be created"), "{t}");
}

#[test]
fn workspaces_live_under_the_prefix() {
    let m = Moto::start();
    setup(&m);
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &(backend(&m, KEY, "") + &resources("one", 0)),
    );
    run(&m, d.path(), &["init", "-input=false", "-no-color"], 0);
    common::moto::apply(&m, d.path());
    run(&m, d.path(), &["workspace", "new", "dev"], 0);
    // A new workspace exists at once (an empty state), as with Terraform.
    assert!(get_object(&m, &format!("env:/dev/{KEY}")).is_some());
    let t = run(&m, d.path(), &["workspace", "list"], 0);
    assert!(t.contains("  default\n* dev"), "{t}");
    common::moto::apply(&m, d.path());
    let st = state_json(&m, &format!("env:/dev/{KEY}"));
    assert!(has_resource(&st, "a"), "{st}");
    run(&m, d.path(), &["workspace", "select", "default"], 0);
    let t = run(&m, d.path(), &["workspace", "delete", "dev"], 1);
    assert!(t.contains("Workspace is not empty"), "{t}");
    run(&m, d.path(), &["workspace", "delete", "-force", "dev"], 0);
    assert!(get_object(&m, &format!("env:/dev/{KEY}")).is_none());
    assert!(get_item(&m, &format!("{BUCKET}/env:/dev/{KEY}-md5")).is_none());
    let t = run(&m, d.path(), &["workspace", "list"], 0);
    assert!(!t.contains("dev"), "{t}");
    // state commands go to S3 as well.
    let t = run(&m, d.path(), &["state", "list"], 0);
    assert!(t.contains("terraform_data.a\nterraform_data.slow"), "{t}");
    run(&m, d.path(), &["state", "rm", "terraform_data.slow"], 0);
    let st = state_json(&m, KEY);
    assert!(!has_resource(&st, "slow"), "{st}");
    let t = run(&m, d.path(), &["state", "pull"], 0);
    assert!(t.contains(st["lineage"].as_str().unwrap()), "{t}");
}

#[test]
fn migration_local_to_s3_and_back() {
    let m = Moto::start();
    setup(&m);
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.tf", &resources("one", 0));
    run(&m, d.path(), &["init", "-input=false", "-no-color"], 0);
    common::moto::apply(&m, d.path());
    let local: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("terraform.tfstate")).unwrap())
            .unwrap();
    write(
        d.path(),
        "main.tf",
        &(backend(&m, KEY, "") + &resources("one", 0)),
    );
    // Not initialised: refused, never a silent local state.
    let t = run(&m, d.path(), &["plan", "-no-color"], 1);
    assert!(t.contains("Backend initialization required"), "{t}");
    assert!(
        t.contains("Initial configuration of the requested backend \"s3\""),
        "{t}"
    );
    // Without an answer nothing is copied.
    let t = run(&m, d.path(), &["init", "-input=false", "-no-color"], 1);
    assert!(t.contains("-force-copy"), "{t}");
    assert!(get_object(&m, KEY).is_none());
    run(&m, d.path(), &["init", "-force-copy", "-no-color"], 0);
    let st = state_json(&m, KEY);
    assert_eq!(st["lineage"], local["lineage"]);
    assert_eq!(st["serial"], local["serial"]);
    assert_eq!(
        std::fs::read(d.path().join("terraform.tfstate"))
            .unwrap()
            .len(),
        0
    );
    common::moto::plan(&m, d.path(), 0);
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join(".terraform/terraform.tfstate")).unwrap(),
    )
    .unwrap();
    assert_eq!(saved["version"], 3);
    assert_eq!(saved["backend"]["type"], "s3");
    assert_eq!(saved["backend"]["config"]["bucket"], BUCKET);
    assert!(saved["backend"]["config"]["kms_key_id"].is_null());
    assert!(saved["backend"]["hash"].is_u64());

    // s3 -> s3 under another key.
    write(
        d.path(),
        "main.tf",
        &(backend(&m, "other.tfstate", "") + &resources("one", 0)),
    );
    let t = run(&m, d.path(), &["init", "-input=false", "-no-color"], 1);
    assert!(t.contains("Backend configuration changed"), "{t}");
    run(
        &m,
        d.path(),
        &["init", "-migrate-state", "-force-copy", "-no-color"],
        0,
    );
    assert_eq!(state_json(&m, "other.tfstate")["lineage"], local["lineage"]);
    common::moto::plan(&m, d.path(), 0);

    // -reconfigure: a fresh backend, nothing copied.
    write(
        d.path(),
        "main.tf",
        &(backend(&m, "fresh.tfstate", "") + &resources("one", 0)),
    );
    run(&m, d.path(), &["init", "-reconfigure", "-no-color"], 0);
    assert!(get_object(&m, "fresh.tfstate").is_none());
    common::moto::plan(&m, d.path(), 2);

    // back to local from the s3 backend holding the state.
    write(
        d.path(),
        "main.tf",
        &(backend(&m, "other.tfstate", "") + &resources("one", 0)),
    );
    run(&m, d.path(), &["init", "-reconfigure", "-no-color"], 0);
    write(d.path(), "main.tf", &resources("one", 0));
    let t = run(&m, d.path(), &["plan", "-no-color"], 1);
    assert!(
        t.contains("Unsetting the previously set backend \"s3\""),
        "{t}"
    );
    run(
        &m,
        d.path(),
        &["init", "-migrate-state", "-force-copy", "-no-color"],
        0,
    );
    assert!(!d.path().join(".terraform/terraform.tfstate").exists());
    let back: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("terraform.tfstate")).unwrap())
            .unwrap();
    assert_eq!(back["lineage"], local["lineage"]);
    common::moto::plan(&m, d.path(), 0);
}

#[test]
fn partial_configuration_from_file_and_key_value() {
    let m = Moto::start();
    setup(&m);
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &format!(
            "terraform {{\n  backend \"s3\" {{\n    bucket = \"{BUCKET}\"\n  }}\n}}\n{}",
            resources("one", 0)
        ),
    );
    write(
        d.path(),
        "prod.s3.tfbackend",
        &format!("key            = \"{KEY}\"\nregion         = \"us-east-1\"\nuse_path_style = true\ndynamodb_table = \"{TABLE}\"\n"),
    );
    let t = run(&m, d.path(), &["init", "-input=false", "-no-color"], 1);
    assert!(t.contains("\"key\" is required"), "{t}");
    run(
        &m,
        d.path(),
        &[
            "init",
            "-input=false",
            "-no-color",
            "-backend-config=prod.s3.tfbackend",
            "-backend-config=use_lockfile=true",
        ],
        0,
    );
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join(".terraform/terraform.tfstate")).unwrap(),
    )
    .unwrap();
    let c = &saved["backend"]["config"];
    assert_eq!(c["key"], KEY);
    assert_eq!(c["use_lockfile"], true);
    assert_eq!(c["use_path_style"], true);
    common::moto::apply(&m, d.path());
    assert!(has_resource(&state_json(&m, KEY), "a"));
    // Later commands need no -backend-config.
    common::moto::plan(&m, d.path(), 0);
    // Unknown arguments are refused.
    let t = run(
        &m,
        d.path(),
        &[
            "init",
            "-reconfigure",
            "-no-color",
            "-backend-config=buckett=x",
        ],
        1,
    );
    assert!(t.contains("buckett"), "{t}");
}

#[test]
fn unimplemented_backend_is_refused_at_init_and_plan() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &format!(
            "terraform {{\n  backend \"gcs\" {{\n    bucket = \"b\"\n  }}\n}}\n{}",
            resources("one", 0)
        ),
    );
    for args in [
        &["init", "-no-color"][..],
        &["plan", "-no-color"],
        &["apply", "-auto-approve", "-no-color"],
        &["state", "list"],
    ] {
        let t = run(&m, d.path(), args, 1);
        assert!(t.contains("Unsupported backend type"), "{args:?}: {t}");
        assert!(t.contains("\"gcs\""), "{t}");
        assert!(t.contains("main.tf line 2"), "{t}");
    }
    assert!(!d.path().join("terraform.tfstate").exists());
    assert!(!d.path().join(".terraform/terraform.tfstate").exists());
}

#[test]
fn remote_state_data_source_reads_s3() {
    let m = Moto::start();
    setup(&m);
    let a = tempfile::tempdir().unwrap();
    write(
        a.path(),
        "main.tf",
        &(backend(&m, KEY, "") + &resources("from-s3", 0)),
    );
    run(&m, a.path(), &["init", "-input=false", "-no-color"], 0);
    common::moto::apply(&m, a.path());
    run(&m, a.path(), &["workspace", "new", "dev"], 0);
    write(
        a.path(),
        "main.tf",
        &(backend(&m, KEY, "") + &resources("from-dev", 0)),
    );
    common::moto::apply(&m, a.path());
    let b = tempfile::tempdir().unwrap();
    write(
        b.path(),
        "main.tf",
        &format!(
            r#"
data "terraform_remote_state" "app" {{
  backend = "s3"
  config = {{
    bucket         = "{BUCKET}"
    key            = "{KEY}"
    region         = "us-east-1"
    use_path_style = true
  }}
}}

data "terraform_remote_state" "dev" {{
  backend   = "s3"
  workspace = "dev"
  config = {{
    bucket         = "{BUCKET}"
    key            = "{KEY}"
    region         = "us-east-1"
    use_path_style = true
  }}
}}

data "terraform_remote_state" "missing" {{
  backend = "s3"
  config = {{
    bucket         = "{BUCKET}"
    key            = "nothing-here.tfstate"
    region         = "us-east-1"
    use_path_style = true
  }}
  defaults = {{
    a = "default"
  }}
}}

output "a" {{
  value = data.terraform_remote_state.app.outputs.a
}}
output "dev" {{
  value = data.terraform_remote_state.dev.outputs.a
}}
output "missing" {{
  value = data.terraform_remote_state.missing.outputs.a
}}
"#
        ),
    );
    run(&m, b.path(), &["init", "-no-color"], 0);
    let t = common::moto::apply(&m, b.path());
    assert!(t.contains("a = \"from-s3\""), "{t}");
    assert!(t.contains("dev = \"from-dev\""), "{t}");
    assert!(t.contains("missing = \"default\""), "{t}");
}

// ---------------------------------------------------------------------------
// Terraform on the same bucket and key

fn terraform() -> Option<std::path::PathBuf> {
    let p = std::path::PathBuf::from("/usr/local/bin/terraform");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIPPED: Terraform is not installed at /usr/local/bin/terraform; the Terraform interoperability checks did not run");
        None
    }
}

fn tf_cmd(tf: &Path, m: &Moto, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(tf);
    c.arg(format!("-chdir={}", dir.display()))
        .args(args)
        .stdin(Stdio::null());
    for (k, v) in herd_env(m) {
        c.env(k, v);
    }
    c.env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1");
    c
}

fn tf_run(tf: &Path, m: &Moto, dir: &Path, args: &[&str], code: i32) -> String {
    let o = tf_cmd(tf, m, dir, args).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(code), "terraform {args:?}\n{t}");
    t
}

#[test]
fn terraform_and_herd_share_bucket_key_locks_and_workspaces() {
    let Some(tf) = terraform() else { return };
    let m = Moto::start();
    setup(&m);
    let tfd = tempfile::tempdir().unwrap();
    let hd = tempfile::tempdir().unwrap();
    // No `input` here: herd and Terraform write terraform_data's dynamic
    // `input` differently in state (a separate issue), not this test's subject.
    let cfg = |n: usize, slow: &str| {
        let mut c = backend(&m, KEY, "")
            + &format!("\nresource \"terraform_data\" \"a\" {{\n  count = {n}\n}}\n\noutput \"ids\" {{\n  value = terraform_data.a[*].id\n}}\n");
        if !slow.is_empty() {
            c += &format!("\nresource \"terraform_data\" \"{slow}\" {{\n  provisioner \"local-exec\" {{\n    command = \"sleep 6\"\n  }}\n}}\n");
        }
        c
    };
    write(tfd.path(), "main.tf", &cfg(1, ""));
    write(hd.path(), "main.tf", &cfg(1, ""));
    tf_run(
        &tf,
        &m,
        tfd.path(),
        &["init", "-input=false", "-no-color"],
        0,
    );
    tf_run(
        &tf,
        &m,
        tfd.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        0,
    );
    // herd reads Terraform's state: no changes.
    run(&m, hd.path(), &["init", "-input=false", "-no-color"], 0);
    // The backend record is Terraform's (same config, same hash).
    let rec = |d: &Path| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(d.join(".terraform/terraform.tfstate")).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(rec(hd.path())["backend"], rec(tfd.path())["backend"]);
    common::moto::plan(&m, hd.path(), 0);
    // herd changes it; Terraform reads herd's state: no changes.
    write(hd.path(), "main.tf", &cfg(2, ""));
    write(tfd.path(), "main.tf", &cfg(2, ""));
    common::moto::apply(&m, hd.path());
    tf_run(
        &tf,
        &m,
        tfd.path(),
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        0,
    );
    // Terraform accepts herd's `.terraform` as its own (no init needed).
    tf_run(
        &tf,
        &m,
        hd.path(),
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        0,
    );

    // Terraform holds the lock: herd is refused.
    write(tfd.path(), "main.tf", &cfg(2, "three"));
    let tfa = tf_cmd(
        &tf,
        &m,
        tfd.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_for("Terraform's lock object", 60, || {
        get_object(&m, &format!("{KEY}.tflock")).is_some()
    });
    let tf_id = lock_info(&m)["ID"].as_str().unwrap().to_string();
    let t = run(&m, hd.path(), &["plan", "-no-color"], 1);
    assert!(
        t.contains("Error acquiring the state lock") && t.contains(&tf_id),
        "{t}"
    );
    let o = tfa.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));

    // herd holds the lock: Terraform is refused (S3 object and DynamoDB item).
    write(hd.path(), "main.tf", &cfg(2, "four"));
    let mut ha = spawn_herd(
        &m,
        hd.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    wait_for("herd's lock object", 60, || {
        get_object(&m, &format!("{KEY}.tflock")).is_some()
    });
    let herd_id = lock_info(&m)["ID"].as_str().unwrap().to_string();
    let t = tf_run(
        &tf,
        &m,
        tfd.path(),
        &["plan", "-input=false", "-no-color", "-lock-timeout=0s"],
        1,
    );
    assert!(
        t.contains("Error acquiring the state lock") && t.contains(&herd_id),
        "{t}"
    );
    let o = ha.wait().unwrap();
    assert!(o.success());
    write(tfd.path(), "main.tf", &cfg(2, "four"));
    tf_run(
        &tf,
        &m,
        tfd.path(),
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        0,
    );

    // Terraform checks herd's digest item: a state changed behind both
    // tools' backs is refused by Terraform, and by herd.
    let s3 = m.s3();
    let body = get_object(&m, KEY).unwrap();
    let mut tampered: serde_json::Value = serde_json::from_slice(&body).unwrap();
    tampered["serial"] = serde_json::json!(999);
    m.block_on(async {
        s3.put_object()
            .bucket(BUCKET)
            .key(KEY)
            .body(serde_json::to_vec(&tampered).unwrap().into())
            .send()
            .await
            .unwrap();
    });
    let t = run(&m, hd.path(), &["state", "list"], 1);
    assert!(t.contains("does not have the expected content"), "{t}");
    m.block_on(async {
        s3.put_object()
            .bucket(BUCKET)
            .key(KEY)
            .body(body.into())
            .send()
            .await
            .unwrap();
    });

    // Workspaces made by herd are Terraform's too.
    run(&m, hd.path(), &["workspace", "new", "staging"], 0);
    let t = tf_run(&tf, &m, tfd.path(), &["workspace", "list"], 0);
    assert!(t.contains("staging"), "{t}");
    tf_run(&tf, &m, tfd.path(), &["workspace", "new", "qa"], 0);
    let t = run(&m, hd.path(), &["workspace", "list"], 0);
    assert!(t.contains("  qa\n* staging"), "{t}");
}
