//! secretsmanager resources and data sources: `aws_secretsmanager_secret`,
//! `aws_secretsmanager_secret_version`.

pub mod secret;
pub mod secret_version;

use std::sync::Arc;

use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    r.resources
        .insert("aws_secretsmanager_secret", Arc::new(secret::Secret::new()));
    r.resources.insert(
        "aws_secretsmanager_secret_version",
        Arc::new(secret_version::SecretVersion::new()),
    );
}

/// The secret (or version) is gone: not found, or scheduled for deletion.
pub fn gone(e: &ProviderError) -> bool {
    match e.code.as_deref() {
        Some("ResourceNotFoundException") => true,
        Some("InvalidRequestException") => e.message.contains("marked for deletion"),
        _ => false,
    }
}

/// Two JSON documents with the same meaning (key order and formatting do
/// not matter).
pub fn json_equal(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_documents() {
        assert!(json_equal(
            r#"{"a":1,"b":[1,2]}"#,
            "{ \"b\": [1, 2],\n \"a\": 1 }"
        ));
        assert!(!json_equal(r#"{"a":1}"#, r#"{"a":2}"#));
        assert!(!json_equal(r#"{"b":[1,2]}"#, r#"{"b":[2,1]}"#));
    }
}
