//! rds resources and data sources: `aws_db_subnet_group`,
//! `aws_db_parameter_group`, `aws_db_instance`, and what they share (tags
//! by ARN, generated names).

pub mod db_instance;
pub mod parameter_group;
pub mod subnet_group;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::lang::value::Value;
use crate::providers::aws::{aws_err, get, get_str, planned_tags_all, str_map, Aws};
use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    r.resources.insert(
        "aws_db_subnet_group",
        Arc::new(subnet_group::DbSubnetGroup::new()),
    );
    r.resources.insert(
        "aws_db_parameter_group",
        Arc::new(parameter_group::DbParameterGroup::new()),
    );
    r.resources
        .insert("aws_db_instance", Arc::new(db_instance::DbInstance::new()));
}

/// A name like the provider's `id.PrefixedUniqueId(prefix)`: the prefix, a
/// UTC timestamp and a counter (26 characters after the prefix).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
    format!(
        "{prefix}{}{:04}{n:08x}",
        now.format("%Y%m%d%H%M%S"),
        now.timestamp_subsec_nanos() / 100_000
    )
}

/// The name to create with: `name`, else `name_prefix` + a unique suffix,
/// else `terraform-` + a unique suffix (the provider's `create.Name`).
pub fn create_name(planned: &Value, name: &str, prefix: &str) -> String {
    match get_str(planned, name) {
        Some(n) => n,
        None => unique_name(&get_str(planned, prefix).unwrap_or_else(|| "terraform-".into())),
    }
}

/// `name_prefix` in state: the prior prefix when the name still starts
/// with it (the provider's `NamePrefixFromName`), else empty.
pub fn prefix_of(prior: &Value, prefix_attr: &str, name: &str) -> Value {
    match get(prior, prefix_attr).as_str() {
        Some(p) if !p.is_empty() && name.starts_with(p) => Value::string(p),
        _ => Value::string(""),
    }
}

pub fn rds_tags(tags: &BTreeMap<String, String>) -> Option<Vec<aws_sdk_rds::types::Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
            .collect(),
    )
}

pub fn from_rds_tags(tags: &[aws_sdk_rds::types::Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// An RDS "not found" fault (e.g. `DBInstanceNotFound`,
/// `DBSubnetGroupNotFoundFault`).
pub fn not_found(e: &ProviderError) -> bool {
    e.code.as_deref().is_some_and(|c| c.contains("NotFound"))
}

/// The tags of an RDS object by ARN.
pub async fn list_tags(aws: &Aws, arn: &str) -> Result<Vec<(String, String)>, ProviderError> {
    let out = aws
        .rds()
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(aws_err)?;
    Ok(from_rds_tags(out.tag_list()))
}

/// Bring an RDS object's tags from `prior.tags_all` to `planned.tags_all`.
pub async fn update_tags(
    aws: &Aws,
    arn: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), ProviderError> {
    let old = str_map(&get(prior, "tags_all")).unwrap_or_default();
    let new = planned_tags_all(planned);
    let removed: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let changed: BTreeMap<String, String> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !removed.is_empty() {
        aws.rds()
            .remove_tags_from_resource()
            .resource_name(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if !changed.is_empty() {
        aws.rds()
            .add_tags_to_resource()
            .resource_name(arn)
            .set_tags(rds_tags(&changed))
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}
