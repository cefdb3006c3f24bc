//! local_file, local_sensitive_file, data.local_file.

use std::os::unix::fs::PermissionsExt;

use base64::Engine;
use md5::Digest as _;

use crate::common::*;

#[test]
fn local_file_writes_hashes_and_heals_drift() {
    let cfg = r#"
terraform {
  required_providers {
    local = {
      source  = "hashicorp/local"
      version = ">= 2.0"
    }
  }
}
resource "local_file" "f" {
  filename = "${path.module}/out/hello.txt"
  content  = "hello, herd\n"
}
data "local_file" "back" {
  filename   = local_file.f.filename
  depends_on = [local_file.f]
}
output "read_back" {
  value = data.local_file.back.content
}
output "back" {
  value = data.local_file.back
}
"#;
    let d = workdir(cfg);
    ok(d.path(), &["init"]);
    let out = apply(d.path());
    assert!(
        out.contains("read_back = <<-EOT\n  hello, herd\n  EOT"),
        "{out}"
    );
    let file = d.path().join("out/hello.txt");
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(bytes, b"hello, herd\n");
    let st = state(d.path());
    assert_eq!(
        provider_of(&st, "local_file.f"),
        "provider[\"registry.terraform.io/hashicorp/local\"]"
    );
    let a = attrs(&st, "local_file.f");
    let sha1 = hex(&sha1::Sha1::digest(&bytes));
    let sha256 = sha2::Sha256::digest(&bytes);
    let sha512 = sha2::Sha512::digest(&bytes);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    assert_eq!(a["id"], sha1);
    assert_eq!(a["content_sha1"], sha1);
    assert_eq!(a["content_md5"], hex(&md5::Md5::digest(&bytes)));
    assert_eq!(a["content_sha256"], hex(&sha256));
    assert_eq!(a["content_base64sha256"], b64(&sha256));
    assert_eq!(a["content_sha512"], hex(&sha512));
    assert_eq!(a["content_base64sha512"], b64(&sha512));
    assert_eq!(a["file_permission"], "0777");
    assert_eq!(a["directory_permission"], "0777");
    assert_eq!(a["content_base64"], serde_json::Value::Null);
    assert_eq!(a["sensitive_content"], serde_json::Value::Null);
    // 0777 less the umask: at least owner read/write, never more than 0777.
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode & 0o600, 0o600, "{mode:o}");
    let ds = output(&st, "back");
    assert_eq!(ds["content"], "hello, herd\n");
    assert_eq!(ds["content_base64"], b64(&bytes));
    assert_eq!(ds["id"], sha1);
    assert_no_changes(d.path());

    // Deleted out of band: planned anew, then recreated.
    std::fs::remove_file(&file).unwrap();
    let p = plan(d.path());
    assert!(p.contains("# local_file.f will be created"), "{p}");
    apply(d.path());
    assert_eq!(std::fs::read(&file).unwrap(), b"hello, herd\n");
    // Changed out of band: the same.
    std::fs::write(&file, "tampered").unwrap();
    let p = plan(d.path());
    assert!(p.contains("# local_file.f will be created"), "{p}");
    apply(d.path());
    assert_eq!(std::fs::read(&file).unwrap(), b"hello, herd\n");
    assert_no_changes(d.path());

    // A content change replaces.
    write_tf(d.path(), &cfg.replace("hello, herd", "bye"));
    let p = plan(d.path());
    assert!(p.contains("# local_file.f must be replaced"), "{p}");
    apply(d.path());
    assert_eq!(std::fs::read(&file).unwrap(), b"bye\n");

    ok(d.path(), &["destroy", "-auto-approve"]);
    assert!(!file.exists());
}

#[test]
fn local_file_from_base64_and_source_with_permissions() {
    let d = workdir(
        r#"
resource "local_file" "b" {
  filename        = "b.bin"
  content_base64  = "AAEC/w=="
  file_permission = "0600"
}
resource "local_file" "copy" {
  filename = "copy.bin"
  source   = local_file.b.filename
}
"#,
    );
    apply(d.path());
    assert_eq!(
        std::fs::read(d.path().join("b.bin")).unwrap(),
        [0, 1, 2, 255]
    );
    assert_eq!(
        std::fs::read(d.path().join("copy.bin")).unwrap(),
        [0, 1, 2, 255]
    );
    let mode = std::fs::metadata(d.path().join("b.bin"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    assert_no_changes(d.path());
    // Two content arguments: a plan error, as the provider's validator.
    write_tf(
        d.path(),
        "resource \"local_file\" \"x\" {\n  filename = \"x\"\n  content = \"a\"\n  source = \"b\"\n}\n",
    );
    let e = fails(d.path(), &["plan"]);
    assert!(
        e.contains("only one) of [content,sensitive_content,content_base64,source]"),
        "{e}"
    );
    write_tf(
        d.path(),
        "resource \"local_file\" \"x\" {\n  filename = \"x\"\n  content = \"a\"\n  file_permission = \"0999\"\n}\n",
    );
    let e = fails(d.path(), &["plan"]);
    assert!(e.contains("bad mode permission"), "{e}");
}

#[test]
fn local_sensitive_file_hides_its_content() {
    let secret = "hunter2-very-secret";
    let d = workdir(&format!(
        r#"
resource "local_sensitive_file" "s" {{
  filename = "secret.txt"
  content  = "{secret}"
}}
"#
    ));
    let out = apply(d.path());
    assert!(!out.contains(secret), "{out}");
    assert_eq!(
        std::fs::read_to_string(d.path().join("secret.txt")).unwrap(),
        secret
    );
    let mode = std::fs::metadata(d.path().join("secret.txt"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode & 0o077, 0, "0700 by default: {mode:o}");
    let a = attrs(&state(d.path()), "local_sensitive_file.s");
    assert_eq!(a["file_permission"], "0700");
    for (what, text) in [
        ("plan", plan(d.path())),
        ("show", ok(d.path(), &["show"])),
        ("show -json", ok(d.path(), &["show", "-json"])),
    ] {
        assert!(!text.contains(secret), "secret in {what}:\n{text}");
    }
    assert!(text(&run(d.path(), &["plan"]).stdout).contains("No changes."));
}
