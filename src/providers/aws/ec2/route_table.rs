//! `aws_route_table`, with its inline `route` set. As in the provider,
//! `route` is an optional and computed "attribute as blocks": with neither
//! `route` blocks nor a `route = [...]` argument in the configuration, the
//! routes (e.g. made by `aws_route`) are left alone; with either, the table
//! gets exactly those (`route = []`: none). AWS's own routes (local,
//! propagated, gateway endpoint) are never shown.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::ResourceType;

use super::route::{
    configured_target, delete_route, is_aws_owned, put_route, route_destination, route_tables,
    route_targets, DESTINATIONS, TARGETS,
};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_str, get_strs, is_not_found, opt_str,
    partial_err, plan_tags_all, planned_tags_all, read_tags, retry_on, str_set, tag_attrs,
    update_ec2_tags, wait_until, with, Aws,
};
use crate::providers::{
    timeout, Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema,
};

pub struct RouteTable {
    schema: Schema,
}

fn route_schema() -> Schema {
    let mut s = Schema::new();
    for (_, d) in DESTINATIONS {
        s = s.attr(d, Attribute::optional(Type::String));
    }
    for t in TARGETS {
        s = s.attr(t, Attribute::optional(Type::String));
    }
    s
}

impl RouteTable {
    pub fn new() -> RouteTable {
        let c = || Attribute::computed(Type::String);
        let schema = tag_attrs(
            Schema::new()
                .attr("id", c())
                .attr("arn", c())
                .attr("owner_id", c())
                .attr("vpc_id", Attribute::required(Type::String).force_new())
                .attr(
                    "propagating_vgws",
                    Attribute::optional_computed(Type::set(Type::String)),
                ),
        )
        .block("route", BlockNesting::Set, route_schema())
        .attributes_as_blocks(&["route"])
        .timeouts(&["create", "update", "delete"]);
        RouteTable { schema }
    }
}

impl Default for RouteTable {
    fn default() -> Self {
        RouteTable::new()
    }
}

/// An inline route (object of the `route` set) from the key/value pairs
/// given; the other attributes are null.
fn route_value(dest: (&str, &str), targets: &BTreeMap<&'static str, String>) -> Value {
    let mut m = BTreeMap::new();
    for (_, d) in DESTINATIONS {
        m.insert(d.to_string(), opt_str((*d == dest.0).then_some(dest.1)));
    }
    for t in TARGETS {
        m.insert(t.to_string(), opt_str(targets.get(t).map(|s| s.as_str())));
    }
    Value::object(m)
}

fn route_type() -> Type {
    route_schema().value_type()
}

/// The destination (inline attribute name, value) of an inline route.
fn inline_destination(r: &Value) -> Option<(&'static str, String)> {
    DESTINATIONS
        .iter()
        .find_map(|(_, d)| get_str(r, d).filter(|s| !s.is_empty()).map(|s| (*d, s)))
}

/// The `aws_route` destination attribute for an inline one.
fn api_destination(inline: &str) -> &'static str {
    DESTINATIONS
        .iter()
        .find(|(_, d)| *d == inline)
        .map(|(a, _)| *a)
        .unwrap_or("destination_cidr_block")
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    t: &aws_sdk_ec2::types::RouteTable,
) -> Value {
    let id = t.route_table_id().unwrap_or_default();
    let owner = t.owner_id().unwrap_or_default();
    let routes: Vec<Value> = t
        .routes()
        .iter()
        .filter(|r| !is_aws_owned(r))
        .filter_map(|r| {
            let (api, v) = route_destination(r)?;
            let inline = DESTINATIONS
                .iter()
                .find(|(a, _)| *a == api)
                .map(|(_, d)| *d)?;
            Some(route_value((inline, &v), &route_targets(r)))
        })
        .collect();
    let vgws: Vec<String> = t
        .propagating_vgws()
        .iter()
        .filter_map(|v| v.gateway_id().map(|s| s.to_string()))
        .collect();
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(t.tags())));
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), Value::string(id));
    m.insert(
        "arn".to_string(),
        Value::string(aws.arn("ec2", owner, &format!("route-table/{id}"))),
    );
    m.insert("owner_id".to_string(), opt_str(t.owner_id()));
    m.insert("vpc_id".to_string(), opt_str(t.vpc_id()));
    m.insert("propagating_vgws".to_string(), str_set(vgws));
    m.insert("route".to_string(), Value::set(route_type(), routes));
    m.insert("tags".to_string(), tags);
    m.insert("tags_all".to_string(), tags_all);
    Value::object(m)
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let ids: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
    let found = route_tables(&aws, &ids).await?;
    Ok(priors
        .iter()
        .map(|p| {
            get_str(p, "id")
                .and_then(|id| found.get(&id))
                .map(|t| to_state(ctx, &aws, p, t))
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

/// Inline routes keyed by destination.
fn routes_by_dest(v: &Value) -> HashMap<(&'static str, String), Value> {
    get(v, "route")
        .as_seq()
        .map(|s| {
            s.iter()
                .filter_map(|r| inline_destination(r).map(|d| (d, r.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// Bring the table's routes from `prior` to `planned` (when known).
async fn sync_routes(
    aws: &Aws,
    id: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<(), ProviderError> {
    let want = get(planned, "route");
    if !want.is_wholly_known() || want.is_null() {
        return Ok(());
    }
    let old = prior.map(routes_by_dest).unwrap_or_default();
    let new = routes_by_dest(planned);
    for dest in old.keys() {
        if !new.contains_key(dest) {
            delete_route(aws, id, (api_destination(dest.0), &dest.1)).await?;
        }
    }
    for (dest, r) in &new {
        let Some((t, tv)) = configured_target(r) else {
            return Err(ProviderError::new(format!(
                "creating Route in Route Table ({id}) with destination ({}): no target given",
                dest.1
            )));
        };
        let api = api_destination(dest.0);
        match old.get(dest) {
            Some(o) if same_route(o, r) => {}
            Some(_) => put_route(aws, id, (api, &dest.1), (t, &tv), true).await?,
            None => put_route(aws, id, (api, &dest.1), (t, &tv), false).await?,
        }
    }
    Ok(())
}

fn same_route(a: &Value, b: &Value) -> bool {
    TARGETS.iter().all(|t| get_str(a, t) == get_str(b, t))
}

async fn sync_vgws(
    aws: &Aws,
    id: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<(), ProviderError> {
    let want = get(planned, "propagating_vgws");
    if !want.is_wholly_known() || want.is_null() {
        return Ok(());
    }
    let old = prior
        .map(|p| get_strs(p, "propagating_vgws"))
        .unwrap_or_default();
    let new = get_strs(planned, "propagating_vgws");
    for g in old.iter().filter(|g| !new.contains(g)) {
        aws.ec2()
            .disable_vgw_route_propagation()
            .route_table_id(id)
            .gateway_id(g)
            .send()
            .await
            .map_err(aws_err)?;
    }
    for g in new.iter().filter(|g| !old.contains(g)) {
        aws.ec2()
            .enable_vgw_route_propagation()
            .route_table_id(id)
            .gateway_id(g)
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

#[async_trait]
impl Resource for RouteTable {
    fn type_name(&self) -> &'static str {
        "aws_route_table"
    }
    fn display_name(&self) -> &'static str {
        "Route Table"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        _prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        // `route` is an optional and computed "attribute as blocks": with
        // neither blocks nor `route = [...]` the generic diff keeps whatever
        // is there; `route = []` removes every route.
        plan_tags_all(ctx, planned)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let out = aws
            .ec2()
            .create_route_table()
            .set_vpc_id(get_str(planned, "vpc_id"))
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::RouteTable, &planned_tags_all(planned)).map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| ProviderError::new("CreateRouteTable returned no route table id"))?
            .to_string();
        let to = timeout(planned, "create", Duration::from_secs(300));
        let finish = async {
            wait_until(&format!("Route Table ({id}) create"), to, || async {
                Ok(!route_tables(&aws, std::slice::from_ref(&id))
                    .await?
                    .is_empty())
            })
            .await?;
            sync_vgws(&aws, &id, None, planned).await?;
            sync_routes(&aws, &id, None, planned).await?;
            read_one(ctx, &with(planned, "id", Value::string(&id)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!("Route Table ({id}) not found after creation"))
                })
        };
        finish.await.map_err(|e| partial_err(e, planned, &id))
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
        sync_vgws(&aws, &id, Some(prior), planned).await?;
        sync_routes(&aws, &id, Some(prior), planned).await?;
        update_ec2_tags(&aws, &id, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| ProviderError::new(format!("Route Table ({id}) not found after update")))
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        // Associations first, as the provider does.
        let tables = route_tables(&aws, std::slice::from_ref(&id)).await?;
        let Some(t) = tables.get(&id) else {
            return Ok(());
        };
        for a in t.associations() {
            if a.main() == Some(true) {
                continue;
            }
            if let Some(aid) = a.route_table_association_id() {
                match aws
                    .ec2()
                    .disassociate_route_table()
                    .association_id(aid)
                    .send()
                    .await
                    .map_err(aws_err)
                {
                    Err(e) if !is_not_found(&e) => return Err(e),
                    _ => {}
                }
            }
        }
        let to = timeout(prior, "delete", Duration::from_secs(300));
        let r = retry_on(&["DependencyViolation"], to, || async {
            aws.ec2()
                .delete_route_table()
                .route_table_id(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        })
        .await;
        match r {
            Err(e) if is_not_found(&e) => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("Route Table ({id}) not found")))
    }
}
