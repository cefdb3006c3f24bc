//! The `template` provider (registry.terraform.io/hashicorp/template,
//! archived upstream but still in many configurations), built in: the data
//! source `template_file`. Learned from the provider's
//! template/datasource_template_file.go.

pub mod template_file;

use std::sync::Arc;

use crate::providers::Registry;

/// The hashicorp/template version whose schemas and behaviour herd follows.
pub const VERSION: &str = "2.2.0";

pub fn register(r: &mut Registry) {
    r.data_sources.insert(
        "template_file",
        Arc::new(template_file::TemplateFile::new()),
    );
}
