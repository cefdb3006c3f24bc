//! `aws_db_subnet_group`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::rds::{
    create_name, list_tags, not_found, prefix_of, rds_tags, update_tags,
};
use crate::providers::aws::{
    aws, aws_err, get_str, get_strs, opt_str, partial_err, plan_tags_all, planned_tags_all,
    read_tags, str_set, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct DbSubnetGroup {
    schema: Schema,
}

impl DbSubnetGroup {
    pub fn new() -> DbSubnetGroup {
        let c = || Attribute::computed(Type::String);
        DbSubnetGroup {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("vpc_id", c())
                    .attr(
                        "supported_network_types",
                        Attribute::computed(Type::set(Type::String)),
                    )
                    .attr(
                        "name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "name_prefix",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "description",
                        Attribute::optional(Type::String)
                            .default(Value::string("Managed by Terraform")),
                    )
                    .attr("subnet_ids", Attribute::required(Type::set(Type::String))),
            ),
        }
    }
}

impl Default for DbSubnetGroup {
    fn default() -> Self {
        DbSubnetGroup::new()
    }
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
        .describe_db_subnet_groups()
        .db_subnet_group_name(&name)
        .send()
        .await
        .map_err(aws_err)
    {
        Ok(o) => o,
        Err(e) if not_found(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(g) = out
        .db_subnet_groups()
        .iter()
        .find(|g| g.db_subnet_group_name() == Some(name.as_str()))
    else {
        return Ok(None);
    };
    let arn = g.db_subnet_group_arn().unwrap_or_default();
    let (tags, tags_all) = read_tags(ctx, aws, prior, list_tags(aws, arn).await?);
    let gname = g.db_subnet_group_name().unwrap_or_default();
    let mut m = BTreeMap::new();
    m.insert("id".into(), Value::string(gname));
    m.insert("name".into(), Value::string(gname));
    m.insert("name_prefix".into(), prefix_of(prior, "name_prefix", gname));
    m.insert("arn".into(), Value::string(arn));
    m.insert("vpc_id".into(), opt_str(g.vpc_id()));
    m.insert(
        "description".into(),
        opt_str(g.db_subnet_group_description()),
    );
    m.insert(
        "subnet_ids".into(),
        str_set(
            g.subnets()
                .iter()
                .filter_map(|s| s.subnet_identifier().map(String::from)),
        ),
    );
    m.insert(
        "supported_network_types".into(),
        str_set(g.supported_network_types().iter().cloned()),
    );
    m.insert("tags".into(), tags);
    m.insert("tags_all".into(), tags_all);
    Ok(Some(Value::object(m)))
}

#[async_trait]
impl Resource for DbSubnetGroup {
    fn type_name(&self) -> &'static str {
        "aws_db_subnet_group"
    }
    fn display_name(&self) -> &'static str {
        "RDS DB Subnet Group"
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
        // The provider's StateFunc keeps the name lower-cased.
        if let Some(n) = get_str(config, "name") {
            p = with(&p, "name", Value::string(n.to_lowercase()));
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = create_name(planned, "name", "name_prefix").to_lowercase();
        aws.rds()
            .create_db_subnet_group()
            .db_subnet_group_name(&name)
            .db_subnet_group_description(
                get_str(planned, "description").unwrap_or_else(|| "Managed by Terraform".into()),
            )
            .set_subnet_ids(Some(get_strs(planned, "subnet_ids")))
            .set_tags(rds_tags(&planned_tags_all(planned)))
            .send()
            .await
            .map_err(aws_err)?;
        let probe = with(planned, "id", Value::string(&name));
        read_one(ctx, &aws, &probe)
            .await
            .and_then(|r| {
                r.ok_or_else(|| {
                    ProviderError::new(format!(
                        "RDS DB Subnet Group ({name}) not found after creation"
                    ))
                })
            })
            .map_err(|e| partial_err(e, planned, &name))
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
        let desc_changed = get_str(prior, "description") != get_str(planned, "description");
        let mut old = get_strs(prior, "subnet_ids");
        let mut new = get_strs(planned, "subnet_ids");
        old.sort();
        new.sort();
        if desc_changed || old != new {
            aws.rds()
                .modify_db_subnet_group()
                .db_subnet_group_name(&name)
                .set_db_subnet_group_description(get_str(planned, "description"))
                .set_subnet_ids(Some(new))
                .send()
                .await
                .map_err(aws_err)?;
        }
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_tags(&aws, &arn, prior, planned).await?;
        read_one(ctx, &aws, &with(planned, "id", Value::string(&name)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "RDS DB Subnet Group ({name}) not found after update"
                ))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let name = get_str(prior, "id").unwrap_or_default();
        match aws
            .rds()
            .delete_db_subnet_group()
            .db_subnet_group_name(&name)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if not_found(&e) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &aws, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("RDS DB Subnet Group ({id}) not found")))
    }
}
