//! Data source `aws_availability_zones`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::filter;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get, get_bool, get_str, get_strs, str_list};
use crate::providers::{Attribute, BlockNesting, DataSource, ProviderCtx, ProviderError, Schema};

pub struct AvailabilityZones {
    schema: Schema,
}

impl AvailabilityZones {
    pub fn new() -> AvailabilityZones {
        let set = || Attribute::optional(Type::set(Type::String));
        AvailabilityZones {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("all_availability_zones", Attribute::optional(Type::Bool))
                .attr("exclude_names", set())
                .attr("exclude_zone_ids", set())
                .attr("state", Attribute::optional(Type::String))
                .attr("group_names", Attribute::computed(Type::set(Type::String)))
                .attr("names", Attribute::computed(Type::list(Type::String)))
                .attr("zone_ids", Attribute::computed(Type::list(Type::String)))
                .block(
                    "filter",
                    BlockNesting::Set,
                    Schema::new()
                        .attr("name", Attribute::required(Type::String))
                        .attr("values", Attribute::required(Type::set(Type::String))),
                ),
        }
    }
}

impl Default for AvailabilityZones {
    fn default() -> Self {
        AvailabilityZones::new()
    }
}

#[async_trait]
impl DataSource for AvailabilityZones {
    fn type_name(&self) -> &'static str {
        "aws_availability_zones"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let mut req = aws
            .ec2()
            .describe_availability_zones()
            .set_all_availability_zones(get_bool(config, "all_availability_zones"));
        if let Some(s) = get_str(config, "state") {
            req = req.filters(filter("state", [s]));
        }
        if let Some(fs) = get(config, "filter").as_seq() {
            for f in fs {
                req = req.filters(filter(
                    &get_str(f, "name").unwrap_or_default(),
                    get_strs(f, "values"),
                ));
            }
        }
        let out = req.send().await.map_err(aws_err)?;
        let exclude_names = get_strs(config, "exclude_names");
        let exclude_ids = get_strs(config, "exclude_zone_ids");
        let mut zones: Vec<_> = out
            .availability_zones()
            .iter()
            .filter(|z| {
                !exclude_names
                    .iter()
                    .any(|n| Some(n.as_str()) == z.zone_name())
                    && !exclude_ids.iter().any(|n| Some(n.as_str()) == z.zone_id())
            })
            .collect();
        zones.sort_by(|a, b| a.zone_name().cmp(&b.zone_name()));
        let mut groups: Vec<String> = zones
            .iter()
            .filter_map(|z| z.group_name().map(|s| s.to_string()))
            .collect();
        groups.sort();
        groups.dedup();
        let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
        m.insert("id".into(), Value::string(&aws.region));
        m.insert(
            "names".into(),
            str_list(
                zones
                    .iter()
                    .filter_map(|z| z.zone_name().map(|s| s.to_string())),
            ),
        );
        m.insert(
            "zone_ids".into(),
            str_list(
                zones
                    .iter()
                    .filter_map(|z| z.zone_id().map(|s| s.to_string())),
            ),
        );
        m.insert(
            "group_names".into(),
            Value::set(
                Type::String,
                groups.into_iter().map(Value::string).collect(),
            ),
        );
        Ok(Value::object(m))
    }
}
