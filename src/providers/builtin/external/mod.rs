//! The `external` provider (registry.terraform.io/hashicorp/external),
//! built in: the data source `external`, which runs a program with the
//! `query` as a JSON object on its standard input and takes a JSON object
//! of strings from its standard output. Learned from the provider's
//! internal/provider/data_source.go.

pub mod external_data;

use std::sync::Arc;

use crate::providers::Registry;

/// The hashicorp/external version whose schemas and behaviour herd follows.
pub const VERSION: &str = "2.4.0";

pub fn register(r: &mut Registry) {
    r.data_sources
        .insert("external", Arc::new(external_data::External::new()));
}
