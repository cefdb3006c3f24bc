//! Application Auto Scaling resources.

pub mod policy;
pub mod target;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::lang::value::Value;
use crate::providers::aws::{aws_err, get, planned_tags_all, str_map, Aws};
use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    r.resources
        .insert("aws_appautoscaling_target", Arc::new(target::Target::new()));
    r.resources
        .insert("aws_appautoscaling_policy", Arc::new(policy::Policy::new()));
}

/// Whether an error says the object does not exist.
pub fn gone(e: &ProviderError) -> bool {
    e.code.as_deref() == Some("ObjectNotFoundException") || crate::providers::aws::is_not_found(e)
}

/// The tags of a scalable target; `None` when the endpoint cannot list tags
/// (moto does not implement the tagging operations).
pub async fn list_tags(
    aws: &Aws,
    arn: &str,
) -> Result<Option<Vec<(String, String)>>, ProviderError> {
    match aws
        .appautoscaling()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(aws_err)
    {
        Ok(out) => Ok(Some(
            out.tags()
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        )),
        Err(e)
            if e.code.is_none()
                || e.code
                    .as_deref()
                    .is_some_and(|c| c.contains("NotImplemented")) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Bring tags from `prior.tags_all` to `planned.tags_all`.
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
    let changed: HashMap<String, String> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !removed.is_empty() {
        aws.appautoscaling()
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if !changed.is_empty() {
        aws.appautoscaling()
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(changed))
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

pub fn tag_map(tags: &BTreeMap<String, String>) -> Option<HashMap<String, String>> {
    (!tags.is_empty()).then(|| tags.clone().into_iter().collect())
}
