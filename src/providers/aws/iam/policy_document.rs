//! Data source `aws_iam_policy_document`: computed locally (no AWS call),
//! producing the same JSON text as the Terraform AWS provider.

use std::collections::{BTreeMap, HashSet};

use async_trait::async_trait;
use serde_json::Value as J;

use super::policy::{go_json, hashcode, ordered};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{get, get_str, get_strs};
use crate::providers::{Attribute, BlockNesting, DataSource, ProviderCtx, ProviderError, Schema};

pub struct PolicyDocument {
    schema: Schema,
}

impl PolicyDocument {
    pub fn new() -> PolicyDocument {
        let set = || Attribute::optional(Type::set(Type::String));
        let principals = || {
            Schema::new()
                .attr("type", Attribute::required(Type::String))
                .attr("identifiers", Attribute::required(Type::set(Type::String)))
        };
        let statement = Schema::new()
            .attr("sid", Attribute::optional(Type::String))
            .attr(
                "effect",
                Attribute::optional(Type::String).default(Value::string("Allow")),
            )
            .attr("actions", set())
            .attr("not_actions", set())
            .attr("resources", set())
            .attr("not_resources", set())
            .block("principals", BlockNesting::Set, principals())
            .block("not_principals", BlockNesting::Set, principals())
            .block(
                "condition",
                BlockNesting::Set,
                Schema::new()
                    .attr("test", Attribute::required(Type::String))
                    .attr("variable", Attribute::required(Type::String))
                    .attr("values", Attribute::required(Type::list(Type::String))),
            );
        PolicyDocument {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("json", Attribute::computed(Type::String))
                .attr("minified_json", Attribute::computed(Type::String))
                .attr("policy_id", Attribute::optional(Type::String))
                .attr(
                    "version",
                    Attribute::optional(Type::String).default(Value::string("2012-10-17")),
                )
                .attr(
                    "source_policy_documents",
                    Attribute::optional(Type::list(Type::String)),
                )
                .attr(
                    "override_policy_documents",
                    Attribute::optional(Type::list(Type::String)),
                )
                .attr("source_json", Attribute::optional(Type::String))
                .attr("override_json", Attribute::optional(Type::String))
                .block("statement", BlockNesting::List, statement),
        }
    }
}

impl Default for PolicyDocument {
    fn default() -> Self {
        PolicyDocument::new()
    }
}

/// A string or a list of strings, as the provider's `any` fields hold them.
#[derive(Clone, Debug)]
enum Strs {
    One(String),
    Many(Vec<String>),
}

impl Strs {
    fn to_json(&self) -> J {
        match self {
            Strs::One(s) => J::String(s.clone()),
            Strs::Many(v) => J::Array(v.iter().cloned().map(J::String).collect()),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Statement {
    sid: String,
    effect: String,
    /// Action, NotAction, Resource, NotResource: kept as given (JSON).
    action: Option<J>,
    not_action: Option<J>,
    resource: Option<J>,
    not_resource: Option<J>,
    principals: Vec<(String, Strs)>,
    not_principals: Vec<(String, Strs)>,
    conditions: Vec<(String, String, Strs)>,
}

#[derive(Clone, Debug, Default)]
struct Doc {
    version: String,
    id: String,
    statements: Vec<Statement>,
}

impl Doc {
    fn merge(&mut self, new: Doc) {
        if !new.id.is_empty() {
            self.id = new.id;
        }
        if new.version > self.version {
            self.version = new.version;
        }
        for st in new.statements {
            if st.sid.is_empty() {
                self.statements.push(st);
                continue;
            }
            match self.statements.iter_mut().find(|s| s.sid == st.sid) {
                Some(e) => *e = st,
                None => self.statements.push(st),
            }
        }
    }

    fn to_json(&self) -> J {
        let mut e = vec![];
        if !self.version.is_empty() {
            e.push(("Version", J::String(self.version.clone())));
        }
        if !self.id.is_empty() {
            e.push(("Id", J::String(self.id.clone())));
        }
        if !self.statements.is_empty() {
            e.push((
                "Statement",
                J::Array(self.statements.iter().map(statement_json).collect()),
            ));
        }
        ordered(e)
    }
}

fn non_empty(v: &Option<J>) -> Option<J> {
    match v {
        None | Some(J::Null) => None,
        Some(J::Array(a)) if a.is_empty() => None,
        Some(J::String(s)) if s.is_empty() => None,
        Some(x) => Some(x.clone()),
    }
}

fn statement_json(s: &Statement) -> J {
    let mut e = vec![];
    if !s.sid.is_empty() {
        e.push(("Sid", J::String(s.sid.clone())));
    }
    if !s.effect.is_empty() {
        e.push(("Effect", J::String(s.effect.clone())));
    }
    for (k, v) in [
        ("Action", &s.action),
        ("NotAction", &s.not_action),
        ("Resource", &s.resource),
        ("NotResource", &s.not_resource),
    ] {
        if let Some(x) = non_empty(v) {
            e.push((k, x));
        }
    }
    if !s.principals.is_empty() {
        e.push(("Principal", principals_json(&s.principals)));
    }
    if !s.not_principals.is_empty() {
        e.push(("NotPrincipal", principals_json(&s.not_principals)));
    }
    if !s.conditions.is_empty() {
        e.push(("Condition", conditions_json(&s.conditions)));
    }
    ordered(e)
}

/// The provider's principal-set marshalling: `{"*": "*"}` alone becomes
/// `"*"`; identifiers of the same type are merged; keys sorted.
fn principals_json(ps: &[(String, Strs)]) -> J {
    if let [(t, ids)] = ps {
        if t == "*" {
            let star = match ids {
                Strs::One(s) => s == "*",
                Strs::Many(v) => v.len() == 1 && v[0] == "*",
            };
            if star {
                return J::String("*".into());
            }
        }
    }
    let mut raw: BTreeMap<String, Strs> = BTreeMap::new();
    for (t, ids) in ps {
        let cur = raw.remove(t);
        let next = match (ids, cur) {
            (Strs::Many(v), cur) => {
                let mut v = v.clone();
                v.sort();
                v.reverse();
                let mut out = match cur {
                    None => vec![],
                    Some(Strs::One(s)) => vec![s],
                    Some(Strs::Many(m)) => m,
                };
                out.extend(v);
                Strs::Many(out)
            }
            (Strs::One(s), None) => Strs::One(s.clone()),
            (Strs::One(s), Some(Strs::One(c))) => Strs::Many(vec![c, s.clone()]),
            (Strs::One(s), Some(Strs::Many(mut m))) => {
                m.push(s.clone());
                Strs::Many(m)
            }
        };
        raw.insert(t.clone(), next);
    }
    J::Object(raw.into_iter().map(|(k, v)| (k, v.to_json())).collect())
}

fn conditions_json(cs: &[(String, String, Strs)]) -> J {
    let mut raw: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (t, var, vals) in cs {
        let e = raw
            .entry(t.clone())
            .or_default()
            .entry(var.clone())
            .or_default();
        match vals {
            Strs::One(s) => e.push(s.clone()),
            Strs::Many(v) => e.extend(v.iter().cloned()),
        }
    }
    J::Object(
        raw.into_iter()
            .map(|(t, vars)| {
                (
                    t,
                    J::Object(
                        vars.into_iter()
                            .map(|(k, v)| {
                                let j = if v.len() == 1 {
                                    J::String(v[0].clone())
                                } else {
                                    J::Array(v.into_iter().map(J::String).collect())
                                };
                                (k, j)
                            })
                            .collect(),
                    ),
                )
            })
            .collect(),
    )
}

/// The provider's `policyDecodeConfigStrings`: one value as a string,
/// several sorted in reverse order.
fn decode_strs(mut l: Vec<String>) -> Strs {
    if l.len() == 1 {
        return Strs::One(l.remove(0));
    }
    l.sort();
    l.reverse();
    Strs::Many(l)
}

fn replace_vars(s: Strs, version: &str) -> Result<Strs, String> {
    let one = |x: String| {
        if version == "2008-10-17" && x.contains("&{") {
            return Err(format!(
                "found &{{ sequence in ({x}), which is not supported in document version 2008-10-17"
            ));
        }
        Ok(x.replace("&{", "${"))
    };
    Ok(match s {
        Strs::One(x) => Strs::One(one(x)?),
        Strs::Many(v) => Strs::Many(v.into_iter().map(one).collect::<Result<_, _>>()?),
    })
}

fn strs_json(s: Strs) -> J {
    s.to_json()
}

// --- parsing documents given as JSON (source / override documents)

fn json_string_list(v: &J) -> Vec<String> {
    match v {
        J::Array(xs) => xs
            .iter()
            .filter_map(|x| match x {
                J::String(s) => Some(s.clone()),
                J::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect(),
        J::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

fn parse_principals(v: &J) -> Result<Vec<(String, Strs)>, String> {
    match v {
        J::String(_) => Ok(vec![("*".into(), Strs::Many(vec!["*".into()]))]),
        J::Object(m) => {
            let mut out = vec![];
            for (k, x) in m {
                match x {
                    J::String(s) => out.push((k.clone(), Strs::One(s.clone()))),
                    J::Array(xs) => {
                        let mut vals = vec![];
                        for (i, e) in xs.iter().enumerate() {
                            match e.as_str() {
                                Some(s) => vals.push(s.to_string()),
                                None => {
                                    return Err(format!(
                                        "Unsupported element type for IAMPolicyStatementPrincipalSet.Identifiers[{i}] (principal type {k:?}): must be string"
                                    ))
                                }
                            }
                        }
                        vals.sort();
                        out.push((k.clone(), Strs::Many(vals)));
                    }
                    _ => {
                        return Err(
                            "Unsupported data type for IAMPolicyStatementPrincipalSet.Identifiers"
                                .into(),
                        )
                    }
                }
            }
            Ok(out)
        }
        J::Null => Ok(vec![]),
        _ => Err("Unsupported data type for IAMPolicyStatementPrincipalSet".into()),
    }
}

fn parse_conditions(v: &J) -> Vec<(String, String, Strs)> {
    let mut out = vec![];
    if let J::Object(tests) = v {
        for (t, vars) in tests {
            if let J::Object(vs) = vars {
                for (k, x) in vs {
                    match x {
                        J::String(s) => {
                            out.push((t.clone(), k.clone(), Strs::Many(vec![s.clone()])))
                        }
                        J::Bool(b) => out.push((t.clone(), k.clone(), Strs::One(b.to_string()))),
                        J::Array(_) => {
                            out.push((t.clone(), k.clone(), Strs::Many(json_string_list(x))))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    out
}

fn parse_doc(text: &str) -> Result<Doc, String> {
    let v: J = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let J::Object(m) = v else {
        return Err("cannot unmarshal a non-object into a policy document".into());
    };
    let s = |k: &str| m.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let mut doc = Doc {
        version: s("Version"),
        id: s("Id"),
        statements: vec![],
    };
    let stmts: Vec<&J> = match m.get("Statement") {
        Some(J::Array(xs)) => xs.iter().collect(),
        Some(J::Null) | None => vec![],
        Some(x) => vec![x],
    };
    for st in stmts {
        let J::Object(sm) = st else {
            return Err("cannot unmarshal a non-object into a policy statement".into());
        };
        let g = |k: &str| sm.get(k).cloned();
        doc.statements.push(Statement {
            sid: sm
                .get("Sid")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
            effect: sm
                .get("Effect")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
            action: g("Action"),
            not_action: g("NotAction"),
            resource: g("Resource"),
            not_resource: g("NotResource"),
            principals: parse_principals(sm.get("Principal").unwrap_or(&J::Null))?,
            not_principals: parse_principals(sm.get("NotPrincipal").unwrap_or(&J::Null))?,
            conditions: parse_conditions(sm.get("Condition").unwrap_or(&J::Null)),
        });
    }
    Ok(doc)
}

// --- the configured document

fn principals_of(v: &Value, version: &str) -> Result<Vec<(String, Strs)>, String> {
    let mut out = vec![];
    for p in v.as_seq().unwrap_or_default() {
        let ids = replace_vars(decode_strs(get_strs(p, "identifiers")), version)?;
        out.push((get_str(p, "type").unwrap_or_default(), ids));
    }
    Ok(out)
}

fn config_doc(config: &Value) -> Result<Doc, String> {
    let version = get_str(config, "version").unwrap_or_else(|| "2012-10-17".into());
    let mut doc = Doc {
        version: version.clone(),
        id: get_str(config, "policy_id").unwrap_or_default(),
        statements: vec![],
    };
    let mut sids = HashSet::new();
    for st in get(config, "statement").as_seq().unwrap_or_default() {
        let sid = get_str(st, "sid").unwrap_or_default();
        if sids.contains(&sid) {
            return Err(format!(
                "duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique."
            ));
        }
        if !sid.is_empty() {
            sids.insert(sid.clone());
        }
        let list = |k: &str| {
            let l = get_strs(st, k);
            (!l.is_empty()).then(|| decode_strs(l))
        };
        let conditions = {
            let mut out = vec![];
            for c in get(st, "condition").as_seq().unwrap_or_default() {
                let vals = replace_vars(Strs::Many(get_strs(c, "values")), &version)
                    .map_err(|e| format!("reading condition: reading values: {e}"))?;
                let vals = match vals {
                    Strs::Many(mut v) if v.len() == 1 => Strs::One(v.remove(0)),
                    x => x,
                };
                out.push((
                    get_str(c, "test").unwrap_or_default(),
                    get_str(c, "variable").unwrap_or_default(),
                    vals,
                ));
            }
            out
        };
        let res = |k: &str, what: &str| -> Result<Option<J>, String> {
            match list(k) {
                None => Ok(None),
                Some(s) => replace_vars(s, &version)
                    .map(|s| Some(strs_json(s)))
                    .map_err(|e| format!("reading {what}: {e}")),
            }
        };
        doc.statements.push(Statement {
            sid,
            effect: get_str(st, "effect").unwrap_or_else(|| "Allow".into()),
            action: list("actions").map(strs_json),
            not_action: list("not_actions").map(strs_json),
            resource: res("resources", "resources")?,
            not_resource: res("not_resources", "not_resources")?,
            principals: principals_of(&get(st, "principals"), &version)
                .map_err(|e| format!("reading principals: reading identifiers: {e}"))?,
            not_principals: principals_of(&get(st, "not_principals"), &version)
                .map_err(|e| format!("reading not_principals: reading identifiers: {e}"))?,
            conditions,
        });
    }
    Ok(doc)
}

/// The document's `json` and `minified_json`.
pub fn render(config: &Value) -> Result<(String, String), ProviderError> {
    let err = |m: String| ProviderError::new(format!("writing IAM Policy Document: {m}"));
    let mut merged = Doc::default();
    let sources = get(config, "source_policy_documents");
    let mut sids = HashSet::new();
    for (i, src) in sources.as_seq().unwrap_or_default().iter().enumerate() {
        let Some(text) = src.as_str() else { continue };
        let d = parse_doc(text).map_err(|e| err(format!("merging source document {i}: {e}")))?;
        for (j, st) in d.statements.iter().enumerate() {
            if !st.sid.is_empty() && !sids.insert(st.sid.clone()) {
                return Err(err(format!(
                    "merging source document {i}: duplicate Sid ({}) in source_policy_documents (statement {j}). Remove the Sid or ensure Sids are unique.",
                    st.sid
                )));
            }
        }
        merged.merge(d);
    }
    merged.merge(config_doc(config).map_err(err)?);
    let overrides = get(config, "override_policy_documents");
    for (i, o) in overrides.as_seq().unwrap_or_default().iter().enumerate() {
        let Some(text) = o.as_str() else { continue };
        let d = parse_doc(text).map_err(|e| err(format!("merging override document {i}: {e}")))?;
        merged.merge(d);
    }
    let j = merged.to_json();
    Ok((go_json(&j, true), go_json(&j, false)))
}

#[async_trait]
impl DataSource for PolicyDocument {
    fn type_name(&self) -> &'static str {
        "aws_iam_policy_document"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, _ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let (json, min) = render(config)?;
        let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
        m.insert("id".into(), Value::string(hashcode(&json).to_string()));
        m.insert("json".into(), Value::string(json));
        m.insert("minified_json".into(), Value::string(min));
        Ok(Value::object(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::value::Value;

    fn strs(xs: &[&str]) -> Value {
        Value::set(Type::String, xs.iter().map(|s| Value::string(*s)).collect())
    }

    fn obj(e: Vec<(&str, Value)>) -> Value {
        Value::object(e.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn ecs_assume_role() {
        let cfg = obj(vec![(
            "statement",
            Value::list_of(vec![obj(vec![
                ("actions", strs(&["sts:AssumeRole"])),
                (
                    "principals",
                    Value::list_of(vec![obj(vec![
                        ("type", Value::string("Service")),
                        ("identifiers", strs(&["ecs-tasks.amazonaws.com"])),
                    ])]),
                ),
            ])]),
        )]);
        let (j, m) = render(&cfg).unwrap();
        assert_eq!(
            j,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "ecs-tasks.amazonaws.com"
      }
    }
  ]
}"#
        );
        assert_eq!(
            m,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}"#
        );
    }

    /// The provider's acceptance-test document (`testAccPolicyDocumentExpectedJSON`).
    #[test]
    fn provider_basic_document() {
        let stmt = |e: Vec<(&str, Value)>| obj(e);
        let principal = |t: &str, ids: &[&str]| {
            obj(vec![("type", Value::string(t)), ("identifiers", strs(ids))])
        };
        let cond = |t: &str, v: &str, vals: &[&str]| {
            obj(vec![
                ("test", Value::string(t)),
                ("variable", Value::string(v)),
                (
                    "values",
                    Value::list_of(vals.iter().map(|s| Value::string(*s)).collect()),
                ),
            ])
        };
        let cfg = obj(vec![
            ("policy_id", Value::string("policy_id")),
            (
                "statement",
                Value::list_of(vec![
                    stmt(vec![
                        ("sid", Value::string("1")),
                        (
                            "actions",
                            strs(&["s3:ListAllMyBuckets", "s3:GetBucketLocation"]),
                        ),
                        ("resources", strs(&["arn:aws:s3:::*"])),
                    ]),
                    stmt(vec![
                        ("actions", strs(&["s3:ListBucket"])),
                        ("resources", strs(&["arn:aws:s3:::foo"])),
                        (
                            "condition",
                            Value::list_of(vec![cond(
                                "StringLike",
                                "s3:prefix",
                                &["home/", "home/&{aws:username}/"],
                            )]),
                        ),
                        (
                            "not_principals",
                            Value::list_of(vec![principal("AWS", &["arn:blahblah:example"])]),
                        ),
                    ]),
                    stmt(vec![
                        ("actions", strs(&["s3:*"])),
                        (
                            "resources",
                            strs(&[
                                "arn:aws:s3:::foo/home/&{aws:username}",
                                "arn:aws:s3:::foo/home/&{aws:username}/*",
                            ]),
                        ),
                        (
                            "principals",
                            Value::list_of(vec![principal(
                                "AWS",
                                &["arn:blahblah:example", "arn:blahblahblah:example"],
                            )]),
                        ),
                    ]),
                    stmt(vec![
                        ("effect", Value::string("Deny")),
                        ("not_actions", strs(&["s3:*"])),
                        ("not_resources", strs(&["arn:aws:s3:::*"])),
                    ]),
                    stmt(vec![
                        ("actions", strs(&["kinesis:*"])),
                        ("principals", Value::list_of(vec![principal("AWS", &["*"])])),
                    ]),
                    stmt(vec![
                        ("actions", strs(&["firehose:*"])),
                        ("principals", Value::list_of(vec![principal("*", &["*"])])),
                    ]),
                ]),
            ),
        ]);
        let (j, _) = render(&cfg).unwrap();
        let expected = r#"{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": [
          "arn:blahblahblah:example",
          "arn:blahblah:example"
        ]
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"#;
        assert_eq!(j, expected);
        // The provider's `test_source`: that document as a source, plus one statement.
        let src = obj(vec![
            (
                "source_policy_documents",
                Value::list_of(vec![Value::string(j)]),
            ),
            (
                "statement",
                Value::list_of(vec![stmt(vec![
                    ("sid", Value::string("SourceJSONTest1")),
                    ("actions", strs(&["*"])),
                    ("resources", strs(&["*"])),
                ])]),
            ),
        ]);
        let (j2, _) = render(&src).unwrap();
        let tail = r#"    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    },
    {
      "Sid": "SourceJSONTest1",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"#;
        assert_eq!(
            j2,
            format!(
                "{}{}",
                &expected[..expected
                    .find("    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"firehose")
                    .unwrap()],
                tail
            )
        );
    }

    #[test]
    fn source_and_override() {
        let src = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["ec2:*"],"Resource":"*"},{"Sid":"B","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        let ovr = r#"{"Statement":[{"Sid":"B","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#;
        let cfg = obj(vec![
            (
                "source_policy_documents",
                Value::list_of(vec![Value::string(src)]),
            ),
            (
                "override_policy_documents",
                Value::list_of(vec![Value::string(ovr)]),
            ),
            (
                "statement",
                Value::list_of(vec![obj(vec![
                    ("sid", Value::string("C")),
                    ("actions", strs(&["logs:PutLogEvents"])),
                    ("resources", strs(&["*"])),
                ])]),
            ),
        ]);
        let (_, m) = render(&cfg).unwrap();
        assert_eq!(
            m,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["ec2:*"],"Resource":"*"},{"Sid":"B","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Sid":"C","Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}"#
        );
    }
}
