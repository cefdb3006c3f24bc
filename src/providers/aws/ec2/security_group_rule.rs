//! `aws_security_group_rule`: one rule (one permission with one or more
//! sources) of a security group, found again among the group's permissions
//! on every read, like the AWS provider does. Its id is the provider's hash
//! of the permission (`sgrule-<crc32>`); only `description` changes in place.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup, SecurityGroupRule,
    UserIdGroupPair,
};

use super::security_group::protocol;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get, get_bool, get_i64, get_str, get_strs, with, Aws};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct SecurityGroupRuleResource {
    schema: Schema,
}

impl SecurityGroupRuleResource {
    pub fn new() -> SecurityGroupRuleResource {
        let list = || Attribute::optional(Type::list(Type::String)).force_new();
        SecurityGroupRuleResource {
            schema: Schema::new()
                .version(2)
                .attr("id", Attribute::computed(Type::String))
                .attr("type", Attribute::required(Type::String).force_new())
                .attr("from_port", Attribute::required(Type::Number).force_new())
                .attr("to_port", Attribute::required(Type::Number).force_new())
                .attr("protocol", Attribute::required(Type::String).force_new())
                .attr("cidr_blocks", list())
                .attr("ipv6_cidr_blocks", list())
                .attr("prefix_list_ids", list())
                .attr(
                    "security_group_id",
                    Attribute::required(Type::String).force_new(),
                )
                .attr(
                    "source_security_group_id",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "self",
                    Attribute::optional(Type::Bool)
                        .default(Value::bool(false))
                        .force_new(),
                )
                .attr("description", Attribute::optional(Type::String))
                .attr("security_group_rule_id", Attribute::computed(Type::String))
                .timeouts(&["create"]),
        }
    }
}

impl Default for SecurityGroupRuleResource {
    fn default() -> Self {
        SecurityGroupRuleResource::new()
    }
}

/// CRC-32 (IEEE), as Go's `hash/crc32.ChecksumIEEE`.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// The permission a rule object describes, as the provider expands it
/// (`own` is the group's id, for `self`).
fn expand(v: &Value, own: &str) -> IpPermission {
    expand_with(v, own, get_str(v, "description").filter(|d| !d.is_empty()))
}

/// [`expand`] with the given description on every source.
fn expand_with(v: &Value, own: &str, desc: Option<String>) -> IpPermission {
    let proto = protocol(&get_str(v, "protocol").unwrap_or_default());
    let all = proto == "-1";
    let mut pairs = vec![];
    let self_ = get_bool(v, "self") == Some(true);
    if self_ {
        pairs.push(
            UserIdGroupPair::builder()
                .group_id(own)
                .set_description(desc.clone())
                .build(),
        );
    }
    if let Some(src) = get_str(v, "source_security_group_id").filter(|s| !s.is_empty()) {
        if !(self_ && src == own) {
            let (user, gid) = match src.split_once('/') {
                Some((u, g)) => (Some(u.to_string()), g.to_string()),
                None => (None, src.clone()),
            };
            pairs.push(
                UserIdGroupPair::builder()
                    .set_user_id(user)
                    .group_id(gid)
                    .set_description(desc.clone())
                    .build(),
            );
        }
    }
    let ranges: Vec<IpRange> = get_strs(v, "cidr_blocks")
        .iter()
        .map(|c| {
            IpRange::builder()
                .cidr_ip(c)
                .set_description(desc.clone())
                .build()
        })
        .collect();
    let v6: Vec<Ipv6Range> = get_strs(v, "ipv6_cidr_blocks")
        .iter()
        .map(|c| {
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(desc.clone())
                .build()
        })
        .collect();
    let pls: Vec<PrefixListId> = get_strs(v, "prefix_list_ids")
        .iter()
        .map(|c| {
            PrefixListId::builder()
                .prefix_list_id(c)
                .set_description(desc.clone())
                .build()
        })
        .collect();
    IpPermission::builder()
        .ip_protocol(proto)
        .set_from_port((!all).then(|| get_i64(v, "from_port").unwrap_or(0) as i32))
        .set_to_port((!all).then(|| get_i64(v, "to_port").unwrap_or(0) as i32))
        .set_ip_ranges((!ranges.is_empty()).then_some(ranges))
        .set_ipv6_ranges((!v6.is_empty()).then_some(v6))
        .set_prefix_list_ids((!pls.is_empty()).then_some(pls))
        .set_user_id_group_pairs((!pairs.is_empty()).then_some(pairs))
        .build()
}

/// The provider's rule id: `sgrule-` and a CRC-32 of the group, ports,
/// protocol, type and sorted sources.
fn rule_id(group: &str, ty: &str, p: &IpPermission) -> String {
    let mut buf = format!("{group}-");
    if let Some(f) = p.from_port().filter(|f| *f > 0) {
        buf.push_str(&format!("{f}-"));
    }
    if let Some(t) = p.to_port().filter(|t| *t > 0) {
        buf.push_str(&format!("{t}-"));
    }
    buf.push_str(&format!("{}-{ty}-", p.ip_protocol().unwrap_or_default()));
    let mut push_sorted = |mut xs: Vec<String>| {
        xs.sort();
        for x in xs {
            buf.push_str(&x);
            buf.push('-');
        }
    };
    push_sorted(
        p.ip_ranges()
            .iter()
            .map(|r| r.cidr_ip().unwrap_or_default().to_string())
            .collect(),
    );
    push_sorted(
        p.ipv6_ranges()
            .iter()
            .map(|r| r.cidr_ipv6().unwrap_or_default().to_string())
            .collect(),
    );
    push_sorted(
        p.prefix_list_ids()
            .iter()
            .map(|r| r.prefix_list_id().unwrap_or_default().to_string())
            .collect(),
    );
    let mut pairs: Vec<&UserIdGroupPair> = p.user_id_group_pairs().iter().collect();
    pairs.sort_by(|a, b| a.group_id().cmp(&b.group_id()));
    for pair in pairs {
        match pair.group_id() {
            Some(g) => buf.push_str(&format!("{g}-")),
            None => buf.push('-'),
        }
        match pair.group_name() {
            Some(g) => buf.push_str(&format!("{g}-")),
            None => buf.push('-'),
        }
    }
    format!("sgrule-{}", crc32(buf.as_bytes()))
}

/// The group's permission that holds every source of `p` (the last such,
/// as the provider's `findRuleMatch`), with the description found there.
fn find_match<'a>(
    p: &IpPermission,
    rules: &'a [IpPermission],
) -> Option<(&'a IpPermission, Option<String>)> {
    let mut found = None;
    for r in rules {
        if let (Some(a), Some(b)) = (p.to_port(), r.to_port()) {
            if a != b {
                continue;
            }
        }
        if let (Some(a), Some(b)) = (p.from_port(), r.from_port()) {
            if a != b {
                continue;
            }
        }
        if let (Some(a), Some(b)) = (p.ip_protocol(), r.ip_protocol()) {
            if protocol(a) != protocol(b) {
                continue;
            }
        }
        let mut desc: Option<String> = None;
        let mut note = |d: Option<&str>| {
            if desc.is_none() {
                desc = d.map(|s| s.to_string());
            }
        };
        let all_ranges = p.ip_ranges().iter().all(|a| {
            r.ip_ranges()
                .iter()
                .find(|b| b.cidr_ip().is_some() && b.cidr_ip() == a.cidr_ip())
                .map(|b| note(b.description()))
                .is_some()
        });
        let all_v6 = all_ranges
            && p.ipv6_ranges().iter().all(|a| {
                r.ipv6_ranges()
                    .iter()
                    .find(|b| b.cidr_ipv6().is_some() && b.cidr_ipv6() == a.cidr_ipv6())
                    .map(|b| note(b.description()))
                    .is_some()
            });
        let all_pl = all_v6
            && p.prefix_list_ids().iter().all(|a| {
                r.prefix_list_ids()
                    .iter()
                    .find(|b| {
                        b.prefix_list_id().is_some() && b.prefix_list_id() == a.prefix_list_id()
                    })
                    .map(|b| note(b.description()))
                    .is_some()
            });
        let all_pairs = all_pl
            && p.user_id_group_pairs().iter().all(|a| {
                r.user_id_group_pairs()
                    .iter()
                    .find(|b| b.group_id().is_some() && b.group_id() == a.group_id())
                    .map(|b| note(b.description()))
                    .is_some()
            });
        if all_pairs {
            found = Some((r, desc));
        }
    }
    found
}

/// The AWS rule id (`sgr-…`) when the permission has a single source.
fn find_rule_id(p: &IpPermission, egress: bool, rules: &[SecurityGroupRule]) -> String {
    let sources = p.ip_ranges().len()
        + p.ipv6_ranges().len()
        + p.prefix_list_ids().len()
        + p.user_id_group_pairs().len();
    if sources != 1 {
        return String::new();
    }
    let all = p.ip_protocol() == Some("-1");
    for r in rules {
        if r.is_egress() != Some(egress) {
            continue;
        }
        if protocol(r.ip_protocol().unwrap_or_default())
            != protocol(p.ip_protocol().unwrap_or_default())
        {
            continue;
        }
        if !all && (r.from_port() != p.from_port() || r.to_port() != p.to_port()) {
            continue;
        }
        let same = if let Some(c) = r.cidr_ipv4() {
            p.ip_ranges().first().and_then(|x| x.cidr_ip()) == Some(c)
        } else if let Some(c) = r.cidr_ipv6() {
            p.ipv6_ranges().first().and_then(|x| x.cidr_ipv6()) == Some(c)
        } else if let Some(c) = r.prefix_list_id() {
            p.prefix_list_ids().first().and_then(|x| x.prefix_list_id()) == Some(c)
        } else if let Some(g) = r.referenced_group_info() {
            p.user_id_group_pairs().first().and_then(|x| x.group_id()) == g.group_id()
        } else {
            false
        };
        if same {
            return r.security_group_rule_id().unwrap_or_default().to_string();
        }
    }
    String::new()
}

async fn groups(
    aws: &Aws,
    ids: &[String],
) -> Result<HashMap<String, SecurityGroup>, ProviderError> {
    let found = describe_by_ids!(aws, ids, describe_security_groups, "group-id")?;
    Ok(found
        .into_iter()
        .filter_map(|g| g.group_id().map(|id| (id.to_string(), g.clone())))
        .collect())
}

/// The rules (`DescribeSecurityGroupRules`) of the groups; empty where the
/// API is not supported.
async fn group_rules(aws: &Aws, ids: &[String]) -> Result<Vec<SecurityGroupRule>, ProviderError> {
    match describe_by_ids!(aws, ids, describe_security_group_rules, "group-id") {
        Err(e) if e.code.as_deref() == Some("UnsupportedOperation") => Ok(vec![]),
        r => r,
    }
}

fn is_egress(v: &Value) -> bool {
    get_str(v, "type").as_deref() == Some("egress")
}

/// The state of a rule found in its group, from the prior object (which,
/// as in the provider, keeps the configured spelling of every source).
fn to_state(prior: &Value, g: &SecurityGroup, rules: &[SecurityGroupRule]) -> Option<Value> {
    let own = g.group_id().unwrap_or_default();
    let p = expand(prior, own);
    let perms = if is_egress(prior) {
        g.ip_permissions_egress()
    } else {
        g.ip_permissions()
    };
    let (_, desc) = find_match(&p, perms)?;
    let mut s = prior.clone();
    if let Some(proto) = get_str(prior, "protocol") {
        s = with(&s, "protocol", Value::string(protocol(&proto)));
    }
    match desc.filter(|d| !d.is_empty()) {
        Some(d) => s = with(&s, "description", Value::string(d)),
        None if get_str(prior, "description").is_some_and(|d| d.is_empty()) => {}
        None => s = with(&s, "description", Value::null_of(Type::String)),
    }
    let ty = get_str(prior, "type").unwrap_or_default();
    if get_str(prior, "id").is_none_or(|id| id.contains('_')) {
        s = with(&s, "id", Value::string(rule_id(own, &ty, &p)));
    }
    s = with(
        &s,
        "security_group_rule_id",
        Value::string(find_rule_id(&p, is_egress(prior), rules)),
    );
    if !get(&s, "source_security_group_id").is_known() {
        s = with(&s, "source_security_group_id", Value::null_of(Type::String));
    }
    Some(s)
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let mut ids: Vec<String> = priors
        .iter()
        .filter_map(|p| get_str(p, "security_group_id"))
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(vec![None; priors.len()]);
    }
    let found = groups(&aws, &ids).await?;
    let present: Vec<String> = ids.into_iter().filter(|i| found.contains_key(i)).collect();
    let rules = if present.is_empty() {
        vec![]
    } else {
        group_rules(&aws, &present).await?
    };
    Ok(priors
        .iter()
        .map(|p| {
            let g = found.get(&get_str(p, "security_group_id")?)?;
            let own: Vec<SecurityGroupRule> = rules
                .iter()
                .filter(|r| r.group_id() == g.group_id())
                .cloned()
                .collect();
            to_state(p, g, &own)
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

async fn group(aws: &Aws, id: &str) -> Result<SecurityGroup, ProviderError> {
    groups(aws, &[id.to_string()])
        .await?
        .remove(id)
        .ok_or_else(|| ProviderError {
            code: Some("InvalidGroup.NotFound".into()),
            message: format!("reading Security Group ({id}): couldn't find resource"),
            partial: None,
        })
}

/// The import id's parts as a prior object:
/// `SGID_TYPE_PROTOCOL_FROM_TO_SOURCE[_SOURCE]*`.
fn parse_import(id: &str) -> Result<Value, ProviderError> {
    let bad = |msg: &str| {
        ProviderError::new(format!(
            "unexpected format for ID ({id:?}), expected SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*: {msg}"
        ))
    };
    let parts: Vec<&str> = id.split('_').collect();
    if parts.len() < 6 {
        return Err(bad("too few parts"));
    }
    let (sg, ty, proto, from, to) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
    if !sg.starts_with("sg-") {
        return Err(bad("invalid Security Group ID"));
    }
    if ty != "ingress" && ty != "egress" {
        return Err(bad("expecting 'ingress' or 'egress'"));
    }
    let known = ["tcp", "udp", "icmp", "icmpv6", "all"];
    if !known.contains(&proto) && proto.parse::<i64>().is_err() {
        return Err(bad("protocol must be tcp/udp/icmp/icmpv6/all or a number"));
    }
    let name = protocol(proto);
    let f = from.parse::<i64>();
    let t = to.parse::<i64>();
    if name == "icmp" || name == "icmpv6" {
        if !matches!(f, Ok(v) if (-1..=255).contains(&v)) {
            return Err(bad("invalid icmp type"));
        }
        if !matches!(t, Ok(v) if (-1..=255).contains(&v)) {
            return Err(bad("invalid icmp code"));
        }
    } else {
        match (&f, &t) {
            (Err(_), _) => return Err(bad("invalid from_port")),
            (_, Err(_)) => return Err(bad("invalid to_port")),
            (Ok(a), Ok(b)) if b < a => return Err(bad("to_port lower than from_port")),
            _ => {}
        }
    }
    let sources = &parts[5..];
    for s in sources {
        if *s != "self"
            && !s.contains("sg-")
            && !s.contains("pl-")
            && !s.contains(':')
            && !s.contains('.')
        {
            return Err(bad(
                "source must be cidr, ipv6cidr, prefix list, 'self', or a Security Group ID",
            ));
        }
    }
    let (mut cidr, mut v6, mut pl) = (vec![], vec![], vec![]);
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), Value::string(id));
    m.insert("security_group_id".into(), Value::string(sg));
    m.insert("type".into(), Value::string(ty));
    // The id's spelling, as the configuration would have it.
    m.insert("protocol".into(), Value::string(proto));
    m.insert("from_port".into(), Value::int(*f.as_ref().unwrap_or(&0)));
    m.insert("to_port".into(), Value::int(*t.as_ref().unwrap_or(&0)));
    m.insert("self".into(), Value::bool(false));
    m.insert("description".into(), Value::null_of(Type::String));
    m.insert(
        "source_security_group_id".into(),
        Value::null_of(Type::String),
    );
    for s in sources {
        if *s == "self" {
            m.insert("self".into(), Value::bool(true));
        } else if s.contains("sg-") {
            m.insert("source_security_group_id".into(), Value::string(*s));
        } else if s.contains(':') {
            v6.push(s.to_string());
        } else if s.contains("pl-") {
            pl.push(s.to_string());
        } else {
            cidr.push(s.to_string());
        }
    }
    let list = |xs: Vec<String>| {
        if xs.is_empty() {
            Value::null_of(Type::list(Type::String))
        } else {
            crate::providers::aws::str_list(xs)
        }
    };
    m.insert("cidr_blocks".into(), list(cidr));
    m.insert("ipv6_cidr_blocks".into(), list(v6));
    m.insert("prefix_list_ids".into(), list(pl));
    Ok(Value::object(m))
}

#[async_trait]
impl Resource for SecurityGroupRuleResource {
    fn type_name(&self) -> &'static str {
        "aws_security_group_rule"
    }
    fn display_name(&self) -> &'static str {
        "Security Group Rule"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The provider's `StateFunc` on `protocol`: "6" is kept as "tcp",
    /// "all" as "-1".
    fn customize_plan(
        &self,
        _ctx: &ProviderCtx,
        _prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        match get_str(&planned, "protocol") {
            Some(p) => with(&planned, "protocol", Value::string(protocol(&p))),
            None => planned,
        }
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let sg_id = get_str(planned, "security_group_id").unwrap_or_default();
        let g = group(&aws, &sg_id).await?;
        let own = g.group_id().unwrap_or_default().to_string();
        let p = expand(planned, &own);
        if p.ip_ranges().is_empty()
            && p.ipv6_ranges().is_empty()
            && p.prefix_list_ids().is_empty()
            && p.user_id_group_pairs().is_empty()
        {
            return Err(ProviderError::new(
                "one of [cidr_blocks ipv6_cidr_blocks prefix_list_ids self source_security_group_id] must be specified",
            ));
        }
        let egress = is_egress(planned);
        let ty = if egress { "egress" } else { "ingress" };
        let id = rule_id(&own, ty, &p);
        let ec2 = aws.ec2();
        let out = if egress {
            ec2.authorize_security_group_egress()
                .group_id(&own)
                .ip_permissions(p.clone())
                .send()
                .await
                .map(|o| o.security_group_rules().to_vec())
                .map_err(aws_err)
        } else {
            ec2.authorize_security_group_ingress()
                .group_id(&own)
                .ip_permissions(p.clone())
                .send()
                .await
                .map(|o| o.security_group_rules().to_vec())
                .map_err(aws_err)
        };
        let rules = match out {
            Err(mut e) if e.code.as_deref() == Some("InvalidPermission.Duplicate") => {
                e.message = format!(
                    "[WARN] A duplicate Security Group rule was found on ({sg_id}). This may be\na side effect of a now-fixed Terraform issue causing two security groups with\nidentical attributes but different source_security_group_ids to overwrite each\nother in the state. See https://github.com/hashicorp/terraform/pull/2376 for more\ninformation and instructions for recovery. Error: {}",
                    e.message
                );
                return Err(e);
            }
            r => r?,
        };
        let sgr = if rules.len() == 1 {
            rules[0]
                .security_group_rule_id()
                .unwrap_or_default()
                .to_string()
        } else {
            String::new()
        };
        let base = with(planned, "id", Value::string(&id));
        let base = with(&base, "security_group_rule_id", Value::string(&sgr));
        let wait = timeout(planned, "create", Duration::from_secs(300));
        let start = std::time::Instant::now();
        let mut delay = Duration::from_millis(200);
        let state = loop {
            if let Some(s) = read_one(ctx, &base).await? {
                break s;
            }
            if start.elapsed() > wait {
                return Err(ProviderError::new(format!(
                    "waiting for Security Group ({sg_id}) Rule ({id}) create: couldn't find resource"
                )));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        };
        let mut s = state;
        if get_str(&s, "security_group_rule_id").is_none_or(|x| x.is_empty()) {
            s = with(&s, "security_group_rule_id", Value::string(sgr));
        }
        Ok(s)
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
        let sg_id = get_str(prior, "security_group_id").unwrap_or_default();
        if get(prior, "description").as_str() != get(planned, "description").as_str() {
            let g = group(&aws, &sg_id).await?;
            let own = g.group_id().unwrap_or_default().to_string();
            // No description means an empty one.
            let p = expand_with(
                planned,
                &own,
                Some(get_str(planned, "description").unwrap_or_default()),
            );
            let ec2 = aws.ec2();
            if is_egress(planned) {
                ec2.update_security_group_rule_descriptions_egress()
                    .group_id(&own)
                    .ip_permissions(p)
                    .send()
                    .await
                    .map_err(aws_err)?;
            } else {
                ec2.update_security_group_rule_descriptions_ingress()
                    .group_id(&own)
                    .ip_permissions(p)
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
        let id = get_str(prior, "id").unwrap_or_default();
        let base = with(planned, "id", Value::string(&id));
        let base = with(
            &base,
            "security_group_rule_id",
            get(prior, "security_group_rule_id"),
        );
        read_one(ctx, &base).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "reading Security Group ({sg_id}) Rule ({id}): couldn't find resource"
            ))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let sg_id = get_str(prior, "security_group_id").unwrap_or_default();
        let g = match groups(&aws, std::slice::from_ref(&sg_id))
            .await?
            .remove(&sg_id)
        {
            Some(g) => g,
            None => return Ok(()),
        };
        let own = g.group_id().unwrap_or_default().to_string();
        let p = expand(prior, &own);
        let ec2 = aws.ec2();
        let r = if is_egress(prior) {
            ec2.revoke_security_group_egress()
                .group_id(&own)
                .ip_permissions(p)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        } else {
            ec2.revoke_security_group_ingress()
                .group_id(&own)
                .ip_permissions(p)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        };
        match r {
            Err(e) if e.code.as_deref() == Some("InvalidPermission.NotFound") => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let prior = parse_import(id)?;
        read_one(ctx, &prior)
            .await?
            .ok_or_else(|| ProviderError::new(format!("Security Group Rule ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_go() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn import_ids() {
        let v = parse_import("sg-0abc_ingress_tcp_80_80_10.0.0.0/8_10.1.0.0/16").unwrap();
        assert_eq!(get_str(&v, "type").as_deref(), Some("ingress"));
        assert_eq!(get_strs(&v, "cidr_blocks").len(), 2);
        let v = parse_import("sg-0abc_egress_all_0_0_sg-0def").unwrap();
        assert_eq!(get_str(&v, "protocol").as_deref(), Some("all"));
        assert_eq!(
            get_str(&v, "source_security_group_id").as_deref(),
            Some("sg-0def")
        );
        assert!(parse_import("sg-0abc_ingress_tcp_80_80").is_err());
        assert!(parse_import("sg-0abc_sideways_tcp_80_80_1.2.3.4/32").is_err());
        assert!(parse_import("sg-0abc_ingress_tcp_90_80_1.2.3.4/32").is_err());
    }
}
