//! The `archive` provider (registry.terraform.io/hashicorp/archive), built
//! in: the data source `archive_file`, type "zip", written byte for byte as
//! the provider's Go `archive/zip` writes it (see [`zip_writer`]). Learned
//! from the provider's internal/provider/data_source_archive_file.go,
//! zip_archiver.go and archiver.go.

pub mod archive_file;
pub mod zip_writer;

use std::sync::Arc;

use crate::providers::Registry;

/// The hashicorp/archive version whose schemas and behaviour herd follows.
pub const VERSION: &str = "2.8.0";

pub fn register(r: &mut Registry) {
    r.data_sources
        .insert("archive_file", Arc::new(archive_file::ArchiveFile::new()));
}
