//! Elastic Load Balancing v2: `aws_lb`, `aws_lb_target_group`,
//! `aws_lb_listener`, `aws_lb_listener_rule` (and their legacy `aws_alb*`
//! aliases), with the helpers they share: batched describes by ARN, batched
//! tag reads (DescribeTags takes 20 ARNs), tag updates and generated names.

pub mod actions;
pub mod lb;
pub mod listener;
pub mod listener_rule;
pub mod target_group;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use aws_sdk_elasticloadbalancingv2::types::Tag;

use crate::lang::value::Value;
use crate::providers::aws::{aws_err, get, get_str, is_not_found, str_map, Aws};
use crate::providers::{ProviderError, Registry};

pub fn register(r: &mut Registry) {
    for ty in ["aws_lb", "aws_alb"] {
        r.resources.insert(ty, Arc::new(lb::LoadBalancer::new(ty)));
    }
    for ty in ["aws_lb_target_group", "aws_alb_target_group"] {
        r.resources
            .insert(ty, Arc::new(target_group::TargetGroup::new(ty)));
    }
    for ty in ["aws_lb_listener", "aws_alb_listener"] {
        r.resources
            .insert(ty, Arc::new(listener::Listener::new(ty)));
    }
    for ty in ["aws_lb_listener_rule", "aws_alb_listener_rule"] {
        r.resources
            .insert(ty, Arc::new(listener_rule::ListenerRule::new(ty)));
    }
}

/// The name to create an object with: the configured `name`, else
/// `name_prefix` (or `default_prefix`) followed by a unique suffix, as the
/// provider's name generator does (digits only: ELB names allow
/// alphanumerics and hyphens).
pub fn object_name(planned: &Value, default_prefix: &str) -> String {
    if let Some(n) = get_str(planned, "name").filter(|n| !n.is_empty()) {
        return n;
    }
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let prefix = get_str(planned, "name_prefix").unwrap_or_else(|| default_prefix.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{prefix}{}{:06}{:04}",
        now.as_secs(),
        now.subsec_micros(),
        n % 10000
    )
}

/// The prefix of a name generated from `name_prefix`, for the state.
pub fn prefix_of(prior: &Value) -> Value {
    get(prior, "name_prefix")
}

/// Describe objects by ARN in chunks of `chunk`; a chunk answered with a
/// not-found error (AWS fails the whole call when one ARN is gone) is split
/// until the missing ARNs are isolated, so a refresh where everything exists
/// costs one call per chunk.
pub async fn describe_by_arns<T, F, Fut>(
    arns: &[String],
    chunk: usize,
    f: F,
) -> Result<Vec<T>, ProviderError>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, ProviderError>>,
{
    let mut queue: Vec<Vec<String>> = arns.chunks(chunk.max(1)).map(|c| c.to_vec()).collect();
    let mut out = vec![];
    while let Some(c) = queue.pop() {
        match f(c.clone()).await {
            Ok(v) => out.extend(v),
            Err(e) if is_not_found(&e) || e.code.as_deref() == Some("ValidationError") => {
                if c.len() > 1 {
                    let mid = c.len() / 2;
                    queue.push(c[mid..].to_vec());
                    queue.push(c[..mid].to_vec());
                } else if !is_not_found(&e) {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Tags of many ELB objects: DescribeTags, 20 ARNs per call.
pub async fn describe_tags(
    aws: &Aws,
    arns: &[String],
) -> Result<HashMap<String, Vec<(String, String)>>, ProviderError> {
    let mut out = HashMap::new();
    for chunk in arns.chunks(20) {
        let r = aws
            .elbv2()
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()))
            .send()
            .await;
        let descs = match r {
            Ok(o) => o.tag_descriptions().to_vec(),
            Err(e) => {
                let e = aws_err(e);
                if !is_not_found(&e) || chunk.len() == 1 {
                    if is_not_found(&e) {
                        continue;
                    }
                    return Err(e);
                }
                // One of them is gone: ask one by one.
                let mut v = vec![];
                for arn in chunk {
                    match aws.elbv2().describe_tags().resource_arns(arn).send().await {
                        Ok(o) => v.extend(o.tag_descriptions().iter().cloned()),
                        Err(e) => {
                            let e = aws_err(e);
                            if !is_not_found(&e) {
                                return Err(e);
                            }
                        }
                    }
                }
                v
            }
        };
        for d in descs {
            if let Some(arn) = d.resource_arn() {
                out.insert(
                    arn.to_string(),
                    d.tags()
                        .iter()
                        .map(|t| {
                            (
                                t.key().unwrap_or_default().to_string(),
                                t.value().unwrap_or_default().to_string(),
                            )
                        })
                        .collect(),
                );
            }
        }
    }
    Ok(out)
}

pub fn elb_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect(),
    )
}

/// Bring an ELB object's tags from `prior.tags_all` to `planned.tags_all`.
pub async fn update_tags(
    aws: &Aws,
    arn: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), ProviderError> {
    let old = str_map(&get(prior, "tags_all")).unwrap_or_default();
    let new = str_map(&get(planned, "tags_all")).unwrap_or_default();
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
        aws.elbv2()
            .remove_tags()
            .resource_arns(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if let Some(tags) = elb_tags(&changed) {
        aws.elbv2()
            .add_tags()
            .resource_arns(arn)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

/// `arn_suffix` of a load balancer or target group ARN: the resource part
/// without `loadbalancer/` (`app/NAME/ID`, `targetgroup/NAME/ID`).
pub fn arn_suffix(arn: &str) -> String {
    let res = arn.splitn(6, ':').nth(5).unwrap_or_default();
    res.strip_prefix("loadbalancer/").unwrap_or(res).to_string()
}

/// A state holding only `id`/`arn`, for import.
pub fn import_state(id: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), Value::string(id));
    m.insert("arn".to_string(), Value::string(id));
    Value::object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(
            arn_suffix("arn:aws:elasticloadbalancing:us-east-1:123:loadbalancer/app/web/abc"),
            "app/web/abc"
        );
        assert_eq!(
            arn_suffix("arn:aws:elasticloadbalancing:us-east-1:123:targetgroup/tg/abc"),
            "targetgroup/tg/abc"
        );
    }

    #[test]
    fn generated_names() {
        let n = object_name(&Value::null(), "tf-lb-");
        assert!(n.starts_with("tf-lb-") && n.len() <= 32, "{n}");
        assert!(n[6..].chars().all(|c| c.is_ascii_digit()), "{n}");
    }
}
