//! `examples/fargate-app` against moto (`examples/network` is run by
//! `tests/aws_network_config.rs`): applies, re-plans with no changes and
//! destroys to nothing, checked through the test's own AWS SDK clients. Its
//! plan is also fed to checkov (`show -json`), and its database password must
//! never appear in anything herd prints.

mod common;

use std::path::{Path, PathBuf};

use common::moto::*;

fn example(name: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
        d.path(),
    );
    d
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

/// VPCs other than moto's default one.
fn own_vpcs(m: &Moto) -> Vec<String> {
    let out = m
        .block_on(m.ec2().describe_vpcs().send())
        .expect("DescribeVpcs");
    out.vpcs()
        .iter()
        .filter(|v| !v.is_default().unwrap_or(false))
        .filter_map(|v| v.vpc_id().map(|s| s.to_string()))
        .collect()
}

fn checkov() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HERD_CHECKOV_BIN") {
        return Some(PathBuf::from(p));
    }
    let p = PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
        .join(".cache/herd/checkov-venv/bin/checkov");
    p.exists().then_some(p)
}

const PASSWORD: &str = "Sup3r-s3cret-passw0rd-XYZ";

#[test]
fn fargate_app_applies_replans_clean_passes_checkov_and_destroys_with_a_final_snapshot() {
    let m = Moto::start_with_acm_wait(10);
    let d = example("fargate-app");
    let herd = |args: &[&str]| {
        let o = m
            .herd(d.path())
            .env("TF_VAR_db_password", PASSWORD)
            .env("HERD_PROGRESS_INTERVAL", "1")
            .args(args)
            .output()
            .unwrap();
        let t = text(&o);
        assert!(!t.contains(PASSWORD), "the password leaked:\n{t}");
        (
            o.status.code(),
            t,
            String::from_utf8_lossy(&o.stdout).to_string(),
        )
    };
    let (c, t, _) = herd(&["init", "-input=false"]);
    assert_eq!(c, Some(0), "{t}");
    let (c, t, _) = herd(&["plan", "-input=false", "-no-color", "-out=app.plan"]);
    assert_eq!(c, Some(0), "{t}");

    // The plan as JSON: redacted, schema-valid, and checkov reads it.
    let (c, t, json) = herd(&["show", "-json", "app.plan"]);
    assert_eq!(c, Some(0), "{t}");
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let db = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "aws_db_instance.this")
        .expect("db instance in the plan");
    assert_eq!(db["change"]["after_sensitive"]["password"], true);
    std::fs::write(d.path().join("plan.json"), &json).unwrap();
    let ck = checkov().expect(
        "checkov not found: run scripts/checkov-venv (scripts/test does) or set HERD_CHECKOV_BIN",
    );
    let o = std::process::Command::new(&ck)
        .current_dir(d.path())
        .args([
            "-f",
            "plan.json",
            "--framework",
            "terraform_plan",
            "-o",
            "json",
            "--compact",
            "--skip-download",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("checkov output is not JSON ({e}):\n{}", text(&o)));
    let results = &report["results"];
    let checked: Vec<&str> = ["passed_checks", "failed_checks"]
        .iter()
        .flat_map(|k| results[k].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["resource"].as_str().map(|s| s.to_string()))
        .map(|s| Box::leak(s.into_boxed_str()) as &str)
        .collect();
    for r in [
        "aws_db_instance.this",
        "aws_lb.this",
        "aws_security_group.alb",
        "aws_cloudwatch_log_group.app",
    ] {
        assert!(
            checked.contains(&r),
            "checkov reported nothing for {r}: {checked:?}"
        );
    }
    let passed: Vec<String> = results["passed_checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|c| c["resource"] == "aws_db_instance.this")
        .filter_map(|c| c["check_id"].as_str().map(|s| s.to_string()))
        .collect();
    assert!(
        passed.iter().any(|c| c == "CKV_AWS_16"),
        "storage encryption (CKV_AWS_16) passes for the database: {passed:?}"
    );

    let (c, t, _) = herd(&["apply", "-input=false", "-no-color", "app.plan"]);
    assert_eq!(c, Some(0), "{t}");
    assert!(t.contains("Apply complete!"), "{t}");
    // moto issues the certificate 10 s after it is requested: the validation
    // wait reports progress (every second here, every 10 s by default).
    assert!(
        t.contains("aws_acm_certificate_validation.this: Still creating... [1s elapsed]"),
        "{t}"
    );
    let (c, t, _) = herd(&["output", "-json"]);
    assert_eq!(c, Some(0), "{t}");

    // What exists, through the test's own clients.
    let sdk = m.sdk();
    let rds = aws_sdk_rds::Client::new(&sdk);
    let dbs = m
        .block_on(
            rds.describe_db_instances()
                .db_instance_identifier("webapp-db")
                .send(),
        )
        .expect("the database exists");
    let db = &dbs.db_instances()[0];
    assert_eq!(db.storage_encrypted(), Some(true));
    assert_eq!(db.backup_retention_period(), Some(7));
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let svc = m
        .block_on(
            ecs.describe_services()
                .cluster("webapp")
                .services("webapp")
                .send(),
        )
        .unwrap();
    assert_eq!(svc.services()[0].desired_count(), 2);
    let aas = aws_sdk_applicationautoscaling::Client::new(&sdk);
    let t = m
        .block_on(
            aas.describe_scalable_targets()
                .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
                .send(),
        )
        .unwrap();
    let st = &t.scalable_targets()[0];
    assert_eq!((st.min_capacity(), st.max_capacity()), (2, 10));
    let sm = aws_sdk_secretsmanager::Client::new(&sdk);
    let v = m
        .block_on(
            sm.get_secret_value()
                .secret_id("webapp/database-url")
                .send(),
        )
        .unwrap();
    assert!(v
        .secret_string()
        .unwrap_or_default()
        .starts_with("postgresql://app:"));

    // A plan with one change reports only the drift that bears on it: the
    // app's security group gained its rules from separate rule resources
    // after it was recorded (drift), but nothing planned reads it.
    let (c, t, _) = herd(&["plan", "-refresh-only", "-input=false", "-no-color"]);
    assert_eq!(c, Some(0), "{t}");
    assert!(t.contains("aws_security_group.app has changed"), "{t}");
    let (c, t, _) = herd(&[
        "plan",
        "-input=false",
        "-no-color",
        "-detailed-exitcode",
        "-var=max_tasks=12",
    ]);
    assert_eq!(c, Some(2), "{t}");
    assert!(
        t.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{t}"
    );
    assert!(
        t.contains("aws_appautoscaling_target.app will be updated in-place"),
        "{t}"
    );
    assert!(!t.contains("aws_security_group.app has changed"), "{t}");

    let (c, t, _) = herd(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(c, Some(0), "re-plan after apply must find no changes:\n{t}");
    assert!(t.contains("No changes."), "{t}");

    let (c, t, _) = herd(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(c, Some(0), "{t}");
    assert!(own_vpcs(&m).is_empty(), "the VPC is gone");
    let snaps = m
        .block_on(
            rds.describe_db_snapshots()
                .db_snapshot_identifier("webapp-db-final")
                .send(),
        )
        .expect("the final snapshot was taken on destroy");
    assert_eq!(snaps.db_snapshots().len(), 1);
    let left = m.block_on(rds.describe_db_instances().send()).unwrap();
    assert!(left.db_instances().is_empty(), "the database is gone");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("terraform.tfstate")).unwrap())
            .unwrap();
    let managed = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .count();
    assert_eq!(managed, 0, "no managed resource left in the state");
}
