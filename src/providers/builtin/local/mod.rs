//! The `local` provider (registry.terraform.io/hashicorp/local), built in:
//! `local_file` and `local_sensitive_file` (a file written on create,
//! removed on destroy; every argument replaces; a file deleted or changed
//! out of band reads as gone, so the plan creates it again) and the data
//! sources `local_file` and `local_sensitive_file`. Learned from the
//! provider's internal/provider/resource_local_*.go and
//! data_source_local_*.go.

pub mod local_file;
pub mod local_file_data;

use std::sync::Arc;

use crate::lang::value::Value;
use crate::providers::builtin::digest::{b64, hex, md5, sha1, sha256, sha512};
use crate::providers::Registry;

/// The hashicorp/local version whose schemas and behaviour herd follows.
pub const VERSION: &str = "2.9.0";

pub fn register(r: &mut Registry) {
    r.resources
        .insert("local_file", Arc::new(local_file::LocalFile::new(false)));
    r.resources.insert(
        "local_sensitive_file",
        Arc::new(local_file::LocalFile::new(true)),
    );
    r.data_sources.insert(
        "local_file",
        Arc::new(local_file_data::LocalFileData::new(false)),
    );
    r.data_sources.insert(
        "local_sensitive_file",
        Arc::new(local_file_data::LocalFileData::new(true)),
    );
}

/// The `content_*` checksum attributes of a file's bytes, and its id (the
/// SHA-1 hex).
pub fn checksums(data: &[u8]) -> Vec<(&'static str, Value)> {
    let s256 = sha256(data);
    let s512 = sha512(data);
    vec![
        ("content_md5", Value::string(hex(&md5(data)))),
        ("content_sha1", Value::string(hex(&sha1(data)))),
        ("content_sha256", Value::string(hex(&s256))),
        ("content_base64sha256", Value::string(b64(&s256))),
        ("content_sha512", Value::string(hex(&s512))),
        ("content_base64sha512", Value::string(b64(&s512))),
        ("id", Value::string(hex(&sha1(data)))),
    ]
}
