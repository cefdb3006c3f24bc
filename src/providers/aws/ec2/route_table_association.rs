//! `aws_route_table_association`: a subnet's or gateway's association with a
//! route table. Changing the route table replaces the association in place
//! (ReplaceRouteTableAssociation), which gives it a new id.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{RouteTable, RouteTableAssociation};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get_str, is_not_found, opt_str, retry_on, Aws};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct Association {
    schema: Schema,
}

impl Association {
    pub fn new() -> Association {
        Association {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("subnet_id", Attribute::optional(Type::String).force_new())
                .attr("gateway_id", Attribute::optional(Type::String).force_new())
                .attr("route_table_id", Attribute::required(Type::String))
                .timeouts(&["create", "update", "delete"]),
        }
    }
}

impl Default for Association {
    fn default() -> Self {
        Association::new()
    }
}

fn to_state(a: &RouteTableAssociation) -> Value {
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), opt_str(a.route_table_association_id()));
    m.insert("subnet_id".to_string(), opt_str(a.subnet_id()));
    m.insert("gateway_id".to_string(), opt_str(a.gateway_id()));
    m.insert("route_table_id".to_string(), opt_str(a.route_table_id()));
    Value::object(m)
}

fn is_live(a: &RouteTableAssociation) -> bool {
    use aws_sdk_ec2::types::RouteTableAssociationStateCode as S;
    !matches!(
        a.association_state().and_then(|s| s.state()),
        Some(S::Disassociated) | Some(S::Disassociating) | Some(S::Failed)
    )
}

async fn describe(aws: &Aws, ids: &[String]) -> Result<Vec<RouteTable>, ProviderError> {
    describe_by_ids!(
        aws,
        ids,
        describe_route_tables,
        "association.route-table-association-id"
    )
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let ids: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
    if ids.is_empty() {
        return Ok(vec![None; priors.len()]);
    }
    let tables = describe(&aws, &ids).await?;
    let found: BTreeMap<String, Value> = tables
        .iter()
        .flat_map(|t| t.associations())
        .filter(|a| is_live(a))
        .filter_map(|a| {
            a.route_table_association_id()
                .map(|id| (id.to_string(), to_state(a)))
        })
        .collect();
    Ok(priors
        .iter()
        .map(|p| get_str(p, "id").and_then(|id| found.get(&id).cloned()))
        .collect())
}

async fn read_one(ctx: &ProviderCtx, prior: &Value) -> Result<Option<Value>, ProviderError> {
    Ok(read_many(ctx, std::slice::from_ref(prior))
        .await?
        .into_iter()
        .next()
        .flatten())
}

/// Read an association just made, waiting for it to show (eventual
/// consistency).
async fn read_new(ctx: &ProviderCtx, id: &str, to: Duration) -> Result<Value, ProviderError> {
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), Value::string(id));
    let probe = Value::object(m);
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = read_one(ctx, &probe).await? {
            return Ok(v);
        }
        if start.elapsed() > to.min(Duration::from_secs(120)) {
            return Err(ProviderError::new(format!(
                "Route Table Association ({id}) not found"
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[async_trait]
impl Resource for Association {
    fn type_name(&self) -> &'static str {
        "aws_route_table_association"
    }
    fn display_name(&self) -> &'static str {
        "Route Table Association"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        _ctx: &ProviderCtx,
        prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        // Replacing the association's route table gives it a new id.
        match prior {
            Some(p) if get_str(p, "route_table_id") != get_str(&planned, "route_table_id") => {
                crate::providers::aws::with(&planned, "id", Value::unknown(Type::String))
            }
            _ => planned,
        }
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let subnet = get_str(planned, "subnet_id");
        let gateway = get_str(planned, "gateway_id");
        if subnet.is_some() == gateway.is_some() {
            return Err(ProviderError::new(
                "one of `gateway_id,subnet_id` must be specified",
            ));
        }
        let to = timeout(planned, "create", Duration::from_secs(300));
        let out = retry_on(&["InvalidRouteTableID.NotFound"], to, || async {
            aws.ec2()
                .associate_route_table()
                .route_table_id(&rtb)
                .set_subnet_id(subnet.clone())
                .set_gateway_id(gateway.clone())
                .send()
                .await
                .map_err(aws_err)
        })
        .await?;
        let id = out
            .association_id()
            .ok_or_else(|| ProviderError::new("AssociateRouteTable returned no association id"))?
            .to_string();
        read_new(ctx, &id, to)
            .await
            .map_err(|e| crate::providers::aws::partial_err(e, planned, &id))
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
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let out = aws
            .ec2()
            .replace_route_table_association()
            .association_id(&id)
            .route_table_id(&rtb)
            .send()
            .await
            .map_err(aws_err)?;
        let new_id = out
            .new_association_id()
            .map(|s| s.to_string())
            .unwrap_or(id);
        read_new(
            ctx,
            &new_id,
            timeout(planned, "update", Duration::from_secs(120)),
        )
        .await
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        match aws
            .ec2()
            .disassociate_route_table()
            .association_id(&id)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if is_not_found(&e) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let bad = || {
            ProviderError::new(format!(
                "unexpected format for ID ({id}), expected SUBNETID/ROUTETABLEID or GATEWAYID/ROUTETABLEID"
            ))
        };
        let (target, rtb) = id.split_once('/').ok_or_else(bad)?;
        if target.is_empty() || rtb.is_empty() {
            return Err(bad());
        }
        let aws = aws(ctx).await?;
        let tables = super::route::route_tables(&aws, &[rtb.to_string()]).await?;
        let t = tables
            .get(rtb)
            .ok_or_else(|| ProviderError::new(format!("Route Table ({rtb}) not found")))?;
        t.associations()
            .iter()
            .filter(|a| is_live(a))
            .find(|a| a.subnet_id() == Some(target) || a.gateway_id() == Some(target))
            .map(to_state)
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "Route Table ({rtb}) Association for {target} not found"
                ))
            })
    }
}
