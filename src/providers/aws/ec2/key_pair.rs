//! `aws_key_pair`: an imported public key. AWS never returns the public key
//! material, so `public_key` keeps the value configured (or null after
//! import, which makes the next plan replace the key pair, as Terraform's
//! documentation says).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use aws_sdk_ec2::types::{KeyPairInfo, ResourceType};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_str, is_not_found, opt_str, plan_tags_all,
    planned_tags_all, read_tags, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct KeyPair {
    schema: Schema,
}

impl KeyPair {
    pub fn new() -> KeyPair {
        let c = || Attribute::computed(Type::String);
        KeyPair {
            schema: tag_attrs(
                Schema::new()
                    .version(1)
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("fingerprint", c())
                    .attr("key_pair_id", c())
                    .attr("key_type", c())
                    .attr(
                        "key_name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "key_name_prefix",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("public_key", Attribute::required(Type::String).force_new()),
            ),
        }
    }
}

impl Default for KeyPair {
    fn default() -> Self {
        KeyPair::new()
    }
}

/// Length of the suffix `id.PrefixedUniqueId` appends: an 18-digit UTC
/// timestamp and an 8-digit hex counter.
const UNIQUE_SUFFIX_LEN: usize = 26;

/// A name like the provider's `id.PrefixedUniqueId(prefix)`.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
    format!(
        "{prefix}{}{:04}{n:08x}",
        now.format("%Y%m%d%H%M%S"),
        now.timestamp_subsec_micros() / 100
    )
}

/// The provider's `create.NamePrefixFromName`: the part before a generated
/// unique suffix, if the name has one.
pub fn name_prefix_of(name: &str) -> Option<String> {
    if name.len() <= UNIQUE_SUFFIX_LEN {
        return None;
    }
    let cut = name.len() - UNIQUE_SUFFIX_LEN;
    let suffix = name.get(cut..)?;
    suffix
        .chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| name[..cut].to_string())
}

async fn account_id(aws: &Aws) -> Result<String, ProviderError> {
    let out = aws
        .sts()
        .get_caller_identity()
        .send()
        .await
        .map_err(aws_err)?;
    Ok(out.account().unwrap_or_default().to_string())
}

async fn describe(aws: &Aws, names: &[String]) -> Result<Vec<KeyPairInfo>, ProviderError> {
    let mut out = vec![];
    for chunk in names.chunks(200) {
        let r = aws
            .ec2()
            .describe_key_pairs()
            .filters(super::filter("key-name", chunk.iter().cloned()))
            .send()
            .await
            .map_err(aws_err);
        match r {
            Ok(o) => out.extend(o.key_pairs().iter().cloned()),
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn to_state(ctx: &ProviderCtx, aws: &Aws, account: &str, prior: &Value, k: &KeyPairInfo) -> Value {
    let name = k.key_name().unwrap_or_default();
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(k.tags())));
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), Value::string(name));
    m.insert(
        "arn".to_string(),
        Value::string(aws.arn("ec2", account, &format!("key-pair/{name}"))),
    );
    m.insert("fingerprint".to_string(), opt_str(k.key_fingerprint()));
    m.insert("key_name".to_string(), Value::string(name));
    m.insert(
        "key_name_prefix".to_string(),
        Value::string(name_prefix_of(name).unwrap_or_default()),
    );
    m.insert("key_pair_id".to_string(), opt_str(k.key_pair_id()));
    m.insert(
        "key_type".to_string(),
        opt_str(k.key_type().map(|t| t.as_str())),
    );
    m.insert("public_key".to_string(), get(prior, "public_key"));
    m.insert("tags".to_string(), tags);
    m.insert("tags_all".to_string(), tags_all);
    Value::object(m)
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let names: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
    if names.is_empty() {
        return Ok(vec![None; priors.len()]);
    }
    let found: HashMap<String, KeyPairInfo> = describe(&aws, &names)
        .await?
        .into_iter()
        .filter_map(|k| k.key_name().map(|n| (n.to_string(), k.clone())))
        .collect();
    let account = if found.is_empty() {
        String::new()
    } else {
        account_id(&aws).await?
    };
    Ok(priors
        .iter()
        .map(|p| {
            get_str(p, "id")
                .and_then(|id| found.get(&id))
                .map(|k| to_state(ctx, &aws, &account, p, k))
        })
        .collect())
}

async fn read_one(ctx: &ProviderCtx, prior: &Value) -> Result<Option<Value>, ProviderError> {
    Ok(read_many(ctx, std::slice::from_ref(prior))
        .await?
        .into_iter()
        .next()
        .flatten())
}

#[async_trait]
impl Resource for KeyPair {
    fn type_name(&self) -> &'static str {
        "aws_key_pair"
    }
    fn display_name(&self) -> &'static str {
        "EC2 Key Pair"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        let mut planned = plan_tags_all(ctx, planned);
        if prior.is_none() {
            // A new key pair: its name is known at plan time when configured.
            if let Some(n) = get_str(config, "key_name") {
                planned = with(&planned, "id", Value::string(&n));
                if get(config, "key_name_prefix").is_null() {
                    planned = with(
                        &planned,
                        "key_name_prefix",
                        Value::string(name_prefix_of(&n).unwrap_or_default()),
                    );
                }
            }
        }
        planned
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = match (
            get_str(planned, "key_name"),
            get_str(planned, "key_name_prefix").filter(|p| !p.is_empty()),
        ) {
            (Some(n), _) => n,
            (None, Some(p)) => unique_name(&p),
            (None, None) => unique_name("terraform-"),
        };
        let key = get_str(planned, "public_key").unwrap_or_default();
        let out = aws
            .ec2()
            .import_key_pair()
            .key_name(&name)
            .public_key_material(aws_sdk_ec2::primitives::Blob::new(key.into_bytes()))
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::KeyPair, &planned_tags_all(planned)).map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out.key_name().unwrap_or(&name).to_string();
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("EC2 Key Pair ({id}) not found after import"))
            })
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        read_one(ctx, state).await
    }

    async fn read_batch(
        &self,
        ctx: &ProviderCtx,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        crate::providers::aws::per_state(states, read_many(ctx, states).await)
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        // Tags only; they belong to the key pair id.
        let kid = get_str(prior, "key_pair_id").unwrap_or_else(|| id.clone());
        crate::providers::aws::update_ec2_tags(&aws, &kid, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("EC2 Key Pair ({id}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        match aws.ec2().delete_key_pair().key_name(&id).send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = aws_err(e);
                if is_not_found(&e) {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 Key Pair ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_prefix() {
        let n = unique_name("web-");
        assert_eq!(n.len(), 4 + UNIQUE_SUFFIX_LEN);
        assert_eq!(name_prefix_of(&n).as_deref(), Some("web-"));
        assert_eq!(name_prefix_of("deployer"), None);
        assert_eq!(
            name_prefix_of("x-2026112521000012340000000a").as_deref(),
            Some("x-")
        );
    }
}
