//! `aws_instance`: one EC2 instance. Like the AWS provider, `user_data` is
//! kept in state as the SHA-1 hex of its (base64-decoded) content; changing
//! `instance_type` or `user_data` stops the instance, modifies it and starts
//! it again; `timeouts` default to create 10m, update 10m, delete 20m.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AttributeValue, BlockDeviceMapping, EbsBlockDevice,
    EbsInstanceBlockDeviceSpecification, HttpTokensState, IamInstanceProfileSpecification,
    InstanceBlockDeviceMappingSpecification, InstanceMetadataEndpointState,
    InstanceMetadataOptionsRequest, InstanceMetadataProtocolState, InstanceMetadataTagsState,
    InstanceNetworkInterfaceSpecification, InstanceType, Placement, Reservation, ResourceType,
    RunInstancesMonitoringEnabled, SecureBlobAttributeValue, ShutdownBehavior, Tenancy, Volume,
    VolumeType,
};
use base64::Engine as _;
use sha1::Digest as _;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, ec2_tags, from_ec2_tags, get, get_bool, get_i64, get_str, get_strs,
    is_not_found, opt_str, partial_err, plan_tags_all, planned_tags_all, read_tags, str_map,
    str_set, tag_attrs, update_ec2_tags, wait_until, with, Aws,
};
use crate::providers::{
    timeout, Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema,
};

pub struct Instance {
    schema: Schema,
}

fn root_block_schema() -> Schema {
    Schema::new()
        .attr(
            "delete_on_termination",
            Attribute::optional(Type::Bool).default(Value::bool(true)),
        )
        .attr("device_name", Attribute::computed(Type::String))
        .attr(
            "encrypted",
            Attribute::optional_computed(Type::Bool).force_new(),
        )
        .attr("iops", Attribute::optional_computed(Type::Number))
        .attr(
            "kms_key_id",
            Attribute::optional_computed(Type::String).force_new(),
        )
        .attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("throughput", Attribute::optional_computed(Type::Number))
        .attr("volume_id", Attribute::computed(Type::String))
        .attr("volume_size", Attribute::optional_computed(Type::Number))
        .attr("volume_type", Attribute::optional_computed(Type::String))
}

fn metadata_schema() -> Schema {
    let s = || Attribute::optional_computed(Type::String);
    Schema::new()
        .attr("http_endpoint", s())
        .attr("http_protocol_ipv6", s())
        .attr(
            "http_put_response_hop_limit",
            Attribute::optional_computed(Type::Number),
        )
        .attr("http_tokens", s())
        .attr("instance_metadata_tags", s())
}

impl Instance {
    pub fn new() -> Instance {
        let c = || Attribute::computed(Type::String);
        let oc = || Attribute::optional_computed(Type::String);
        let ob = || Attribute::optional_computed(Type::Bool);
        let sset = || Attribute::optional_computed(Type::set(Type::String));
        let mut schema = tag_attrs(
            Schema::new()
                .version(1)
                .attr("id", c())
                .attr("arn", c())
                .attr("ami", oc().force_new())
                .attr("instance_type", oc())
                .attr("subnet_id", oc().force_new())
                .attr("availability_zone", oc().force_new())
                .attr("placement_group", oc().force_new())
                .attr("tenancy", oc().force_new())
                .attr("key_name", oc().force_new())
                .attr("private_ip", oc().force_new())
                .attr("secondary_private_ips", sset())
                .attr("associate_public_ip_address", ob().force_new())
                .attr("vpc_security_group_ids", sset())
                .attr("security_groups", sset().force_new())
                .attr(
                    "source_dest_check",
                    Attribute::optional(Type::Bool).default(Value::bool(true)),
                )
                .attr("user_data", oc())
                .attr("user_data_base64", oc())
                .attr(
                    "user_data_replace_on_change",
                    Attribute::optional(Type::Bool).default(Value::bool(false)),
                )
                .attr("iam_instance_profile", oc())
                .attr("monitoring", ob())
                .attr("disable_api_termination", ob())
                .attr("disable_api_stop", ob())
                .attr("instance_initiated_shutdown_behavior", oc())
                .attr("ebs_optimized", ob().force_new())
                .attr(
                    "ipv6_address_count",
                    Attribute::optional_computed(Type::Number).force_new(),
                )
                .attr(
                    "ipv6_addresses",
                    Attribute::optional_computed(Type::list(Type::String)).force_new(),
                )
                .attr(
                    "get_password_data",
                    Attribute::optional(Type::Bool).default(Value::bool(false)),
                )
                .attr("password_data", c())
                .attr("volume_tags", Attribute::optional(Type::map(Type::String)))
                .attr("instance_state", c())
                .attr("public_ip", c())
                .attr("public_dns", c())
                .attr("private_dns", c())
                .attr("primary_network_interface_id", c())
                .attr("outpost_arn", c()),
        )
        .block("root_block_device", BlockNesting::List, root_block_schema())
        .block("metadata_options", BlockNesting::List, metadata_schema())
        .timeouts(&["create", "update", "delete"]);
        for b in ["root_block_device", "metadata_options"] {
            if let Some(nb) = schema.blocks.get_mut(b) {
                nb.max_items = 1;
            }
        }
        Instance { schema }
    }
}

impl Default for Instance {
    fn default() -> Self {
        Instance::new()
    }
}

// ---------------------------------------------------------------------------
// Instance state machine

/// What a waiter does on seeing an instance state.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Still on the way: poll again.
    Wait,
    /// The target state is reached.
    Done,
    /// A state from which the target cannot be reached.
    Fail(String),
}

/// The state the waiters of the provider wait for, and the states they
/// pass through on the way (`WaitInstanceCreated`, `WaitInstanceStopped`,
/// `WaitInstanceStarted`, `WaitInstanceDeleted`). `None` (not visible
/// yet) waits, except when waiting for termination, where it is done.
pub fn step(state: Option<&str>, target: &str) -> Step {
    // "running-new": a create, which only passes through "pending".
    let (want, pending): (&str, &[&str]) = match target {
        "running-new" => ("running", &["pending"]),
        "running" => ("running", &["pending", "stopped"]),
        "stopped" => (
            "stopped",
            &["pending", "running", "shutting-down", "stopping"],
        ),
        "terminated" => (
            "terminated",
            &["pending", "running", "shutting-down", "stopped", "stopping"],
        ),
        other => (other, &[]),
    };
    let Some(state) = state else {
        return if want == "terminated" {
            Step::Done
        } else {
            Step::Wait
        };
    };
    if state == want {
        Step::Done
    } else if pending.contains(&state) {
        Step::Wait
    } else {
        Step::Fail(format!(
            "unexpected state '{state}', wanted target '{want}'"
        ))
    }
}

async fn wait_state(
    aws: &Aws,
    id: &str,
    target: &str,
    what: &str,
    limit: Duration,
) -> Result<(), ProviderError> {
    let failed: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    wait_until(what, limit, || {
        let failed = &failed;
        async move {
            let found = describe(aws, &[id.to_string()], true).await?;
            let inst = found.first().map(|(_, i)| i);
            let state = inst
                .and_then(|i| i.state())
                .and_then(|s| s.name())
                .map(|s| s.as_str().to_string());
            match step(state.as_deref(), target) {
                Step::Wait => Ok(false),
                Step::Done => Ok(true),
                Step::Fail(m) => {
                    let reason = inst
                        .and_then(|i| i.state_reason())
                        .and_then(|r| r.message())
                        .map(|m| format!(". last error: {m}"))
                        .unwrap_or_default();
                    if let Ok(mut f) = failed.lock() {
                        *f = Some(format!("{m}{reason}"));
                    }
                    Ok(true)
                }
            }
        }
    })
    .await?;
    match failed.into_inner().ok().flatten() {
        Some(m) => Err(ProviderError::new(format!("{what}: {m}"))),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// Helpers

/// The provider's `userDataHashSum`: SHA-1 hex of the base64-decoded value,
/// or of the value itself when it is not base64.
pub fn user_data_hash(s: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap_or_else(|_| s.as_bytes().to_vec());
    hex(&sha1::Sha1::digest(&bytes))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn is_base64(s: &str) -> bool {
    base64::engine::general_purpose::STANDARD.decode(s).is_ok()
}

/// User data as RunInstances takes it: base64, not encoded twice.
fn user_data_b64(planned: &Value) -> Option<String> {
    if let Some(b) = get_str(planned, "user_data_base64").filter(|s| !s.is_empty()) {
        return Some(b);
    }
    let s = get_str(planned, "user_data").filter(|s| !s.is_empty())?;
    Some(if is_base64(&s) {
        s
    } else {
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
    })
}

fn user_data_bytes(planned: &Value) -> Vec<u8> {
    user_data_b64(planned)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_default()
}

fn first(v: &Value, name: &str) -> Value {
    get(v, name)
        .as_seq()
        .and_then(|s| s.first().cloned())
        .unwrap_or_else(Value::null)
}

fn attr_bool(b: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(b).build()
}

fn attr_str(s: &str) -> AttributeValue {
    AttributeValue::builder().value(s).build()
}

/// Instances by id (with their reservation's owner), terminated ones left
/// out unless `all`.
async fn describe(
    aws: &Aws,
    ids: &[String],
    all: bool,
) -> Result<Vec<(String, aws_sdk_ec2::types::Instance)>, ProviderError> {
    let rs: Vec<Reservation> = describe_by_ids!(aws, ids, describe_instances, "instance-id")?;
    let mut out = vec![];
    for r in rs {
        let owner = r.owner_id().unwrap_or_default().to_string();
        for i in r.instances() {
            let terminated =
                i.state().and_then(|s| s.name()).map(|n| n.as_str()) == Some("terminated");
            if all || !terminated {
                out.push((owner.clone(), i.clone()));
            }
        }
    }
    Ok(out)
}

async fn volumes(aws: &Aws, ids: Vec<String>) -> Result<HashMap<String, Volume>, ProviderError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let vols: Vec<Volume> = describe_by_ids!(aws, ids, describe_volumes, "volume-id")?;
    Ok(vols
        .into_iter()
        .filter_map(|v| v.volume_id().map(|id| (id.to_string(), v.clone())))
        .collect())
}

/// Instance attributes that only DescribeInstanceAttribute returns.
#[derive(Default)]
struct Attrs {
    user_data: Option<String>,
    disable_api_termination: bool,
    disable_api_stop: bool,
    shutdown_behavior: Option<String>,
}

async fn attrs(aws: &Aws, id: &str) -> Result<Attrs, ProviderError> {
    use aws_sdk_ec2::types::InstanceAttributeName as N;
    let get_attr = |n: N| {
        aws.ec2()
            .describe_instance_attribute()
            .instance_id(id)
            .attribute(n)
            .send()
    };
    let (ud, term, stop, sb) = tokio::join!(
        get_attr(N::UserData),
        get_attr(N::DisableApiTermination),
        get_attr(N::DisableApiStop),
        get_attr(N::InstanceInitiatedShutdownBehavior),
    );
    let ud = ud.map_err(aws_err)?;
    let term = term.map_err(aws_err)?;
    let sb = sb.map_err(aws_err)?;
    Ok(Attrs {
        user_data: ud
            .user_data()
            .and_then(|v| v.value())
            .map(|s| s.to_string()),
        disable_api_termination: term
            .disable_api_termination()
            .and_then(|v| v.value())
            .unwrap_or(false),
        // Not every endpoint knows this attribute: false when it fails.
        disable_api_stop: stop
            .ok()
            .and_then(|o| o.disable_api_stop().and_then(|v| v.value()))
            .unwrap_or(false),
        shutdown_behavior: sb
            .instance_initiated_shutdown_behavior()
            .and_then(|v| v.value())
            .map(|s| s.to_string()),
    })
}

fn num(n: Option<i32>) -> Value {
    match n {
        Some(n) => Value::int(n as i64),
        None => Value::null_of(Type::Number),
    }
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    owner: &str,
    i: &aws_sdk_ec2::types::Instance,
    a: &Attrs,
    vols: &HashMap<String, Volume>,
) -> Value {
    let id = i.instance_id().unwrap_or_default();
    let mut m = BTreeMap::new();
    let mut set = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    set("id", Value::string(id));
    set(
        "arn",
        Value::string(aws.arn("ec2", owner, &format!("instance/{id}"))),
    );
    set("ami", opt_str(i.image_id()));
    set(
        "instance_type",
        opt_str(i.instance_type().map(|t| t.as_str())),
    );
    set(
        "instance_state",
        opt_str(i.state().and_then(|s| s.name()).map(|n| n.as_str())),
    );
    let placement = i.placement();
    set(
        "availability_zone",
        opt_str(placement.and_then(|p| p.availability_zone())),
    );
    set(
        "placement_group",
        Value::string(placement.and_then(|p| p.group_name()).unwrap_or_default()),
    );
    set(
        "tenancy",
        opt_str(placement.and_then(|p| p.tenancy()).map(|t| t.as_str())),
    );
    set("key_name", opt_str(i.key_name()));
    set(
        "public_dns",
        Value::string(i.public_dns_name().unwrap_or_default()),
    );
    set(
        "public_ip",
        Value::string(i.public_ip_address().unwrap_or_default()),
    );
    set(
        "private_dns",
        Value::string(i.private_dns_name().unwrap_or_default()),
    );
    set("private_ip", opt_str(i.private_ip_address()));
    set(
        "outpost_arn",
        Value::string(i.outpost_arn().unwrap_or_default()),
    );
    set(
        "iam_instance_profile",
        match i.iam_instance_profile().and_then(|p| p.arn()) {
            // arn:aws:iam::123456789012:instance-profile/path/name → name
            Some(arn) => Value::string(arn.rsplit('/').next().unwrap_or(arn)),
            None => Value::string(""),
        },
    );
    let primary = i
        .network_interfaces()
        .iter()
        .find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0));
    let mut secondary = vec![];
    let mut ipv6 = vec![];
    match primary {
        Some(n) => {
            set("subnet_id", opt_str(n.subnet_id().or(i.subnet_id())));
            set(
                "primary_network_interface_id",
                opt_str(n.network_interface_id()),
            );
            set(
                "associate_public_ip_address",
                Value::bool(n.association().is_some() || i.public_ip_address().is_some()),
            );
            for p in n.private_ip_addresses() {
                if !p.primary().unwrap_or(false) {
                    if let Some(ip) = p.private_ip_address() {
                        secondary.push(ip.to_string());
                    }
                }
            }
            for a in n.ipv6_addresses() {
                if let Some(ip) = a.ipv6_address() {
                    ipv6.push(ip.to_string());
                }
            }
        }
        None => {
            set("subnet_id", opt_str(i.subnet_id()));
            set("primary_network_interface_id", Value::string(""));
            set(
                "associate_public_ip_address",
                Value::bool(i.public_ip_address().is_some()),
            );
        }
    }
    set("ipv6_address_count", Value::int(ipv6.len() as i64));
    set("ipv6_addresses", crate::providers::aws::str_list(ipv6));
    set("secondary_private_ips", str_set(secondary));
    set(
        "source_dest_check",
        Value::bool(i.source_dest_check().unwrap_or(true)),
    );
    set(
        "ebs_optimized",
        Value::bool(i.ebs_optimized().unwrap_or(false)),
    );
    set(
        "monitoring",
        Value::bool(matches!(
            i.monitoring().and_then(|m| m.state()).map(|s| s.as_str()),
            Some("enabled") | Some("pending")
        )),
    );
    // Security groups: ids in a VPC, names otherwise (or when configured).
    let ids: Vec<String> = i
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id().map(|s| s.to_string()))
        .collect();
    let names: Vec<String> = i
        .security_groups()
        .iter()
        .filter_map(|g| g.group_name().map(|s| s.to_string()))
        .collect();
    let prior_names = get_strs(prior, "security_groups");
    let has_subnet = i.subnet_id().is_some_and(|s| !s.is_empty());
    let use_ids = if prior_names.is_empty() {
        has_subnet
    } else {
        !prior_names.iter().any(|n| names.contains(n))
    };
    if use_ids {
        set("vpc_security_group_ids", str_set(ids));
        set("security_groups", str_set(vec![]));
    } else {
        set("security_groups", str_set(names));
        set("vpc_security_group_ids", str_set(ids));
    }
    // User data: as the hash, or as base64 when configured that way.
    let b64_configured = !get(prior, "user_data_base64").is_null()
        && get_str(prior, "user_data_base64").is_some_and(|s| !s.is_empty());
    match &a.user_data {
        Some(ud) if b64_configured => {
            set("user_data_base64", Value::string(ud));
            set("user_data", Value::null_of(Type::String));
        }
        Some(ud) => {
            set("user_data", Value::string(user_data_hash(ud)));
            set("user_data_base64", Value::null_of(Type::String));
        }
        None => {
            set("user_data", Value::null_of(Type::String));
            set("user_data_base64", Value::null_of(Type::String));
        }
    }
    set(
        "user_data_replace_on_change",
        Value::bool(get_bool(prior, "user_data_replace_on_change").unwrap_or(false)),
    );
    set(
        "get_password_data",
        Value::bool(get_bool(prior, "get_password_data").unwrap_or(false)),
    );
    set("password_data", Value::null_of(Type::String));
    set(
        "disable_api_termination",
        Value::bool(a.disable_api_termination),
    );
    set("disable_api_stop", Value::bool(a.disable_api_stop));
    set(
        "instance_initiated_shutdown_behavior",
        opt_str(a.shutdown_behavior.as_deref()),
    );
    // Root block device.
    let root_name = i.root_device_name();
    let root = i
        .block_device_mappings()
        .iter()
        .find(|b| root_name.is_some() && b.device_name() == root_name && b.ebs().is_some());
    let root_ty = root_block_schema().value_type();
    let prior_root = first(prior, "root_block_device");
    let root_val = root.and_then(|b| {
        let ebs = b.ebs()?;
        let vid = ebs.volume_id()?;
        let v = vols.get(vid);
        let mut r = BTreeMap::new();
        r.insert(
            "delete_on_termination".to_string(),
            Value::bool(ebs.delete_on_termination().unwrap_or(true)),
        );
        r.insert("device_name".to_string(), opt_str(b.device_name()));
        r.insert("volume_id".to_string(), Value::string(vid));
        r.insert(
            "encrypted".to_string(),
            Value::bool(v.and_then(|v| v.encrypted()).unwrap_or(false)),
        );
        r.insert("iops".to_string(), num(v.and_then(|v| v.iops())).or_zero());
        r.insert(
            "kms_key_id".to_string(),
            Value::string(v.and_then(|v| v.kms_key_id()).unwrap_or_default()),
        );
        r.insert(
            "throughput".to_string(),
            num(v.and_then(|v| v.throughput())).or_zero(),
        );
        r.insert("volume_size".to_string(), num(v.and_then(|v| v.size())));
        r.insert(
            "volume_type".to_string(),
            opt_str(v.and_then(|v| v.volume_type()).map(|t| t.as_str())),
        );
        r.insert("tags".to_string(), get(&prior_root, "tags"));
        Some(Value::object(r))
    });
    set(
        "root_block_device",
        Value::list(root_ty, root_val.into_iter().collect()),
    );
    // Volume tags, when configured.
    let vt = get(prior, "volume_tags");
    set(
        "volume_tags",
        if vt.is_null() {
            vt
        } else {
            let tags = root
                .and_then(|b| b.ebs())
                .and_then(|e| e.volume_id())
                .and_then(|v| vols.get(v))
                .map(|v| aws.visible_tags(from_ec2_tags(Some(v.tags()))))
                .unwrap_or_default();
            crate::providers::aws::map_value(&tags)
        },
    );
    // Metadata options.
    let md_ty = metadata_schema().value_type();
    let md = i.metadata_options().map(|o| {
        let mut r = BTreeMap::new();
        r.insert(
            "http_endpoint".to_string(),
            opt_str(o.http_endpoint().map(|x| x.as_str())),
        );
        r.insert(
            "http_protocol_ipv6".to_string(),
            opt_str(o.http_protocol_ipv6().map(|x| x.as_str())),
        );
        r.insert(
            "http_put_response_hop_limit".to_string(),
            num(o.http_put_response_hop_limit()),
        );
        r.insert(
            "http_tokens".to_string(),
            opt_str(o.http_tokens().map(|x| x.as_str())),
        );
        r.insert(
            "instance_metadata_tags".to_string(),
            opt_str(o.instance_metadata_tags().map(|x| x.as_str())),
        );
        Value::object(r)
    });
    set(
        "metadata_options",
        Value::list(md_ty, md.into_iter().collect()),
    );
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(i.tags())));
    set("tags", tags);
    set("tags_all", tags_all);
    Value::object(m)
}

trait OrZero {
    fn or_zero(self) -> Value;
}

impl OrZero for Value {
    /// Null numbers as 0, as the provider's state has them.
    fn or_zero(self) -> Value {
        if self.is_null() {
            Value::int(0)
        } else {
            self
        }
    }
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
    let found: HashMap<String, (String, aws_sdk_ec2::types::Instance)> =
        describe(&aws, &ids, false)
            .await?
            .into_iter()
            .filter_map(|(o, i)| {
                i.instance_id()
                    .map(|id| (id.to_string(), (o.clone(), i.clone())))
            })
            .collect();
    let vol_ids: Vec<String> = found
        .values()
        .flat_map(|(_, i)| {
            i.block_device_mappings()
                .iter()
                .filter_map(|b| b.ebs().and_then(|e| e.volume_id()).map(|s| s.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let vols = volumes(&aws, vol_ids).await?;
    let mut out = Vec::with_capacity(priors.len());
    for p in priors {
        let Some((owner, inst)) = get_str(p, "id").and_then(|id| found.get(&id)) else {
            out.push(None);
            continue;
        };
        let a = attrs(&aws, inst.instance_id().unwrap_or_default()).await?;
        out.push(Some(to_state(ctx, &aws, p, owner, inst, &a, &vols)));
    }
    Ok(out)
}

async fn read_one(ctx: &ProviderCtx, prior: &Value) -> Result<Option<Value>, ProviderError> {
    Ok(read_many(ctx, std::slice::from_ref(prior))
        .await?
        .into_iter()
        .next()
        .flatten())
}

/// The root device name of an AMI (the provider's `FetchRootDeviceName`).
async fn root_device_name(aws: &Aws, ami: &str) -> Result<Option<String>, ProviderError> {
    let out = aws
        .ec2()
        .describe_images()
        .image_ids(ami)
        .send()
        .await
        .map_err(aws_err)?;
    let Some(img) = out.images().first() else {
        return Ok(None);
    };
    if img.root_device_type().map(|t| t.as_str()) == Some("instance-store") {
        return Ok(None);
    }
    let root = img.root_device_name().map(|s| s.to_string());
    let in_mapping = img
        .block_device_mappings()
        .iter()
        .any(|b| b.device_name().map(|s| s.to_string()) == root);
    if !in_mapping {
        if let Some(d) = img
            .block_device_mappings()
            .first()
            .and_then(|b| b.device_name())
        {
            return Ok(Some(d.to_string()));
        }
    }
    Ok(root)
}

fn metadata_request(md: &Value) -> Option<InstanceMetadataOptionsRequest> {
    if md.is_null() {
        return None;
    }
    let s = |k: &str| get_str(md, k).filter(|s| !s.is_empty());
    Some(
        InstanceMetadataOptionsRequest::builder()
            .set_http_endpoint(
                s("http_endpoint").map(|x| InstanceMetadataEndpointState::from(x.as_str())),
            )
            .set_http_protocol_ipv6(
                s("http_protocol_ipv6").map(|x| InstanceMetadataProtocolState::from(x.as_str())),
            )
            .set_http_put_response_hop_limit(
                get_i64(md, "http_put_response_hop_limit").map(|n| n as i32),
            )
            .set_http_tokens(s("http_tokens").map(|x| HttpTokensState::from(x.as_str())))
            .set_instance_metadata_tags(
                s("instance_metadata_tags").map(|x| InstanceMetadataTagsState::from(x.as_str())),
            )
            .build(),
    )
}

async fn run(aws: &Aws, planned: &Value) -> Result<String, ProviderError> {
    let ami = get_str(planned, "ami").unwrap_or_default();
    let subnet = get_str(planned, "subnet_id").filter(|s| !s.is_empty());
    let names = get_strs(planned, "security_groups");
    let mut sg_ids = get_strs(planned, "vpc_security_group_ids");
    let public = get_bool(planned, "associate_public_ip_address");
    let private_ip = get_str(planned, "private_ip").filter(|s| !s.is_empty());
    let secondary = get_strs(planned, "secondary_private_ips");
    let ipv6_count = get_i64(planned, "ipv6_address_count").filter(|n| *n > 0);
    let ipv6 = get_strs(planned, "ipv6_addresses");
    let mut req = aws
        .ec2()
        .run_instances()
        .image_id(&ami)
        .min_count(1)
        .max_count(1)
        .client_token(super::key_pair::unique_name("terraform-"))
        .set_instance_type(
            get_str(planned, "instance_type").map(|t| InstanceType::from(t.as_str())),
        )
        .set_key_name(get_str(planned, "key_name").filter(|s| !s.is_empty()))
        .set_user_data(user_data_b64(planned))
        .set_ebs_optimized(get_bool(planned, "ebs_optimized"))
        .set_disable_api_termination(get_bool(planned, "disable_api_termination"))
        .set_disable_api_stop(get_bool(planned, "disable_api_stop").filter(|b| *b))
        .set_instance_initiated_shutdown_behavior(
            get_str(planned, "instance_initiated_shutdown_behavior")
                .map(|s| ShutdownBehavior::from(s.as_str())),
        )
        .set_metadata_options(metadata_request(&first(planned, "metadata_options")));
    if let Some(m) = get_bool(planned, "monitoring") {
        req = req.monitoring(RunInstancesMonitoringEnabled::builder().enabled(m).build());
    }
    if let Some(p) = get_str(planned, "iam_instance_profile").filter(|s| !s.is_empty()) {
        let spec = if p.starts_with("arn:") {
            IamInstanceProfileSpecification::builder().arn(p).build()
        } else {
            IamInstanceProfileSpecification::builder().name(p).build()
        };
        req = req.iam_instance_profile(spec);
    }
    let az = get_str(planned, "availability_zone").filter(|s| !s.is_empty());
    let tenancy = get_str(planned, "tenancy").filter(|s| !s.is_empty());
    let pg = get_str(planned, "placement_group").filter(|s| !s.is_empty());
    if az.is_some() || tenancy.is_some() || pg.is_some() {
        req = req.placement(
            Placement::builder()
                .set_availability_zone(az)
                .set_tenancy(tenancy.map(|t| Tenancy::from(t.as_str())))
                .set_group_name(pg)
                .build(),
        );
    }
    if subnet.is_some() && public == Some(true) {
        // A public address needs the primary interface spelt out, with the
        // groups on it.
        sg_ids.extend(names);
        let mut ni = InstanceNetworkInterfaceSpecification::builder()
            .device_index(0)
            .set_subnet_id(subnet)
            .set_groups((!sg_ids.is_empty()).then_some(sg_ids))
            .set_associate_public_ip_address(public)
            .set_private_ip_address(private_ip)
            .set_ipv6_address_count(ipv6_count.map(|n| n as i32));
        for ip in secondary {
            ni = ni.private_ip_addresses(
                aws_sdk_ec2::types::PrivateIpAddressSpecification::builder()
                    .private_ip_address(ip)
                    .primary(false)
                    .build(),
            );
        }
        for ip in ipv6 {
            ni = ni.ipv6_addresses(
                aws_sdk_ec2::types::InstanceIpv6Address::builder()
                    .ipv6_address(ip)
                    .build(),
            );
        }
        req = req.network_interfaces(ni.build());
    } else {
        let has_subnet = subnet.is_some();
        req = req
            .set_subnet_id(subnet)
            .set_private_ip_address(private_ip)
            .set_ipv6_address_count(ipv6_count.map(|n| n as i32));
        if has_subnet {
            sg_ids.extend(names);
        } else if !names.is_empty() {
            req = req.set_security_groups(Some(names));
        }
        if !sg_ids.is_empty() {
            req = req.set_security_group_ids(Some(sg_ids));
        }
        for ip in ipv6 {
            req = req.ipv6_addresses(
                aws_sdk_ec2::types::InstanceIpv6Address::builder()
                    .ipv6_address(ip)
                    .build(),
            );
        }
    }
    // Root block device.
    let rbd = first(planned, "root_block_device");
    if !rbd.is_null() {
        if let Some(dev) = root_device_name(aws, &ami).await? {
            let vt = get_str(&rbd, "volume_type").filter(|s| !s.is_empty());
            let iops_ok = matches!(vt.as_deref(), Some("io1") | Some("io2") | Some("gp3"));
            let ebs = EbsBlockDevice::builder()
                .set_delete_on_termination(get_bool(&rbd, "delete_on_termination"))
                .set_encrypted(get_bool(&rbd, "encrypted"))
                .set_kms_key_id(get_str(&rbd, "kms_key_id").filter(|s| !s.is_empty()))
                .set_volume_size(
                    get_i64(&rbd, "volume_size")
                        .filter(|n| *n > 0)
                        .map(|n| n as i32),
                )
                .set_iops(
                    get_i64(&rbd, "iops")
                        .filter(|n| *n > 0 && iops_ok)
                        .map(|n| n as i32),
                )
                .set_throughput(
                    get_i64(&rbd, "throughput")
                        .filter(|n| *n > 0 && vt.as_deref() == Some("gp3"))
                        .map(|n| n as i32),
                )
                .set_volume_type(vt.map(|t| VolumeType::from(t.as_str())))
                .build();
            req = req.block_device_mappings(
                BlockDeviceMapping::builder()
                    .device_name(dev)
                    .ebs(ebs)
                    .build(),
            );
        }
    }
    let mut specs = vec![];
    if let Some(t) = ec2_tag_spec(ResourceType::Instance, &planned_tags_all(planned)) {
        specs.push(t);
    }
    let vt = str_map(&get(planned, "volume_tags")).unwrap_or_default();
    if let Some(t) = ec2_tag_spec(ResourceType::Volume, &vt) {
        specs.push(t);
    }
    if !specs.is_empty() {
        req = req.set_tag_specifications(Some(specs));
    }
    let out = crate::providers::aws::retry_on(
        &["InvalidParameterValue"],
        Duration::from_secs(120),
        || async {
            req.clone().send().await.map_err(aws_err).and_then(|o| {
                o.instances()
                    .first()
                    .and_then(|i| i.instance_id())
                    .map(|s| s.to_string())
                    .ok_or_else(|| ProviderError::new("RunInstances returned no instance"))
            })
        },
    )
    .await;
    // Only IAM propagation errors are worth retrying.
    out
}

/// Stop, modify (`f`), start, as the provider's
/// `modifyInstanceAttributeWithStopStart`.
async fn with_stop_start<F, Fut>(
    aws: &Aws,
    id: &str,
    limit: Duration,
    f: F,
) -> Result<(), ProviderError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), ProviderError>>,
{
    aws.ec2()
        .stop_instances()
        .instance_ids(id)
        .send()
        .await
        .map_err(aws_err)?;
    wait_state(
        aws,
        id,
        "stopped",
        &format!("waiting for EC2 Instance ({id}) stop"),
        limit,
    )
    .await?;
    f().await?;
    aws.ec2()
        .start_instances()
        .instance_ids(id)
        .send()
        .await
        .map_err(aws_err)?;
    wait_state(
        aws,
        id,
        "running",
        &format!("waiting for EC2 Instance ({id}) start"),
        limit,
    )
    .await
}

fn changed(prior: &Value, planned: &Value, name: &str) -> bool {
    let p = get(prior, name);
    let n = get(planned, name);
    n.is_known() && !crate::engine::diff::same(&p, &n) && !(p.is_null() && n.is_null())
}

async fn modify(
    aws: &Aws,
    id: &str,
    prior: &Value,
    planned: &Value,
    limit: Duration,
) -> Result<(), ProviderError> {
    let ec2 = aws.ec2();
    let req = || ec2.modify_instance_attribute().instance_id(id);
    if changed(prior, planned, "vpc_security_group_ids") {
        let groups = get_strs(planned, "vpc_security_group_ids");
        if !groups.is_empty() {
            req()
                .set_groups(Some(groups))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    if changed(prior, planned, "source_dest_check") {
        if let Some(b) = get_bool(planned, "source_dest_check") {
            req()
                .source_dest_check(attr_bool(b))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    if changed(prior, planned, "disable_api_termination") {
        if let Some(b) = get_bool(planned, "disable_api_termination") {
            req()
                .disable_api_termination(attr_bool(b))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    if changed(prior, planned, "disable_api_stop") {
        if let Some(b) = get_bool(planned, "disable_api_stop") {
            req()
                .disable_api_stop(attr_bool(b))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    if changed(prior, planned, "instance_initiated_shutdown_behavior") {
        if let Some(s) = get_str(planned, "instance_initiated_shutdown_behavior") {
            req()
                .instance_initiated_shutdown_behavior(attr_str(&s))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    if changed(prior, planned, "monitoring") {
        match get_bool(planned, "monitoring") {
            Some(true) => {
                ec2.monitor_instances()
                    .instance_ids(id)
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            Some(false) => {
                ec2.unmonitor_instances()
                    .instance_ids(id)
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            None => {}
        }
    }
    if changed(prior, planned, "iam_instance_profile") {
        let assoc = ec2
            .describe_iam_instance_profile_associations()
            .filters(super::filter("instance-id", [id]))
            .send()
            .await
            .map_err(aws_err)?;
        let existing = assoc
            .iam_instance_profile_associations()
            .iter()
            .find_map(|a| a.association_id().map(|s| s.to_string()));
        match (
            get_str(planned, "iam_instance_profile").filter(|s| !s.is_empty()),
            existing,
        ) {
            (Some(p), None) => {
                ec2.associate_iam_instance_profile()
                    .instance_id(id)
                    .iam_instance_profile(
                        IamInstanceProfileSpecification::builder().name(p).build(),
                    )
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            (Some(p), Some(a)) => {
                ec2.replace_iam_instance_profile_association()
                    .association_id(a)
                    .iam_instance_profile(
                        IamInstanceProfileSpecification::builder().name(p).build(),
                    )
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            (None, Some(a)) => {
                ec2.disassociate_iam_instance_profile()
                    .association_id(a)
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            (None, None) => {}
        }
    }
    let ud_changed =
        changed(prior, planned, "user_data") || changed(prior, planned, "user_data_base64");
    let type_changed = changed(prior, planned, "instance_type");
    if ud_changed || type_changed {
        let ty = get_str(planned, "instance_type");
        let ud = user_data_bytes(planned);
        with_stop_start(aws, id, limit, || async {
            if type_changed {
                if let Some(t) = &ty {
                    req()
                        .instance_type(attr_str(t))
                        .send()
                        .await
                        .map_err(aws_err)?;
                }
            }
            if ud_changed {
                req()
                    .user_data(
                        SecureBlobAttributeValue::builder()
                            .value(aws_sdk_ec2::primitives::Blob::new(ud))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            Ok(())
        })
        .await?;
    }
    if changed(prior, planned, "metadata_options") {
        if let Some(md) = metadata_request(&first(planned, "metadata_options")) {
            ec2.modify_instance_metadata_options()
                .instance_id(id)
                .set_http_endpoint(md.http_endpoint().cloned())
                .set_http_tokens(md.http_tokens().cloned())
                .set_http_put_response_hop_limit(md.http_put_response_hop_limit())
                .set_instance_metadata_tags(md.instance_metadata_tags().cloned())
                .set_http_protocol_ipv6(md.http_protocol_ipv6().cloned())
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    // Root volume: delete_on_termination through the instance, the rest
    // through ModifyVolume.
    let (pr, nr) = (
        first(prior, "root_block_device"),
        first(planned, "root_block_device"),
    );
    if !nr.is_null() && !pr.is_null() {
        if changed(&pr, &nr, "delete_on_termination") {
            if let (Some(dev), Some(b)) = (
                get_str(&pr, "device_name"),
                get_bool(&nr, "delete_on_termination"),
            ) {
                req()
                    .block_device_mappings(
                        InstanceBlockDeviceMappingSpecification::builder()
                            .device_name(dev)
                            .ebs(
                                EbsInstanceBlockDeviceSpecification::builder()
                                    .delete_on_termination(b)
                                    .build(),
                            )
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
        let size = changed(&pr, &nr, "volume_size");
        let vtype = changed(&pr, &nr, "volume_type");
        let iops = changed(&pr, &nr, "iops");
        let tput = changed(&pr, &nr, "throughput");
        if size || vtype || iops || tput {
            if let Some(vid) = get_str(&pr, "volume_id") {
                let vt = get_str(&nr, "volume_type");
                let iops_ok = matches!(vt.as_deref(), Some("io1") | Some("io2") | Some("gp3"));
                ec2.modify_volume()
                    .volume_id(vid)
                    .set_size(
                        size.then(|| get_i64(&nr, "volume_size"))
                            .flatten()
                            .map(|n| n as i32),
                    )
                    .set_volume_type(
                        vtype
                            .then(|| vt.clone())
                            .flatten()
                            .map(|t| VolumeType::from(t.as_str())),
                    )
                    .set_iops(
                        (iops || vtype)
                            .then(|| get_i64(&nr, "iops"))
                            .flatten()
                            .filter(|n| *n > 0 && iops_ok)
                            .map(|n| n as i32),
                    )
                    .set_throughput(
                        (tput || vtype)
                            .then(|| get_i64(&nr, "throughput"))
                            .flatten()
                            .filter(|n| *n > 0 && vt.as_deref() == Some("gp3"))
                            .map(|n| n as i32),
                    )
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
    }
    if changed(prior, planned, "volume_tags") {
        let vol_ids: Vec<String> = describe(aws, &[id.to_string()], false)
            .await?
            .first()
            .map(|(_, i)| {
                i.block_device_mappings()
                    .iter()
                    .filter_map(|b| b.ebs().and_then(|e| e.volume_id()).map(|s| s.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let old = str_map(&get(prior, "volume_tags")).unwrap_or_default();
        let new = str_map(&get(planned, "volume_tags")).unwrap_or_default();
        let removed: Vec<aws_sdk_ec2::types::Tag> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .map(|k| aws_sdk_ec2::types::Tag::builder().key(k).build())
            .collect();
        for v in &vol_ids {
            if !removed.is_empty() {
                ec2.delete_tags()
                    .resources(v)
                    .set_tags(Some(removed.clone()))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            if !new.is_empty() {
                ec2.create_tags()
                    .resources(v)
                    .set_tags(Some(ec2_tags(&new)))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
    }
    Ok(())
}

#[async_trait]
impl Resource for Instance {
    fn type_name(&self) -> &'static str {
        "aws_instance"
    }
    fn display_name(&self) -> &'static str {
        "EC2 Instance"
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
        let mut planned = plan_tags_all(ctx, planned);
        // user_data: state holds its hash; an equal configured value keeps it.
        if let (Some(p), Some(s)) = (prior, get_str(config, "user_data")) {
            let prior_ud = get(p, "user_data");
            if prior_ud.as_str() == Some(user_data_hash(&s).as_str())
                || (s.is_empty() && prior_ud.is_null())
            {
                planned = with(&planned, "user_data", prior_ud);
            }
        }
        // Optional+computed blocks: absent from the configuration, they
        // keep what the instance has (or are unknown until it exists).
        for b in ["root_block_device", "metadata_options"] {
            let configured = get(config, b).as_seq().is_some_and(|s| !s.is_empty());
            if configured {
                continue;
            }
            let keep = match prior {
                Some(p) => get(p, b),
                None => Value::unknown(get(&planned, b).ty()),
            };
            planned = with(&planned, b, keep);
        }
        planned
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = run(&aws, planned).await?;
        let limit = timeout(planned, "create", Duration::from_secs(600));
        let finish = async {
            wait_state(
                &aws,
                &id,
                "running-new",
                &format!("waiting for EC2 Instance ({id}) create"),
                limit,
            )
            .await?;
            // Settings RunInstances cannot take.
            let as_created = read_one(ctx, &with(planned, "id", Value::string(&id)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!("EC2 Instance ({id}) not found after creation"))
                })?;
            if get_bool(planned, "source_dest_check") == Some(false)
                && get_bool(&as_created, "source_dest_check") != Some(false)
            {
                aws.ec2()
                    .modify_instance_attribute()
                    .instance_id(&id)
                    .source_dest_check(attr_bool(false))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            read_one(ctx, &with(planned, "id", Value::string(&id)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!("EC2 Instance ({id}) not found after creation"))
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
        let limit = timeout(planned, "update", Duration::from_secs(600));
        modify(&aws, &id, prior, planned, limit).await?;
        update_ec2_tags(&aws, &id, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("EC2 Instance ({id}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let limit = timeout(prior, "delete", Duration::from_secs(1200));
        // As the provider: termination protection off first (errors ignored).
        let _ = aws
            .ec2()
            .modify_instance_attribute()
            .instance_id(&id)
            .disable_api_termination(attr_bool(false))
            .send()
            .await;
        match aws
            .ec2()
            .terminate_instances()
            .instance_ids(&id)
            .send()
            .await
            .map_err(aws_err)
        {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
        wait_state(
            &aws,
            &id,
            "terminated",
            &format!("waiting for EC2 Instance ({id}) delete"),
            limit,
        )
        .await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 Instance ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_for_running() {
        assert_eq!(step(Some("pending"), "running"), Step::Wait);
        assert_eq!(step(Some("running"), "running"), Step::Done);
        assert_eq!(step(None, "running"), Step::Wait);
        assert!(matches!(step(Some("terminated"), "running"), Step::Fail(_)));
        // A new instance only goes through "pending".
        assert_eq!(step(Some("pending"), "running-new"), Step::Wait);
        assert_eq!(
            step(Some("stopped"), "running-new"),
            Step::Fail("unexpected state 'stopped', wanted target 'running'".into())
        );
        assert!(matches!(
            step(Some("shutting-down"), "running-new"),
            Step::Fail(_)
        ));
    }

    #[test]
    fn waiting_for_stop_and_termination() {
        for s in ["pending", "running", "stopping", "shutting-down"] {
            assert_eq!(step(Some(s), "stopped"), Step::Wait, "{s}");
        }
        assert_eq!(step(Some("stopped"), "stopped"), Step::Done);
        assert!(matches!(step(Some("terminated"), "stopped"), Step::Fail(_)));
        for s in ["pending", "running", "stopping", "stopped", "shutting-down"] {
            assert_eq!(step(Some(s), "terminated"), Step::Wait, "{s}");
        }
        assert_eq!(step(Some("terminated"), "terminated"), Step::Done);
        assert_eq!(step(None, "terminated"), Step::Done);
    }

    #[test]
    fn user_data_hashes_like_the_provider() {
        // sha1("hello")
        assert_eq!(
            user_data_hash("hello"),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
        );
        // Base64 input is hashed decoded: "aGVsbG8=" is "hello".
        assert_eq!(user_data_hash("aGVsbG8="), user_data_hash("hello"));
        let p = with(&Value::empty_object(), "user_data", Value::string("hello"));
        assert_eq!(user_data_b64(&p).as_deref(), Some("aGVsbG8="));
        assert_eq!(user_data_bytes(&p), b"hello".to_vec());
    }
}
