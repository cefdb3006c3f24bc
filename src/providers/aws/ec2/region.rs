//! Data source `aws_region`: the provider's region, or the one named, with
//! its description and EC2 endpoint (from the SDK's region table, as the
//! provider has it).

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, get_str};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

const REGIONS: &[(&str, &str)] = &[
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (Sao Paulo)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
];

fn endpoint(region: &str) -> String {
    if region.starts_with("cn-") {
        format!("ec2.{region}.amazonaws.com.cn")
    } else {
        format!("ec2.{region}.amazonaws.com")
    }
}

pub struct RegionData {
    schema: Schema,
}

impl RegionData {
    pub fn new() -> RegionData {
        let oc = || Attribute::optional_computed(Type::String);
        RegionData {
            schema: Schema::new()
                .attr("id", oc())
                .attr("name", oc())
                .attr("endpoint", oc())
                .attr("description", Attribute::computed(Type::String)),
        }
    }
}

impl Default for RegionData {
    fn default() -> Self {
        RegionData::new()
    }
}

#[async_trait]
impl DataSource for RegionData {
    fn type_name(&self) -> &'static str {
        "aws_region"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let by_name = |n: &str| {
            REGIONS
                .iter()
                .find(|(r, _)| *r == n)
                .ok_or_else(|| ProviderError::new(format!("region not found for name {n:?}")))
        };
        let mut found = None;
        if let Some(e) = get_str(config, "endpoint") {
            found = Some(
                REGIONS
                    .iter()
                    .find(|(r, _)| endpoint(r) == e)
                    .ok_or_else(|| {
                        ProviderError::new(format!("region not found for endpoint {e:?}"))
                    })?,
            );
        }
        if let Some(n) = get_str(config, "name") {
            let r = by_name(&n)?;
            if found.is_some_and(|f| f.0 != r.0) {
                return Err(ProviderError::new(
                    "multiple Regions matched; use additional constraints to reduce matches to a single Region",
                ));
            }
            found = Some(r);
        }
        let (name, description) = match found {
            Some(r) => r,
            None => by_name(&aws(ctx).await?.region)?,
        };
        let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
        m.insert("id".into(), Value::string(*name));
        m.insert("name".into(), Value::string(*name));
        m.insert("description".into(), Value::string(*description));
        m.insert("endpoint".into(), Value::string(endpoint(name)));
        Ok(Value::object(m))
    }
}
