//! End-to-end tests of OpenTofu-compatible state and plan encryption
//! (`terraform { encryption { ... } }`, `TF_ENCRYPTION`), running the herd
//! binary on `terraform_data` configurations; the `aws_kms` key provider
//! against moto's KMS.
//!
//! OpenTofu itself is not available on this machine (and cannot be built
//! here), so these tests check herd against itself and against the format
//! as OpenTofu's source defines it; the byte-level known-answer tests are in
//! `src/encryption/tests.rs`.

mod common;

use std::path::Path;

use assert_cmd::Command;
use base64::Engine as _;
use common::moto::Moto;

const PASS: &str = "a long and complex passphrase";

fn herd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("herd").expect("binary built");
    c.arg(format!("-chdir={}", dir.display()));
    c.env_remove("TF_WORKSPACE")
        .env_remove("TF_ENCRYPTION")
        .env_remove("TF_VAR_passphrase")
        .env("NO_COLOR", "1");
    c
}

fn text(o: &std::process::Output) -> String {
    format!(
        "status: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Run and require exit `code`; returns stdout + stderr.
fn run(c: &mut Command, code: i32) -> String {
    let o = c.output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(code), "{t}");
    t
}

fn write(dir: &Path, name: &str, s: &str) {
    std::fs::write(dir.join(name), s).unwrap();
}

const RESOURCES: &str = r#"
variable "passphrase" {
  type      = string
  sensitive = true
}

variable "greeting" {
  default = "hello"
}

resource "terraform_data" "a" {
  input = "${var.greeting} world"
}

resource "terraform_data" "b" {
  input = terraform_data.a.output
}

output "message" {
  value = terraform_data.b.output
}

output "token" {
  value     = "super-secret-token-value"
  sensitive = true
}
"#;

fn encryption_block(state_extra: &str, with_plan: bool) -> String {
    format!(
        r#"
terraform {{
  encryption {{
    key_provider "pbkdf2" "main" {{
      passphrase = var.passphrase
      iterations = 200000
    }}
    method "aes_gcm" "main" {{
      keys = key_provider.pbkdf2.main
    }}
    method "unencrypted" "migrate" {{}}
    state {{
      method = method.aes_gcm.main
      {state_extra}
    }}
    {}
  }}
}}
"#,
        if with_plan {
            "plan {\n      method = method.aes_gcm.main\n    }"
        } else {
            ""
        }
    )
}

fn project(state_extra: &str, with_plan: bool) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.tf", RESOURCES);
    write(
        d.path(),
        "encryption.tf",
        &encryption_block(state_extra, with_plan),
    );
    d
}

fn with_pass(dir: &Path, pass: &str) -> Command {
    let mut c = herd(dir);
    c.env("TF_VAR_passphrase", pass);
    c
}

fn apply(dir: &Path, pass: &str) -> String {
    run(
        with_pass(dir, pass).args(["apply", "-auto-approve", "-input=false"]),
        0,
    )
}

fn envelope(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap();
    let j: serde_json::Value = serde_json::from_slice(&bytes).expect("the envelope is JSON");
    assert_eq!(j["encryption_version"], "v0", "{j}");
    assert!(j.get("version").is_none(), "not a plain state: {j}");
    assert!(j.get("resources").is_none(), "not a plain state: {j}");
    j
}

#[test]
fn apply_writes_encrypted_state_that_herd_reads_back() {
    let d = project("", false);
    let dir = d.path();
    let out = apply(dir, PASS);
    assert!(out.contains("Apply complete! Resources: 2 added"), "{out}");
    let path = dir.join("terraform.tfstate");
    let raw = std::fs::read_to_string(&path).unwrap();
    assert!(!raw.contains("hello world"), "{raw}");
    assert!(!raw.contains("super-secret-token-value"), "{raw}");
    assert!(!raw.contains(PASS), "{raw}");
    let j = envelope(&path);
    let serial1 = j["serial"].as_u64().expect("serial outside the ciphertext");
    assert!(serial1 >= 1, "{j}");
    assert!(j["lineage"].as_str().is_some_and(|l| l.len() == 36));
    let meta = j["meta"]["key_provider.pbkdf2.main"].as_str().unwrap();
    let meta: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(meta)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(meta["iterations"], 200000);
    assert_eq!(meta["hash_function"], "sha512");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "state file mode {mode:o}");
    }

    // Read back: no changes, and the read-only commands work.
    run(
        with_pass(dir, PASS).args(["plan", "-detailed-exitcode", "-input=false"]),
        0,
    );
    let list = run(with_pass(dir, PASS).args(["state", "list"]), 0);
    assert!(
        list.contains("terraform_data.a") && list.contains("terraform_data.b"),
        "{list}"
    );
    let o = run(with_pass(dir, PASS).args(["output", "-raw", "message"]), 0);
    assert!(o.contains("hello world"), "{o}");
    let show = run(with_pass(dir, PASS).args(["show"]), 0);
    assert!(show.contains("resource \"terraform_data\" \"a\""), "{show}");
    let pull = run(with_pass(dir, PASS).args(["state", "pull"]), 0);
    assert!(
        pull.contains("\"version\": 4"),
        "state pull prints the plain state: {pull}"
    );
    let show_json = run(with_pass(dir, PASS).args(["show", "-json"]), 0);
    assert!(show_json.contains("\"format_version\""), "{show_json}");

    // A change: the new state and the backup (the previous state) are
    // both encrypted.
    run(
        with_pass(dir, PASS).args([
            "apply",
            "-auto-approve",
            "-input=false",
            "-var",
            "greeting=hi",
        ]),
        0,
    );
    let j = envelope(&path);
    assert!(j["serial"].as_u64().unwrap() > serial1, "{j}");
    let b = envelope(&dir.join("terraform.tfstate.backup"));
    assert_eq!(b["serial"].as_u64(), Some(serial1));
    let o = run(with_pass(dir, PASS).args(["output", "-raw", "message"]), 0);
    assert!(o.contains("hi world"), "{o}");
}

#[test]
fn wrong_passphrase_fails_and_leaves_the_state_alone() {
    let d = project("", false);
    let dir = d.path();
    apply(dir, PASS);
    let path = dir.join("terraform.tfstate");
    let before = std::fs::read(&path).unwrap();
    let wrong = "this is not the passphrase";
    for args in [
        vec!["plan", "-input=false"],
        vec![
            "apply",
            "-auto-approve",
            "-input=false",
            "-var",
            "greeting=changed",
        ],
        vec!["state", "list"],
        vec!["output"],
        vec!["show"],
        vec!["state", "rm", "terraform_data.a"],
        vec!["destroy", "-auto-approve", "-input=false"],
    ] {
        let o = with_pass(dir, wrong).args(&args).output().unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(1), "herd {args:?}\n{t}");
        assert!(
            t.contains("message authentication failed"),
            "herd {args:?}\n{t}"
        );
        assert!(
            !t.contains(wrong) && !t.contains(PASS),
            "secret in output: {t}"
        );
        assert!(!t.contains("panicked"), "{t}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "herd {args:?} changed the state"
        );
    }
    // A missing passphrase is a diagnostic too, still nothing written.
    let t = run(herd(dir).args(["plan", "-input=false"]), 1);
    assert!(
        t.contains("var.passphrase") || t.contains("\"passphrase\""),
        "{t}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Without any encryption configuration the state is refused, not
    // overwritten.
    std::fs::remove_file(dir.join("encryption.tf")).unwrap();
    let t = run(herd(dir).args(["state", "list"]), 1);
    assert!(
        t.contains(
            "This state file is encrypted and can not be read without an encryption configuration"
        ),
        "{t}"
    );
    let t = run(
        herd(dir)
            .env("TF_VAR_passphrase", PASS)
            .args(["apply", "-auto-approve", "-input=false"]),
        1,
    );
    assert!(t.contains("encrypted"), "{t}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn migration_from_unencrypted_state_with_fallback() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(dir, "main.tf", RESOURCES);
    apply(dir, PASS);
    let path = dir.join("terraform.tfstate");
    let plain: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(plain["version"], 4);

    // Encryption without a fallback refuses the plain state (OpenTofu's
    // protection against a swapped-in unencrypted state).
    write(dir, "encryption.tf", &encryption_block("", false));
    let t = run(with_pass(dir, PASS).args(["plan", "-input=false"]), 1);
    assert!(
        t.contains("encountered unencrypted payload without unencrypted method configured"),
        "{t}"
    );

    // With the unencrypted fallback, an apply with no changes rewrites the
    // state encrypted (same serial, as OpenTofu's local state).
    write(
        dir,
        "encryption.tf",
        &encryption_block(
            "fallback {\n        method = method.unencrypted.migrate\n      }",
            false,
        ),
    );
    let out = apply(dir, PASS);
    assert!(out.contains("0 added, 0 changed, 0 destroyed"), "{out}");
    assert!(out.contains("Unencrypted method configured"), "{out}");
    let j = envelope(&path);
    assert_eq!(j["serial"], plain["serial"]);
    assert_eq!(j["lineage"], plain["lineage"]);

    // Then enforced, no fallback: reads the encrypted state.
    write(
        dir,
        "encryption.tf",
        &encryption_block("enforced = true", false),
    );
    run(
        with_pass(dir, PASS).args(["plan", "-detailed-exitcode", "-input=false"]),
        0,
    );
    // enforced with the unencrypted method is a configuration error.
    write(
        dir,
        "encryption.tf",
        &encryption_block(
            "enforced = true\n      fallback {\n        method = method.unencrypted.migrate\n      }",
            false,
        ),
    );
    let t = run(with_pass(dir, PASS).args(["plan", "-input=false"]), 1);
    assert!(t.contains("Unencrypted method is forbidden"), "{t}");
    assert!(
        t.contains("encryption.tf line"),
        "diagnostic with a location: {t}"
    );

    // And back to unencrypted: unencrypted primary, the old method as fallback.
    write(
        dir,
        "encryption.tf",
        &encryption_block("", false).replace(
            "method = method.aes_gcm.main\n      \n",
            "method = method.unencrypted.migrate\n      fallback {\n        method = method.aes_gcm.main\n      }\n",
        ),
    );
    apply(dir, PASS);
    let back: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(back["version"], 4, "{back}");
}

#[test]
fn passphrase_rollover_with_fallback() {
    let d = project("", false);
    let dir = d.path();
    apply(dir, PASS);
    // New passphrase in a new key provider; the old one as fallback.
    write(
        dir,
        "encryption.tf",
        r#"
variable "old_passphrase" {
  type      = string
  sensitive = true
}
terraform {
  encryption {
    key_provider "pbkdf2" "new" {
      passphrase = var.passphrase
      iterations = 200000
    }
    key_provider "pbkdf2" "main" {
      passphrase = var.old_passphrase
      iterations = 200000
    }
    method "aes_gcm" "new" {
      keys = key_provider.pbkdf2.new
    }
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    state {
      method = method.aes_gcm.new
      fallback {
        method = method.aes_gcm.main
      }
    }
  }
}
"#,
    );
    let newpass = "the brand new passphrase";
    run(
        with_pass(dir, newpass)
            .env("TF_VAR_old_passphrase", PASS)
            .args(["apply", "-auto-approve", "-input=false"]),
        0,
    );
    let j = envelope(&dir.join("terraform.tfstate"));
    assert!(j["meta"].get("key_provider.pbkdf2.new").is_some(), "{j}");
    assert!(j["meta"].get("key_provider.pbkdf2.main").is_none(), "{j}");
    // The old passphrase is no longer needed.
    write(
        dir,
        "encryption.tf",
        &encryption_block("", false)
            .replace("pbkdf2\" \"main", "pbkdf2\" \"new")
            .replace("pbkdf2.main", "pbkdf2.new"),
    );
    run(
        with_pass(dir, newpass).args(["plan", "-detailed-exitcode", "-input=false"]),
        0,
    );
}

#[test]
fn tf_encryption_environment_variable() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(dir, "main.tf", RESOURCES);
    // The code only enforces; the environment supplies everything (JSON).
    write(
        dir,
        "enforce.tf",
        "terraform {\n  encryption {\n    state {\n      enforced = true\n    }\n  }\n}\n",
    );
    let t = run(with_pass(dir, PASS).args(["plan", "-input=false"]), 1);
    assert!(t.contains("sets no method"), "{t}");
    let json = format!(
        r#"{{"key_provider":{{"pbkdf2":{{"env":{{"passphrase":"{PASS}","iterations":200000}}}}}},"method":{{"aes_gcm":{{"env":{{"keys":"key_provider.pbkdf2.env"}}}}}},"state":{{"method":"method.aes_gcm.env"}},"plan":{{"method":"method.aes_gcm.env"}}}}"#
    );
    run(
        with_pass(dir, PASS).env("TF_ENCRYPTION", &json).args([
            "apply",
            "-auto-approve",
            "-input=false",
        ]),
        0,
    );
    let j = envelope(&dir.join("terraform.tfstate"));
    assert!(j["meta"].get("key_provider.pbkdf2.env").is_some(), "{j}");
    // The same configuration in HCL reads it.
    let hcl = format!(
        "key_provider \"pbkdf2\" \"env\" {{\n  passphrase = \"{PASS}\"\n  iterations = 200000\n}}\nmethod \"aes_gcm\" \"env\" {{\n  keys = key_provider.pbkdf2.env\n}}\nstate {{\n  method = method.aes_gcm.env\n}}\n"
    );
    run(
        with_pass(dir, PASS).env("TF_ENCRYPTION", &hcl).args([
            "plan",
            "-detailed-exitcode",
            "-input=false",
        ]),
        0,
    );
    // The environment overrides the code's passphrase (merged by name).
    write(
        dir,
        "enforce.tf",
        "terraform {\n  encryption {\n    key_provider \"pbkdf2\" \"env\" {\n      passphrase = \"wrong passphrase in the code\"\n    }\n    state {\n      enforced = true\n    }\n  }\n}\n",
    );
    run(
        with_pass(dir, PASS).env("TF_ENCRYPTION", &hcl).args([
            "plan",
            "-detailed-exitcode",
            "-input=false",
        ]),
        0,
    );
    // Bad TF_ENCRYPTION is a diagnostic.
    let t = run(
        with_pass(dir, PASS)
            .env("TF_ENCRYPTION", "{not json")
            .args(["plan", "-input=false"]),
        1,
    );
    assert!(t.contains("TF_ENCRYPTION"), "{t}");
}

#[test]
fn saved_plan_files_are_encrypted() {
    let d = project("", true);
    let dir = d.path();
    run(
        with_pass(dir, PASS).args(["plan", "-input=false", "-out=tfplan"]),
        0,
    );
    let raw = std::fs::read(dir.join("tfplan")).unwrap();
    assert!(
        !raw.starts_with(&[0x1f, 0x8b]),
        "plan file is still plain gzip"
    );
    let j: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(j["encryption_version"], "v0");
    assert!(j.get("serial").is_none(), "{j}");
    assert!(j["meta"].get("key_provider.pbkdf2.main").is_some(), "{j}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("tfplan"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let show = run(with_pass(dir, PASS).args(["show", "tfplan"]), 0);
    assert!(show.contains("terraform_data.a"), "{show}");
    let t = run(
        with_pass(dir, "a different passphrase!").args(["show", "tfplan"]),
        1,
    );
    assert!(t.contains("message authentication failed"), "{t}");
    let out = run(
        with_pass(dir, PASS).args(["apply", "-input=false", "tfplan"]),
        0,
    );
    assert!(out.contains("Apply complete! Resources: 2 added"), "{out}");
    envelope(&dir.join("terraform.tfstate"));
    // Without a plan target, the encrypted plan file is refused.
    write(dir, "encryption.tf", &encryption_block("", false));
    let t = run(with_pass(dir, PASS).args(["show", "tfplan"]), 1);
    assert!(
        t.contains("the given plan file is encrypted and requires a valid encryption configuration to decrypt"),
        "{t}"
    );
}

#[test]
fn bad_configurations_are_diagnostics() {
    let cases: &[(&str, &str)] = &[
        (
            "key_provider \"pbkdf2\" \"k\" {\n  passphrase = \"tooshort\"\n}\nmethod \"aes_gcm\" \"m\" {\n  keys = key_provider.pbkdf2.k\n}\nstate {\n  method = method.aes_gcm.m\n}",
            "passphrase is too short (minimum 16 characters)",
        ),
        (
            "key_provider \"pbkdf2\" \"k\" {\n}\nmethod \"aes_gcm\" \"m\" {\n  keys = key_provider.pbkdf2.k\n}\nstate {\n  method = method.aes_gcm.m\n}",
            "no passphrase provided",
        ),
        ("key_provider \"gcp_kms\" \"k\" {\n}", "Unknown key_provider type"),
        ("method \"chacha\" \"m\" {\n}", "Unknown encryption method type"),
        ("state {\n  method = method.aes_gcm.none\n}", "Reference to undeclared encryption method"),
    ];
    for (body, want) in cases {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        write(dir, "main.tf", "resource \"terraform_data\" \"x\" {}\n");
        write(
            dir,
            "enc.tf",
            &format!("terraform {{\n  encryption {{\n{body}\n  }}\n}}\n"),
        );
        let t = run(herd(dir).args(["plan", "-input=false"]), 1);
        assert!(t.contains(want), "{body}\nwant {want:?}\n{t}");
        assert!(t.contains("enc.tf line"), "no location: {t}");
        assert!(!t.contains("tooshort"), "passphrase shown: {t}");
        assert!(!dir.join("terraform.tfstate").exists());
        // validate reports the static ones too.
        if want.starts_with("Unknown") || want.starts_with("Reference") {
            let v = herd(dir).args(["validate"]).output().unwrap();
            if want.starts_with("Unknown") {
                assert_eq!(v.status.code(), Some(1), "{}", text(&v));
            }
        }
    }
}

#[test]
fn remote_state_data_sources() {
    let root = tempfile::tempdir().unwrap();
    let a = root.path().join("a");
    let b = root.path().join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    write(&a, "main.tf", RESOURCES);
    write(&a, "encryption.tf", &encryption_block("", false));
    apply(&a, PASS);
    write(
        &b,
        "main.tf",
        r#"
variable "remote_passphrase" {
  type      = string
  sensitive = true
}
terraform {
  encryption {
    key_provider "pbkdf2" "main" {
      passphrase = var.remote_passphrase
      iterations = 200000
    }
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    remote_state_data_sources {
      remote_state_data_source "a" {
        method = method.aes_gcm.main
      }
    }
  }
}
data "terraform_remote_state" "a" {
  backend = "local"
  config = {
    path = "../a/terraform.tfstate"
  }
}
output "from_a" {
  value = data.terraform_remote_state.a.outputs.message
}
"#,
    );
    let out = run(
        herd(&b).env("TF_VAR_remote_passphrase", PASS).args([
            "apply",
            "-auto-approve",
            "-input=false",
        ]),
        0,
    );
    assert!(out.contains("from_a = \"hello world\""), "{out}");
    // b's own state is not encrypted: it has no state target.
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("terraform.tfstate")).unwrap()).unwrap();
    assert_eq!(s["version"], 4);
    // The wrong key for the remote state is an error.
    let t = run(
        herd(&b)
            .env("TF_VAR_remote_passphrase", "not the remote passphrase")
            .args(["plan", "-input=false"]),
        1,
    );
    assert!(t.contains("message authentication failed"), "{t}");
}

#[test]
fn aws_kms_key_provider_against_moto() {
    let m = Moto::start();
    let kms = aws_sdk_kms::Client::new(&m.sdk());
    let key_id = m.block_on(async {
        kms.create_key()
            .description("herd state encryption test")
            .send()
            .await
            .expect("create KMS key")
            .key_metadata()
            .expect("key metadata")
            .key_id()
            .to_string()
    });
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        &RESOURCES.replace(
            "variable \"passphrase\" {\n  type      = string\n  sensitive = true\n}\n",
            "",
        ),
    );
    write(
        dir,
        "encryption.tf",
        &format!(
            r#"
terraform {{
  encryption {{
    key_provider "aws_kms" "k" {{
      kms_key_id = "{key_id}"
      key_spec   = "AES_256"
      region     = "us-east-1"
      encryption_context = {{
        project = "herd-test"
      }}
    }}
    method "aes_gcm" "m" {{
      keys = key_provider.aws_kms.k
    }}
    state {{
      method   = method.aes_gcm.m
      enforced = true
    }}
  }}
}}
"#
        ),
    );
    let out = common::moto::apply(&m, dir);
    assert!(out.contains("Apply complete! Resources: 2 added"), "{out}");
    let path = dir.join("terraform.tfstate");
    let j = envelope(&path);
    let meta = j["meta"]["key_provider.aws_kms.k"].as_str().unwrap();
    let meta: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(meta)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(meta["encryption_context"]["project"], "herd-test", "{meta}");
    let blob = base64::engine::general_purpose::STANDARD
        .decode(meta["ciphertext_blob"].as_str().unwrap())
        .unwrap();
    // The data key unwrapped by KMS (with the context) opens the state,
    // independently of herd's key provider.
    let key = m.block_on(async {
        kms.decrypt()
            .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(blob))
            .encryption_context("project", "herd-test")
            .send()
            .await
            .expect("KMS decrypt")
            .plaintext()
            .unwrap()
            .as_ref()
            .to_vec()
    });
    assert_eq!(key.len(), 32);
    let data = base64::engine::general_purpose::STANDARD
        .decode(j["encrypted_data"].as_str().unwrap())
        .unwrap();
    let plain = herd::encryption::aes_gcm_open(&key, &data, &[]).unwrap();
    let st: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(st["outputs"]["message"]["value"], "hello world");
    // herd reads it back through KMS Decrypt.
    common::moto::plan(&m, dir, 0);
    let o = common::moto::run(&m, dir, &["output", "-raw", "message"], 0);
    assert!(o.contains("hello world"), "{o}");
    // A key KMS does not know: a diagnostic before anything is written.
    let before = std::fs::read(&path).unwrap();
    let cfg = std::fs::read_to_string(dir.join("encryption.tf")).unwrap();
    write(
        dir,
        "encryption.tf",
        &cfg.replace(&key_id, "11111111-2222-3333-4444-555555555555"),
    );
    let t = common::moto::run(
        &m,
        dir,
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-var",
            "greeting=x",
        ],
        1,
    );
    assert!(
        t.contains("failed to generate key") || t.contains("Unable to fetch encryption key data"),
        "{t}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
