//! `aws_route`: one route of a route table. Also the route helpers shared
//! with `aws_route_table`'s inline `route` set (destinations, targets, which
//! routes AWS owns).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{Route, RouteOrigin};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get_str, is_not_found, opt_str, retry_on, with, Aws};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

/// Destination attributes of `aws_route` (and their inline-route names).
pub const DESTINATIONS: &[(&str, &str)] = &[
    ("destination_cidr_block", "cidr_block"),
    ("destination_ipv6_cidr_block", "ipv6_cidr_block"),
    ("destination_prefix_list_id", "destination_prefix_list_id"),
];

/// Target attributes, named alike in `aws_route` and inline routes.
pub const TARGETS: &[&str] = &[
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// The destination of an AWS route: (attribute of `aws_route`, value).
pub fn route_destination(r: &Route) -> Option<(&'static str, String)> {
    if let Some(c) = nonempty(r.destination_cidr_block()) {
        return Some(("destination_cidr_block", c.to_string()));
    }
    if let Some(c) = nonempty(r.destination_ipv6_cidr_block()) {
        return Some(("destination_ipv6_cidr_block", c.to_string()));
    }
    nonempty(r.destination_prefix_list_id()).map(|c| ("destination_prefix_list_id", c.to_string()))
}

/// The target attributes of an AWS route (only those it has).
pub fn route_targets(r: &Route) -> BTreeMap<&'static str, String> {
    let mut m = BTreeMap::new();
    let gw = nonempty(r.gateway_id());
    let mut put = |k: &'static str, v: Option<&str>| {
        if let Some(v) = nonempty(v) {
            m.insert(k, v.to_string());
        }
    };
    match gw {
        // A gateway endpoint's route names the endpoint as its gateway.
        Some(g) if g.starts_with("vpce-") => put("vpc_endpoint_id", Some(g)),
        g => put("gateway_id", g),
    }
    put("carrier_gateway_id", r.carrier_gateway_id());
    put("core_network_arn", r.core_network_arn());
    put(
        "egress_only_gateway_id",
        r.egress_only_internet_gateway_id(),
    );
    put("local_gateway_id", r.local_gateway_id());
    put("nat_gateway_id", r.nat_gateway_id());
    put("network_interface_id", r.network_interface_id());
    put("transit_gateway_id", r.transit_gateway_id());
    put("vpc_peering_connection_id", r.vpc_peering_connection_id());
    m
}

/// Routes that belong to AWS rather than to configuration: the VPC's local
/// route, routes propagated from a virtual private gateway, and the prefix
/// list routes that gateway endpoints add.
pub fn is_aws_owned(r: &Route) -> bool {
    nonempty(r.gateway_id()) == Some("local")
        || r.origin() == Some(&RouteOrigin::EnableVgwRoutePropagation)
        || (nonempty(r.destination_prefix_list_id()).is_some()
            && nonempty(r.gateway_id()).is_some_and(|g| g.starts_with("vpce-")))
}

/// The route target (attribute, value) configured in `v`.
pub fn configured_target(v: &Value) -> Option<(&'static str, String)> {
    TARGETS
        .iter()
        .find_map(|t| get_str(v, t).filter(|s| !s.is_empty()).map(|s| (*t, s)))
}

/// Send CreateRoute (or ReplaceRoute when `replace`) for one route.
pub async fn put_route(
    aws: &Aws,
    rtb: &str,
    dest: (&str, &str),
    target: (&str, &str),
    replace: bool,
) -> Result<(), ProviderError> {
    macro_rules! send {
        ($b:expr) => {{
            let mut b = $b.route_table_id(rtb);
            b = match dest.0 {
                "destination_ipv6_cidr_block" => b.destination_ipv6_cidr_block(dest.1),
                "destination_prefix_list_id" => b.destination_prefix_list_id(dest.1),
                _ => b.destination_cidr_block(dest.1),
            };
            b = match target.0 {
                "carrier_gateway_id" => b.carrier_gateway_id(target.1),
                "core_network_arn" => b.core_network_arn(target.1),
                "egress_only_gateway_id" => b.egress_only_internet_gateway_id(target.1),
                "local_gateway_id" => b.local_gateway_id(target.1),
                "nat_gateway_id" => b.nat_gateway_id(target.1),
                "network_interface_id" => b.network_interface_id(target.1),
                "transit_gateway_id" => b.transit_gateway_id(target.1),
                "vpc_endpoint_id" => b.vpc_endpoint_id(target.1),
                "vpc_peering_connection_id" => b.vpc_peering_connection_id(target.1),
                _ => b.gateway_id(target.1),
            };
            b.send().await.map(|_| ()).map_err(aws_err)
        }};
    }
    let ec2 = aws.ec2();
    retry_on(
        &[
            "InvalidParameterException",
            "InvalidTransitGatewayID.NotFound",
        ],
        Duration::from_secs(120),
        || async {
            if replace {
                send!(ec2.replace_route())
            } else {
                send!(ec2.create_route())
            }
        },
    )
    .await
}

/// DeleteRoute for one destination (gone already is fine).
pub async fn delete_route(aws: &Aws, rtb: &str, dest: (&str, &str)) -> Result<(), ProviderError> {
    let mut b = aws.ec2().delete_route().route_table_id(rtb);
    b = match dest.0 {
        "destination_ipv6_cidr_block" => b.destination_ipv6_cidr_block(dest.1),
        "destination_prefix_list_id" => b.destination_prefix_list_id(dest.1),
        _ => b.destination_cidr_block(dest.1),
    };
    match b.send().await.map_err(aws_err) {
        Err(e) if is_not_found(&e) => Ok(()),
        r => r.map(|_| ()),
    }
}

/// CRC-32 (IEEE), as the provider's `StringHashcode` uses for route ids.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in data {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The provider's route id: "r-" + route table id + hash of the destination.
pub fn route_id(rtb: &str, dest: &str) -> String {
    format!("r-{rtb}{}", crc32(dest.as_bytes()))
}

pub struct RouteResource {
    schema: Schema,
}

impl RouteResource {
    pub fn new() -> RouteResource {
        let c = || Attribute::computed(Type::String);
        let mut s = Schema::new()
            .attr("id", c())
            .attr(
                "route_table_id",
                Attribute::required(Type::String).force_new(),
            )
            .attr("instance_id", c())
            .attr("instance_owner_id", c())
            .attr("origin", c())
            .attr("state", c());
        for (d, _) in DESTINATIONS {
            s = s.attr(d, Attribute::optional(Type::String).force_new());
        }
        for t in TARGETS {
            s = s.attr(
                t,
                if *t == "network_interface_id" {
                    Attribute::optional_computed(Type::String)
                } else {
                    Attribute::optional(Type::String)
                },
            );
        }
        RouteResource {
            schema: s.timeouts(&["create", "update", "delete"]),
        }
    }
}

impl Default for RouteResource {
    fn default() -> Self {
        RouteResource::new()
    }
}

/// The configured destination of an `aws_route` object.
fn destination_of(v: &Value) -> Option<(&'static str, String)> {
    DESTINATIONS
        .iter()
        .find_map(|(d, _)| get_str(v, d).filter(|s| !s.is_empty()).map(|s| (*d, s)))
}

fn to_state(rtb: &str, r: &Route) -> Value {
    let mut m = BTreeMap::new();
    let dest = route_destination(r);
    let targets = route_targets(r);
    m.insert("route_table_id".to_string(), Value::string(rtb));
    for (d, _) in DESTINATIONS {
        let v = dest
            .as_ref()
            .filter(|(k, _)| k == d)
            .map(|(_, v)| v.as_str());
        m.insert(d.to_string(), opt_str(v));
    }
    for t in TARGETS {
        m.insert(t.to_string(), opt_str(targets.get(t).map(|s| s.as_str())));
    }
    m.insert(
        "id".to_string(),
        Value::string(route_id(
            rtb,
            dest.as_ref().map(|(_, v)| v.as_str()).unwrap_or(""),
        )),
    );
    m.insert("instance_id".to_string(), opt_str(r.instance_id()));
    m.insert(
        "instance_owner_id".to_string(),
        opt_str(r.instance_owner_id()),
    );
    m.insert(
        "origin".to_string(),
        opt_str(r.origin().map(|o| o.as_str())),
    );
    m.insert("state".to_string(), opt_str(r.state().map(|o| o.as_str())));
    Value::object(m)
}

/// Route tables by id (those that exist), one batched Describe.
pub async fn route_tables(
    aws: &Aws,
    ids: &[String],
) -> Result<HashMap<String, aws_sdk_ec2::types::RouteTable>, ProviderError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<aws_sdk_ec2::types::RouteTable> =
        describe_by_ids!(aws, ids, describe_route_tables, "route-table-id")?;
    Ok(found
        .into_iter()
        .filter_map(|t| t.route_table_id().map(|id| (id.to_string(), t.clone())))
        .collect())
}

/// Find the route of `rtb` with the given destination.
fn find_route<'a>(
    t: &'a aws_sdk_ec2::types::RouteTable,
    dest: &(&str, String),
) -> Option<&'a Route> {
    t.routes()
        .iter()
        .find(|r| route_destination(r).is_some_and(|(k, v)| k == dest.0 && v == dest.1))
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let rtbs: Vec<String> = priors
        .iter()
        .filter_map(|p| get_str(p, "route_table_id"))
        .collect();
    let tables = route_tables(&aws, &rtbs).await?;
    Ok(priors
        .iter()
        .map(|p| {
            let rtb = get_str(p, "route_table_id")?;
            let dest = destination_of(p)?;
            let t = tables.get(&rtb)?;
            let r = find_route(t, &dest)?;
            Some(to_state(&rtb, r))
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

/// A route just made or changed: read it back, waiting briefly for it to
/// become visible (eventual consistency).
async fn read_after(
    ctx: &ProviderCtx,
    planned: &Value,
    to: Duration,
) -> Result<Value, ProviderError> {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = read_one(ctx, planned).await? {
            return Ok(v);
        }
        if start.elapsed() > to.min(Duration::from_secs(120)) {
            return Err(ProviderError::new(format!(
                "Route in Route Table ({}) with destination ({}) not found",
                get_str(planned, "route_table_id").unwrap_or_default(),
                destination_of(planned).map(|d| d.1).unwrap_or_default()
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[async_trait]
impl Resource for RouteResource {
    fn type_name(&self) -> &'static str {
        "aws_route"
    }
    fn display_name(&self) -> &'static str {
        "Route"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        _ctx: &ProviderCtx,
        prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        // A new target: the computed details of the old one go.
        let Some(prior) = prior else { return planned };
        let changed = TARGETS.iter().any(|t| {
            let c = get_str(config, t);
            c.is_some() && c != get_str(prior, t)
        });
        if !changed {
            return planned;
        }
        let mut p = planned;
        for k in ["instance_id", "instance_owner_id", "state"] {
            p = with(&p, k, Value::unknown(Type::String));
        }
        if get_str(config, "network_interface_id").is_none() {
            p = with(&p, "network_interface_id", Value::unknown(Type::String));
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let dest = destination_of(planned).ok_or_else(|| {
            ProviderError::new(
                "one of `destination_cidr_block,destination_ipv6_cidr_block,destination_prefix_list_id` must be specified",
            )
        })?;
        let target = configured_target(planned).ok_or_else(|| {
            ProviderError::new(format!("one of `{}` must be specified", TARGETS.join(",")))
        })?;
        // An existing route with that destination is an error, as in the provider.
        let tables = route_tables(&aws, std::slice::from_ref(&rtb)).await?;
        if tables
            .get(&rtb)
            .and_then(|t| find_route(t, &dest))
            .is_some()
        {
            return Err(ProviderError::new(format!(
                "Route in Route Table ({rtb}) with destination ({}) already exists",
                dest.1
            )));
        }
        put_route(&aws, &rtb, (dest.0, &dest.1), (target.0, &target.1), false).await?;
        read_after(
            ctx,
            planned,
            timeout(planned, "create", Duration::from_secs(300)),
        )
        .await
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
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let dest = destination_of(planned)
            .ok_or_else(|| ProviderError::new("route has no destination"))?;
        let target =
            configured_target(planned).ok_or_else(|| ProviderError::new("route has no target"))?;
        put_route(&aws, &rtb, (dest.0, &dest.1), (target.0, &target.1), true).await?;
        read_after(
            ctx,
            planned,
            timeout(planned, "update", Duration::from_secs(120)),
        )
        .await
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let rtb = get_str(prior, "route_table_id").unwrap_or_default();
        let Some(dest) = destination_of(prior) else {
            return Ok(());
        };
        match delete_route(&aws, &rtb, (dest.0, &dest.1)).await {
            Err(e) if e.code.as_deref() == Some("InvalidRouteTableID.NotFound") => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let bad = || {
            ProviderError::new(format!(
                "unexpected format for ID ({id}), expected ROUTETABLEID_DESTINATION"
            ))
        };
        let (rtb, dest) = id.split_once('_').ok_or_else(bad)?;
        if rtb.is_empty() || dest.is_empty() {
            return Err(bad());
        }
        let attr = if dest.starts_with("pl-") {
            "destination_prefix_list_id"
        } else if dest.contains(':') {
            "destination_ipv6_cidr_block"
        } else {
            "destination_cidr_block"
        };
        let mut m = BTreeMap::new();
        m.insert("route_table_id".to_string(), Value::string(rtb));
        m.insert(attr.to_string(), Value::string(dest));
        read_one(ctx, &Value::object(m)).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Route in Route Table ({rtb}) with destination ({dest}) not found"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_ids_like_the_provider() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            route_id("rtb-1", "10.0.0.0/16"),
            format!("r-rtb-1{}", crc32(b"10.0.0.0/16"))
        );
    }
}
