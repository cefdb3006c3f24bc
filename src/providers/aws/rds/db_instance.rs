//! `aws_db_instance`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_rds::primitives::DateTimeFormat;
use aws_sdk_rds::types::DbInstance as Db;

use crate::engine::diff::same;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::rds::{
    create_name, from_rds_tags, not_found, prefix_of, rds_tags, update_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, get_strs, opt_str, partial_err, plan_tags_all,
    planned_tags_all, read_tags, str_set, tag_attrs, wait_until, with, Aws,
};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct DbInstance {
    schema: Schema,
}

fn secret_type() -> Type {
    let mut m = BTreeMap::new();
    for k in ["secret_arn", "secret_status", "kms_key_id"] {
        m.insert(k.to_string(), Type::String);
    }
    Type::Object(m)
}

impl DbInstance {
    pub fn new() -> DbInstance {
        let c = || Attribute::computed(Type::String);
        let s = || Attribute::optional(Type::String);
        let oc = || Attribute::optional_computed(Type::String);
        let ocn = || Attribute::optional_computed(Type::Number);
        let flag = |d: bool| Attribute::optional(Type::Bool).default(Value::bool(d));
        DbInstance {
            schema: tag_attrs(
                Schema::new()
                    .version(2)
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("resource_id", c())
                    .attr("address", c())
                    .attr("endpoint", c())
                    .attr("hosted_zone_id", c())
                    .attr("status", c())
                    .attr("latest_restorable_time", c())
                    .attr("engine_version_actual", c())
                    .attr("identifier", oc().force_new())
                    .attr("identifier_prefix", oc().force_new())
                    .attr("engine", oc().force_new())
                    .attr("engine_version", oc())
                    .attr(
                        "allow_major_version_upgrade",
                        Attribute::optional(Type::Bool),
                    )
                    .attr("instance_class", Attribute::required(Type::String))
                    .attr("allocated_storage", ocn())
                    .attr("max_allocated_storage", Attribute::optional(Type::Number))
                    .attr("storage_type", oc())
                    .attr("iops", ocn())
                    .attr("storage_throughput", ocn())
                    .attr("storage_encrypted", flag(false).force_new())
                    .attr("kms_key_id", oc().force_new())
                    .attr("db_name", oc().force_new())
                    .attr("username", oc().force_new())
                    .attr("password", s().sensitive())
                    .attr(
                        "manage_master_user_password",
                        Attribute::optional(Type::Bool),
                    )
                    .attr("master_user_secret_kms_key_id", oc())
                    .attr(
                        "master_user_secret",
                        Attribute::computed(Type::list(secret_type())),
                    )
                    .attr("port", ocn())
                    .attr("db_subnet_group_name", oc())
                    .attr(
                        "vpc_security_group_ids",
                        Attribute::optional_computed(Type::set(Type::String)),
                    )
                    .attr("parameter_group_name", oc())
                    .attr("option_group_name", oc())
                    .attr("availability_zone", oc().force_new())
                    .attr("ca_cert_identifier", oc())
                    .attr("license_model", oc())
                    .attr("network_type", oc())
                    .attr("character_set_name", oc().force_new())
                    .attr("publicly_accessible", flag(false))
                    .attr("multi_az", Attribute::optional_computed(Type::Bool))
                    .attr("backup_retention_period", ocn())
                    .attr("backup_window", oc())
                    .attr("maintenance_window", oc())
                    .attr("skip_final_snapshot", flag(false))
                    .attr("final_snapshot_identifier", s())
                    .attr("delete_automated_backups", flag(true))
                    .attr("copy_tags_to_snapshot", flag(false))
                    .attr("deletion_protection", flag(false))
                    .attr("apply_immediately", flag(false))
                    .attr("auto_minor_version_upgrade", flag(true))
                    .attr("performance_insights_enabled", flag(false))
                    .attr(
                        "monitoring_interval",
                        Attribute::optional(Type::Number).default(Value::int(0)),
                    )
                    .attr("iam_database_authentication_enabled", flag(false))
                    .attr(
                        "enabled_cloudwatch_logs_exports",
                        Attribute::optional(Type::set(Type::String)),
                    ),
            )
            .timeouts(&["create", "update", "delete"]),
        }
    }
}

impl Default for DbInstance {
    fn default() -> Self {
        DbInstance::new()
    }
}

/// What to do while waiting for an instance, given its status.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Wait,
    Done,
    Fail(String),
}

const PENDING: &[&str] = &[
    "backing-up",
    "configuring-enhanced-monitoring",
    "configuring-iam-database-auth",
    "configuring-log-exports",
    "creating",
    "maintenance",
    "modifying",
    "moving-to-vpc",
    "rebooting",
    "renaming",
    "resetting-master-credentials",
    "starting",
    "stopping",
    "storage-config-upgrade",
    "upgrading",
];

/// The state decision of the create/update waiters: pending states wait,
/// `available` (and `storage-optimization`, which serves traffic) is done,
/// anything else (failed, incompatible-*, storage-full, stopped…) fails.
pub fn ready_step(status: &str) -> Step {
    match status {
        "available" | "storage-optimization" => Step::Done,
        s if PENDING.contains(&s) => Step::Wait,
        s => Step::Fail(format!("unexpected state '{s}', wanted target 'available'")),
    }
}

/// The state decision of the delete waiter: gone (`None`) is done; every
/// state an instance passes through on its way out waits.
pub fn gone_step(status: Option<&str>) -> Step {
    match status {
        None => Step::Done,
        Some("deleting") | Some("available") => Step::Wait,
        Some(s) if PENDING.contains(&s) || s.starts_with("incompatible-") => Step::Wait,
        Some("storage-optimization" | "storage-full" | "inaccessible-encryption-credentials") => {
            Step::Wait
        }
        Some(s) => Step::Fail(format!("unexpected state '{s}', wanted target 'deleted'")),
    }
}

async fn describe(aws: &Aws, ident: &str) -> Result<Option<Db>, ProviderError> {
    match aws
        .rds()
        .describe_db_instances()
        .db_instance_identifier(ident)
        .send()
        .await
        .map_err(aws_err)
    {
        Ok(o) => Ok(o
            .db_instances()
            .iter()
            .find(|d| d.db_instance_identifier() == Some(ident))
            .cloned()),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `engine_version` as configured when the actual version extends it
/// ("16" for "16.3", the provider's rule), else the actual version.
fn engine_version(prior: &Value, actual: &str) -> Value {
    match get_str(prior, "engine_version") {
        Some(p) if actual == p || actual.starts_with(&format!("{p}.")) => Value::string(p),
        _ => Value::string(actual),
    }
}

fn num(x: Option<i32>) -> Value {
    match x {
        Some(n) => Value::int(n as i64),
        None => Value::null_of(Type::Number),
    }
}

fn to_state(ctx: &ProviderCtx, aws: &Aws, prior: &Value, d: &Db) -> Value {
    let ident = d.db_instance_identifier().unwrap_or_default();
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_rds_tags(d.tag_list()));
    let ep = d.endpoint();
    let address = ep.and_then(|e| e.address()).unwrap_or_default();
    let port = ep.and_then(|e| e.port()).or(d.db_instance_port());
    let b = |x: Option<bool>| Value::bool(x.unwrap_or(false));
    let keep = |k: &str, dflt: Value| {
        let p = get(prior, k);
        if p.is_null() {
            dflt
        } else {
            p
        }
    };
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", opt_str(d.dbi_resource_id()));
    set("resource_id", opt_str(d.dbi_resource_id()));
    set("arn", opt_str(d.db_instance_arn()));
    set("identifier", Value::string(ident));
    set(
        "identifier_prefix",
        prefix_of(prior, "identifier_prefix", ident),
    );
    set("address", Value::string(address));
    set(
        "endpoint",
        Value::string(match port {
            Some(p) if !address.is_empty() => format!("{address}:{p}"),
            _ => address.to_string(),
        }),
    );
    set(
        "hosted_zone_id",
        opt_str(ep.and_then(|e| e.hosted_zone_id())),
    );
    set("status", opt_str(d.db_instance_status()));
    set(
        "latest_restorable_time",
        Value::string(
            d.latest_restorable_time()
                .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
                .unwrap_or_default(),
        ),
    );
    set("engine", opt_str(d.engine()));
    let actual = d.engine_version().unwrap_or_default();
    set("engine_version", engine_version(prior, actual));
    set("engine_version_actual", Value::string(actual));
    set(
        "allow_major_version_upgrade",
        get(prior, "allow_major_version_upgrade"),
    );
    set("instance_class", opt_str(d.db_instance_class()));
    set("allocated_storage", num(d.allocated_storage()));
    set(
        "max_allocated_storage",
        match d.max_allocated_storage() {
            Some(n) if n > d.allocated_storage().unwrap_or(0) => Value::int(n as i64),
            _ if get_i64(prior, "max_allocated_storage") == Some(0) => Value::int(0),
            _ => Value::null_of(Type::Number),
        },
    );
    set("storage_type", opt_str(d.storage_type()));
    set("iops", Value::int(d.iops().unwrap_or(0) as i64));
    set(
        "storage_throughput",
        Value::int(d.storage_throughput().unwrap_or(0) as i64),
    );
    set("storage_encrypted", b(d.storage_encrypted()));
    set(
        "kms_key_id",
        Value::string(d.kms_key_id().unwrap_or_default()),
    );
    set("db_name", opt_str(d.db_name()));
    set("username", opt_str(d.master_username()));
    set("password", get(prior, "password"));
    let secret = d.master_user_secret();
    set(
        "manage_master_user_password",
        match secret {
            Some(_) => Value::bool(true),
            None => get(prior, "manage_master_user_password")
                .as_bool()
                .filter(|x| !x)
                .map(Value::bool)
                .unwrap_or_else(|| Value::null_of(Type::Bool)),
        },
    );
    set(
        "master_user_secret_kms_key_id",
        Value::string(secret.and_then(|s| s.kms_key_id()).unwrap_or_default()),
    );
    set(
        "master_user_secret",
        Value::list(
            secret_type(),
            secret
                .map(|s| {
                    let mut o = BTreeMap::new();
                    o.insert("secret_arn".to_string(), opt_str(s.secret_arn()));
                    o.insert("secret_status".to_string(), opt_str(s.secret_status()));
                    o.insert("kms_key_id".to_string(), opt_str(s.kms_key_id()));
                    vec![Value::object(o)]
                })
                .unwrap_or_default(),
        ),
    );
    set("port", num(port));
    set(
        "db_subnet_group_name",
        Value::string(
            d.db_subnet_group()
                .and_then(|g| g.db_subnet_group_name())
                .unwrap_or_default(),
        ),
    );
    set(
        "vpc_security_group_ids",
        str_set(
            d.vpc_security_groups()
                .iter()
                .filter_map(|g| g.vpc_security_group_id().map(String::from)),
        ),
    );
    set(
        "parameter_group_name",
        Value::string(
            d.db_parameter_groups()
                .first()
                .and_then(|g| g.db_parameter_group_name())
                .unwrap_or_default(),
        ),
    );
    set(
        "option_group_name",
        Value::string(
            d.option_group_memberships()
                .first()
                .and_then(|g| g.option_group_name())
                .unwrap_or_default(),
        ),
    );
    set("availability_zone", opt_str(d.availability_zone()));
    set("ca_cert_identifier", opt_str(d.ca_certificate_identifier()));
    set("license_model", opt_str(d.license_model()));
    set("network_type", opt_str(d.network_type()));
    set("character_set_name", opt_str(d.character_set_name()));
    set("publicly_accessible", b(d.publicly_accessible()));
    set("multi_az", b(d.multi_az()));
    set("backup_retention_period", num(d.backup_retention_period()));
    set("backup_window", opt_str(d.preferred_backup_window()));
    set(
        "maintenance_window",
        opt_str(
            d.preferred_maintenance_window()
                .map(|w| w.to_lowercase())
                .as_deref(),
        ),
    );
    set(
        "skip_final_snapshot",
        keep("skip_final_snapshot", Value::bool(false)),
    );
    set(
        "final_snapshot_identifier",
        get(prior, "final_snapshot_identifier"),
    );
    set(
        "delete_automated_backups",
        keep("delete_automated_backups", Value::bool(true)),
    );
    set(
        "apply_immediately",
        keep("apply_immediately", Value::bool(false)),
    );
    set("copy_tags_to_snapshot", b(d.copy_tags_to_snapshot()));
    set("deletion_protection", b(d.deletion_protection()));
    set(
        "auto_minor_version_upgrade",
        Value::bool(d.auto_minor_version_upgrade().unwrap_or(true)),
    );
    // AWS always returns it; moto does not: then state keeps its own value.
    set(
        "performance_insights_enabled",
        match d.performance_insights_enabled() {
            Some(x) => Value::bool(x),
            None => keep("performance_insights_enabled", Value::bool(false)),
        },
    );
    set(
        "monitoring_interval",
        Value::int(d.monitoring_interval().unwrap_or(0) as i64),
    );
    set(
        "iam_database_authentication_enabled",
        b(d.iam_database_authentication_enabled()),
    );
    // The provider records the exports as AWS lists them (an empty set when
    // none, null only while the configuration leaves them unset).
    let exports = d.enabled_cloudwatch_logs_exports();
    set(
        "enabled_cloudwatch_logs_exports",
        if exports.is_empty() && get(prior, "enabled_cloudwatch_logs_exports").is_null() {
            Value::null_of(Type::set(Type::String))
        } else {
            str_set(exports.iter().cloned())
        },
    );
    set("tags", tags);
    set("tags_all", tags_all);
    Value::object(m)
}

async fn read_one(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
) -> Result<Option<Value>, ProviderError> {
    let Some(ident) = get_str(prior, "identifier") else {
        return Ok(None);
    };
    Ok(describe(aws, &ident)
        .await?
        .map(|d| to_state(ctx, aws, prior, &d)))
}

/// Wait until the instance is `available` (or fails).
async fn wait_available(
    aws: &Aws,
    ident: &str,
    op: &str,
    limit: Duration,
) -> Result<(), ProviderError> {
    wait_until(
        &format!("RDS DB Instance ({ident}) {op}"),
        limit,
        || async {
            let d = describe(aws, ident).await?;
            let status = d
                .as_ref()
                .and_then(|d| d.db_instance_status())
                .unwrap_or("")
                .to_string();
            if d.is_none() {
                return Err(ProviderError::new(format!(
                    "RDS DB Instance ({ident}) not found while waiting for {op}"
                )));
            }
            match ready_step(&status) {
                Step::Done => Ok(true),
                Step::Wait => Ok(false),
                Step::Fail(m) => Err(ProviderError::new(format!(
                    "waiting for RDS DB Instance ({ident}) {op}: {m}"
                ))),
            }
        },
    )
    .await
}

fn i32_of(v: &Value, k: &str) -> Option<i32> {
    get_i64(v, k).map(|n| n as i32)
}

/// A known, non-empty string attribute.
fn s_of(v: &Value, k: &str) -> Option<String> {
    get_str(v, k).filter(|s| !s.is_empty())
}

#[async_trait]
impl Resource for DbInstance {
    fn type_name(&self) -> &'static str {
        "aws_db_instance"
    }
    fn display_name(&self) -> &'static str {
        "RDS DB Instance"
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
        if let Some(w) = get_str(config, "maintenance_window") {
            p = with(&p, "maintenance_window", Value::string(w.to_lowercase()));
        }
        if let Some(prior) = prior {
            // engine_version "16" still matches "16.3".
            if let (Some(want), Some(actual)) = (
                get_str(config, "engine_version"),
                get_str(prior, "engine_version_actual"),
            ) {
                if actual == want || actual.starts_with(&format!("{want}.")) {
                    p = with(&p, "engine_version", get(prior, "engine_version"));
                    if get_str(prior, "engine_version").as_deref() != Some(&want) {
                        p = with(&p, "engine_version", Value::string(want));
                    }
                } else {
                    p = with(&p, "engine_version_actual", Value::unknown(Type::String));
                }
            }
            // A new port moves the endpoint.
            if !same(&get(prior, "port"), &get(&p, "port")) {
                p = with(&p, "endpoint", Value::unknown(Type::String));
            }
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let ident = create_name(planned, "identifier", "identifier_prefix").to_lowercase();
        let manage = get_bool(planned, "manage_master_user_password");
        aws.rds()
            .create_db_instance()
            .db_instance_identifier(&ident)
            .set_db_instance_class(get_str(planned, "instance_class"))
            .set_engine(get_str(planned, "engine"))
            .set_engine_version(s_of(planned, "engine_version"))
            .set_allocated_storage(i32_of(planned, "allocated_storage"))
            .set_max_allocated_storage(i32_of(planned, "max_allocated_storage").filter(|n| *n > 0))
            .set_storage_type(s_of(planned, "storage_type"))
            .set_iops(i32_of(planned, "iops").filter(|n| *n > 0))
            .set_storage_throughput(i32_of(planned, "storage_throughput").filter(|n| *n > 0))
            .set_storage_encrypted(get_bool(planned, "storage_encrypted"))
            .set_kms_key_id(s_of(planned, "kms_key_id"))
            .set_db_name(s_of(planned, "db_name"))
            .set_master_username(s_of(planned, "username"))
            .set_master_user_password(get_str(planned, "password"))
            .set_manage_master_user_password(manage)
            .set_master_user_secret_kms_key_id(s_of(planned, "master_user_secret_kms_key_id"))
            .set_port(i32_of(planned, "port"))
            .set_db_subnet_group_name(s_of(planned, "db_subnet_group_name"))
            .set_vpc_security_group_ids(
                Some(get_strs(planned, "vpc_security_group_ids")).filter(|v| !v.is_empty()),
            )
            .set_db_parameter_group_name(s_of(planned, "parameter_group_name"))
            .set_option_group_name(s_of(planned, "option_group_name"))
            .set_availability_zone(s_of(planned, "availability_zone"))
            .set_ca_certificate_identifier(s_of(planned, "ca_cert_identifier"))
            .set_license_model(s_of(planned, "license_model"))
            .set_network_type(s_of(planned, "network_type"))
            .set_character_set_name(s_of(planned, "character_set_name"))
            .set_publicly_accessible(get_bool(planned, "publicly_accessible"))
            .set_multi_az(get_bool(planned, "multi_az"))
            .set_backup_retention_period(i32_of(planned, "backup_retention_period"))
            .set_preferred_backup_window(s_of(planned, "backup_window"))
            .set_preferred_maintenance_window(s_of(planned, "maintenance_window"))
            .set_copy_tags_to_snapshot(get_bool(planned, "copy_tags_to_snapshot"))
            .set_deletion_protection(get_bool(planned, "deletion_protection"))
            .set_auto_minor_version_upgrade(get_bool(planned, "auto_minor_version_upgrade"))
            .set_enable_performance_insights(get_bool(planned, "performance_insights_enabled"))
            .set_monitoring_interval(i32_of(planned, "monitoring_interval"))
            .set_enable_iam_database_authentication(get_bool(
                planned,
                "iam_database_authentication_enabled",
            ))
            .set_enable_cloudwatch_logs_exports({
                let v = get_strs(planned, "enabled_cloudwatch_logs_exports");
                (!v.is_empty()).then_some(v)
            })
            .set_tags(rds_tags(&planned_tags_all(planned)))
            .send()
            .await
            .map_err(aws_err)?;
        let probe = with(planned, "identifier", Value::string(&ident));
        let finish = async {
            wait_available(
                &aws,
                &ident,
                "create",
                timeout(planned, "create", Duration::from_secs(40 * 60)),
            )
            .await?;
            read_one(ctx, &aws, &probe).await?.ok_or_else(|| {
                ProviderError::new(format!(
                    "RDS DB Instance ({ident}) not found after creation"
                ))
            })
        };
        finish.await.map_err(|e| partial_err(e, &probe, &ident))
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
        let ident = get_str(prior, "identifier").unwrap_or_default();
        let ch = |k: &str| {
            let n = get(planned, k);
            n.is_wholly_known() && !n.is_null() && !same(&get(prior, k), &n)
        };
        let mut req = aws
            .rds()
            .modify_db_instance()
            .db_instance_identifier(&ident)
            .apply_immediately(get_bool(planned, "apply_immediately").unwrap_or(false));
        let mut any = false;
        macro_rules! put {
            ($k:literal, $setter:ident, $val:expr) => {
                if ch($k) {
                    req = req.$setter($val);
                    any = true;
                }
            };
        }
        put!(
            "instance_class",
            set_db_instance_class,
            get_str(planned, "instance_class")
        );
        put!(
            "allocated_storage",
            set_allocated_storage,
            i32_of(planned, "allocated_storage")
        );
        put!(
            "max_allocated_storage",
            set_max_allocated_storage,
            i32_of(planned, "max_allocated_storage")
        );
        put!(
            "storage_type",
            set_storage_type,
            s_of(planned, "storage_type")
        );
        put!("iops", set_iops, i32_of(planned, "iops"));
        put!(
            "storage_throughput",
            set_storage_throughput,
            i32_of(planned, "storage_throughput")
        );
        put!(
            "engine_version",
            set_engine_version,
            s_of(planned, "engine_version")
        );
        put!(
            "allow_major_version_upgrade",
            set_allow_major_version_upgrade,
            get_bool(planned, "allow_major_version_upgrade")
        );
        put!(
            "password",
            set_master_user_password,
            get_str(planned, "password")
        );
        put!(
            "manage_master_user_password",
            set_manage_master_user_password,
            get_bool(planned, "manage_master_user_password")
        );
        put!("port", set_db_port_number, i32_of(planned, "port"));
        put!(
            "db_subnet_group_name",
            set_db_subnet_group_name,
            s_of(planned, "db_subnet_group_name")
        );
        put!(
            "vpc_security_group_ids",
            set_vpc_security_group_ids,
            Some(get_strs(planned, "vpc_security_group_ids"))
        );
        put!(
            "parameter_group_name",
            set_db_parameter_group_name,
            s_of(planned, "parameter_group_name")
        );
        put!(
            "option_group_name",
            set_option_group_name,
            s_of(planned, "option_group_name")
        );
        put!(
            "ca_cert_identifier",
            set_ca_certificate_identifier,
            s_of(planned, "ca_cert_identifier")
        );
        put!(
            "network_type",
            set_network_type,
            s_of(planned, "network_type")
        );
        put!(
            "publicly_accessible",
            set_publicly_accessible,
            get_bool(planned, "publicly_accessible")
        );
        put!("multi_az", set_multi_az, get_bool(planned, "multi_az"));
        put!(
            "backup_retention_period",
            set_backup_retention_period,
            i32_of(planned, "backup_retention_period")
        );
        put!(
            "backup_window",
            set_preferred_backup_window,
            s_of(planned, "backup_window")
        );
        put!(
            "maintenance_window",
            set_preferred_maintenance_window,
            s_of(planned, "maintenance_window")
        );
        put!(
            "copy_tags_to_snapshot",
            set_copy_tags_to_snapshot,
            get_bool(planned, "copy_tags_to_snapshot")
        );
        put!(
            "deletion_protection",
            set_deletion_protection,
            get_bool(planned, "deletion_protection")
        );
        put!(
            "auto_minor_version_upgrade",
            set_auto_minor_version_upgrade,
            get_bool(planned, "auto_minor_version_upgrade")
        );
        put!(
            "performance_insights_enabled",
            set_enable_performance_insights,
            get_bool(planned, "performance_insights_enabled")
        );
        put!(
            "monitoring_interval",
            set_monitoring_interval,
            i32_of(planned, "monitoring_interval")
        );
        put!(
            "iam_database_authentication_enabled",
            set_enable_iam_database_authentication,
            get_bool(planned, "iam_database_authentication_enabled")
        );
        if ch("enabled_cloudwatch_logs_exports") {
            let old = get_strs(prior, "enabled_cloudwatch_logs_exports");
            let new = get_strs(planned, "enabled_cloudwatch_logs_exports");
            req = req.cloudwatch_logs_export_configuration(
                aws_sdk_rds::types::CloudwatchLogsExportConfiguration::builder()
                    .set_enable_log_types(Some(
                        new.iter().filter(|x| !old.contains(x)).cloned().collect(),
                    ))
                    .set_disable_log_types(Some(
                        old.iter().filter(|x| !new.contains(x)).cloned().collect(),
                    ))
                    .build(),
            );
            any = true;
        }
        if any {
            req.send().await.map_err(aws_err)?;
            wait_available(
                &aws,
                &ident,
                "update",
                timeout(planned, "update", Duration::from_secs(80 * 60)),
            )
            .await?;
        }
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_tags(&aws, &arn, prior, planned).await?;
        read_one(
            ctx,
            &aws,
            &with(planned, "identifier", Value::string(&ident)),
        )
        .await?
        .ok_or_else(|| {
            ProviderError::new(format!("RDS DB Instance ({ident}) not found after update"))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let ident = get_str(prior, "identifier").unwrap_or_default();
        let skip = get_bool(prior, "skip_final_snapshot").unwrap_or(false);
        let final_id = s_of(prior, "final_snapshot_identifier");
        if !skip && final_id.is_none() {
            return Err(ProviderError::new(
                "final_snapshot_identifier is required when skip_final_snapshot is false",
            ));
        }
        let r = aws
            .rds()
            .delete_db_instance()
            .db_instance_identifier(&ident)
            .skip_final_snapshot(skip)
            .set_final_db_snapshot_identifier(if skip { None } else { final_id })
            .delete_automated_backups(get_bool(prior, "delete_automated_backups").unwrap_or(true))
            .send()
            .await
            .map_err(aws_err);
        match r {
            Err(e) if not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        wait_until(
            &format!("RDS DB Instance ({ident}) delete"),
            timeout(prior, "delete", Duration::from_secs(60 * 60)),
            || async {
                let d = describe(&aws, &ident).await?;
                match gone_step(d.as_ref().and_then(|d| d.db_instance_status())) {
                    Step::Done => Ok(true),
                    Step::Wait => Ok(false),
                    Step::Fail(m) => Err(ProviderError::new(format!(
                        "waiting for RDS DB Instance ({ident}) delete: {m}"
                    ))),
                }
            },
        )
        .await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let mut m = BTreeMap::new();
        m.insert("identifier".to_string(), Value::string(id));
        // Neither skip_final_snapshot nor final_snapshot_identifier can be
        // read from AWS; like the provider, an imported instance skips it.
        m.insert("skip_final_snapshot".to_string(), Value::bool(true));
        m.insert("delete_automated_backups".to_string(), Value::bool(true));
        read_one(ctx, &aws, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("RDS DB Instance ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiter_states() {
        assert_eq!(ready_step("available"), Step::Done);
        assert_eq!(ready_step("storage-optimization"), Step::Done);
        for s in [
            "creating",
            "backing-up",
            "modifying",
            "rebooting",
            "upgrading",
        ] {
            assert_eq!(ready_step(s), Step::Wait, "{s}");
        }
        for s in [
            "failed",
            "incompatible-parameters",
            "storage-full",
            "stopped",
        ] {
            assert!(matches!(ready_step(s), Step::Fail(_)), "{s}");
        }
        assert_eq!(gone_step(None), Step::Done);
        assert_eq!(gone_step(Some("deleting")), Step::Wait);
        assert_eq!(gone_step(Some("backing-up")), Step::Wait);
        assert!(matches!(gone_step(Some("failed")), Step::Fail(_)));
    }

    #[test]
    fn engine_version_prefix() {
        let p = with(
            &Value::empty_object(),
            "engine_version",
            Value::string("16"),
        );
        assert_eq!(engine_version(&p, "16.3").as_str(), Some("16"));
        assert_eq!(engine_version(&p, "17.1").as_str(), Some("17.1"));
        assert_eq!(engine_version(&p, "160.1").as_str(), Some("160.1"));
        let none = Value::empty_object();
        assert_eq!(engine_version(&none, "16.3").as_str(), Some("16.3"));
    }
}
