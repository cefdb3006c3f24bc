//! `aws_lb_listener_rule` (alias `aws_alb_listener_rule`).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{Rule, RulePriorityPair};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::elbv2::actions::{
    action_schema, condition_schema, expand_actions, expand_conditions, flatten_actions,
    flatten_conditions,
};
use crate::providers::aws::elbv2::{
    describe_by_arns, describe_tags, elb_tags, import_state, update_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_i64, get_str, is_not_found, partial_err, plan_tags_all,
    planned_tags_all, read_tags, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct ListenerRule {
    ty: &'static str,
    schema: Schema,
}

impl ListenerRule {
    pub fn new(ty: &'static str) -> ListenerRule {
        let c = || Attribute::computed(Type::String);
        let mut s = Schema::new()
            .attr("id", c())
            .attr("arn", c())
            .attr(
                "listener_arn",
                Attribute::required(Type::String).force_new(),
            )
            .attr("priority", Attribute::optional_computed(Type::Number))
            .block("action", BlockNesting::List, action_schema())
            .block("condition", BlockNesting::Set, condition_schema());
        for b in ["action", "condition"] {
            if let Some(b) = s.blocks.get_mut(b) {
                b.min_items = 1;
            }
        }
        ListenerRule {
            ty,
            schema: tag_attrs(s),
        }
    }
}

async fn describe(aws: &Aws, arns: &[String]) -> Result<Vec<Rule>, ProviderError> {
    describe_by_arns(arns, 20, |chunk| async move {
        aws.elbv2()
            .describe_rules()
            .set_rule_arns(Some(chunk))
            .send()
            .await
            .map(|o| o.rules().to_vec())
            .map_err(aws_err)
    })
    .await
}

/// The listener a rule belongs to, from the rule's ARN
/// (`…:listener-rule/app/LB/ID/LISTENER/RULE` → `…:listener/app/LB/ID/LISTENER`).
fn listener_of(rule_arn: &str) -> Option<String> {
    let (head, tail) = rule_arn.split_once(":listener-rule/")?;
    let parts: Vec<&str> = tail.split('/').collect();
    if parts.len() < 5 {
        return None;
    }
    Some(format!(
        "{head}:listener/{}",
        parts[..parts.len() - 1].join("/")
    ))
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    r: &Rule,
    tags: Vec<(String, String)>,
) -> Value {
    let arn = r.rule_arn().unwrap_or_default();
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(arn));
    set("arn", Value::string(arn));
    set(
        "listener_arn",
        match get_str(prior, "listener_arn") {
            Some(l) => Value::string(l),
            None => listener_of(arn)
                .map(Value::string)
                .unwrap_or_else(|| Value::null_of(Type::String)),
        },
    );
    set(
        "priority",
        match r.priority().and_then(|p| p.parse::<i64>().ok()) {
            Some(p) => Value::int(p),
            None => Value::null_of(Type::Number),
        },
    );
    set(
        "action",
        flatten_actions(r.actions(), &get(prior, "action")),
    );
    set("condition", flatten_conditions(r.conditions()));
    let (tags, tags_all) = read_tags(ctx, aws, prior, tags);
    set("tags", tags);
    set("tags_all", tags_all);
    Value::object(m)
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let arns: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
    if arns.is_empty() {
        return Ok(vec![None; priors.len()]);
    }
    let found: HashMap<String, Rule> = describe(&aws, &arns)
        .await?
        .into_iter()
        .filter_map(|r| r.rule_arn().map(|a| (a.to_string(), r.clone())))
        .collect();
    let present: Vec<String> = found.keys().cloned().collect();
    let mut tags = describe_tags(&aws, &present).await?;
    Ok(priors
        .iter()
        .map(|p| {
            let r = get_str(p, "id").and_then(|id| found.get(&id))?;
            let t = tags
                .remove(r.rule_arn().unwrap_or_default())
                .unwrap_or_default();
            Some(to_state(ctx, &aws, p, r, t))
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

/// The next free priority of a listener: the highest in use plus one.
async fn next_priority(aws: &Aws, listener: &str) -> Result<i32, ProviderError> {
    let mut max = 0;
    let mut marker: Option<String> = None;
    loop {
        let out = aws
            .elbv2()
            .describe_rules()
            .listener_arn(listener)
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(aws_err)?;
        for r in out.rules() {
            if let Some(p) = r.priority().and_then(|p| p.parse::<i32>().ok()) {
                max = max.max(p);
            }
        }
        marker = out.next_marker().map(|s| s.to_string());
        if marker.is_none() {
            break;
        }
    }
    Ok(max + 1)
}

#[async_trait]
impl Resource for ListenerRule {
    fn type_name(&self) -> &'static str {
        self.ty
    }
    fn display_name(&self) -> &'static str {
        "ELBv2 Listener Rule"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        _prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        plan_tags_all(ctx, planned)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let listener = get_str(planned, "listener_arn").unwrap_or_default();
        let priority = match get_i64(planned, "priority") {
            Some(p) => p as i32,
            None => next_priority(&aws, &listener).await?,
        };
        let out = aws
            .elbv2()
            .create_rule()
            .listener_arn(&listener)
            .priority(priority)
            .set_actions(Some(expand_actions(&get(planned, "action"))))
            .set_conditions(Some(expand_conditions(&get(planned, "condition"))))
            .set_tags(elb_tags(&planned_tags_all(planned)))
            .send()
            .await
            .map_err(aws_err)?;
        let arn = out
            .rules()
            .first()
            .and_then(|r| r.rule_arn())
            .ok_or_else(|| ProviderError::new("CreateRule returned no rule"))?
            .to_string();
        let planned_n = with(planned, "id", Value::string(&arn));
        read_one(ctx, &planned_n)
            .await
            .and_then(|r| {
                r.ok_or_else(|| {
                    ProviderError::new(format!(
                        "ELBv2 Listener Rule ({arn}) not found after creation"
                    ))
                })
            })
            .map_err(|e| partial_err(e, &planned_n, &arn))
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
        let arn = get_str(prior, "id").unwrap_or_default();
        let same = |k: &str| crate::engine::diff::same(&get(prior, k), &get(planned, k));
        if let Some(p) = get_i64(planned, "priority") {
            if get_i64(prior, "priority") != Some(p) {
                aws.elbv2()
                    .set_rule_priorities()
                    .rule_priorities(
                        RulePriorityPair::builder()
                            .rule_arn(&arn)
                            .priority(p as i32)
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
        if !same("action") || !same("condition") {
            aws.elbv2()
                .modify_rule()
                .rule_arn(&arn)
                .set_actions(Some(expand_actions(&get(planned, "action"))))
                .set_conditions(Some(expand_conditions(&get(planned, "condition"))))
                .send()
                .await
                .map_err(aws_err)?;
        }
        update_tags(&aws, &arn, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&arn)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "ELBv2 Listener Rule ({arn}) not found after update"
                ))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        match aws
            .elbv2()
            .delete_rule()
            .rule_arn(&arn)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if is_not_found(&e) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        read_one(ctx, &import_state(id))
            .await?
            .ok_or_else(|| ProviderError::new(format!("ELBv2 Listener Rule ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn listener_of_rule() {
        assert_eq!(
            super::listener_of(
                "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/web/abc/lis/rule"
            )
            .as_deref(),
            Some("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/web/abc/lis")
        );
    }
}
