//! Listener and listener rule actions (`default_action` / `action` blocks)
//! and rule `condition` blocks: schema, request values, and the state read
//! back from AWS in the configuration's shape.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig,
    HostHeaderConditionConfig, HttpHeaderConditionConfig, HttpRequestMethodConditionConfig,
    PathPatternConditionConfig, QueryStringConditionConfig, QueryStringKeyValuePair,
    RedirectActionConfig, RedirectActionStatusCodeEnum, RuleCondition, SourceIpConditionConfig,
    TargetGroupStickinessConfig, TargetGroupTuple,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{get, get_bool, get_i64, get_str, get_strs, opt_str, str_set};
use crate::providers::{Attribute, BlockNesting, Schema};

/// The schema of one `default_action` / `action` block.
pub fn action_schema() -> Schema {
    let s = || Attribute::optional(Type::String);
    let d = |v: &str| Attribute::optional(Type::String).default(Value::string(v));
    Schema::new()
        .attr("type", Attribute::required(Type::String))
        .attr("order", Attribute::optional_computed(Type::Number))
        .attr("target_group_arn", s())
        .block(
            "forward",
            BlockNesting::Single,
            Schema::new()
                .block(
                    "target_group",
                    BlockNesting::Set,
                    Schema::new()
                        .attr("arn", Attribute::required(Type::String))
                        .attr(
                            "weight",
                            Attribute::optional(Type::Number).default(Value::int(1)),
                        ),
                )
                .block(
                    "stickiness",
                    BlockNesting::Single,
                    Schema::new()
                        .attr("duration", Attribute::required(Type::Number))
                        .attr(
                            "enabled",
                            Attribute::optional(Type::Bool).default(Value::bool(false)),
                        ),
                ),
        )
        .block(
            "redirect",
            BlockNesting::Single,
            Schema::new()
                .attr("host", d("#{host}"))
                .attr("path", d("/#{path}"))
                .attr("port", d("#{port}"))
                .attr("protocol", d("#{protocol}"))
                .attr("query", d("#{query}"))
                .attr("status_code", Attribute::required(Type::String)),
        )
        .block(
            "fixed_response",
            BlockNesting::Single,
            Schema::new()
                .attr("content_type", Attribute::required(Type::String))
                .attr("message_body", s())
                .attr("status_code", Attribute::optional_computed(Type::String)),
        )
}

/// The schema of one rule `condition` block.
pub fn condition_schema() -> Schema {
    let values = || Schema::new().attr("values", Attribute::required(Type::set(Type::String)));
    Schema::new()
        .block("host_header", BlockNesting::Single, values())
        .block("path_pattern", BlockNesting::Single, values())
        .block("http_request_method", BlockNesting::Single, values())
        .block("source_ip", BlockNesting::Single, values())
        .block(
            "http_header",
            BlockNesting::Single,
            values().attr("http_header_name", Attribute::required(Type::String)),
        )
        .block(
            "query_string",
            BlockNesting::Set,
            Schema::new()
                .attr("key", Attribute::optional(Type::String))
                .attr("value", Attribute::required(Type::String)),
        )
}

/// The actions of a planned list of action blocks, in order.
pub fn expand_actions(v: &Value) -> Vec<Action> {
    let items = v.as_seq().unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let ty = get_str(a, "type").unwrap_or_default();
            let order = get_i64(a, "order")
                .filter(|o| *o > 0)
                .unwrap_or(i as i64 + 1) as i32;
            let mut b = Action::builder()
                .r#type(ActionTypeEnum::from(ty.as_str()))
                .order(order);
            match ty.as_str() {
                "forward" => {
                    let fwd = get(a, "forward");
                    if let Some(arn) = get_str(a, "target_group_arn").filter(|s| !s.is_empty()) {
                        b = b.target_group_arn(arn);
                    } else if !fwd.is_null() {
                        let tgs = get(&fwd, "target_group")
                            .as_seq()
                            .unwrap_or_default()
                            .iter()
                            .map(|t| {
                                TargetGroupTuple::builder()
                                    .set_target_group_arn(get_str(t, "arn"))
                                    .set_weight(get_i64(t, "weight").map(|w| w as i32))
                                    .build()
                            })
                            .collect();
                        let st = get(&fwd, "stickiness");
                        b = b.forward_config(
                            ForwardActionConfig::builder()
                                .set_target_groups(Some(tgs))
                                .set_target_group_stickiness_config((!st.is_null()).then(|| {
                                    TargetGroupStickinessConfig::builder()
                                        .set_enabled(get_bool(&st, "enabled"))
                                        .set_duration_seconds(
                                            get_i64(&st, "duration").map(|d| d as i32),
                                        )
                                        .build()
                                }))
                                .build(),
                        );
                    }
                }
                "redirect" => {
                    let r = get(a, "redirect");
                    b = b.redirect_config(
                        RedirectActionConfig::builder()
                            .set_host(get_str(&r, "host"))
                            .set_path(get_str(&r, "path"))
                            .set_port(get_str(&r, "port"))
                            .set_protocol(get_str(&r, "protocol"))
                            .set_query(get_str(&r, "query"))
                            .set_status_code(
                                get_str(&r, "status_code")
                                    .map(|s| RedirectActionStatusCodeEnum::from(s.as_str())),
                            )
                            .build(),
                    );
                }
                "fixed-response" => {
                    let f = get(a, "fixed_response");
                    b = b.fixed_response_config(
                        FixedResponseActionConfig::builder()
                            .set_content_type(get_str(&f, "content_type"))
                            .set_message_body(get_str(&f, "message_body"))
                            .set_status_code(get_str(&f, "status_code"))
                            .build(),
                    );
                }
                _ => {}
            }
            b.build()
        })
        .collect()
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// AWS's actions as a list of action blocks. `prior` (the prior or planned
/// list) decides between the equivalent spellings of a forward action
/// (`target_group_arn` or a `forward` block), as the configuration has it.
pub fn flatten_actions(actions: &[Action], prior: &Value) -> Value {
    let ty = action_schema().value_type();
    let mut sorted: Vec<&Action> = actions.iter().collect();
    sorted.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
    let priors = prior.as_seq().unwrap_or_default();
    let items = sorted
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let p = priors.get(i).cloned().unwrap_or_else(Value::null);
            let kind = a.r#type().map(|t| t.as_str()).unwrap_or_default();
            let mut tg_arn = Value::null_of(Type::String);
            let mut forward = Value::null();
            let mut redirect = Value::null();
            let mut fixed = Value::null();
            match kind {
                "forward" => {
                    let tuples = a
                        .forward_config()
                        .map(|f| f.target_groups().to_vec())
                        .unwrap_or_default();
                    let single = a.target_group_arn().map(|s| s.to_string()).or_else(|| {
                        (tuples.len() == 1)
                            .then(|| tuples[0].target_group_arn().map(|s| s.to_string()))
                            .flatten()
                    });
                    let p_fwd = get(&p, "forward");
                    let p_arn = get(&p, "target_group_arn");
                    let want_forward = if p.is_null() {
                        single.is_none()
                    } else {
                        !p_fwd.is_null()
                    };
                    let want_arn = if p.is_null() {
                        single.is_some()
                    } else {
                        !p_arn.is_null()
                    };
                    if want_arn {
                        tg_arn = opt_str(single.as_deref());
                    }
                    if want_forward {
                        let tgs: Vec<Value> = if tuples.is_empty() {
                            single
                                .iter()
                                .map(|arn| {
                                    obj(vec![
                                        ("arn", Value::string(arn.as_str())),
                                        ("weight", Value::int(1)),
                                    ])
                                })
                                .collect()
                        } else {
                            tuples
                                .iter()
                                .map(|t| {
                                    obj(vec![
                                        ("arn", opt_str(t.target_group_arn())),
                                        ("weight", Value::int(t.weight().unwrap_or(1) as i64)),
                                    ])
                                })
                                .collect()
                        };
                        let st = a
                            .forward_config()
                            .and_then(|f| f.target_group_stickiness_config());
                        let p_st = get(&p_fwd, "stickiness");
                        let stickiness = match st {
                            Some(s) if s.enabled() == Some(true) || !p_st.is_null() => obj(vec![
                                (
                                    "duration",
                                    match s.duration_seconds() {
                                        Some(d) => Value::int(d as i64),
                                        None => get(&p_st, "duration"),
                                    },
                                ),
                                ("enabled", Value::bool(s.enabled().unwrap_or(false))),
                            ]),
                            _ => Value::null(),
                        };
                        let tg_ty = action_schema().blocks["forward"].block.blocks["target_group"]
                            .block
                            .value_type();
                        forward = obj(vec![
                            ("target_group", Value::set(tg_ty, tgs)),
                            ("stickiness", stickiness),
                        ]);
                    }
                }
                "redirect" => {
                    if let Some(r) = a.redirect_config() {
                        redirect = obj(vec![
                            ("host", Value::string(r.host().unwrap_or("#{host}"))),
                            ("path", Value::string(r.path().unwrap_or("/#{path}"))),
                            ("port", Value::string(r.port().unwrap_or("#{port}"))),
                            (
                                "protocol",
                                Value::string(r.protocol().unwrap_or("#{protocol}")),
                            ),
                            ("query", Value::string(r.query().unwrap_or("#{query}"))),
                            ("status_code", opt_str(r.status_code().map(|s| s.as_str()))),
                        ]);
                    }
                }
                "fixed-response" => {
                    if let Some(f) = a.fixed_response_config() {
                        let p_body = get(&get(&p, "fixed_response"), "message_body");
                        fixed = obj(vec![
                            ("content_type", opt_str(f.content_type())),
                            (
                                "message_body",
                                match f.message_body() {
                                    Some(b) if !b.is_empty() => Value::string(b),
                                    _ if p_body.as_str() == Some("") => p_body,
                                    _ => Value::null_of(Type::String),
                                },
                            ),
                            ("status_code", opt_str(f.status_code())),
                        ]);
                    }
                }
                _ => {}
            }
            obj(vec![
                ("type", Value::string(kind)),
                (
                    "order",
                    Value::int(a.order().map(|o| o as i64).unwrap_or(i as i64 + 1)),
                ),
                ("target_group_arn", tg_arn),
                ("forward", forward),
                ("redirect", redirect),
                ("fixed_response", fixed),
            ])
        })
        .collect();
    Value::list(ty, items)
}

/// The conditions of a planned set of condition blocks.
pub fn expand_conditions(v: &Value) -> Vec<RuleCondition> {
    let items = v.as_seq().unwrap_or_default();
    let mut out = vec![];
    for c in items {
        let vals = |name: &str| {
            let b = get(c, name);
            (!b.is_null()).then(|| get_strs(&b, "values"))
        };
        if let Some(v) = vals("host_header") {
            out.push(
                RuleCondition::builder()
                    .field("host-header")
                    .host_header_config(
                        HostHeaderConditionConfig::builder()
                            .set_values(Some(v))
                            .build(),
                    )
                    .build(),
            );
        }
        if let Some(v) = vals("path_pattern") {
            out.push(
                RuleCondition::builder()
                    .field("path-pattern")
                    .path_pattern_config(
                        PathPatternConditionConfig::builder()
                            .set_values(Some(v))
                            .build(),
                    )
                    .build(),
            );
        }
        if let Some(v) = vals("http_request_method") {
            out.push(
                RuleCondition::builder()
                    .field("http-request-method")
                    .http_request_method_config(
                        HttpRequestMethodConditionConfig::builder()
                            .set_values(Some(v))
                            .build(),
                    )
                    .build(),
            );
        }
        if let Some(v) = vals("source_ip") {
            out.push(
                RuleCondition::builder()
                    .field("source-ip")
                    .source_ip_config(
                        SourceIpConditionConfig::builder()
                            .set_values(Some(v))
                            .build(),
                    )
                    .build(),
            );
        }
        let h = get(c, "http_header");
        if !h.is_null() {
            out.push(
                RuleCondition::builder()
                    .field("http-header")
                    .http_header_config(
                        HttpHeaderConditionConfig::builder()
                            .set_http_header_name(get_str(&h, "http_header_name"))
                            .set_values(Some(get_strs(&h, "values")))
                            .build(),
                    )
                    .build(),
            );
        }
        let q = get(c, "query_string");
        if let Some(qs) = q.as_seq().filter(|s| !s.is_empty()) {
            out.push(
                RuleCondition::builder()
                    .field("query-string")
                    .query_string_config(
                        QueryStringConditionConfig::builder()
                            .set_values(Some(
                                qs.iter()
                                    .map(|kv| {
                                        QueryStringKeyValuePair::builder()
                                            .set_key(get_str(kv, "key"))
                                            .set_value(get_str(kv, "value"))
                                            .build()
                                    })
                                    .collect(),
                            ))
                            .build(),
                    )
                    .build(),
            );
        }
    }
    out
}

/// AWS's conditions as a set of condition blocks (one block each).
pub fn flatten_conditions(conds: &[RuleCondition]) -> Value {
    let schema = condition_schema();
    let ty = schema.value_type();
    let null_block = |name: &str| Value::null_of(schema.blocks[name].block.value_type());
    let qs_ty = schema.blocks["query_string"].block.value_type();
    let items = conds
        .iter()
        .filter_map(|c| {
            let field = c.field().unwrap_or_default();
            let mut m: BTreeMap<String, Value> = schema
                .blocks
                .keys()
                .map(|k| (k.to_string(), null_block(k)))
                .collect();
            m.insert("query_string".into(), Value::set(qs_ty.clone(), vec![]));
            let values = |cfg: Option<&[String]>| {
                let v = match cfg {
                    Some(v) if !v.is_empty() => v.to_vec(),
                    _ => c.values().to_vec(),
                };
                obj(vec![("values", str_set(v))])
            };
            match field {
                "host-header" => {
                    m.insert(
                        "host_header".into(),
                        values(c.host_header_config().map(|h| h.values())),
                    );
                }
                "path-pattern" => {
                    m.insert(
                        "path_pattern".into(),
                        values(c.path_pattern_config().map(|h| h.values())),
                    );
                }
                "http-request-method" => {
                    m.insert(
                        "http_request_method".into(),
                        values(c.http_request_method_config().map(|h| h.values())),
                    );
                }
                "source-ip" => {
                    m.insert(
                        "source_ip".into(),
                        values(c.source_ip_config().map(|h| h.values())),
                    );
                }
                "http-header" => {
                    let h = c.http_header_config();
                    m.insert(
                        "http_header".into(),
                        obj(vec![
                            (
                                "http_header_name",
                                opt_str(h.and_then(|h| h.http_header_name())),
                            ),
                            (
                                "values",
                                str_set(h.map(|h| h.values().to_vec()).unwrap_or_default()),
                            ),
                        ]),
                    );
                }
                "query-string" => {
                    let kvs = c
                        .query_string_config()
                        .map(|q| q.values().to_vec())
                        .unwrap_or_default();
                    m.insert(
                        "query_string".into(),
                        Value::set(
                            qs_ty.clone(),
                            kvs.iter()
                                .map(|kv| {
                                    obj(vec![
                                        ("key", opt_str(kv.key().filter(|k| !k.is_empty()))),
                                        ("value", opt_str(kv.value())),
                                    ])
                                })
                                .collect(),
                        ),
                    );
                }
                _ => return None,
            }
            Some(Value::object(m))
        })
        .collect();
    Value::set(ty, items)
}
