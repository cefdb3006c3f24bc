//! data.archive_file: byte-stable zips with the provider's checksums.

use base64::Engine;
use md5::Digest as _;

use crate::common::*;

const CFG: &str = r#"
terraform {
  required_providers {
    archive = {
      source = "hashicorp/archive"
    }
  }
}
data "archive_file" "content" {
  type                    = "zip"
  source_content          = "This is some content"
  source_content_filename = "content.txt"
  output_path             = "${path.module}/build/content.zip"
}
data "archive_file" "dir" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  excludes    = ["skip.txt", "sub/*.log"]
  output_path = "${path.module}/build/dir.zip"
}
data "archive_file" "multi" {
  type        = "zip"
  output_path = "${path.module}/build/multi.zip"
  source {
    filename = "b.txt"
    content  = "bee"
  }
  source {
    filename = "a.txt"
    content  = "ay"
  }
}
output "sha" {
  value = data.archive_file.content.output_base64sha256
}
output "content" {
  value = data.archive_file.content
}
output "dir" {
  value = data.archive_file.dir
}
output "multi" {
  value = data.archive_file.multi
}
"#;

fn populate(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("src/sub")).unwrap();
    std::fs::write(dir.join("src/index.js"), "exports.handler = () => 42;\n").unwrap();
    std::fs::write(dir.join("src/skip.txt"), "not me").unwrap();
    std::fs::write(dir.join("src/sub/keep.txt"), "keep").unwrap();
    std::fs::write(dir.join("src/sub/noise.log"), "noise").unwrap();
}

/// The names in a zip's central directory.
fn zip_names(z: &[u8]) -> Vec<String> {
    let eocd = z.len() - 22;
    assert_eq!(&z[eocd..eocd + 4], b"PK\x05\x06");
    let n = u16::from_le_bytes([z[eocd + 10], z[eocd + 11]]) as usize;
    let mut off = u32::from_le_bytes(z[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let mut out = vec![];
    for _ in 0..n {
        assert_eq!(&z[off..off + 4], b"PK\x01\x02");
        let nl = u16::from_le_bytes([z[off + 28], z[off + 29]]) as usize;
        out.push(String::from_utf8(z[off + 46..off + 46 + nl].to_vec()).unwrap());
        off += 46 + nl;
    }
    out
}

#[test]
fn zips_are_byte_stable_and_hashed() {
    let a = workdir(CFG);
    let b = workdir(CFG);
    populate(a.path());
    populate(b.path());
    ok(a.path(), &["init"]);
    let out = apply(a.path());
    apply(b.path());
    for name in ["content", "dir", "multi"] {
        let za = std::fs::read(a.path().join(format!("build/{name}.zip"))).unwrap();
        let zb = std::fs::read(b.path().join(format!("build/{name}.zip"))).unwrap();
        assert_eq!(za, zb, "{name}.zip differs between two runs");
        let st = state(a.path());
        let at = output(&st, name);
        let s256 = sha2::Sha256::digest(&za);
        let b64 = |x: &[u8]| base64::engine::general_purpose::STANDARD.encode(x);
        assert_eq!(at["output_size"], za.len());
        assert_eq!(at["output_md5"], hex(&md5::Md5::digest(&za)));
        assert_eq!(at["output_sha"], hex(&sha1::Sha1::digest(&za)));
        assert_eq!(at["id"], hex(&sha1::Sha1::digest(&za)));
        assert_eq!(at["output_sha256"], hex(&s256));
        assert_eq!(at["output_base64sha256"], b64(&s256));
        assert_eq!(at["output_sha512"], hex(&sha2::Sha512::digest(&za)));
        assert_eq!(at["output_base64sha512"], b64(&sha2::Sha512::digest(&za)));
    }
    // The provider's own acceptance test pins this archive's MD5
    // (internal/provider/data_source_archive_file_test.go, ContentConfig).
    let st = state(a.path());
    assert_eq!(
        output(&st, "content")["output_md5"],
        "ea35f0444ea9a3d5641d8760bc2815cc"
    );
    assert!(out.contains("sha = \""), "{out}");
    let z = std::fs::read(a.path().join("build/dir.zip")).unwrap();
    assert_eq!(zip_names(&z), ["index.js", "sub/keep.txt"]);
    let z = std::fs::read(a.path().join("build/multi.zip")).unwrap();
    assert_eq!(zip_names(&z), ["a.txt", "b.txt"]);
    assert_no_changes(a.path());

    // A changed source changes the archive.
    std::fs::write(
        a.path().join("src/index.js"),
        "exports.handler = () => 43;\n",
    )
    .unwrap();
    apply(a.path());
    let z2 = std::fs::read(a.path().join("build/dir.zip")).unwrap();
    assert_ne!(z, z2);
}

#[test]
fn archive_errors_are_diagnostics() {
    let d = workdir(
        r#"
data "archive_file" "x" {
  type        = "zip"
  source_dir  = "nope"
  output_path = "x.zip"
}
"#,
    );
    let e = fails(d.path(), &["plan"]);
    assert!(
        e.contains("could not archive missing directory: nope"),
        "{e}"
    );
    write_tf(
        d.path(),
        "data \"archive_file\" \"x\" {\n  type = \"zip\"\n  output_path = \"x.zip\"\n}\n",
    );
    let e = fails(d.path(), &["plan"]);
    assert!(
        e.contains(
            "At least one attribute out of [source,source_content_filename,source_file,source_dir]"
        ),
        "{e}"
    );
}
