//! ECS resources, and helpers the ECS and Application Auto Scaling
//! resources share.

pub mod capacity_providers;
pub mod cluster;
pub mod container_definitions;
pub mod service;
pub mod task_definition;

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_ecs::types::Tag;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws_err, get, planned_tags_all, str_map, Aws};
use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    r.resources
        .insert("aws_ecs_cluster", Arc::new(cluster::Cluster::new()));
    r.resources.insert(
        "aws_ecs_task_definition",
        Arc::new(task_definition::TaskDefinition::new()),
    );
    r.resources
        .insert("aws_ecs_service", Arc::new(service::Service::new()));
    r.resources.insert(
        "aws_ecs_cluster_capacity_providers",
        Arc::new(capacity_providers::CapacityProviders::new()),
    );
}

/// An object value from (name, value) pairs.
pub fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A list of nested-block objects.
pub fn list_of(schema: &crate::providers::Schema, items: Vec<Value>) -> Value {
    Value::list(schema.value_type(), items)
}

pub fn set_of(schema: &crate::providers::Schema, items: Vec<Value>) -> Value {
    Value::set(schema.value_type(), items)
}

/// The first element of a list/set block (a `MaxItems: 1` block), if any.
pub fn first(v: &Value, name: &str) -> Option<Value> {
    let x = get(v, name);
    if let Some(s) = x.as_seq() {
        return s.first().cloned();
    }
    if x.as_entries().is_some() {
        return Some(x);
    }
    None
}

/// The elements of a list/set block.
pub fn items(v: &Value, name: &str) -> Vec<Value> {
    get(v, name)
        .as_seq()
        .map(|s| s.to_vec())
        .unwrap_or_default()
}

pub fn opt_int(x: Option<i32>) -> Value {
    match x {
        Some(i) => Value::int(i as i64),
        None => Value::null_of(Type::Number),
    }
}

pub fn ecs_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

pub fn from_ecs_tags(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Bring an ECS object's tags from `prior.tags_all` to `planned.tags_all`.
pub async fn update_ecs_tags(
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
        aws.ecs()
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if !changed.is_empty() {
        aws.ecs()
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(ecs_tags(&changed)))
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

/// An ECS "not found" error (or a describe that reported the object missing).
pub fn ecs_not_found(e: &ProviderError) -> bool {
    matches!(
        e.code.as_deref(),
        Some("ClusterNotFoundException")
            | Some("ServiceNotFoundException")
            | Some("ResourceNotFoundException")
    ) || crate::providers::aws::is_not_found(e)
}
