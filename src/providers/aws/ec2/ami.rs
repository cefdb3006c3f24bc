//! Data source `aws_ami`: one AMI chosen by owners, filters and a name
//! regex, the most recent when several match and `most_recent` is set.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ec2::types::Image;

use super::filter;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_str, get_strs, map_value, opt_str, Aws,
};
use crate::providers::{Attribute, BlockNesting, DataSource, ProviderCtx, ProviderError, Schema};

pub struct Ami {
    schema: Schema,
}

fn bdm_type() -> Type {
    let mut m = BTreeMap::new();
    m.insert("device_name".to_string(), Type::String);
    m.insert("ebs".to_string(), Type::map(Type::String));
    m.insert("no_device".to_string(), Type::String);
    m.insert("virtual_name".to_string(), Type::String);
    Type::Object(m)
}

fn product_code_type() -> Type {
    let mut m = BTreeMap::new();
    m.insert("product_code_id".to_string(), Type::String);
    m.insert("product_code_type".to_string(), Type::String);
    Type::Object(m)
}

impl Ami {
    pub fn new() -> Ami {
        let c = || Attribute::computed(Type::String);
        let mut s = Schema::new()
            .attr(
                "executable_users",
                Attribute::optional(Type::list(Type::String)),
            )
            .attr(
                "include_deprecated",
                Attribute::optional(Type::Bool).default(Value::bool(false)),
            )
            .attr(
                "most_recent",
                Attribute::optional(Type::Bool).default(Value::bool(false)),
            )
            .attr("name_regex", Attribute::optional(Type::String))
            .attr("owners", Attribute::optional(Type::list(Type::String)))
            .attr("ena_support", Attribute::computed(Type::Bool))
            .attr("public", Attribute::computed(Type::Bool))
            .attr(
                "tags",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("state_reason", Attribute::computed(Type::map(Type::String)))
            .attr(
                "block_device_mappings",
                Attribute::computed(Type::set(bdm_type())),
            )
            .attr(
                "product_codes",
                Attribute::computed(Type::set(product_code_type())),
            )
            .block(
                "filter",
                BlockNesting::Set,
                Schema::new()
                    .attr("name", Attribute::required(Type::String))
                    .attr("values", Attribute::required(Type::list(Type::String))),
            )
            .timeouts(&["read"]);
        for name in [
            "id",
            "arn",
            "architecture",
            "boot_mode",
            "creation_date",
            "deprecation_time",
            "description",
            "hypervisor",
            "image_id",
            "image_location",
            "image_owner_alias",
            "image_type",
            "imds_support",
            "kernel_id",
            "last_launched_time",
            "name",
            "owner_id",
            "platform",
            "platform_details",
            "ramdisk_id",
            "root_device_name",
            "root_device_type",
            "root_snapshot_id",
            "sriov_net_support",
            "state",
            "tpm_support",
            "usage_operation",
            "virtualization_type",
        ] {
            s = s.attr(name, c());
        }
        Ami { schema: s }
    }
}

impl Default for Ami {
    fn default() -> Self {
        Ami::new()
    }
}

/// Seconds since the epoch of an RFC 3339 creation date (0 when malformed),
/// for picking the most recent image.
fn created(i: &Image) -> i64 {
    i.creation_date()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.timestamp())
        .unwrap_or(0)
}

/// The provider's choice among the matching images.
pub fn choose(mut images: Vec<Image>, most_recent: bool) -> Result<Image, ProviderError> {
    match images.len() {
        0 => Err(ProviderError::new(
            "Your query returned no results. Please change your search criteria and try again.",
        )),
        1 => Ok(images.remove(0)),
        _ if !most_recent => Err(ProviderError::new(
            "Your query returned more than one result. Please try more specific search criteria, or set `most_recent` attribute to true.",
        )),
        _ => {
            // Stable: among equal dates the first returned wins.
            images.sort_by_key(|i| std::cmp::Reverse(created(i)));
            Ok(images.remove(0))
        }
    }
}

fn root_snapshot(i: &Image) -> Option<String> {
    let root = i.root_device_name()?;
    i.block_device_mappings()
        .iter()
        .find(|b| b.device_name() == Some(root))
        .and_then(|b| b.ebs())
        .and_then(|e| e.snapshot_id())
        .map(|s| s.to_string())
}

fn to_value(aws: &Aws, config: &Value, i: &Image) -> Value {
    let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
    let mut set = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    let id = i.image_id().unwrap_or_default();
    set("id", Value::string(id));
    set("image_id", Value::string(id));
    set(
        "arn",
        Value::string(format!(
            "arn:{}:ec2:{}::image/{id}",
            aws.partition(),
            aws.region
        )),
    );
    set(
        "architecture",
        opt_str(i.architecture().map(|x| x.as_str())),
    );
    set("boot_mode", opt_str(i.boot_mode().map(|x| x.as_str())));
    set("creation_date", opt_str(i.creation_date()));
    set("deprecation_time", opt_str(i.deprecation_time()));
    set("description", opt_str(i.description()));
    set("hypervisor", opt_str(i.hypervisor().map(|x| x.as_str())));
    set("image_location", opt_str(i.image_location()));
    set("image_owner_alias", opt_str(i.image_owner_alias()));
    set("image_type", opt_str(i.image_type().map(|x| x.as_str())));
    set(
        "imds_support",
        opt_str(i.imds_support().map(|x| x.as_str())),
    );
    set("kernel_id", opt_str(i.kernel_id()));
    set("last_launched_time", opt_str(i.last_launched_time()));
    set("name", opt_str(i.name()));
    set("owner_id", opt_str(i.owner_id()));
    set("platform", opt_str(i.platform().map(|x| x.as_str())));
    set("platform_details", opt_str(i.platform_details()));
    set("ramdisk_id", opt_str(i.ramdisk_id()));
    set("root_device_name", opt_str(i.root_device_name()));
    set(
        "root_device_type",
        opt_str(i.root_device_type().map(|x| x.as_str())),
    );
    set("root_snapshot_id", opt_str(root_snapshot(i).as_deref()));
    set("sriov_net_support", opt_str(i.sriov_net_support()));
    set("state", opt_str(i.state().map(|x| x.as_str())));
    set("tpm_support", opt_str(i.tpm_support().map(|x| x.as_str())));
    set("usage_operation", opt_str(i.usage_operation()));
    set(
        "virtualization_type",
        opt_str(i.virtualization_type().map(|x| x.as_str())),
    );
    set("ena_support", Value::bool(i.ena_support().unwrap_or(false)));
    set("public", Value::bool(i.public().unwrap_or(false)));
    let tags: BTreeMap<String, String> = i
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    set("tags", map_value(&tags));
    let mut reason = BTreeMap::new();
    match i.state_reason() {
        Some(r) => {
            reason.insert("code".to_string(), r.code().unwrap_or("UNSET").to_string());
            reason.insert(
                "message".to_string(),
                r.message().unwrap_or("UNSET").to_string(),
            );
        }
        None => {
            reason.insert("code".to_string(), "UNSET".to_string());
            reason.insert("message".to_string(), "UNSET".to_string());
        }
    }
    set("state_reason", map_value(&reason));
    let bdms: Vec<Value> = i
        .block_device_mappings()
        .iter()
        .map(|b| {
            let mut ebs = BTreeMap::new();
            if let Some(e) = b.ebs() {
                let mut put = |k: &str, v: Option<String>| {
                    if let Some(v) = v {
                        ebs.insert(k.to_string(), v);
                    }
                };
                put(
                    "delete_on_termination",
                    e.delete_on_termination().map(|x| x.to_string()),
                );
                put("encrypted", e.encrypted().map(|x| x.to_string()));
                put("iops", e.iops().map(|x| x.to_string()));
                put("snapshot_id", e.snapshot_id().map(|x| x.to_string()));
                put("throughput", e.throughput().map(|x| x.to_string()));
                put("volume_size", e.volume_size().map(|x| x.to_string()));
                put(
                    "volume_type",
                    e.volume_type().map(|x| x.as_str().to_string()),
                );
            }
            let mut o = BTreeMap::new();
            o.insert("device_name".to_string(), opt_str(b.device_name()));
            o.insert("ebs".to_string(), map_value(&ebs));
            o.insert("no_device".to_string(), opt_str(b.no_device()));
            o.insert("virtual_name".to_string(), opt_str(b.virtual_name()));
            Value::object(o)
        })
        .collect();
    set("block_device_mappings", Value::set(bdm_type(), bdms));
    let codes: Vec<Value> = i
        .product_codes()
        .iter()
        .map(|p| {
            let mut o = BTreeMap::new();
            o.insert("product_code_id".to_string(), opt_str(p.product_code_id()));
            o.insert(
                "product_code_type".to_string(),
                opt_str(p.product_code_type().map(|x| x.as_str())),
            );
            Value::object(o)
        })
        .collect();
    set("product_codes", Value::set(product_code_type(), codes));
    Value::object(m)
}

#[async_trait]
impl DataSource for Ami {
    fn type_name(&self) -> &'static str {
        "aws_ami"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let owners = get_strs(config, "owners");
        let users = get_strs(config, "executable_users");
        let mut req = aws
            .ec2()
            .describe_images()
            .set_owners((!owners.is_empty()).then_some(owners))
            .set_executable_users((!users.is_empty()).then_some(users))
            .set_include_deprecated(get_bool(config, "include_deprecated"));
        if let Some(fs) = get(config, "filter").as_seq() {
            for f in fs {
                req = req.filters(filter(
                    &get_str(f, "name").unwrap_or_default(),
                    get_strs(f, "values"),
                ));
            }
        }
        let mut images: Vec<Image> = vec![];
        let mut pages = req.into_paginator().send();
        while let Some(page) = pages.next().await {
            images.extend(page.map_err(aws_err)?.images().iter().cloned());
        }
        if let Some(re) = get_str(config, "name_regex") {
            let re = regex::Regex::new(&re).map_err(|e| {
                ProviderError::new(format!("name_regex: invalid regular expression: {e}"))
            })?;
            images.retain(|i| i.name().is_some_and(|n| re.is_match(n)));
        }
        let most_recent = get_bool(config, "most_recent").unwrap_or(false);
        let image = choose(images, most_recent)?;
        Ok(to_value(&aws, config, &image))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(id: &str, date: &str) -> Image {
        Image::builder().image_id(id).creation_date(date).build()
    }

    #[test]
    fn choosing() {
        let e = choose(vec![], true).unwrap_err();
        assert!(e.message.starts_with("Your query returned no results."));
        let two = || {
            vec![
                img("ami-1", "2020-01-01T00:00:00.000Z"),
                img("ami-2", "2021-06-01T00:00:00.000Z"),
            ]
        };
        let e = choose(two(), false).unwrap_err();
        assert!(e.message.contains("more than one result"), "{}", e.message);
        assert_eq!(choose(two(), true).unwrap().image_id(), Some("ami-2"));
        assert_eq!(
            choose(vec![img("ami-9", "x")], false).unwrap().image_id(),
            Some("ami-9")
        );
    }
}
