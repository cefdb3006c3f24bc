//! Built-in resource types of the `terraform` provider.

pub mod terraform_data;

use std::sync::Arc;

use super::Registry;

pub fn register(r: &mut Registry) {
    r.resources.insert(
        "terraform_data",
        Arc::new(terraform_data::TerraformData::new()),
    );
}
