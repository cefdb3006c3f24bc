//! `aws_route53_record`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet,
    ResourceRecordSetFailover, ResourceRecordSetRegion, RrType,
};

use super::{clean_zone_id, normalize_domain, wait_insync};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, get_strs, retry_on, with, Aws,
};
use crate::providers::{
    timeout, Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema,
};

const RR_TYPES: &[&str] = &[
    "SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS",
    "TLSA", "SSHFP", "SVCB", "HTTPS",
];

pub struct Record {
    schema: Schema,
}

impl Record {
    pub fn new() -> Record {
        let c = || Attribute::computed(Type::String);
        let one = |name: &'static str, ty: Type| Schema::new().attr(name, Attribute::required(ty));
        Record {
            schema: Schema::new()
                .version(2)
                .attr("id", c())
                .attr("fqdn", c())
                .attr("zone_id", Attribute::required(Type::String).force_new())
                .attr("name", Attribute::required(Type::String).force_new())
                .attr("type", Attribute::required(Type::String))
                .attr("ttl", Attribute::optional(Type::Number))
                .attr("records", Attribute::optional(Type::set(Type::String)))
                .attr("set_identifier", Attribute::optional(Type::String))
                .attr("health_check_id", Attribute::optional(Type::String))
                .attr(
                    "multivalue_answer_routing_policy",
                    Attribute::optional(Type::Bool),
                )
                .attr("allow_overwrite", Attribute::optional_computed(Type::Bool))
                .block(
                    "alias",
                    BlockNesting::List,
                    Schema::new()
                        .attr("name", Attribute::required(Type::String))
                        .attr("zone_id", Attribute::required(Type::String))
                        .attr("evaluate_target_health", Attribute::required(Type::Bool)),
                )
                .block(
                    "weighted_routing_policy",
                    BlockNesting::List,
                    one("weight", Type::Number),
                )
                .block(
                    "latency_routing_policy",
                    BlockNesting::List,
                    one("region", Type::String),
                )
                .block(
                    "failover_routing_policy",
                    BlockNesting::List,
                    one("type", Type::String),
                )
                .timeouts(&["create", "update", "delete"]),
        }
    }
}

impl Default for Record {
    fn default() -> Self {
        Record::new()
    }
}

/// The record name fully qualified in `zone` (the provider's
/// `expandRecordName`): "www" in "example.com" is "www.example.com".
pub fn expand_name(name: &str, zone: &str) -> String {
    let rn = normalize_domain(name);
    let zone = normalize_domain(zone);
    if rn.ends_with(&zone) {
        rn
    } else if name.is_empty() {
        zone
    } else {
        format!("{rn}.{zone}")
    }
}

/// `ZONEID_NAME_TYPE[_SETID]`.
pub fn record_id(zone_id: &str, name: &str, ty: &str, set_id: Option<&str>) -> String {
    let mut parts = vec![
        zone_id.to_string(),
        name.trim_end_matches('.').to_lowercase(),
        ty.to_string(),
    ];
    if let Some(s) = set_id.filter(|s| !s.is_empty()) {
        parts.push(s.to_string());
    }
    parts.join("_")
}

/// Parse an import id `ZONEID_NAME_TYPE[_SETID]` (the name may hold `_`).
pub fn parse_record_id(id: &str) -> Option<(String, String, String, String)> {
    let parts: Vec<&str> = id.split('_').collect();
    if parts.len() < 3 || parts[0].is_empty() {
        return None;
    }
    let ti = parts
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, p)| RR_TYPES.contains(p))
        .map(|(i, _)| i)?;
    if ti < 2 {
        return None;
    }
    Some((
        parts[0].to_string(),
        parts[1..ti].join("_").trim_end_matches('.').to_string(),
        parts[ti].to_string(),
        parts[ti + 1..].join("_"),
    ))
}

fn is_txt(ty: &str) -> bool {
    ty == "TXT" || ty == "SPF"
}

fn block_first(v: &Value, name: &str) -> Option<Value> {
    get(v, name).as_seq().and_then(|s| s.first().cloned())
}

async fn zone_name(aws: &Aws, zone_id: &str) -> Result<Option<String>, ProviderError> {
    match aws.route53().get_hosted_zone().id(zone_id).send().await {
        Ok(o) => Ok(o.hosted_zone().map(|z| z.name().to_string())),
        Err(e) => {
            let e = aws_err(e);
            if e.code.as_deref() == Some("NoSuchHostedZone") {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

/// The record set `v` (a planned or prior object) describes.
fn rrset_of(v: &Value, zone: &str) -> Result<ResourceRecordSet, ProviderError> {
    let ty = get_str(v, "type").unwrap_or_default();
    let name = expand_name(&get_str(v, "name").unwrap_or_default(), zone);
    let mut b = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::from(ty.as_str()));
    let records = get_strs(v, "records");
    if !records.is_empty() {
        for r in records {
            let r = if is_txt(&ty) { format!("\"{r}\"") } else { r };
            b = b.resource_records(
                ResourceRecord::builder()
                    .value(r)
                    .build()
                    .map_err(|e| ProviderError::new(e.to_string()))?,
            );
        }
        b = b.set_ttl(get_i64(v, "ttl"));
    }
    if let Some(a) = block_first(v, "alias") {
        b = b.alias_target(
            AliasTarget::builder()
                .dns_name(get_str(&a, "name").unwrap_or_default())
                .hosted_zone_id(get_str(&a, "zone_id").unwrap_or_default())
                .evaluate_target_health(get_bool(&a, "evaluate_target_health").unwrap_or(false))
                .build()
                .map_err(|e| ProviderError::new(e.to_string()))?,
        );
    }
    if let Some(w) = block_first(v, "weighted_routing_policy") {
        b = b.set_weight(get_i64(&w, "weight"));
    }
    if let Some(l) = block_first(v, "latency_routing_policy") {
        b = b.region(ResourceRecordSetRegion::from(
            get_str(&l, "region").unwrap_or_default().as_str(),
        ));
    }
    if let Some(f) = block_first(v, "failover_routing_policy") {
        b = b.failover(ResourceRecordSetFailover::from(
            get_str(&f, "type").unwrap_or_default().as_str(),
        ));
    }
    if get_bool(v, "multivalue_answer_routing_policy") == Some(true) {
        b = b.multi_value_answer(true);
    }
    if let Some(s) = get_str(v, "set_identifier").filter(|s| !s.is_empty()) {
        b = b.set_identifier(s);
    }
    if let Some(h) = get_str(v, "health_check_id").filter(|s| !s.is_empty()) {
        b = b.health_check_id(h);
    }
    b.build().map_err(|e| ProviderError::new(e.to_string()))
}

/// Find the record set of (zone, name, type, set identifier); with its
/// fully qualified name.
async fn find(
    aws: &Aws,
    zone_id: &str,
    name: &str,
    ty: &str,
    set_id: &str,
) -> Result<Option<(ResourceRecordSet, String)>, ProviderError> {
    let Some(zone) = zone_name(aws, zone_id).await? else {
        return Ok(None);
    };
    let fqdn = expand_name(name, &zone);
    let mut req = aws
        .route53()
        .list_resource_record_sets()
        .hosted_zone_id(zone_id)
        .start_record_name(format!("{fqdn}."))
        .start_record_type(RrType::from(ty.to_uppercase().as_str()))
        .max_items(if set_id.is_empty() { 1 } else { 100 });
    loop {
        let out = match req.clone().send().await {
            Ok(o) => o,
            Err(e) => {
                let e = aws_err(e);
                if e.code.as_deref() == Some("NoSuchHostedZone") {
                    return Ok(None);
                }
                return Err(e);
            }
        };
        let hit = out.resource_record_sets().iter().find(|r| {
            normalize_domain(r.name()) == fqdn
                && r.r#type().as_str() == ty.to_uppercase()
                && r.set_identifier().unwrap_or_default() == set_id
        });
        if let Some(r) = hit {
            return Ok(Some((r.clone(), fqdn)));
        }
        // Only keep paging while the next page can still hold this name and type.
        let more = out.is_truncated()
            && out.next_record_name().map(normalize_domain).as_deref() == Some(fqdn.as_str())
            && out.next_record_type().map(|t| t.as_str()) == Some(ty);
        if !more {
            return Ok(None);
        }
        req = req
            .set_start_record_name(out.next_record_name().map(|s| s.to_string()))
            .set_start_record_type(out.next_record_type().cloned())
            .set_start_record_identifier(out.next_record_identifier().map(|s| s.to_string()));
    }
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn block_list(schema: &Schema, name: &str, items: Vec<Value>) -> Value {
    let ty = schema
        .blocks
        .get(name)
        .map(|b| b.block.value_type())
        .unwrap_or(Type::Dynamic);
    Value::list(ty, items)
}

fn to_state(schema: &Schema, prior: &Value, r: &ResourceRecordSet, fqdn: &str) -> Value {
    let ty = r.r#type().as_str().to_string();
    let zone_id = get_str(prior, "zone_id").unwrap_or_default();
    let name = get_str(prior, "name").unwrap_or_default();
    let set_id = r.set_identifier().map(|s| s.to_string());
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set(
        "id",
        Value::string(record_id(&zone_id, &name, &ty, set_id.as_deref())),
    );
    set("fqdn", Value::string(fqdn));
    set("zone_id", Value::string(zone_id));
    set("name", Value::string(name));
    set("type", Value::string(&ty));
    let records: Vec<String> = r
        .resource_records()
        .iter()
        .map(|x| {
            let v = x.value();
            if is_txt(&ty) && v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                v[1..v.len() - 1].to_string()
            } else {
                v.to_string()
            }
        })
        .collect();
    set(
        "records",
        if records.is_empty() && get(prior, "records").is_null() {
            Value::null_of(Type::set(Type::String))
        } else {
            Value::set(
                Type::String,
                records.into_iter().map(Value::string).collect(),
            )
        },
    );
    set(
        "ttl",
        match r.ttl() {
            Some(t) => Value::int(t),
            None => Value::null_of(Type::Number),
        },
    );
    set(
        "set_identifier",
        match set_id {
            Some(s) => Value::string(s),
            None => Value::null_of(Type::String),
        },
    );
    set(
        "health_check_id",
        match r.health_check_id() {
            Some(h) => Value::string(h),
            None => Value::null_of(Type::String),
        },
    );
    set(
        "multivalue_answer_routing_policy",
        match r.multi_value_answer() {
            Some(true) => Value::bool(true),
            _ if get_bool(prior, "multivalue_answer_routing_policy") == Some(false) => {
                Value::bool(false)
            }
            _ => Value::null_of(Type::Bool),
        },
    );
    set(
        "allow_overwrite",
        Value::bool(get_bool(prior, "allow_overwrite").unwrap_or(false)),
    );
    let alias = r.alias_target().map(|a| {
        let aws_name = normalize_domain(a.dns_name());
        let name = match block_first(prior, "alias").and_then(|p| get_str(&p, "name")) {
            Some(p) if normalize_domain(&p) == aws_name => p,
            _ => aws_name,
        };
        obj(vec![
            ("name", Value::string(name)),
            ("zone_id", Value::string(a.hosted_zone_id())),
            (
                "evaluate_target_health",
                Value::bool(a.evaluate_target_health()),
            ),
        ])
    });
    set(
        "alias",
        block_list(schema, "alias", alias.into_iter().collect()),
    );
    set(
        "weighted_routing_policy",
        block_list(
            schema,
            "weighted_routing_policy",
            r.weight()
                .map(|w| obj(vec![("weight", Value::int(w))]))
                .into_iter()
                .collect(),
        ),
    );
    set(
        "latency_routing_policy",
        block_list(
            schema,
            "latency_routing_policy",
            r.region()
                .map(|x| obj(vec![("region", Value::string(x.as_str()))]))
                .into_iter()
                .collect(),
        ),
    );
    set(
        "failover_routing_policy",
        block_list(
            schema,
            "failover_routing_policy",
            r.failover()
                .map(|x| obj(vec![("type", Value::string(x.as_str()))]))
                .into_iter()
                .collect(),
        ),
    );
    Value::object(m)
}

/// `planned` with `name` and `alias.name` set back to their prior spelling
/// when equivalent: the provider's StateFuncs store both lower case without
/// a trailing dot, so e.g. an imported `www.example.com` matches a
/// configured `www.example.com.` (no replacement, no update).
fn keep_equivalent_names(schema: &Schema, prior: &Value, planned: Value) -> Value {
    let mut planned = planned;
    if let (Some(p), Some(n)) = (get_str(prior, "name"), get_str(&planned, "name")) {
        if p != n && normalize_domain(&p) == normalize_domain(&n) {
            planned = with(&planned, "name", Value::string(p));
        }
    }
    let prior_alias = block_first(prior, "alias").and_then(|a| get_str(&a, "name"));
    let one_alias = get(&planned, "alias").as_seq().map(|s| s.len()) == Some(1);
    if let (Some(p), Some(a), true) = (prior_alias, block_first(&planned, "alias"), one_alias) {
        if let Some(n) = get_str(&a, "name") {
            if p != n && normalize_domain(&p) == normalize_domain(&n) {
                let a = with(&a, "name", Value::string(p));
                planned = with(&planned, "alias", block_list(schema, "alias", vec![a]));
            }
        }
    }
    planned
}

/// `InvalidChangeBatch` carries its reasons in `messages`; the SDK error's
/// message may be empty.
fn change_err<E>(e: aws_sdk_route53::error::SdkError<E>) -> ProviderError
where
    E: aws_sdk_route53::error::ProvideErrorMetadata + std::error::Error + 'static,
    aws_sdk_route53::error::SdkError<E>: aws_sdk_route53::error::ProvideErrorMetadata,
{
    aws_err(e)
}

async fn change(
    aws: &Aws,
    zone_id: &str,
    changes: Vec<Change>,
    comment: &str,
    wait: Duration,
) -> Result<(), ProviderError> {
    let batch = ChangeBatch::builder()
        .set_changes(Some(changes))
        .comment(comment)
        .build()
        .map_err(|e| ProviderError::new(e.to_string()))?;
    let out = retry_on(&["NoSuchHostedZone"], Duration::from_secs(60), || async {
        aws.route53()
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(batch.clone())
            .send()
            .await
            .map_err(change_err)
    })
    .await?;
    if let Some(ci) = out.change_info() {
        wait_insync(aws, ci.id(), wait).await?;
    }
    Ok(())
}

fn one_change(action: ChangeAction, rr: ResourceRecordSet) -> Result<Change, ProviderError> {
    Change::builder()
        .action(action)
        .resource_record_set(rr)
        .build()
        .map_err(|e| ProviderError::new(e.to_string()))
}

impl Record {
    async fn read_key(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let zone_id = clean_zone_id(&get_str(prior, "zone_id").unwrap_or_default());
        let found = find(
            &aws,
            &zone_id,
            &get_str(prior, "name").unwrap_or_default(),
            &get_str(prior, "type").unwrap_or_default(),
            &get_str(prior, "set_identifier").unwrap_or_default(),
        )
        .await?;
        Ok(found.map(|(r, fqdn)| to_state(&self.schema, prior, &r, &fqdn)))
    }

    async fn put(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let zone_id = clean_zone_id(&get_str(planned, "zone_id").unwrap_or_default());
        let Some(zone) = zone_name(&aws, &zone_id).await? else {
            return Err(ProviderError {
                code: Some("NoSuchHostedZone".into()),
                message: format!("reading Route 53 Hosted Zone ({zone_id}): not found"),
                partial: None,
            });
        };
        let op = if prior.is_some() { "update" } else { "create" };
        let wait = timeout(planned, op, Duration::from_secs(1800));
        let allow = get_bool(planned, "allow_overwrite").unwrap_or(false);
        let new = rrset_of(planned, &zone)?;
        let changes = match prior {
            Some(p)
                if get_str(p, "type") != get_str(planned, "type")
                    || get_str(p, "set_identifier") != get_str(planned, "set_identifier") =>
            {
                // A new key: delete the old record and create the new one in one batch.
                vec![
                    one_change(ChangeAction::Delete, rrset_of(p, &zone)?)?,
                    one_change(
                        if allow {
                            ChangeAction::Upsert
                        } else {
                            ChangeAction::Create
                        },
                        new,
                    )?,
                ]
            }
            Some(_) => vec![one_change(ChangeAction::Upsert, new)?],
            None => vec![one_change(
                if allow {
                    ChangeAction::Upsert
                } else {
                    ChangeAction::Create
                },
                new,
            )?],
        };
        change(&aws, &zone_id, changes, "Managed by Terraform", wait).await?;
        let mut key = planned.clone();
        if get(planned, "allow_overwrite").is_known() {
            key = crate::providers::aws::with(&key, "allow_overwrite", Value::bool(allow));
        }
        self.read_key(ctx, &key).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Route53 Record ({}) not found after {op}",
                get_str(planned, "name").unwrap_or_default()
            ))
        })
    }
}

#[async_trait]
impl Resource for Record {
    fn type_name(&self) -> &'static str {
        "aws_route53_record"
    }
    fn display_name(&self) -> &'static str {
        "Route53 Record"
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
        match prior {
            Some(p) => keep_equivalent_names(&self.schema, p, planned),
            None => planned,
        }
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        self.put(ctx, None, planned).await
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        self.read_key(ctx, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        self.put(ctx, Some(prior), planned).await
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let zone_id = clean_zone_id(&get_str(prior, "zone_id").unwrap_or_default());
        let Some((rr, _)) = find(
            &aws,
            &zone_id,
            &get_str(prior, "name").unwrap_or_default(),
            &get_str(prior, "type").unwrap_or_default(),
            &get_str(prior, "set_identifier").unwrap_or_default(),
        )
        .await?
        else {
            return Ok(());
        };
        let wait = timeout(prior, "delete", Duration::from_secs(1800));
        match change(
            &aws,
            &zone_id,
            vec![one_change(ChangeAction::Delete, rr)?],
            "Deleted by Terraform",
            wait,
        )
        .await
        {
            Err(e) if e.code.as_deref() == Some("InvalidChangeBatch") => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let Some((zone_id, name, ty, set_id)) = parse_record_id(id) else {
            return Err(ProviderError::new(format!(
                "unexpected format of ID ({id:?}), expected ZONEID_RECORDNAME_TYPE_SET-IDENTIFIER (e.g. Z4KAPRWWNC7JR_dev.example.com_NS_dev), where SET-IDENTIFIER is optional"
            )));
        };
        let mut m = BTreeMap::new();
        m.insert("zone_id".to_string(), Value::string(zone_id));
        m.insert("name".to_string(), Value::string(name));
        m.insert("type".to_string(), Value::string(ty));
        if !set_id.is_empty() {
            m.insert("set_identifier".to_string(), Value::string(set_id));
        }
        self.read_key(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("Route53 Record ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_names_plan_as_prior() {
        let schema = Record::new().schema;
        let rec = |name: &str, alias: &str| {
            let a = obj(vec![
                ("name", Value::string(alias)),
                ("zone_id", Value::string("Z35SXDOTRQ7X7K")),
                ("evaluate_target_health", Value::bool(true)),
            ]);
            obj(vec![
                ("name", Value::string(name)),
                ("alias", block_list(&schema, "alias", vec![a])),
            ])
        };
        let names = |v: &Value| {
            (
                get_str(v, "name").unwrap(),
                get_str(&block_first(v, "alias").unwrap(), "name").unwrap(),
            )
        };
        let prior = rec("www.example.com", "my-lb.elb.amazonaws.com");
        let kept = keep_equivalent_names(
            &schema,
            &prior,
            rec("WWW.example.com.", "My-LB.elb.amazonaws.com."),
        );
        assert_eq!(
            names(&kept),
            ("www.example.com".into(), "my-lb.elb.amazonaws.com".into())
        );
        let changed = keep_equivalent_names(&schema, &prior, rec("www2", "other.example.com"));
        assert_eq!(names(&changed), ("www2".into(), "other.example.com".into()));
    }

    #[test]
    fn names_and_ids() {
        assert_eq!(expand_name("www", "example.com."), "www.example.com");
        assert_eq!(
            expand_name("www.example.com.", "example.com."),
            "www.example.com"
        );
        assert_eq!(
            expand_name("WWW.Example.COM", "example.com"),
            "www.example.com"
        );
        assert_eq!(expand_name("", "example.com."), "example.com");
        assert_eq!(
            record_id("Z1", "WWW.example.com.", "A", None),
            "Z1_www.example.com_A"
        );
        assert_eq!(record_id("Z1", "www", "A", Some("eu")), "Z1_www_A_eu");
        assert_eq!(
            parse_record_id("Z1_www.example.com_A"),
            Some((
                "Z1".into(),
                "www.example.com".into(),
                "A".into(),
                String::new()
            ))
        );
        assert_eq!(
            parse_record_id("Z1__x.example.com_CNAME_set_1"),
            Some((
                "Z1".into(),
                "_x.example.com".into(),
                "CNAME".into(),
                "set_1".into()
            ))
        );
        assert_eq!(parse_record_id("Z1_A"), None);
        assert_eq!(parse_record_id("garbage"), None);
    }
}
