//! End-to-end tests of the `herd` binary on resource-free configurations.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn herd() -> Command {
    Command::cargo_bin("herd").expect("binary built")
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

fn apply(dir: &Path) -> assert_cmd::assert::Assert {
    herd()
        .arg(format!("-chdir={}", dir.display()))
        .args(["apply", "-auto-approve", "-input=false", "-no-color"])
        .assert()
}

fn output_json(dir: &Path) -> serde_json::Value {
    let out = herd()
        .arg(format!("-chdir={}", dir.display()))
        .args(["output", "-json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn apply_writes_outputs_to_state_and_output_reads_them() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        r#"
variable "name" { default = "web" }
locals { full = "${var.name}-${terraform.workspace}" }
output "full" { value = local.full }
output "n" { value = 0.1 + 0.2 }
output "l" { value = [for i in [1, 2, 3] : i * 2 if i != 2] }
"#,
    );
    apply(d.path())
        .success()
        .stdout(predicate::str::contains(
            "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.",
        ))
        .stdout(predicate::str::contains("full = \"web-default\""));
    let j = output_json(d.path());
    assert_eq!(j["full"]["value"], "web-default");
    assert_eq!(j["full"]["type"], "string");
    assert_eq!(j["n"]["value"].to_string(), "0.3");
    assert_eq!(j["l"]["value"], serde_json::json!([2, 6]));
    assert_eq!(
        j["l"]["type"],
        serde_json::json!(["tuple", ["number", "number"]])
    );

    // The state file is v4, private, and has a lineage and serial.
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("terraform.tfstate")).unwrap())
            .unwrap();
    assert_eq!(st["version"], 4);
    assert_eq!(st["serial"], 1);
    assert!(st["lineage"].as_str().unwrap().len() >= 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.path().join("terraform.tfstate"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A second apply with no changes keeps the serial; a change bumps it and keeps a backup.
    apply(d.path())
        .success()
        .stdout(predicate::str::contains("No changes."));
    let st2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("terraform.tfstate")).unwrap())
            .unwrap();
    assert_eq!(st2["serial"], 1);
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["apply", "-auto-approve", "-input=false", "-var", "name=api"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "~ full = \"web-default\" -> \"api-default\"",
        ));
    let st3: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("terraform.tfstate")).unwrap())
            .unwrap();
    assert_eq!(st3["serial"], 2);
    assert_eq!(st3["lineage"], st["lineage"]);
    assert!(d.path().join("terraform.tfstate.backup").exists());

    // -raw and a single output
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["output", "-raw", "full"])
        .assert()
        .success()
        .stdout("api-default");
}

#[test]
fn variable_precedence_follows_terraform() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        r#"
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { type = list(number) }
output "all" { value = [var.a, var.b, var.c, var.d] }
output "e" { value = var.e }
"#,
    );
    write(
        d.path(),
        "terraform.tfvars",
        "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
    );
    write(d.path(), "x.auto.tfvars", "c = \"auto\"\nd = \"auto\"\n");
    write(d.path(), "e.tfvars", "e = [1, 2]\n");
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args([
            "apply",
            "-auto-approve",
            "-input=false",
            "-var=d=cli",
            "-var-file=e.tfvars",
        ])
        .env("TF_VAR_a", "env")
        .env("TF_VAR_b", "env")
        .assert()
        .success();
    let j = output_json(d.path());
    assert_eq!(
        j["all"]["value"],
        serde_json::json!(["env", "tfvars", "auto", "cli"])
    );
    assert_eq!(j["e"]["value"], serde_json::json!([1, 2]));
}

#[test]
fn missing_required_variable_is_an_error_without_input() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "variable \"region\" { type = string }\noutput \"r\" { value = var.region }\n",
    );
    apply(d.path())
        .code(1)
        .stderr(predicate::str::contains(
            "Error: No value for required variable",
        ))
        .stderr(predicate::str::contains("on main.tf line 1"));
    assert!(!d.path().join("terraform.tfstate").exists());
}

#[test]
fn diagnostics_show_location_source_and_every_error() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "locals {\n  a = upper(1, 2)\n  b = var.nope\n}\noutput \"x\" { value = local.c }\n",
    );
    let out = herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["apply", "-auto-approve", "-input=false", "-no-color"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    insta::assert_snapshot!(err);
}

#[test]
fn sensitive_values_are_hidden_and_outputs_must_declare_them() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "variable \"pw\" {\n  default   = \"hunter2\"\n  sensitive = true\n}\noutput \"dsn\" { value = \"postgres://u:${var.pw}@db\" }\n",
    );
    apply(d.path())
        .code(1)
        .stderr(predicate::str::contains(
            "Output refers to sensitive values",
        ))
        .stdout(predicate::str::contains("hunter2").not())
        .stderr(predicate::str::contains("hunter2").not());
    write(
        d.path(),
        "main.tf",
        "variable \"pw\" {\n  default   = \"hunter2\"\n  sensitive = true\n}\noutput \"dsn\" {\n  value     = \"postgres://u:${var.pw}@db\"\n  sensitive = true\n}\n",
    );
    apply(d.path())
        .success()
        .stdout(predicate::str::contains("dsn = <sensitive>"))
        .stdout(predicate::str::contains("hunter2").not());
    let j = output_json(d.path());
    assert_eq!(j["dsn"]["sensitive"], true);
}

#[test]
fn validate_reports_success_and_errors() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "variable \"n\" { type = number }\noutput \"x\" { value = var.n + 1 }\n",
    );
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .arg("validate")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Success! The configuration is valid.",
        ));
    write(
        d.path(),
        "main.tf",
        "output \"x\" { value = local.missing }\n",
    );
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["validate", "-json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"valid\": false"))
        .stdout(predicate::str::contains(
            "Reference to undeclared local value",
        ));
}

#[test]
fn validate_checks_resource_types_and_their_arguments() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        r#"resource "terraform_data" "ok" {
  input = "x"
}
resource "terraform_dat" "typo" {}
resource "aws_vpc" "v" {
  cidr_blok = "10.0.0.0/16"
  dynamic "ingres" {
    for_each = []
    content {}
  }
}
resource "aws_subnet" "s" {
  cidr_block = "10.0.1.0/24"
}
"#,
    );
    let out = herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["validate", "-no-color"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "Unsupported resource type",
        "on main.tf line 4:",
        "Did you mean \"terraform_data\"?",
        "on main.tf line 6, in resource \"aws_vpc\" \"v\":",
        "Did you mean \"cidr_block\"?",
        "Blocks of type \"ingres\" are not expected here.",
        "The argument \"vpc_id\" is required, but no definition was found.",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn console_evaluates_expressions_from_stdin() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.tf", "locals { m = { b = 2, a = 1 } }\n");
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .arg("console")
        .write_stdin("local.m\n1 + 2\n\"x\"\n[true, null]\n")
        .assert()
        .success()
        .stdout("{\n  \"a\" = 1\n  \"b\" = 2\n}\n3\n\"x\"\n[\n  true,\n  null,\n]\n");
}

#[test]
fn console_and_vars_read_integers_beyond_64_bits() {
    // As `terraform console` 1.11.4 prints them: exact.
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "variable \"n\" { type = number }\noutput \"n\" { value = var.n }\n",
    );
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .arg("console")
        .arg("-var=n=1")
        .write_stdin("18446744073709551617 + 1\njsonencode(123456789012345678901234567890)\n")
        .assert()
        .success()
        .stdout("18446744073709551618\n\"123456789012345678901234567890\"\n");
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args([
            "apply",
            "-auto-approve",
            "-var=n=340282366920938463463374607431768211457",
        ])
        .assert()
        .success();
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["output", "n"])
        .assert()
        .success()
        .stdout("340282366920938463463374607431768211457\n");
}

#[test]
fn modules_with_count_and_for_each() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "modules/m/main.tf",
        "variable \"n\" {}\noutput \"id\" { value = \"id-${var.n}\" }\n",
    );
    write(
        d.path(),
        "main.tf",
        "module \"c\" {\n  source = \"./modules/m\"\n  count  = 2\n  n      = count.index\n}\nmodule \"e\" {\n  source   = \"./modules/m\"\n  for_each = toset([\"x\", \"y\"])\n  n        = each.key\n}\noutput \"c\" { value = module.c[*].id }\noutput \"e\" { value = { for k, m in module.e : k => m.id } }\n",
    );
    apply(d.path()).success();
    let j = output_json(d.path());
    assert_eq!(j["c"]["value"], serde_json::json!(["id-0", "id-1"]));
    assert_eq!(
        j["e"]["value"],
        serde_json::json!({"x": "id-x", "y": "id-y"})
    );
}

#[test]
fn malformed_and_hostile_inputs_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let d = tempfile::tempdir().unwrap();
        let target = if name.ends_with(".json") {
            name.clone()
        } else {
            "main.tf".to_string()
        };
        std::fs::copy(&p, d.path().join(target)).unwrap();
        for args in [
            &["validate"][..],
            &["apply", "-auto-approve", "-input=false"][..],
        ] {
            let out = herd()
                .arg(format!("-chdir={}", d.path().display()))
                .args(args)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !stderr.contains("panicked"),
                "{name}: herd panicked: {stderr}"
            );
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(1),
                "{name}: unexpected exit {code:?}: {stderr}"
            );
            if code == Some(1) {
                assert!(
                    stderr.contains("Error"),
                    "{name}: exit 1 without an Error diagnostic"
                );
                assert!(
                    !d.path().join("terraform.tfstate").exists(),
                    "{name}: state written despite errors"
                );
            }
        }
        n += 1;
    }
    assert!(n >= 30, "corpus too small: {n}");
}

#[test]
fn console_type_function_prints_types() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.tf", "locals { m = { b = 2, a = \"x\" } }\n");
    herd()
        .arg(format!("-chdir={}", d.path().display()))
        .arg("console")
        .write_stdin("type(local.m)\ntype(tolist([1]))\n")
        .assert()
        .success()
        .stdout("object({\n    a: string,\n    b: number,\n})\nlist(number)\n");
}

/// `show` renders the state like Terraform: sensitive attributes and outputs
/// are hidden, never printed.
#[test]
fn show_hides_sensitive_values() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        r#"
variable "pw" {
  type      = string
  sensitive = true
  default   = "hunter2-very-secret"
}
resource "terraform_data" "db" {
  input = { user = "app", password = var.pw }
}
output "pw" {
  value     = var.pw
  sensitive = true
}
output "user" {
  value = "app"
}
"#,
    );
    apply(d.path()).success();
    let out = herd()
        .arg(format!("-chdir={}", d.path().display()))
        .args(["show", "-no-color"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("resource \"terraform_data\" \"db\""),
        "{text}"
    );
    assert!(text.contains("(sensitive value)"), "{text}");
    assert!(text.contains("pw = (sensitive value)"), "{text}");
    assert!(text.contains("user = \"app\""), "{text}");
}
