//! IAM resources and data sources.

pub mod iam_policy;
pub mod policy;
pub mod policy_document;
pub mod role;
pub mod role_policy;
pub mod role_policy_attachment;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::lang::value::Value;
use crate::providers::aws::{get, get_str, with};
use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    r.data_sources.insert(
        "aws_iam_policy_document",
        Arc::new(policy_document::PolicyDocument::new()),
    );
    r.resources
        .insert("aws_iam_role", Arc::new(role::Role::new()));
    r.resources.insert(
        "aws_iam_role_policy",
        Arc::new(role_policy::RolePolicy::new()),
    );
    r.resources.insert(
        "aws_iam_role_policy_attachment",
        Arc::new(role_policy_attachment::RolePolicyAttachment::new()),
    );
    r.resources
        .insert("aws_iam_policy", Arc::new(iam_policy::IamPolicy::new()));
}

/// IAM's "not found" error.
pub fn no_such_entity(e: &ProviderError) -> bool {
    e.code.as_deref() == Some("NoSuchEntity")
}

pub fn iam_tags(tags: &BTreeMap<String, String>) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .filter_map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect()
}

pub fn from_iam_tags(tags: &[aws_sdk_iam::types::Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// Tags to add/change and keys to remove to bring `prior.tags_all` to
/// `planned.tags_all`.
pub fn tag_changes(prior: &Value, planned: &Value) -> (BTreeMap<String, String>, Vec<String>) {
    let old = crate::providers::aws::str_map(&get(prior, "tags_all")).unwrap_or_default();
    let new = crate::providers::aws::planned_tags_all(planned);
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let changed = new
        .into_iter()
        .filter(|(k, v)| old.get(k) != Some(v))
        .collect();
    (changed, removed)
}

/// The provider's `create.Name`: the name, else the prefix (or
/// "terraform-") followed by a unique, time-ordered suffix.
pub fn unique_name(name: Option<String>, prefix: Option<String>) -> String {
    if let Some(n) = name.filter(|n| !n.is_empty()) {
        return n;
    }
    let prefix = prefix.unwrap_or_else(|| "terraform-".to_string());
    prefixed_unique_id(&prefix)
}

/// `PrefixedUniqueId`: prefix + UTC timestamp to 1/10000 s + 8 hex digits
/// of a counter (26 characters after the prefix).
pub fn prefixed_unique_id(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst).wrapping_add(1);
    let now = chrono::Utc::now();
    let frac = now.timestamp_subsec_micros() / 100;
    // Mix in the process id so that concurrent herd runs differ too.
    let n = n.wrapping_add(std::process::id().wrapping_mul(0x10000));
    format!("{prefix}{}{frac:04}{n:08x}", now.format("%Y%m%d%H%M%S"))
}

/// The prefix of a name made by [`unique_name`] (`NamePrefixFromName`).
pub fn name_prefix_from_name(name: &str) -> Option<String> {
    let n = name.len();
    if n < 26 {
        return None;
    }
    let (head, tail) = name.split_at(n - 26);
    let ok = tail[..18].bytes().all(|b| b.is_ascii_digit())
        && tail[18..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then(|| head.to_string())
}

/// `planned` with `name` filled in (for the partial state of a failed
/// create and for the read after it).
pub fn with_name(planned: &Value, name: &str) -> Value {
    let v = with(planned, "name", Value::string(name));
    with(
        &v,
        "id",
        Value::string(get_str(&v, "id").unwrap_or_else(|| name.to_string())),
    )
}

/// An AWS timestamp as RFC 3339 (seconds precision, UTC).
pub fn rfc3339(t: Option<&aws_sdk_iam::primitives::DateTime>) -> Value {
    match t.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), 0)) {
        Some(d) => Value::string(d.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        None => Value::null_of(crate::lang::types::Type::String),
    }
}
