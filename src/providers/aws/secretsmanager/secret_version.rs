//! `aws_secretsmanager_secret_version`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_secretsmanager::primitives::Blob;
use base64::Engine;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::secretsmanager::gone;
use crate::providers::aws::{aws, aws_err, get, get_str, get_strs, str_set, Aws};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct SecretVersion {
    schema: Schema,
}

impl SecretVersion {
    pub fn new() -> SecretVersion {
        let c = || Attribute::computed(Type::String);
        SecretVersion {
            schema: Schema::new()
                .attr("id", c())
                .attr("arn", c())
                .attr("version_id", c())
                .attr("secret_id", Attribute::required(Type::String).force_new())
                .attr(
                    "secret_string",
                    Attribute::optional(Type::String).force_new().sensitive(),
                )
                .attr(
                    "secret_binary",
                    Attribute::optional(Type::String).force_new().sensitive(),
                )
                .attr(
                    "version_stages",
                    Attribute::optional_computed(Type::set(Type::String)),
                ),
        }
    }
}

impl Default for SecretVersion {
    fn default() -> Self {
        SecretVersion::new()
    }
}

/// `ARN|VERSIONID` → (secret, version).
fn split_id(id: &str) -> Result<(String, String), ProviderError> {
    match id.split_once('|') {
        Some((s, v)) if !s.is_empty() && !v.is_empty() && !v.contains('|') => {
            Ok((s.to_string(), v.to_string()))
        }
        _ => Err(ProviderError::new(format!(
            "unexpected format for ID ({id}), expected SECRET_ID|VERSION_ID"
        ))),
    }
}

async fn read_one(aws: &Aws, prior: &Value) -> Result<Option<Value>, ProviderError> {
    let Some(id) = get_str(prior, "id") else {
        return Ok(None);
    };
    let (secret, version) = split_id(&id)?;
    let out = match aws
        .secretsmanager()
        .get_secret_value()
        .secret_id(&secret)
        .version_id(&version)
        .send()
        .await
        .map_err(aws_err)
    {
        Ok(o) => o,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let arn = out.arn().unwrap_or(&secret).to_string();
    let mut m = BTreeMap::new();
    m.insert("id".into(), Value::string(&id));
    m.insert("arn".into(), Value::string(&arn));
    m.insert("version_id".into(), Value::string(&version));
    m.insert("secret_id".into(), Value::string(&secret));
    m.insert(
        "secret_string".into(),
        match out.secret_string() {
            Some(s) => Value::string(s),
            None => Value::null_of(Type::String),
        },
    );
    m.insert(
        "secret_binary".into(),
        match out.secret_binary() {
            Some(b) => Value::string(base64::engine::general_purpose::STANDARD.encode(b.as_ref())),
            None => Value::null_of(Type::String),
        },
    );
    m.insert(
        "version_stages".into(),
        str_set(out.version_stages().iter().cloned()),
    );
    Ok(Some(Value::object(m)))
}

/// The version currently holding each stage of a secret.
async fn stage_holders(aws: &Aws, secret: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let d = aws
        .secretsmanager()
        .describe_secret()
        .secret_id(secret)
        .send()
        .await
        .map_err(aws_err)?;
    let mut out = BTreeMap::new();
    for (v, stages) in d.version_ids_to_stages().into_iter().flatten() {
        for s in stages {
            out.insert(s.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Move `stages` to `version` (from whichever version holds them).
async fn attach(
    aws: &Aws,
    secret: &str,
    version: &str,
    stages: &[String],
) -> Result<(), ProviderError> {
    if stages.is_empty() {
        return Ok(());
    }
    let holders = stage_holders(aws, secret).await?;
    for s in stages {
        let from = holders.get(s).filter(|h| h.as_str() != version).cloned();
        if holders.get(s).map(String::as_str) == Some(version) {
            continue;
        }
        aws.secretsmanager()
            .update_secret_version_stage()
            .secret_id(secret)
            .version_stage(s)
            .move_to_version_id(version)
            .set_remove_from_version_id(from)
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

/// Take `stages` off `version` (AWSCURRENT cannot be removed, only moved).
async fn detach(
    aws: &Aws,
    secret: &str,
    version: &str,
    stages: &[String],
) -> Result<(), ProviderError> {
    for s in stages.iter().filter(|s| *s != "AWSCURRENT") {
        match aws
            .secretsmanager()
            .update_secret_version_stage()
            .secret_id(secret)
            .version_stage(s)
            .remove_from_version_id(version)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if gone(&e) => {}
            r => r.map(|_| ())?,
        }
    }
    Ok(())
}

#[async_trait]
impl Resource for SecretVersion {
    fn type_name(&self) -> &'static str {
        "aws_secretsmanager_secret_version"
    }
    fn display_name(&self) -> &'static str {
        "Secrets Manager Secret Version"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let secret = get_str(planned, "secret_id").unwrap_or_default();
        let binary = match get_str(planned, "secret_binary") {
            Some(b) => Some(Blob::new(
                base64::engine::general_purpose::STANDARD
                    .decode(b.as_bytes())
                    .map_err(|e| {
                        ProviderError::new(format!("decoding secret_binary (base64): {e}"))
                    })?,
            )),
            None => None,
        };
        let stages = get(planned, "version_stages");
        let stages = stages
            .is_wholly_known()
            .then(|| get_strs(planned, "version_stages"));
        let out = aws
            .secretsmanager()
            .put_secret_value()
            .secret_id(&secret)
            .set_secret_string(get_str(planned, "secret_string"))
            .set_secret_binary(binary)
            .set_version_stages(stages.filter(|s| !s.is_empty()))
            .send()
            .await
            .map_err(aws_err)?;
        let arn = out.arn().unwrap_or(&secret).to_string();
        let version = out.version_id().unwrap_or_default().to_string();
        let mut probe = planned.as_entries().cloned().unwrap_or_default();
        probe.insert("id".into(), Value::string(format!("{secret}|{version}")));
        read_one(&aws, &Value::object(probe)).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Secrets Manager Secret Version ({arn}|{version}) not found after creation"
            ))
        })
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        read_one(&aws, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let (secret, version) = split_id(&id)?;
        let old = get_strs(prior, "version_stages");
        let new = get_strs(planned, "version_stages");
        let added: Vec<String> = new.iter().filter(|s| !old.contains(s)).cloned().collect();
        let removed: Vec<String> = old.iter().filter(|s| !new.contains(s)).cloned().collect();
        attach(&aws, &secret, &version, &added).await?;
        detach(&aws, &secret, &version, &removed).await?;
        read_one(&aws, planned).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Secrets Manager Secret Version ({id}) not found after update"
            ))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let (secret, version) = split_id(&id)?;
        detach(&aws, &secret, &version, &get_strs(prior, "version_stages")).await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let (secret, _) = split_id(id)?;
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        m.insert("secret_id".to_string(), Value::string(secret));
        read_one(&aws, &Value::object(m)).await?.ok_or_else(|| {
            ProviderError::new(format!("Secrets Manager Secret Version ({id}) not found"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(
            split_id("arn:aws:secretsmanager:us-east-1:1:secret:x|v1").ok(),
            Some((
                "arn:aws:secretsmanager:us-east-1:1:secret:x".into(),
                "v1".into()
            ))
        );
        assert!(split_id("nope").is_err());
        assert!(split_id("a|").is_err());
    }
}
