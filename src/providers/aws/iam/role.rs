//! `aws_iam_role`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;

use super::policy::{decode_document, normalize_json, policies_equivalent, policy_to_set};
use super::{
    from_iam_tags, iam_tags, name_prefix_from_name, no_such_entity, rfc3339, tag_changes,
    unique_name,
};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, get_strs, opt_str, partial_err, plan_tags_all,
    planned_tags_all, read_tags, retry_on, str_set, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct Role {
    schema: Schema,
}

impl Role {
    pub fn new() -> Role {
        let c = || Attribute::computed(Type::String);
        Role {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("unique_id", c())
                    .attr("create_date", c())
                    .attr(
                        "name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "name_prefix",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("assume_role_policy", Attribute::required(Type::String))
                    .attr("description", Attribute::optional(Type::String))
                    .attr(
                        "path",
                        Attribute::optional(Type::String)
                            .default(Value::string("/"))
                            .force_new(),
                    )
                    .attr(
                        "max_session_duration",
                        Attribute::optional(Type::Number).default(Value::int(3600)),
                    )
                    .attr("permissions_boundary", Attribute::optional(Type::String))
                    .attr(
                        "force_detach_policies",
                        Attribute::optional(Type::Bool).default(Value::bool(false)),
                    )
                    .attr(
                        "managed_policy_arns",
                        Attribute::optional_computed(Type::set(Type::String)),
                    )
                    .block(
                        "inline_policy",
                        BlockNesting::Set,
                        Schema::new()
                            .attr("name", Attribute::optional(Type::String))
                            .attr("policy", Attribute::optional(Type::String)),
                    ),
            ),
        }
    }
}

impl Default for Role {
    fn default() -> Self {
        Role::new()
    }
}

fn inline_elem() -> Type {
    Type::Object(
        [
            ("name".to_string(), Type::String),
            ("policy".to_string(), Type::String),
        ]
        .into_iter()
        .collect(),
    )
}

fn inline_type() -> Type {
    Type::set(inline_elem())
}

fn inline_value(ps: &[(String, String)]) -> Value {
    Value::set(
        inline_elem(),
        ps.iter()
            .map(|(n, p)| {
                Value::object(
                    [
                        ("name".to_string(), Value::string(n)),
                        ("policy".to_string(), Value::string(p)),
                    ]
                    .into_iter()
                    .collect(),
                )
            })
            .collect(),
    )
}

/// The (name, policy) pairs of an `inline_policy` value, leaving out empty
/// blocks (`inline_policy {}` means "none").
fn inline_pairs(v: &Value) -> Vec<(String, String)> {
    v.as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|b| {
            let n = get_str(b, "name").filter(|s| !s.is_empty())?;
            Some((n, get_str(b, "policy").unwrap_or_default()))
        })
        .collect()
}

/// The provider's `inlinePoliciesEquivalent`.
fn inline_equivalent(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len()
        && a.iter().all(|(n, p)| {
            b.iter()
                .any(|(n2, p2)| n == n2 && policies_equivalent(p, p2))
        })
}

async fn list_inline(aws: &Aws, name: &str) -> Result<Vec<String>, ProviderError> {
    aws.iam()
        .list_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_err)
}

async fn list_managed(aws: &Aws, name: &str) -> Result<Vec<String>, ProviderError> {
    let items = aws
        .iam()
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_err)?;
    Ok(items
        .iter()
        .filter_map(|p| p.policy_arn().map(|s| s.to_string()))
        .collect())
}

async fn read_role(
    ctx: &ProviderCtx,
    aws: &Aws,
    name: &str,
    prior: &Value,
) -> Result<Option<Value>, ProviderError> {
    let out = match aws.iam().get_role().role_name(name).send().await {
        Ok(o) => o,
        Err(e) => {
            let e = aws_err(e);
            return if no_such_entity(&e) { Ok(None) } else { Err(e) };
        }
    };
    let Some(r) = out.role() else {
        return Ok(None);
    };
    let name = r.role_name().to_string();
    let mut inline = vec![];
    for pn in list_inline(aws, &name).await? {
        let doc = aws
            .iam()
            .get_role_policy()
            .role_name(&name)
            .policy_name(&pn)
            .send()
            .await
            .map_err(aws_err)?;
        let text = decode_document(doc.policy_document());
        inline.push((pn, normalize_json(&text).unwrap_or(text)));
    }
    let prior_inline = inline_pairs(&get(prior, "inline_policy"));
    let inline_v = if inline_equivalent(&inline, &prior_inline) {
        inline_value(&prior_inline)
    } else {
        inline_value(&inline)
    };
    let managed = list_managed(aws, &name).await?;
    let tags = aws
        .iam()
        .list_role_tags()
        .role_name(&name)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_err)?;
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_iam_tags(&tags));
    let arp = decode_document(r.assume_role_policy_document().unwrap_or_default());
    let prior_arp = get_str(prior, "assume_role_policy");
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(&name));
    set("name", Value::string(&name));
    set(
        "name_prefix",
        match name_prefix_from_name(&name) {
            Some(p) => Value::string(p),
            None => get(prior, "name_prefix"),
        },
    );
    set("arn", Value::string(r.arn()));
    set("unique_id", Value::string(r.role_id()));
    set("create_date", rfc3339(Some(r.create_date())));
    set("path", Value::string(r.path()));
    set(
        "description",
        match r.description() {
            Some(d) if !d.is_empty() || !get(prior, "description").is_null() => Value::string(d),
            _ => Value::null_of(Type::String),
        },
    );
    set(
        "max_session_duration",
        Value::int(r.max_session_duration().unwrap_or(3600) as i64),
    );
    set(
        "permissions_boundary",
        opt_str(
            r.permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn()),
        ),
    );
    set(
        "assume_role_policy",
        Value::string(policy_to_set(prior_arp.as_deref(), &arp)),
    );
    set(
        "force_detach_policies",
        Value::bool(get_bool(prior, "force_detach_policies").unwrap_or(false)),
    );
    set("managed_policy_arns", str_set(managed));
    set("inline_policy", inline_v);
    set("tags", tags);
    set("tags_all", tags_all);
    Ok(Some(Value::object(m)))
}

async fn put_inline(
    aws: &Aws,
    role: &str,
    policies: &[(String, String)],
) -> Result<(), ProviderError> {
    for (n, p) in policies {
        if n.is_empty() || p.is_empty() {
            continue;
        }
        aws.iam()
            .put_role_policy()
            .role_name(role)
            .policy_name(n)
            .policy_document(p)
            .send()
            .await
            .map_err(|e| {
                let mut e = aws_err(e);
                e.message = format!("creating inline policy ({n}): {}", e.message);
                e
            })?;
    }
    Ok(())
}

async fn attach(aws: &Aws, role: &str, arns: &[String]) -> Result<(), ProviderError> {
    for a in arns {
        aws.iam()
            .attach_role_policy()
            .role_name(role)
            .policy_arn(a)
            .send()
            .await
            .map_err(|e| {
                let mut e = aws_err(e);
                e.message = format!("attaching managed policy ({a}): {}", e.message);
                e
            })?;
    }
    Ok(())
}

async fn detach(aws: &Aws, role: &str, arns: &[String]) -> Result<(), ProviderError> {
    for a in arns {
        match aws
            .iam()
            .detach_role_policy()
            .role_name(role)
            .policy_arn(a)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if !no_such_entity(&e) => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

async fn delete_inline(aws: &Aws, role: &str, names: &[String]) -> Result<(), ProviderError> {
    for n in names {
        match aws
            .iam()
            .delete_role_policy()
            .role_name(role)
            .policy_name(n)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if !no_such_entity(&e) => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

fn assume_policy(planned: &Value) -> Result<String, ProviderError> {
    let p = get_str(planned, "assume_role_policy").unwrap_or_default();
    normalize_json(&p)
        .map_err(|_| ProviderError::new(format!("assume_role_policy ({p}) is invalid JSON")))
}

#[async_trait]
impl Resource for Role {
    fn type_name(&self) -> &'static str {
        "aws_iam_role"
    }
    fn display_name(&self) -> &'static str {
        "IAM Role"
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
        if let Some(p) = prior {
            if let (Some(a), Some(b)) = (
                get_str(p, "assume_role_policy"),
                get_str(&planned, "assume_role_policy"),
            ) {
                if a != b && policies_equivalent(&a, &b) {
                    planned = with(&planned, "assume_role_policy", Value::string(a));
                }
            }
        }
        // inline_policy is Optional+Computed: no blocks configured keeps
        // what there is; equivalent policies keep the prior text.
        let cfg = get(config, "inline_policy");
        if !cfg.is_wholly_known() {
            return planned;
        }
        let blocks = cfg.as_seq().map(|s| s.len()).unwrap_or(0);
        let want = inline_pairs(&cfg);
        let keep = match prior {
            None if blocks == 0 => Value::unknown(inline_type()),
            None => inline_value(&want),
            Some(p) => {
                let had = get(p, "inline_policy");
                if blocks == 0 || inline_equivalent(&want, &inline_pairs(&had)) {
                    had
                } else {
                    inline_value(&want)
                }
            }
        };
        with(&planned, "inline_policy", keep)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = unique_name(get_str(planned, "name"), get_str(planned, "name_prefix"));
        let tags = planned_tags_all(planned);
        let out = aws
            .iam()
            .create_role()
            .role_name(&name)
            .assume_role_policy_document(assume_policy(planned)?)
            .set_path(get_str(planned, "path"))
            .set_description(get_str(planned, "description").filter(|s| !s.is_empty()))
            .set_max_session_duration(get_i64(planned, "max_session_duration").map(|n| n as i32))
            .set_permissions_boundary(
                get_str(planned, "permissions_boundary").filter(|s| !s.is_empty()),
            )
            .set_tags((!tags.is_empty()).then(|| iam_tags(&tags)))
            .send()
            .await
            .map_err(aws_err)?;
        let name = out
            .role()
            .map(|r| r.role_name().to_string())
            .unwrap_or(name);
        let with_id = with(
            &with(planned, "name", Value::string(&name)),
            "id",
            Value::string(&name),
        );
        let finish = async {
            put_inline(&aws, &name, &inline_pairs(&get(planned, "inline_policy"))).await?;
            let managed = get(planned, "managed_policy_arns");
            if managed.is_wholly_known() {
                attach(&aws, &name, &get_strs(planned, "managed_policy_arns")).await?;
            }
            read_role(ctx, &aws, &name, &with_id).await?.ok_or_else(|| {
                ProviderError::new(format!("IAM Role ({name}) not found after creation"))
            })
        };
        finish.await.map_err(|e| partial_err(e, &with_id, &name))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let Some(id) = get_str(state, "id") else {
            return Ok(None);
        };
        read_role(ctx, &aws, &id, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let iam = aws.iam();
        let changed = |k: &str| {
            let a = get(prior, k);
            let b = get(planned, k);
            !(a.raw_eq(&b) || (a.is_null() && b.is_null()))
        };
        if changed("assume_role_policy") {
            iam.update_assume_role_policy()
                .role_name(&id)
                .policy_document(assume_policy(planned)?)
                .send()
                .await
                .map_err(aws_err)?;
        }
        if changed("description") {
            iam.update_role_description()
                .role_name(&id)
                .description(get_str(planned, "description").unwrap_or_default())
                .send()
                .await
                .map_err(aws_err)?;
        }
        if changed("max_session_duration") {
            // The description goes along unchanged: some implementations
            // (moto) clear it on an UpdateRole without one.
            iam.update_role()
                .role_name(&id)
                .set_max_session_duration(
                    get_i64(planned, "max_session_duration").map(|n| n as i32),
                )
                .set_description(get_str(planned, "description"))
                .send()
                .await
                .map_err(aws_err)?;
        }
        if changed("permissions_boundary") {
            match get_str(planned, "permissions_boundary").filter(|s| !s.is_empty()) {
                Some(b) => {
                    iam.put_role_permissions_boundary()
                        .role_name(&id)
                        .permissions_boundary(b)
                        .send()
                        .await
                        .map_err(aws_err)?;
                }
                None => {
                    iam.delete_role_permissions_boundary()
                        .role_name(&id)
                        .send()
                        .await
                        .map_err(aws_err)?;
                }
            }
        }
        let old_inline = inline_pairs(&get(prior, "inline_policy"));
        let new_inline_v = get(planned, "inline_policy");
        if new_inline_v.is_wholly_known() {
            let new_inline = inline_pairs(&new_inline_v);
            if !inline_equivalent(&old_inline, &new_inline) {
                let remove: Vec<String> = old_inline
                    .iter()
                    .filter(|(n, _)| !new_inline.iter().any(|(m, _)| m == n))
                    .map(|(n, _)| n.clone())
                    .collect();
                delete_inline(&aws, &id, &remove).await?;
                let add: Vec<(String, String)> = new_inline
                    .iter()
                    .filter(|(n, p)| {
                        !old_inline
                            .iter()
                            .any(|(m, q)| m == n && policies_equivalent(p, q))
                    })
                    .cloned()
                    .collect();
                put_inline(&aws, &id, &add).await?;
            }
        }
        if changed("managed_policy_arns") && get(planned, "managed_policy_arns").is_wholly_known() {
            let old = get_strs(prior, "managed_policy_arns");
            let new = get_strs(planned, "managed_policy_arns");
            let remove: Vec<String> = old.iter().filter(|a| !new.contains(a)).cloned().collect();
            let add: Vec<String> = new.iter().filter(|a| !old.contains(a)).cloned().collect();
            detach(&aws, &id, &remove).await?;
            attach(&aws, &id, &add).await?;
        }
        let (set_tags, removed) = tag_changes(prior, planned);
        if !removed.is_empty() {
            iam.untag_role()
                .role_name(&id)
                .set_tag_keys(Some(removed))
                .send()
                .await
                .map_err(aws_err)?;
        }
        if !set_tags.is_empty() {
            iam.tag_role()
                .role_name(&id)
                .set_tags(Some(iam_tags(&set_tags)))
                .send()
                .await
                .map_err(aws_err)?;
        }
        read_role(ctx, &aws, &id, planned)
            .await?
            .ok_or_else(|| ProviderError::new(format!("IAM Role ({id}) not found after update")))
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let force = get_bool(prior, "force_detach_policies").unwrap_or(false);
        let iam = aws.iam();
        // The provider always takes the role out of its instance profiles.
        match iam
            .list_instance_profiles_for_role()
            .role_name(&id)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_err)
        {
            Ok(profiles) => {
                for p in profiles {
                    match iam
                        .remove_role_from_instance_profile()
                        .instance_profile_name(p.instance_profile_name())
                        .role_name(&id)
                        .send()
                        .await
                        .map_err(aws_err)
                    {
                        Err(e) if !no_such_entity(&e) => return Err(e),
                        _ => {}
                    }
                }
            }
            Err(e) if no_such_entity(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
        if force || !get_strs(prior, "managed_policy_arns").is_empty() {
            let arns = list_managed(&aws, &id).await.or_else(|e| {
                if no_such_entity(&e) {
                    Ok(vec![])
                } else {
                    Err(e)
                }
            })?;
            detach(&aws, &id, &arns).await?;
        }
        if force || !inline_pairs(&get(prior, "inline_policy")).is_empty() {
            let names = list_inline(&aws, &id).await.or_else(|e| {
                if no_such_entity(&e) {
                    Ok(vec![])
                } else {
                    Err(e)
                }
            })?;
            delete_inline(&aws, &id, &names).await?;
        }
        let r = retry_on(&["DeleteConflict"], Duration::from_secs(120), || async {
            iam.delete_role()
                .role_name(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        })
        .await;
        match r {
            Err(e) if no_such_entity(&e) => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let prior = Value::object(
            [("id".to_string(), Value::string(id))]
                .into_iter()
                .collect(),
        );
        read_role(ctx, &aws, id, &prior)
            .await?
            .ok_or_else(|| ProviderError::new(format!("IAM Role ({id}) not found")))
    }
}
