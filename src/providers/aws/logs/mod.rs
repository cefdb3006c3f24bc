//! CloudWatch Logs resources.

pub mod log_group;

use std::sync::Arc;

use crate::providers::Registry;

pub fn register(r: &mut Registry) {
    r.resources.insert(
        "aws_cloudwatch_log_group",
        Arc::new(log_group::LogGroup::new()),
    );
}
