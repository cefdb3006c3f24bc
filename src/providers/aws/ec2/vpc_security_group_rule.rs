//! `aws_vpc_security_group_ingress_rule` and
//! `aws_vpc_security_group_egress_rule`: one AWS security group rule
//! (`sgr-…`) each, with exactly one source or destination, tags, and
//! in-place updates through `ModifySecurityGroupRules`.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, SecurityGroupRule,
    SecurityGroupRuleRequest, SecurityGroupRuleUpdate, UserIdGroupPair,
};

use super::security_group::protocol;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_i64, get_str, opt_str, plan_tags_all,
    planned_tags_all, read_tags, tag_attrs, update_ec2_tags, with, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct VpcSecurityGroupRule {
    egress: bool,
    schema: Schema,
}

impl VpcSecurityGroupRule {
    pub fn new(egress: bool) -> VpcSecurityGroupRule {
        let s = || Attribute::optional(Type::String);
        VpcSecurityGroupRule {
            egress,
            schema: tag_attrs(
                Schema::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("arn", Attribute::computed(Type::String))
                    .attr("security_group_rule_id", Attribute::computed(Type::String))
                    .attr(
                        "security_group_id",
                        Attribute::required(Type::String).force_new(),
                    )
                    .attr("cidr_ipv4", s())
                    .attr("cidr_ipv6", s())
                    .attr("prefix_list_id", s())
                    .attr("referenced_security_group_id", s())
                    .attr("description", s())
                    .attr("ip_protocol", Attribute::required(Type::String))
                    .attr("from_port", Attribute::optional(Type::Number))
                    .attr("to_port", Attribute::optional(Type::Number)),
            ),
        }
    }

    fn what(&self) -> &'static str {
        if self.egress {
            "VPC Security Group Egress Rule"
        } else {
            "VPC Security Group Ingress Rule"
        }
    }
}

/// Split `[OWNER/]GROUP`.
fn split_ref(s: &str) -> (Option<String>, String) {
    match s.split_once('/') {
        Some((u, g)) => (Some(u.to_string()), g.to_string()),
        None => (None, s.to_string()),
    }
}

fn permission(v: &Value) -> IpPermission {
    let desc = get_str(v, "description");
    let mut b = IpPermission::builder()
        .ip_protocol(get_str(v, "ip_protocol").unwrap_or_default())
        .set_from_port(get_i64(v, "from_port").map(|x| x as i32))
        .set_to_port(get_i64(v, "to_port").map(|x| x as i32));
    if let Some(c) = get_str(v, "cidr_ipv4") {
        b = b.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(desc.clone())
                .build(),
        );
    }
    if let Some(c) = get_str(v, "cidr_ipv6") {
        b = b.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(desc.clone())
                .build(),
        );
    }
    if let Some(c) = get_str(v, "prefix_list_id") {
        b = b.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(c)
                .set_description(desc.clone())
                .build(),
        );
    }
    if let Some(g) = get_str(v, "referenced_security_group_id") {
        let (user, gid) = split_ref(&g);
        b = b.user_id_group_pairs(
            UserIdGroupPair::builder()
                .set_user_id(user)
                .group_id(gid)
                .set_description(desc)
                .build(),
        );
    }
    b.build()
}

fn rule_request(v: &Value) -> SecurityGroupRuleRequest {
    let all = protocol(&get_str(v, "ip_protocol").unwrap_or_default()) == "-1";
    let port = |name: &str| get_i64(v, name).or(all.then_some(-1)).map(|x| x as i32);
    SecurityGroupRuleRequest::builder()
        .set_ip_protocol(get_str(v, "ip_protocol"))
        .set_from_port(port("from_port"))
        .set_to_port(port("to_port"))
        .set_cidr_ipv4(get_str(v, "cidr_ipv4"))
        .set_cidr_ipv6(get_str(v, "cidr_ipv6"))
        .set_prefix_list_id(get_str(v, "prefix_list_id"))
        .set_referenced_group_id(
            get_str(v, "referenced_security_group_id").map(|g| split_ref(&g).1),
        )
        .set_description(get_str(v, "description"))
        .build()
}

/// Which kind of source or destination a rule object has.
fn source_kind(v: &Value) -> &'static str {
    for k in [
        "cidr_ipv4",
        "cidr_ipv6",
        "prefix_list_id",
        "referenced_security_group_id",
    ] {
        if !get(v, k).is_null() {
            return k;
        }
    }
    ""
}

async fn describe(aws: &Aws, ids: &[String]) -> Result<Vec<SecurityGroupRule>, ProviderError> {
    let r = describe_by_ids!(
        aws,
        ids,
        describe_security_group_rules,
        "security-group-rule-id"
    );
    match r {
        Err(e) if e.code.as_deref() == Some("InvalidSecurityGroupRuleId.NotFound") => Ok(vec![]),
        r => r,
    }
}

/// The description of a group-referencing rule, when
/// `DescribeSecurityGroupRules` leaves it out (some AWS API emulators do),
/// from the group's permissions: the pair for the same protocol, ports and
/// referenced group. By rule id.
async fn group_descriptions(
    aws: &Aws,
    rules: &[SecurityGroupRule],
) -> Result<HashMap<String, String>, ProviderError> {
    let wanted = |r: &SecurityGroupRule| {
        r.referenced_group_info().is_some() && r.description().unwrap_or_default().is_empty()
    };
    let mut groups: Vec<String> = rules
        .iter()
        .filter(|r| wanted(r))
        .filter_map(|r| r.group_id().map(str::to_string))
        .collect();
    groups.sort();
    groups.dedup();
    let mut out = HashMap::new();
    if groups.is_empty() {
        return Ok(out);
    }
    let found: Vec<aws_sdk_ec2::types::SecurityGroup> =
        describe_by_ids!(aws, groups, describe_security_groups, "group-id")?;
    for r in rules.iter().filter(|r| wanted(r)) {
        let Some(g) = found.iter().find(|g| g.group_id() == r.group_id()) else {
            continue;
        };
        let perms = if r.is_egress() == Some(true) {
            g.ip_permissions_egress()
        } else {
            g.ip_permissions()
        };
        if let (Some(id), Some(d)) = (r.security_group_rule_id(), group_pair_description(perms, r))
        {
            out.insert(id.to_string(), d);
        }
    }
    Ok(out)
}

/// The description of the pair in `perms` that `r` stands for.
fn group_pair_description(perms: &[IpPermission], r: &SecurityGroupRule) -> Option<String> {
    let referenced = r.referenced_group_info()?.group_id()?;
    let rule_proto = protocol(r.ip_protocol().unwrap_or_default());
    let all = rule_proto == "-1";
    perms
        .iter()
        .filter(|p| protocol(p.ip_protocol().unwrap_or_default()) == rule_proto)
        .filter(|p| {
            all || (p.from_port().unwrap_or(-1) == r.from_port().unwrap_or(-1)
                && p.to_port().unwrap_or(-1) == r.to_port().unwrap_or(-1))
        })
        .flat_map(|p| p.user_id_group_pairs())
        .find(|pair| pair.group_id() == Some(referenced))
        .and_then(|pair| pair.description())
        .filter(|d| !d.is_empty())
        .map(str::to_string)
}

impl VpcSecurityGroupRule {
    fn to_state(
        &self,
        ctx: &ProviderCtx,
        aws: &Aws,
        prior: &Value,
        r: &SecurityGroupRule,
        description: Option<&str>,
    ) -> Value {
        let id = r.security_group_rule_id().unwrap_or_default();
        let owner = r.group_owner_id().unwrap_or_default();
        let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(r.tags())));
        let proto = r.ip_protocol().unwrap_or_default();
        let ip_protocol = match get_str(prior, "ip_protocol") {
            Some(p) if protocol(&p) == protocol(proto) => p,
            _ => proto.to_string(),
        };
        let port = |x: Option<i32>, name: &str| match x {
            Some(-1) | None if get(prior, name).is_null() => Value::null_of(Type::Number),
            Some(p) => Value::int(p as i64),
            None => Value::null_of(Type::Number),
        };
        let referenced = r.referenced_group_info().map(|g| {
            let gid = g.group_id().unwrap_or_default();
            let configured = get_str(prior, "referenced_security_group_id");
            match g.user_id() {
                // Another account's group; with no owner reported, as the
                // configuration says.
                Some(u)
                    if !u.is_empty()
                        && u != owner
                        && (!owner.is_empty()
                            || configured.as_deref() == Some(&format!("{u}/{gid}"))) =>
                {
                    format!("{u}/{gid}")
                }
                _ => gid.to_string(),
            }
        });
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        m.insert("security_group_rule_id".into(), Value::string(id));
        m.insert(
            "arn".into(),
            Value::string(aws.arn("ec2", owner, &format!("security-group-rule/{id}"))),
        );
        m.insert("security_group_id".into(), opt_str(r.group_id()));
        m.insert("cidr_ipv4".into(), opt_str(r.cidr_ipv4()));
        m.insert("cidr_ipv6".into(), opt_str(r.cidr_ipv6()));
        m.insert("prefix_list_id".into(), opt_str(r.prefix_list_id()));
        m.insert(
            "referenced_security_group_id".into(),
            opt_str(referenced.as_deref()),
        );
        m.insert(
            "description".into(),
            match r.description().filter(|d| !d.is_empty()).or(description) {
                Some(d) if !d.is_empty() => Value::string(d),
                _ if get_str(prior, "description").is_some_and(|d| d.is_empty()) => {
                    Value::string("")
                }
                _ => Value::null_of(Type::String),
            },
        );
        m.insert("ip_protocol".into(), Value::string(ip_protocol));
        m.insert("from_port".into(), port(r.from_port(), "from_port"));
        m.insert("to_port".into(), port(r.to_port(), "to_port"));
        m.insert("tags".into(), tags);
        m.insert("tags_all".into(), tags_all);
        Value::object(m)
    }

    async fn read_many(
        &self,
        ctx: &ProviderCtx,
        priors: &[Value],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let aws = aws(ctx).await?;
        let ids: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
        if ids.is_empty() {
            return Ok(vec![None; priors.len()]);
        }
        let rules: Vec<SecurityGroupRule> = describe(&aws, &ids)
            .await?
            .into_iter()
            .filter(|r| r.is_egress() == Some(self.egress))
            .collect();
        let descriptions = group_descriptions(&aws, &rules).await?;
        let found: HashMap<String, SecurityGroupRule> = rules
            .into_iter()
            .filter_map(|r| {
                r.security_group_rule_id()
                    .map(|id| (id.to_string(), r.clone()))
            })
            .collect();
        Ok(priors
            .iter()
            .map(|p| {
                get_str(p, "id").and_then(|id| found.get(&id)).map(|r| {
                    let d = r
                        .security_group_rule_id()
                        .and_then(|id| descriptions.get(id))
                        .map(String::as_str);
                    self.to_state(ctx, &aws, p, r, d)
                })
            })
            .collect())
    }

    async fn read_one(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        Ok(self
            .read_many(ctx, std::slice::from_ref(prior))
            .await?
            .into_iter()
            .next()
            .flatten())
    }

    async fn authorize(&self, aws: &Aws, planned: &Value) -> Result<String, ProviderError> {
        let gid = get_str(planned, "security_group_id").unwrap_or_default();
        let tags = ec2_tag_spec(ResourceType::SecurityGroupRule, &planned_tags_all(planned))
            .map(|t| vec![t]);
        let ec2 = aws.ec2();
        let rules = if self.egress {
            ec2.authorize_security_group_egress()
                .group_id(&gid)
                .ip_permissions(permission(planned))
                .set_tag_specifications(tags)
                .send()
                .await
                .map_err(aws_err)?
                .security_group_rules()
                .to_vec()
        } else {
            ec2.authorize_security_group_ingress()
                .group_id(&gid)
                .ip_permissions(permission(planned))
                .set_tag_specifications(tags)
                .send()
                .await
                .map_err(aws_err)?
                .security_group_rules()
                .to_vec()
        };
        rules
            .first()
            .and_then(|r| r.security_group_rule_id())
            .map(|s| s.to_string())
            .ok_or_else(|| ProviderError::new("AuthorizeSecurityGroup returned no rule id"))
    }

    async fn revoke(&self, aws: &Aws, prior: &Value) -> Result<(), ProviderError> {
        let gid = get_str(prior, "security_group_id").unwrap_or_default();
        let id = get_str(prior, "id").unwrap_or_default();
        let ec2 = aws.ec2();
        let r = if self.egress {
            ec2.revoke_security_group_egress()
                .group_id(&gid)
                .security_group_rule_ids(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        } else {
            ec2.revoke_security_group_ingress()
                .group_id(&gid)
                .security_group_rule_ids(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        };
        match r {
            Err(e)
                if matches!(
                    e.code.as_deref(),
                    Some(
                        "InvalidGroup.NotFound"
                            | "InvalidSecurityGroupRuleId.NotFound"
                            | "InvalidPermission.NotFound"
                    )
                ) =>
            {
                Ok(())
            }
            r => r,
        }
    }
}

#[async_trait]
impl Resource for VpcSecurityGroupRule {
    fn type_name(&self) -> &'static str {
        if self.egress {
            "aws_vpc_security_group_egress_rule"
        } else {
            "aws_vpc_security_group_ingress_rule"
        }
    }
    fn display_name(&self) -> &'static str {
        self.what()
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        let mut p = plan_tags_all(ctx, planned);
        // "all" and "-1", "6" and "tcp" are the same protocol.
        if let (Some(pr), Some(new)) = (prior, get_str(&p, "ip_protocol")) {
            if let Some(old) = get_str(pr, "ip_protocol") {
                if protocol(&old) == protocol(&new) {
                    p = with(&p, "ip_protocol", Value::string(old));
                }
            }
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        if source_kind(planned).is_empty() {
            return Err(ProviderError::new(
                "exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id, referenced_security_group_id must be specified",
            ));
        }
        let id = self.authorize(&aws, planned).await?;
        let base = with(planned, "id", Value::string(&id));
        self.read_one(ctx, &base)
            .await
            .and_then(|s| {
                s.ok_or_else(|| {
                    ProviderError::new(format!("{} ({id}) not found after creation", self.what()))
                })
            })
            .map_err(|e| crate::providers::aws::partial_err(e, planned, &id))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        self.read_one(ctx, state).await
    }

    async fn read_batch(
        &self,
        ctx: &ProviderCtx,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        crate::providers::aws::per_state(states, self.read_many(ctx, states).await)
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let mut id = get_str(prior, "id").unwrap_or_default();
        let changed = [
            "cidr_ipv4",
            "cidr_ipv6",
            "prefix_list_id",
            "referenced_security_group_id",
            "description",
            "ip_protocol",
            "from_port",
            "to_port",
        ]
        .iter()
        .any(|k| {
            let (a, b) = (get(prior, k), get(planned, k));
            !(crate::engine::diff::same(&a, &b) || (a.is_null() && b.is_null()))
        });
        if changed && source_kind(prior) != source_kind(planned) {
            // A rule's source type cannot change: the provider replaces it.
            self.revoke(&aws, prior).await?;
            id = self.authorize(&aws, planned).await?;
        } else {
            if changed {
                aws.ec2()
                    .modify_security_group_rules()
                    .group_id(get_str(planned, "security_group_id").unwrap_or_default())
                    .security_group_rules(
                        SecurityGroupRuleUpdate::builder()
                            .security_group_rule_id(&id)
                            .security_group_rule(rule_request(planned))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            update_ec2_tags(&aws, &id, prior, planned).await?;
        }
        self.read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("{} ({id}) not found after update", self.what()))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        self.revoke(&aws, prior).await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        self.read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("{} ({id}) not found", self.what())))
    }
}
