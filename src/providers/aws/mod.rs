//! The `aws` provider: the evaluated `provider "aws"` block becomes one AWS
//! SDK configuration (standard credential and region chain of `aws-config`,
//! which itself honours `AWS_ENDPOINT_URL` and friends), whose service
//! clients are created lazily and shared by every resource using that
//! provider configuration. Also: AWS errors → [`ProviderError`], and the
//! provider's `default_tags` / `tags_all` rules.

pub mod acm;
pub mod appautoscaling;
pub mod ec2;
pub mod ecs;
pub mod elbv2;
pub mod iam;
pub mod logs;
pub mod rds;
pub mod route53;
pub mod secretsmanager;
pub mod sts;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata};

use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Registry, Schema};

pub fn register(r: &mut Registry) {
    r.provider_schemas.insert("aws", provider_schema());
    acm::register(r);
    appautoscaling::register(r);
    ec2::register(r);
    ecs::register(r);
    elbv2::register(r);
    iam::register(r);
    logs::register(r);
    rds::register(r);
    route53::register(r);
    secretsmanager::register(r);
    sts::register(r);
}

/// Service endpoints that may be overridden in `endpoints { ... }`.
const ENDPOINT_SERVICES: &[&str] = &[
    "acm",
    "apigateway",
    "appautoscaling",
    "applicationautoscaling",
    "autoscaling",
    "cloudformation",
    "cloudfront",
    "cloudwatch",
    "cloudwatchlogs",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "efs",
    "eks",
    "elb",
    "elbv2",
    "iam",
    "kinesis",
    "kms",
    "lambda",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
];

/// The schema of the `provider "aws"` block (the subset herd evaluates, and
/// the settings it accepts and ignores, like the `skip_*` switches).
pub fn provider_schema() -> Schema {
    let s = || Attribute::optional(Type::String);
    let b = || Attribute::optional(Type::Bool);
    let ls = || Attribute::optional(Type::list(Type::String));
    let mut endpoints = Schema::new();
    for svc in ENDPOINT_SERVICES {
        endpoints = endpoints.attr(svc, s());
    }
    Schema::new()
        .attr("region", s())
        .attr("profile", s())
        .attr("access_key", s())
        .attr("secret_key", s().sensitive())
        .attr("token", s().sensitive())
        .attr("alias", s())
        .attr("max_retries", Attribute::optional(Type::Number))
        .attr("retry_mode", s())
        .attr("shared_config_files", ls())
        .attr("shared_credentials_files", ls())
        .attr(
            "allowed_account_ids",
            Attribute::optional(Type::set(Type::String)),
        )
        .attr(
            "forbidden_account_ids",
            Attribute::optional(Type::set(Type::String)),
        )
        .attr("skip_credentials_validation", b())
        .attr(
            "skip_metadata_api_check",
            Attribute::optional(Type::Dynamic),
        )
        .attr("skip_region_validation", b())
        .attr("skip_requesting_account_id", b())
        .attr("s3_use_path_style", b())
        .attr("insecure", b())
        .attr("use_fips_endpoint", b())
        .attr("use_dualstack_endpoint", b())
        .attr("sts_region", s())
        .block(
            "default_tags",
            BlockNesting::Single,
            Schema::new().attr("tags", Attribute::optional(Type::map(Type::String))),
        )
        .block(
            "ignore_tags",
            BlockNesting::Single,
            Schema::new()
                .attr("keys", Attribute::optional(Type::set(Type::String)))
                .attr("key_prefixes", Attribute::optional(Type::set(Type::String))),
        )
        .block("endpoints", BlockNesting::List, endpoints)
        .block(
            "assume_role",
            BlockNesting::List,
            Schema::new()
                .attr("role_arn", s())
                .attr("session_name", s())
                .attr("external_id", s())
                .attr("duration", s())
                .attr("policy", s()),
        )
}

// ---------------------------------------------------------------------------
// Values

pub fn get(v: &Value, name: &str) -> Value {
    v.as_entries()
        .and_then(|m| m.get(name).cloned())
        .unwrap_or_else(Value::null)
}

pub fn get_str(v: &Value, name: &str) -> Option<String> {
    get(v, name).as_str().map(|s| s.to_string())
}

pub fn get_bool(v: &Value, name: &str) -> Option<bool> {
    get(v, name).as_bool()
}

pub fn get_i64(v: &Value, name: &str) -> Option<i64> {
    get(v, name).as_number().and_then(|n| n.to_i64())
}

/// The strings of a list/set attribute (empty when null).
pub fn get_strs(v: &Value, name: &str) -> Vec<String> {
    get(v, name)
        .as_seq()
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(|s| s.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A map(string) value as a map; `None` when null or not wholly known.
pub fn str_map(v: &Value) -> Option<BTreeMap<String, String>> {
    if v.is_null() || !v.is_wholly_known() {
        return None;
    }
    Some(
        v.as_entries()?
            .iter()
            .filter_map(|(k, x)| x.as_str().map(|s| (k.clone(), s.to_string())))
            .collect(),
    )
}

pub fn map_value(m: &BTreeMap<String, String>) -> Value {
    Value::map(
        Type::String,
        m.iter()
            .map(|(k, v)| (k.clone(), Value::string(v.clone())))
            .collect(),
    )
}

pub fn str_list(xs: impl IntoIterator<Item = String>) -> Value {
    Value::list(Type::String, xs.into_iter().map(Value::string).collect())
}

pub fn str_set(xs: impl IntoIterator<Item = String>) -> Value {
    Value::set(Type::String, xs.into_iter().map(Value::string).collect())
}

pub fn opt_str(s: Option<&str>) -> Value {
    match s {
        Some(s) => Value::string(s),
        None => Value::null_of(Type::String),
    }
}

/// `v` with attribute `name` set to `x`.
pub fn with(v: &Value, name: &str, x: Value) -> Value {
    let mut m: BTreeMap<String, Value> = v.as_entries().cloned().unwrap_or_default();
    m.insert(name.to_string(), x);
    Value::object(m)
}

// ---------------------------------------------------------------------------
// Provider configuration → SDK configuration and clients

/// One provider configuration's SDK setup, with lazily created clients.
pub struct Aws {
    pub sdk: SdkConfig,
    pub region: String,
    endpoints: BTreeMap<String, String>,
    ignore_keys: Vec<String>,
    ignore_prefixes: Vec<String>,
    clients: Clients,
}

/// One lazily created client per AWS service, each honouring its
/// `endpoints { KEY = "…" }` override (KEY as the Terraform AWS provider
/// names it), and optionally customised further by a function of its
/// config builder.
macro_rules! clients {
    ($($name:ident: $krate:ident, [$($key:literal),+] $(, $customize:expr)?;)*) => {
        #[derive(Default)]
        struct Clients {
            $($name: OnceLock<$krate::Client>,)*
        }
        impl Aws {
            $(
                pub fn $name(&self) -> &$krate::Client {
                    self.clients.$name.get_or_init(|| {
                        let mut b = $krate::config::Builder::from(&self.sdk)
                            .retry_partition(retry_partition(stringify!($name)));
                        if let Some(e) = [$($key),+].iter().find_map(|k| self.endpoints.get(*k)) {
                            b = b.endpoint_url(e);
                        }
                        $(b = $customize(b);)?
                        $krate::Client::from_conf(b.build())
                    })
                }
            )*
        }
    };
}

/// Each service client retries in its own partition, with its own adaptive
/// rate limiter (used when `retry_mode = "adaptive"`, herd's default) and
/// without a retry quota: like the Terraform AWS provider, herd keeps
/// retrying throttled calls up to `max_retries` rather than failing fast
/// once many calls were throttled.
fn retry_partition(service: &'static str) -> aws_smithy_runtime::client::retries::RetryPartition {
    use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
    RetryPartition::custom(format!("herd-{service}"))
        .token_bucket(TokenBucket::unlimited())
        .build()
}

clients! {
    ec2: aws_sdk_ec2, ["ec2"];
    sts: aws_sdk_sts, ["sts"];
    elbv2: aws_sdk_elasticloadbalancingv2, ["elbv2", "elb"];
    ecs: aws_sdk_ecs, ["ecs"];
    rds: aws_sdk_rds, ["rds"];
    iam: aws_sdk_iam, ["iam"];
    secretsmanager: aws_sdk_secretsmanager, ["secretsmanager"];
    logs: aws_sdk_cloudwatchlogs, ["cloudwatchlogs", "logs"];
    route53: aws_sdk_route53, ["route53"], route53::client_config;
    acm: aws_sdk_acm, ["acm"];
    appautoscaling: aws_sdk_applicationautoscaling, ["applicationautoscaling", "appautoscaling"];
}

impl Aws {
    pub fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
    pub fn arn(&self, service: &str, account: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{account}:{resource}",
            self.partition(),
            self.region
        )
    }

    /// Tags read from AWS without the ones `ignore_tags` and AWS itself own.
    pub fn visible_tags(
        &self,
        tags: impl IntoIterator<Item = (String, String)>,
    ) -> BTreeMap<String, String> {
        tags.into_iter()
            .filter(|(k, _)| {
                !k.starts_with("aws:")
                    && !self.ignore_keys.contains(k)
                    && !self.ignore_prefixes.iter().any(|p| k.starts_with(p))
            })
            .collect()
    }
}

pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

type Cache = HashMap<String, (Weak<()>, Arc<Aws>)>;

fn cache() -> &'static tokio::sync::Mutex<Cache> {
    static C: OnceLock<tokio::sync::Mutex<Cache>> = OnceLock::new();
    C.get_or_init(Default::default)
}

/// The SDK setup for the provider configuration in `ctx`: one per distinct
/// configuration (and tokio runtime, since the HTTP connection pool belongs
/// to the runtime that opened it), created on first use.
pub async fn aws(ctx: &ProviderCtx) -> Result<Arc<Aws>, ProviderError> {
    let cfg = ctx
        .config
        .clone()
        .map(|c| c.unmark_deep())
        .unwrap_or_else(Value::null);
    let key = crate::lang::json::to_json_string(&cfg);
    let mut c = cache().lock().await;
    if let Some((alive, a)) = c.get(&key) {
        if alive.upgrade().is_some() {
            return Ok(a.clone());
        }
    }
    let a = Arc::new(build(&cfg).await?);
    // A token held by a task of the current runtime: it is dropped with the
    // runtime, which tells later callers to build fresh clients.
    let token = Arc::new(());
    let alive = Arc::downgrade(&token);
    tokio::spawn(async move {
        let _token = token;
        std::future::pending::<()>().await
    });
    c.insert(key, (alive, a.clone()));
    Ok(a)
}

async fn build(cfg: &Value) -> Result<Aws, ProviderError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(r) = get_str(cfg, "region") {
        loader = loader.region(Region::new(r));
    }
    if let Some(p) = get_str(cfg, "profile") {
        loader = loader.profile_name(p);
    }
    if let (Some(ak), Some(sk)) = (get_str(cfg, "access_key"), get_str(cfg, "secret_key")) {
        loader = loader.credentials_provider(aws_sdk_ec2::config::Credentials::new(
            ak,
            sk,
            get_str(cfg, "token"),
            None,
            "provider-block",
        ));
    }
    // retry_mode: the block's, else AWS_RETRY_MODE, else adaptive (a client
    // side rate limiter per service that backs off on throttling and speeds
    // up again on success). max_retries: the block's, else
    // AWS_MAX_ATTEMPTS - 1, else 8 (the Terraform AWS provider uses 25; with
    // adaptive rate limiting fewer suffice, and server errors fail sooner).
    let mode = get_str(cfg, "retry_mode")
        .or_else(|| std::env::var("AWS_RETRY_MODE").ok())
        .unwrap_or_else(|| "adaptive".to_string());
    let mut retry = if mode == "standard" || mode == "legacy" {
        RetryConfig::standard()
    } else {
        RetryConfig::adaptive()
    };
    let retries = get_i64(cfg, "max_retries")
        .or_else(|| {
            std::env::var("AWS_MAX_ATTEMPTS")
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .map(|n| n - 1)
        })
        .unwrap_or(8);
    retry = retry
        .with_max_attempts((retries.max(0) as u32).saturating_add(1))
        .with_max_backoff(Duration::from_secs(5));
    loader = loader.retry_config(retry);
    let sdk = loader.load().await;
    let Some(region) = sdk.region().map(|r| r.to_string()) else {
        return Err(ProviderError::new(
            "configuring the AWS provider: no region is set. Set \"region\" in the provider \"aws\" block, or the AWS_REGION environment variable, or a region in the shared config profile.",
        ));
    };
    let mut endpoints = BTreeMap::new();
    if let Some(items) = get(cfg, "endpoints").as_seq() {
        for e in items {
            if let Some(m) = e.as_entries() {
                for (k, v) in m {
                    if let Some(s) = v.as_str() {
                        endpoints.insert(k.clone(), s.to_string());
                    }
                }
            }
        }
    }
    let it = get(cfg, "ignore_tags");
    Ok(Aws {
        sdk,
        region,
        endpoints,
        ignore_keys: get_strs(&it, "keys"),
        ignore_prefixes: get_strs(&it, "key_prefixes"),
        clients: Clients::default(),
    })
}

// ---------------------------------------------------------------------------
// Errors

/// An AWS SDK error as a provider error: the AWS error code and message.
pub fn aws_err<E>(e: E) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e.code() {
        Some(code) => ProviderError {
            code: Some(code.to_string()),
            message: e.message().unwrap_or(code).to_string(),
            partial: None,
        },
        None => ProviderError::new(unhandled_message(&DisplayErrorContext(&e).to_string())),
    }
}

/// A short message for an error without an AWS error code. The SDK's own
/// text dumps the whole HTTP response; keep the status and the body's text.
fn unhandled_message(full: &str) -> String {
    let Some(i) = full.find("raw: Response { status: StatusCode(") else {
        return full.to_string();
    };
    let status: String = full[i + 35..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let body = full
        .find("Once(Some(b\"")
        .map(|j| {
            let rest = &full[j + 12..];
            let end = rest.find("\"))").unwrap_or(rest.len());
            let mut text = String::new();
            let mut in_tag = false;
            for c in rest[..end].replace("\\n", " ").chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .unwrap_or_default();
    let body: String = body.chars().take(300).collect();
    format!("the AWS endpoint answered HTTP {status} without an AWS error code: {body}")
}

/// The result of one batched read as the per-state results `read_batch`
/// returns: every state shares a failure.
pub fn per_state(
    states: &[Value],
    r: Result<Vec<Option<Value>>, ProviderError>,
) -> Vec<Result<Option<Value>, ProviderError>> {
    match r {
        Ok(v) => v.into_iter().map(Ok).collect(),
        Err(e) => states.iter().map(|_| Err(e.clone())).collect(),
    }
}

pub fn is_not_found(e: &ProviderError) -> bool {
    e.code
        .as_deref()
        .map(|c| {
            c.ends_with(".NotFound") || c.ends_with("NotFound") || c == "InvalidGroupId.Malformed"
        })
        .unwrap_or(false)
}

/// Retry `f` while it fails with one of `codes` (eventual consistency, e.g.
/// `DependencyViolation` right after a dependent object was deleted).
pub async fn retry_on<T, F, Fut>(
    codes: &[&str],
    timeout: Duration,
    mut f: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ProviderError>>,
{
    let start = std::time::Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        match f().await {
            Err(e)
                if e.code.as_deref().is_some_and(|c| codes.contains(&c))
                    && start.elapsed() + delay < timeout =>
            {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            r => return r,
        }
    }
}

// ---------------------------------------------------------------------------
// Tags

/// `tags` and `tags_all`, as every taggable resource declares them.
pub fn tag_attrs(s: Schema) -> Schema {
    s.attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("tags_all", Attribute::computed(Type::map(Type::String)))
}

/// The provider configuration's `default_tags { tags }` (empty when there
/// are none); `None` while they are not known yet.
pub fn default_tags(ctx: &ProviderCtx) -> Option<BTreeMap<String, String>> {
    let Some(cfg) = &ctx.config else {
        return Some(BTreeMap::new());
    };
    let dt = get(cfg, "default_tags");
    if !dt.is_known() {
        return None;
    }
    let tags = get(&dt, "tags");
    if tags.is_null() {
        return Some(BTreeMap::new());
    }
    str_map(&tags)
}

/// Plan `tags_all`: the default tags overridden by the resource's `tags`
/// (unknown while either is).
pub fn plan_tags_all(ctx: &ProviderCtx, planned: Value) -> Value {
    let tags = get(&planned, "tags");
    let all = match (default_tags(ctx), tags.is_wholly_known()) {
        (Some(mut d), true) => {
            if let Some(t) = str_map(&tags) {
                d.extend(t);
            }
            map_value(&d)
        }
        _ => Value::unknown(Type::map(Type::String)),
    };
    with(&planned, "tags_all", all)
}

/// `tags` and `tags_all` from the tags AWS reports: `tags_all` is all of
/// them; `tags` leaves out default tags with the default value, unless the
/// prior `tags` held that key (the provider's `RemoveDefaultConfig`).
pub fn read_tags(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    from_aws: impl IntoIterator<Item = (String, String)>,
) -> (Value, Value) {
    let all = aws.visible_tags(from_aws);
    let prior_tags = get(prior, "tags");
    let prior_map = str_map(&prior_tags).unwrap_or_default();
    let defaults = default_tags(ctx).unwrap_or_default();
    let own: BTreeMap<String, String> = all
        .iter()
        .filter(|(k, v)| prior_map.contains_key(*k) || defaults.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let tags = if own.is_empty() && prior_tags.is_null() {
        Value::null_of(Type::map(Type::String))
    } else {
        map_value(&own)
    };
    (tags, map_value(&all))
}

/// The tags of a planned object to send on create.
pub fn planned_tags_all(planned: &Value) -> BTreeMap<String, String> {
    str_map(&get(planned, "tags_all")).unwrap_or_default()
}

/// EC2 tags for a create request's `TagSpecifications`.
pub fn ec2_tag_spec(
    rt: aws_sdk_ec2::types::ResourceType,
    tags: &BTreeMap<String, String>,
) -> Option<aws_sdk_ec2::types::TagSpecification> {
    if tags.is_empty() {
        return None;
    }
    Some(
        aws_sdk_ec2::types::TagSpecification::builder()
            .resource_type(rt)
            .set_tags(Some(ec2_tags(tags)))
            .build(),
    )
}

pub fn ec2_tags(tags: &BTreeMap<String, String>) -> Vec<aws_sdk_ec2::types::Tag> {
    tags.iter()
        .map(|(k, v)| aws_sdk_ec2::types::Tag::builder().key(k).value(v).build())
        .collect()
}

pub fn from_ec2_tags(tags: Option<&[aws_sdk_ec2::types::Tag]>) -> Vec<(String, String)> {
    tags.unwrap_or_default()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Bring an EC2 object's tags from `prior.tags_all` to `planned.tags_all`.
pub async fn update_ec2_tags(
    aws: &Aws,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), ProviderError> {
    let old = str_map(&get(prior, "tags_all")).unwrap_or_default();
    let new = planned_tags_all(planned);
    let removed: Vec<aws_sdk_ec2::types::Tag> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .map(|k| aws_sdk_ec2::types::Tag::builder().key(k).build())
        .collect();
    let changed: BTreeMap<String, String> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !removed.is_empty() {
        aws.ec2()
            .delete_tags()
            .resources(id)
            .set_tags(Some(removed))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if !changed.is_empty() {
        aws.ec2()
            .create_tags()
            .resources(id)
            .set_tags(Some(ec2_tags(&changed)))
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

/// True when a value is an object (e.g. a decoded nested block).
pub fn is_object(v: &Value) -> bool {
    matches!(v.kind, Kind::Object(_))
}

/// `v` with every unknown replaced by null (for a partial object saved
/// after a failed create).
pub fn known_or_null(v: &Value) -> Value {
    let kind = match &v.kind {
        Kind::Unknown(t) => Kind::Null(t.clone()),
        Kind::List(t, xs) => Kind::List(t.clone(), xs.iter().map(known_or_null).collect()),
        Kind::Set(t, xs) => Kind::Set(t.clone(), xs.iter().map(known_or_null).collect()),
        Kind::Tuple(xs) => Kind::Tuple(xs.iter().map(known_or_null).collect()),
        Kind::Map(t, m) => Kind::Map(
            t.clone(),
            m.iter()
                .map(|(k, x)| (k.clone(), known_or_null(x)))
                .collect(),
        ),
        Kind::Object(m) => Kind::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), known_or_null(x)))
                .collect(),
        ),
        k => k.clone(),
    };
    Value {
        kind,
        sensitive: v.sensitive,
    }
}

/// An error after a create succeeded: carries the object so far.
pub fn partial_err(mut e: ProviderError, planned: &Value, id: &str) -> ProviderError {
    e.partial = Some(known_or_null(&with(planned, "id", Value::string(id))));
    e
}

/// Poll `check` until it returns `Ok(true)` (e.g. a VPC became available).
pub async fn wait_until<F, Fut>(
    what: &str,
    timeout: Duration,
    mut check: F,
) -> Result<(), ProviderError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, ProviderError>>,
{
    let start = std::time::Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        if check().await? {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(ProviderError::new(format!(
                "timeout while waiting for {what} ({}s)",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod error_tests {
    #[test]
    fn unhandled_errors_are_short() {
        let full = r#"service error: unhandled error: error parsing XML: no root element (ServiceError(ServiceError { source: Unhandled(Unhandled { source: XmlDecodeError { kind: Custom("no root element") }, meta: ErrorMetadata { code: None, message: None, extras: None } }), raw: Response { status: StatusCode(500), headers: {"server": "Werkzeug/3.1.9"}, body: SdkBody { inner: Once(Some(b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>\n")), retryable: true } }))"#;
        assert_eq!(
            super::unhandled_message(full),
            "the AWS endpoint answered HTTP 500 without an AWS error code: 500 Internal Server Error Internal Server Error The server encountered an internal error."
        );
        assert_eq!(
            super::unhandled_message("dispatch failure"),
            "dispatch failure"
        );
    }
}
