//! sts resources and data sources.

pub mod caller_identity;

use std::sync::Arc;

use crate::providers::Registry;

pub fn register(r: &mut Registry) {
    r.data_sources.insert(
        "aws_caller_identity",
        Arc::new(caller_identity::CallerIdentity::new()),
    );
}
