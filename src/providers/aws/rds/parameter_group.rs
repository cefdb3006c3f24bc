//! `aws_db_parameter_group`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_rds::types::{ApplyMethod, Parameter};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::rds::{
    create_name, list_tags, not_found, prefix_of, rds_tags, update_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_str, opt_str, partial_err, plan_tags_all, planned_tags_all, read_tags,
    retry_on, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct DbParameterGroup {
    schema: Schema,
}

fn param_schema() -> Schema {
    Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr("value", Attribute::required(Type::String))
        .attr(
            "apply_method",
            Attribute::optional(Type::String).default(Value::string("immediate")),
        )
}

impl DbParameterGroup {
    pub fn new() -> DbParameterGroup {
        let c = || Attribute::computed(Type::String);
        DbParameterGroup {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr(
                        "name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "name_prefix",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("family", Attribute::required(Type::String).force_new())
                    .attr(
                        "description",
                        Attribute::optional(Type::String)
                            .default(Value::string("Managed by Terraform"))
                            .force_new(),
                    )
                    .attr(
                        "skip_destroy",
                        Attribute::optional(Type::Bool).default(Value::bool(false)),
                    ),
            )
            .block("parameter", BlockNesting::Set, param_schema()),
        }
    }
}

impl Default for DbParameterGroup {
    fn default() -> Self {
        DbParameterGroup::new()
    }
}

/// (name, value, apply_method) of each `parameter` block.
fn params_of(v: &Value) -> Vec<(String, String, String)> {
    get(v, "parameter")
        .as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            Some((
                get_str(p, "name")?,
                get_str(p, "value")?,
                get_str(p, "apply_method").unwrap_or_else(|| "immediate".into()),
            ))
        })
        .collect()
}

fn param_value(name: &str, value: &str, method: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("name".to_string(), Value::string(name));
    m.insert("value".to_string(), Value::string(value));
    m.insert("apply_method".to_string(), Value::string(method));
    Value::object(m)
}

fn to_param(name: &str, value: Option<&str>, method: &str) -> Parameter {
    Parameter::builder()
        .parameter_name(name)
        .set_parameter_value(value.map(String::from))
        .apply_method(ApplyMethod::from(method))
        .build()
}

/// ModifyDBParameterGroup with `params`, 20 at a time (the API's limit).
async fn modify(
    aws: &Aws,
    name: &str,
    params: &[(String, String, String)],
) -> Result<(), ProviderError> {
    for chunk in params.chunks(20) {
        aws.rds()
            .modify_db_parameter_group()
            .db_parameter_group_name(name)
            .set_parameters(Some(
                chunk
                    .iter()
                    .map(|(n, v, m)| to_param(n, Some(v), m))
                    .collect(),
            ))
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

/// The parameters the user set (source "user"), all pages.
async fn user_params(aws: &Aws, name: &str) -> Result<Vec<Parameter>, ProviderError> {
    let mut out = vec![];
    let mut marker: Option<String> = None;
    loop {
        let page = aws
            .rds()
            .describe_db_parameters()
            .db_parameter_group_name(name)
            .source("user")
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(aws_err)?;
        out.extend(
            page.parameters()
                .iter()
                // moto ignores the Source filter and reports no source.
                .filter(|p| p.source().is_none_or(|s| s == "user"))
                .cloned(),
        );
        match page.marker() {
            Some(m) if !m.is_empty() && Some(m) != marker.as_deref() => marker = Some(m.into()),
            _ => break,
        }
    }
    Ok(out)
}

async fn read_one(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
) -> Result<Option<Value>, ProviderError> {
    let Some(name) = get_str(prior, "id").or_else(|| get_str(prior, "name")) else {
        return Ok(None);
    };
    let out = match aws
        .rds()
        .describe_db_parameter_groups()
        .db_parameter_group_name(&name)
        .send()
        .await
        .map_err(aws_err)
    {
        Ok(o) => o,
        Err(e) if not_found(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(g) = out
        .db_parameter_groups()
        .iter()
        .find(|g| g.db_parameter_group_name() == Some(name.as_str()))
    else {
        return Ok(None);
    };
    let arn = g.db_parameter_group_arn().unwrap_or_default();
    let prior_methods: BTreeMap<String, String> = params_of(prior)
        .into_iter()
        .map(|(n, _, m)| (n.to_lowercase(), m))
        .collect();
    let params: Vec<Value> = user_params(aws, &name)
        .await?
        .iter()
        .filter_map(|p| {
            let n = p.parameter_name()?;
            let method = prior_methods
                .get(&n.to_lowercase())
                .cloned()
                .or_else(|| p.apply_method().map(|m| m.as_str().to_lowercase()))
                .unwrap_or_else(|| "immediate".into());
            Some(param_value(
                n,
                p.parameter_value().unwrap_or_default(),
                &method,
            ))
        })
        .collect();
    let (tags, tags_all) = read_tags(ctx, aws, prior, list_tags(aws, arn).await?);
    let gname = g.db_parameter_group_name().unwrap_or_default();
    let mut m = BTreeMap::new();
    m.insert("id".into(), Value::string(gname));
    m.insert("name".into(), Value::string(gname));
    m.insert("name_prefix".into(), prefix_of(prior, "name_prefix", gname));
    m.insert("arn".into(), Value::string(arn));
    m.insert("family".into(), opt_str(g.db_parameter_group_family()));
    m.insert("description".into(), opt_str(g.description()));
    m.insert(
        "skip_destroy".into(),
        Value::bool(get(prior, "skip_destroy").as_bool().unwrap_or(false)),
    );
    m.insert(
        "parameter".into(),
        Value::set(param_schema().value_type(), params),
    );
    m.insert("tags".into(), tags);
    m.insert("tags_all".into(), tags_all);
    Ok(Some(Value::object(m)))
}

#[async_trait]
impl Resource for DbParameterGroup {
    fn type_name(&self) -> &'static str {
        "aws_db_parameter_group"
    }
    fn display_name(&self) -> &'static str {
        "RDS DB Parameter Group"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        _prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        let mut p = plan_tags_all(ctx, planned);
        if let Some(n) = get_str(config, "name") {
            p = with(&p, "name", Value::string(n.to_lowercase()));
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = create_name(planned, "name", "name_prefix").to_lowercase();
        aws.rds()
            .create_db_parameter_group()
            .db_parameter_group_name(&name)
            .set_db_parameter_group_family(get_str(planned, "family"))
            .description(
                get_str(planned, "description").unwrap_or_else(|| "Managed by Terraform".into()),
            )
            .set_tags(rds_tags(&planned_tags_all(planned)))
            .send()
            .await
            .map_err(aws_err)?;
        let finish = async {
            modify(&aws, &name, &params_of(planned)).await?;
            read_one(ctx, &aws, &with(planned, "id", Value::string(&name)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!(
                        "RDS DB Parameter Group ({name}) not found after creation"
                    ))
                })
        };
        finish.await.map_err(|e| partial_err(e, planned, &name))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        read_one(ctx, &aws, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = get_str(prior, "id").unwrap_or_default();
        let old = params_of(prior);
        let new = params_of(planned);
        let removed: Vec<&(String, String, String)> = old
            .iter()
            .filter(|o| !new.iter().any(|n| n.0.eq_ignore_ascii_case(&o.0)))
            .collect();
        let changed: Vec<(String, String, String)> =
            new.iter().filter(|n| !old.contains(n)).cloned().collect();
        for chunk in removed.chunks(20) {
            aws.rds()
                .reset_db_parameter_group()
                .db_parameter_group_name(&name)
                .set_parameters(Some(
                    chunk.iter().map(|(n, _, m)| to_param(n, None, m)).collect(),
                ))
                .send()
                .await
                .map_err(aws_err)?;
        }
        modify(&aws, &name, &changed).await?;
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_tags(&aws, &arn, prior, planned).await?;
        read_one(ctx, &aws, &with(planned, "id", Value::string(&name)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "RDS DB Parameter Group ({name}) not found after update"
                ))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        if get(prior, "skip_destroy").as_bool() == Some(true) {
            return Ok(());
        }
        let aws = aws(ctx).await?;
        let name = get_str(prior, "id").unwrap_or_default();
        let r = retry_on(
            &["InvalidDBParameterGroupState"],
            Duration::from_secs(180),
            || async {
                aws.rds()
                    .delete_db_parameter_group()
                    .db_parameter_group_name(&name)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_err)
            },
        )
        .await;
        match r {
            Err(e) if not_found(&e) => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &aws, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("RDS DB Parameter Group ({id}) not found")))
    }
}
