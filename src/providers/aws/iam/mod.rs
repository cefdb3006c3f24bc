//! IAM resources and data sources.

pub mod policy;
pub mod policy_document;

use std::sync::Arc;

use crate::providers::Registry;

pub fn register(r: &mut Registry) {
    r.data_sources.insert(
        "aws_iam_policy_document",
        Arc::new(policy_document::PolicyDocument::new()),
    );
}
