//! Data source `aws_caller_identity` (STS GetCallerIdentity).

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, opt_str};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct CallerIdentity {
    schema: Schema,
}

impl CallerIdentity {
    pub fn new() -> CallerIdentity {
        let c = || Attribute::computed(Type::String);
        CallerIdentity {
            schema: Schema::new()
                .attr("id", c())
                .attr("account_id", c())
                .attr("arn", c())
                .attr("user_id", c()),
        }
    }
}

impl Default for CallerIdentity {
    fn default() -> Self {
        CallerIdentity::new()
    }
}

#[async_trait]
impl DataSource for CallerIdentity {
    fn type_name(&self) -> &'static str {
        "aws_caller_identity"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, _config: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let out = aws.sts().get_caller_identity().send().await.map_err(|e| {
            let mut e = aws_err(e);
            e.message = format!("getting Caller Identity: {}", e.message);
            e
        })?;
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), opt_str(out.account()));
        m.insert("account_id".to_string(), opt_str(out.account()));
        m.insert("arn".to_string(), opt_str(out.arn()));
        m.insert("user_id".to_string(), opt_str(out.user_id()));
        Ok(Value::object(m))
    }
}
