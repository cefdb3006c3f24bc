//! The `null` provider (registry.terraform.io/hashicorp/null), built in:
//! `null_resource` (an object with no behaviour but its lifecycle, replaced
//! when `triggers` changes) and the data source `null_data_source`. Learned
//! from the provider's internal/provider/resource.go and data_source.go.

pub mod null_data_source;
pub mod null_resource;

use std::sync::Arc;

use crate::providers::Registry;

/// The hashicorp/null version whose schemas and behaviour herd follows.
pub const VERSION: &str = "3.3.1";

pub fn register(r: &mut Registry) {
    r.resources.insert(
        "null_resource",
        Arc::new(null_resource::NullResource::new()),
    );
    r.data_sources.insert(
        "null_data_source",
        Arc::new(null_data_source::NullDataSource::new()),
    );
}

/// A random non-negative 63-bit integer in decimal, like Go's `rand.Int()`
/// formatted with `%d` (the provider's ids).
pub(crate) fn go_rand_int() -> String {
    (rand::random::<u64>() >> 1).to_string()
}
