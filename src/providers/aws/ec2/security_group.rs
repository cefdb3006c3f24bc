//! `aws_security_group`, with inline `ingress` / `egress` rule sets, written
//! as blocks or as arguments (`ingress = []` revokes them all). Like the
//! AWS provider, a new VPC security group loses AWS's default allow-all
//! egress rule, so only the configured rules remain.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, UserIdGroupPair,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_bool, get_i64, get_str, get_strs,
    is_not_found, opt_str, partial_err, plan_tags_all, planned_tags_all, read_tags, retry_on,
    str_list, str_set, tag_attrs, update_ec2_tags, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct SecurityGroup {
    schema: Schema,
}

fn rule_schema() -> Schema {
    let ls =
        || Attribute::optional(Type::list(Type::String)).default(Value::list(Type::String, vec![]));
    Schema::new()
        .attr("from_port", Attribute::required(Type::Number))
        .attr("to_port", Attribute::required(Type::Number))
        .attr("protocol", Attribute::required(Type::String))
        .attr("cidr_blocks", ls())
        .attr("ipv6_cidr_blocks", ls())
        .attr("prefix_list_ids", ls())
        .attr(
            "security_groups",
            Attribute::optional(Type::set(Type::String)).default(Value::set(Type::String, vec![])),
        )
        .attr(
            "self",
            Attribute::optional(Type::Bool).default(Value::bool(false)),
        )
        .attr(
            "description",
            Attribute::optional(Type::String).default(Value::string("")),
        )
}

impl SecurityGroup {
    pub fn new() -> SecurityGroup {
        SecurityGroup {
            schema: tag_attrs(
                Schema::new()
                    .version(1)
                    .attr("id", Attribute::computed(Type::String))
                    .attr("arn", Attribute::computed(Type::String))
                    .attr("owner_id", Attribute::computed(Type::String))
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
                            .default(Value::string("Managed by Terraform"))
                            .force_new(),
                    )
                    .attr(
                        "vpc_id",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "revoke_rules_on_delete",
                        Attribute::optional(Type::Bool).default(Value::bool(false)),
                    ),
            )
            .block("ingress", BlockNesting::Set, rule_schema())
            .block("egress", BlockNesting::Set, rule_schema())
            .attributes_as_blocks(&["ingress", "egress"])
            .timeouts(&["create", "delete"]),
        }
    }
}

impl Default for SecurityGroup {
    fn default() -> Self {
        SecurityGroup::new()
    }
}

/// A name like the provider's `id.UniqueId()`: `terraform-` or the
/// prefix, a UTC timestamp and a counter (26 characters after the prefix).
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
    format!(
        "{prefix}{}{:02}{n:08x}",
        now.format("%Y%m%d%H%M%S"),
        now.timestamp_subsec_millis() / 10
    )
}

/// The protocol as the provider keeps it: names for the common numbers,
/// `-1` for all.
pub(crate) fn protocol(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        other => other.into(),
    }
}

/// One inline rule.
#[derive(Clone, Debug, Default, PartialEq)]
struct Rule {
    from: i64,
    to: i64,
    protocol: String,
    cidr: Vec<String>,
    ipv6: Vec<String>,
    prefix: Vec<String>,
    groups: Vec<String>,
    self_: bool,
    description: String,
}

impl Rule {
    fn from_value(v: &Value) -> Rule {
        let mut groups = get_strs(v, "security_groups");
        groups.sort();
        Rule {
            from: get_i64(v, "from_port").unwrap_or(0),
            to: get_i64(v, "to_port").unwrap_or(0),
            protocol: protocol(&get_str(v, "protocol").unwrap_or_default()),
            cidr: get_strs(v, "cidr_blocks"),
            ipv6: get_strs(v, "ipv6_cidr_blocks"),
            prefix: get_strs(v, "prefix_list_ids"),
            groups,
            self_: get_bool(v, "self").unwrap_or(false),
            description: get_str(v, "description").unwrap_or_default(),
        }
    }

    fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("from_port".into(), Value::int(self.from));
        m.insert("to_port".into(), Value::int(self.to));
        m.insert("protocol".into(), Value::string(&self.protocol));
        m.insert("cidr_blocks".into(), str_list(self.cidr.clone()));
        m.insert("ipv6_cidr_blocks".into(), str_list(self.ipv6.clone()));
        m.insert("prefix_list_ids".into(), str_list(self.prefix.clone()));
        m.insert("security_groups".into(), str_set(self.groups.clone()));
        m.insert("self".into(), Value::bool(self.self_));
        m.insert("description".into(), Value::string(&self.description));
        Value::object(m)
    }

    fn to_permission(&self, own_id: &str) -> IpPermission {
        let desc = (!self.description.is_empty()).then(|| self.description.clone());
        let mut groups: Vec<UserIdGroupPair> = self
            .groups
            .iter()
            .map(|g| {
                let (user, gid) = match g.split_once('/') {
                    Some((u, g)) => (Some(u.to_string()), g.to_string()),
                    None => (None, g.clone()),
                };
                UserIdGroupPair::builder()
                    .set_user_id(user)
                    .group_id(gid)
                    .set_description(desc.clone())
                    .build()
            })
            .collect();
        if self.self_ {
            groups.push(
                UserIdGroupPair::builder()
                    .group_id(own_id)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        let all = self.protocol == "-1";
        IpPermission::builder()
            .ip_protocol(&self.protocol)
            .set_from_port((!all).then_some(self.from as i32))
            .set_to_port((!all).then_some(self.to as i32))
            .set_ip_ranges(Some(
                self.cidr
                    .iter()
                    .map(|c| {
                        IpRange::builder()
                            .cidr_ip(c)
                            .set_description(desc.clone())
                            .build()
                    })
                    .collect(),
            ))
            .set_ipv6_ranges(Some(
                self.ipv6
                    .iter()
                    .map(|c| {
                        Ipv6Range::builder()
                            .cidr_ipv6(c)
                            .set_description(desc.clone())
                            .build()
                    })
                    .collect(),
            ))
            .set_prefix_list_ids(Some(
                self.prefix
                    .iter()
                    .map(|c| {
                        PrefixListId::builder()
                            .prefix_list_id(c)
                            .set_description(desc.clone())
                            .build()
                    })
                    .collect(),
            ))
            .set_user_id_group_pairs(Some(groups))
            .build()
    }
}

/// The provider's flattening of AWS permissions into rules: one rule per
/// permission and description.
fn rules_of(perms: &[IpPermission], own_id: &str, owner: &str) -> Vec<Rule> {
    let mut out = vec![];
    for p in perms {
        let proto = protocol(p.ip_protocol().unwrap_or("-1"));
        let all = proto == "-1";
        let base = Rule {
            from: if all {
                0
            } else {
                p.from_port().unwrap_or(0) as i64
            },
            to: if all {
                0
            } else {
                p.to_port().unwrap_or(0) as i64
            },
            protocol: proto,
            ..Default::default()
        };
        let mut by_desc: BTreeMap<String, Rule> = BTreeMap::new();
        fn slot<'a>(
            by_desc: &'a mut BTreeMap<String, Rule>,
            base: &Rule,
            d: Option<&str>,
        ) -> &'a mut Rule {
            let d = d.unwrap_or_default().to_string();
            by_desc.entry(d.clone()).or_insert_with(|| Rule {
                description: d,
                ..base.clone()
            })
        }
        for r in p.ip_ranges() {
            slot(&mut by_desc, &base, r.description())
                .cidr
                .push(r.cidr_ip().unwrap_or_default().into());
        }
        for r in p.ipv6_ranges() {
            slot(&mut by_desc, &base, r.description())
                .ipv6
                .push(r.cidr_ipv6().unwrap_or_default().into());
        }
        for r in p.prefix_list_ids() {
            slot(&mut by_desc, &base, r.description())
                .prefix
                .push(r.prefix_list_id().unwrap_or_default().into());
        }
        for g in p.user_id_group_pairs() {
            let gid = g.group_id().unwrap_or_default();
            let r = slot(&mut by_desc, &base, g.description());
            if gid == own_id {
                r.self_ = true;
            } else {
                match g.user_id() {
                    Some(u) if u != owner => r.groups.push(format!("{u}/{gid}")),
                    _ => r.groups.push(gid.to_string()),
                }
            }
        }
        for mut r in by_desc.into_values() {
            r.groups.sort();
            out.push(r);
        }
    }
    out
}

fn rules_value(rules: &[Rule]) -> Value {
    Value::set(
        rule_schema().value_type(),
        rules.iter().map(|r| r.to_value()).collect(),
    )
}

async fn describe(
    aws: &Aws,
    ids: &[String],
) -> Result<Vec<aws_sdk_ec2::types::SecurityGroup>, ProviderError> {
    describe_by_ids!(aws, ids, describe_security_groups, "group-id")
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    g: &aws_sdk_ec2::types::SecurityGroup,
) -> Value {
    let id = g.group_id().unwrap_or_default();
    let owner = g.owner_id().unwrap_or_default();
    let name = g.group_name().unwrap_or_default();
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(g.tags())));
    let prefix = get(prior, "name_prefix");
    let mut m = BTreeMap::new();
    m.insert("id".into(), Value::string(id));
    m.insert(
        "arn".into(),
        Value::string(aws.arn("ec2", owner, &format!("security-group/{id}"))),
    );
    m.insert("owner_id".into(), Value::string(owner));
    m.insert("name".into(), Value::string(name));
    m.insert(
        "name_prefix".into(),
        match prefix.as_str() {
            Some(p) if name.starts_with(p) => Value::string(p),
            _ => Value::string(""),
        },
    );
    m.insert("description".into(), opt_str(g.description()));
    m.insert("vpc_id".into(), opt_str(g.vpc_id()));
    m.insert(
        "revoke_rules_on_delete".into(),
        Value::bool(get_bool(prior, "revoke_rules_on_delete").unwrap_or(false)),
    );
    m.insert(
        "ingress".into(),
        rules_value(&rules_of(g.ip_permissions(), id, owner)),
    );
    m.insert(
        "egress".into(),
        rules_value(&rules_of(g.ip_permissions_egress(), id, owner)),
    );
    m.insert("tags".into(), tags);
    m.insert("tags_all".into(), tags_all);
    Value::object(m)
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
    let found: HashMap<String, aws_sdk_ec2::types::SecurityGroup> = describe(&aws, &ids)
        .await?
        .into_iter()
        .filter_map(|g| g.group_id().map(|id| (id.to_string(), g.clone())))
        .collect();
    Ok(priors
        .iter()
        .map(|p| {
            get_str(p, "id")
                .and_then(|id| found.get(&id))
                .map(|g| to_state(ctx, &aws, p, g))
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

fn rules_in(v: &Value, block: &str) -> Vec<Rule> {
    get(v, block)
        .as_seq()
        .map(|s| s.iter().map(Rule::from_value).collect())
        .unwrap_or_default()
}

/// Revoke the rules of `old` not in `new`, then authorize those of `new`
/// not in `old`.
async fn sync_rules(
    aws: &Aws,
    id: &str,
    egress: bool,
    old: &[Rule],
    new: &[Rule],
) -> Result<(), ProviderError> {
    let revoke: Vec<IpPermission> = old
        .iter()
        .filter(|r| !new.contains(r))
        .map(|r| r.to_permission(id))
        .collect();
    let add: Vec<IpPermission> = new
        .iter()
        .filter(|r| !old.contains(r))
        .map(|r| r.to_permission(id))
        .collect();
    let ec2 = aws.ec2();
    if !revoke.is_empty() {
        if egress {
            ec2.revoke_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(revoke))
                .send()
                .await
                .map_err(aws_err)?;
        } else {
            ec2.revoke_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(Some(revoke))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    if !add.is_empty() {
        if egress {
            ec2.authorize_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(add))
                .send()
                .await
                .map_err(aws_err)?;
        } else {
            ec2.authorize_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(Some(add))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    Ok(())
}

fn normalize_rules(planned: Value, block: &str) -> Value {
    let v = get(&planned, block);
    if !v.is_wholly_known() {
        return planned;
    }
    let rules: Vec<Rule> = rules_in(&planned, block);
    with(&planned, block, rules_value(&rules))
}

#[async_trait]
impl Resource for SecurityGroup {
    fn type_name(&self) -> &'static str {
        "aws_security_group"
    }
    fn display_name(&self) -> &'static str {
        "Security Group"
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
        let mut p = plan_tags_all(ctx, planned);
        p = normalize_rules(p, "ingress");
        p = normalize_rules(p, "egress");
        // `ingress` / `egress` are Optional+Computed "attributes as blocks"
        // in the provider: with neither blocks nor `ingress = [...]` in the
        // configuration the value is null and the generic diff keeps what
        // the group has (rules added by rule resources show no diff), or
        // leaves it unknown on create; `ingress = []` removes them all.
        // A new name_prefix (or dropping the name) means a new generated name.
        if prior.is_none() {
            if let Some(n) = get_str(config, "name") {
                p = with(&p, "name_prefix", Value::string(""));
                p = with(&p, "name", Value::string(n));
            }
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = match get_str(planned, "name") {
            Some(n) => n,
            None => {
                unique_name(&get_str(planned, "name_prefix").unwrap_or_else(|| "terraform-".into()))
            }
        };
        let out = aws
            .ec2()
            .create_security_group()
            .group_name(&name)
            .description(
                get_str(planned, "description").unwrap_or_else(|| "Managed by Terraform".into()),
            )
            .set_vpc_id(get_str(planned, "vpc_id"))
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::SecurityGroup, &planned_tags_all(planned))
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .group_id()
            .ok_or_else(|| ProviderError::new("CreateSecurityGroup returned no group id"))?
            .to_string();
        let finish = async {
            let base = with(planned, "id", Value::string(&id));
            let cur = read_one(ctx, &base).await?.ok_or_else(|| {
                ProviderError::new(format!("Security Group ({id}) not found after creation"))
            })?;
            // Drop AWS's default allow-all egress, as the provider does.
            let default_egress = Rule {
                protocol: "-1".into(),
                cidr: vec!["0.0.0.0/0".into()],
                ..Default::default()
            };
            let had_egress = rules_in(&cur, "egress");
            if had_egress.contains(&default_egress) {
                sync_rules(&aws, &id, true, &[default_egress], &[]).await?;
            }
            sync_rules(&aws, &id, false, &[], &rules_in(planned, "ingress")).await?;
            sync_rules(&aws, &id, true, &[], &rules_in(planned, "egress")).await?;
            read_one(ctx, &base).await?.ok_or_else(|| {
                ProviderError::new(format!("Security Group ({id}) not found after creation"))
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
        for (block, egress) in [("ingress", false), ("egress", true)] {
            sync_rules(
                &aws,
                &id,
                egress,
                &rules_in(prior, block),
                &rules_in(planned, block),
            )
            .await?;
        }
        update_ec2_tags(&aws, &id, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("Security Group ({id}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        if get_bool(prior, "revoke_rules_on_delete") == Some(true) {
            if let Some(cur) = read_one(ctx, prior).await? {
                for (block, egress) in [("ingress", false), ("egress", true)] {
                    sync_rules(&aws, &id, egress, &rules_in(&cur, block), &[]).await?;
                }
            }
        }
        let r = retry_on(
            &["DependencyViolation"],
            crate::providers::timeout(prior, "delete", Duration::from_secs(900)),
            || async {
                aws.ec2()
                    .delete_security_group()
                    .group_id(&id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_err)
            },
        )
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
            .ok_or_else(|| ProviderError::new(format!("Security Group ({id}) not found")))
    }
}
