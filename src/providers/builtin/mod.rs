//! Built-in resource types of the `terraform` provider.

pub mod terraform_data;
pub mod terraform_remote_state;

use std::sync::Arc;

use super::Registry;

pub fn register(r: &mut Registry) {
    r.resources.insert(
        "terraform_data",
        Arc::new(terraform_data::TerraformData::new()),
    );
    r.data_sources.insert(
        "terraform_remote_state",
        Arc::new(terraform_remote_state::RemoteState::new()),
    );
}
