//! Human plan rendering, JSON plan and plan file round-trip.

use std::collections::BTreeMap;

use herd::addrs::AbsResourceInstance;
use herd::lang::types::Type;
use herd::lang::value::Value;
use herd::plan::file::{read_plan_file, write_plan_file, PlanFileExtra};
use herd::plan::json::{plan_json, state_json};
use herd::plan::render::{render_plan, RenderOpts};
use herd::plan::{Action, ActionReason, OutputChange, PathStep, Plan, ResourceChange};

const AWS: &str = "provider[\"registry.terraform.io/hashicorp/aws\"]";
const TF: &str = "provider[\"terraform.io/builtin/terraform\"]";

fn obj(entries: &[(&str, Value)]) -> Value {
    Value::object(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn s(x: &str) -> Value {
    Value::string(x)
}

fn unknown() -> Value {
    Value::unknown(Type::String)
}

fn strmap(entries: &[(&str, &str)]) -> Value {
    Value::map(
        Type::String,
        entries.iter().map(|(k, v)| (k.to_string(), s(v))).collect(),
    )
}

fn change(
    addr: &str,
    provider: &str,
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
) -> ResourceChange {
    ResourceChange {
        addr: addr.parse::<AbsResourceInstance>().unwrap(),
        prev_addr: None,
        provider: provider.into(),
        action,
        reason: None,
        before,
        after,
        replace_paths: vec![],
        deposed: None,
        importing: None,
    }
}

fn plan(changes: Vec<ResourceChange>) -> Plan {
    Plan {
        changes,
        timestamp: "2024-01-01T00:00:00Z".into(),
        ..Plan::default()
    }
}

fn render(p: &Plan) -> String {
    render_plan(p, &RenderOpts::default())
}

fn vpc_after() -> Value {
    obj(&[
        ("arn", Value::unknown(Type::String)),
        ("cidr_block", s("10.0.0.0/16")),
        ("enable_dns_support", Value::bool(true)),
        ("id", unknown()),
        ("instance_tenancy", s("default")),
        ("description", Value::null_of(Type::String)),
        ("tags", strmap(&[("Name", "main"), ("Env", "dev")])),
        (
            "ports",
            Value::list(Type::Number, vec![Value::int(80), Value::int(443)]),
        ),
        ("policy", s("{\"Version\":\"2012-10-17\",\"Statement\":[]}")),
        ("user_data", s("#!/bin/sh\necho hello\n")),
    ])
}

#[test]
fn create_schemaless() {
    let p = plan(vec![change(
        "aws_schemaless_vpc.main",
        AWS,
        Action::Create,
        None,
        Some(vpc_after()),
    )]);
    insta::assert_snapshot!(render(&p));
}

#[test]
fn create_terraform_data() {
    let after = obj(&[
        ("id", unknown()),
        ("input", obj(&[("a", s("x")), ("b", Value::int(2))])),
        ("output", Value::unknown(Type::Dynamic)),
        ("triggers_replace", Value::null()),
    ]);
    let p = plan(vec![change(
        "terraform_data.d",
        TF,
        Action::Create,
        None,
        Some(after),
    )]);
    insta::assert_snapshot!(render(&p));
}

#[test]
fn update_nested() {
    let before = obj(&[
        ("id", s("vpc-123")),
        ("cidr_block", s("10.0.0.0/16")),
        ("enable_dns_support", Value::bool(true)),
        (
            "tags",
            strmap(&[("Name", "main"), ("Env", "dev"), ("Old", "x")]),
        ),
        (
            "ports",
            Value::list(
                Type::Number,
                vec![
                    Value::int(22),
                    Value::int(80),
                    Value::int(443),
                    Value::int(8080),
                    Value::int(9000),
                ],
            ),
        ),
        ("user_data", s("line one\nline two\nline three\n")),
        (
            "nested",
            obj(&[("a", s("1")), ("b", s("2")), ("c", s("3"))]),
        ),
        ("unchanged_one", s("same")),
        ("unchanged_two", Value::int(5)),
    ]);
    let after = obj(&[
        ("id", s("vpc-123")),
        ("cidr_block", s("10.0.0.0/16")),
        ("enable_dns_support", Value::bool(false)),
        (
            "tags",
            strmap(&[("Name", "main"), ("Env", "prod"), ("New", "y")]),
        ),
        (
            "ports",
            Value::list(
                Type::Number,
                vec![
                    Value::int(22),
                    Value::int(80),
                    Value::int(444),
                    Value::int(8080),
                    Value::int(9000),
                ],
            ),
        ),
        ("user_data", s("line one\nline 2\nline three\n")),
        (
            "nested",
            obj(&[("a", s("1")), ("b", s("two")), ("c", s("3"))]),
        ),
        ("unchanged_one", s("same")),
        ("unchanged_two", Value::int(5)),
    ]);
    let p = plan(vec![change(
        "aws_schemaless_vpc.main",
        AWS,
        Action::Update,
        Some(before),
        Some(after),
    )]);
    insta::assert_snapshot!(render(&p));
}

#[test]
fn replace_forces() {
    let before = obj(&[
        ("id", s("i-1")),
        ("ami", s("ami-old")),
        ("instance_type", s("t3.micro")),
        ("private_ip", s("10.0.0.5")),
    ]);
    let after = obj(&[
        ("id", unknown()),
        ("ami", s("ami-new")),
        ("instance_type", s("t3.micro")),
        ("private_ip", unknown()),
    ]);
    let mut c = change(
        "aws_instance.web[0]",
        AWS,
        Action::DeleteThenCreate,
        Some(before.clone()),
        Some(after.clone()),
    );
    c.replace_paths = vec![vec![PathStep::Attr("ami".into())]];
    let mut t = change(
        "aws_instance.tainted",
        AWS,
        Action::CreateThenDelete,
        Some(before.clone()),
        Some(before.clone()),
    );
    t.reason = Some(ActionReason::ReplaceBecauseTainted);
    let mut r = change(
        "aws_instance.asked",
        AWS,
        Action::DeleteThenCreate,
        Some(before.clone()),
        Some(before),
    );
    r.reason = Some(ActionReason::ReplaceByRequest);
    let td_before = obj(&[
        ("id", s("abc")),
        ("input", Value::null()),
        ("output", Value::null()),
        ("triggers_replace", s("v1")),
    ]);
    let td_after = obj(&[
        ("id", unknown()),
        ("input", Value::null()),
        ("output", Value::null()),
        ("triggers_replace", s("v2")),
    ]);
    let mut td = change(
        "terraform_data.t",
        TF,
        Action::DeleteThenCreate,
        Some(td_before),
        Some(td_after),
    );
    td.replace_paths = vec![vec![PathStep::Attr("triggers_replace".into())]];
    td.reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    let p = plan(vec![c, t, r, td]);
    insta::assert_snapshot!(render(&p));
}

#[test]
fn delete_with_reasons() {
    let before = obj(&[
        ("id", s("sg-1")),
        ("name", s("web")),
        ("count", Value::int(3)),
    ]);
    let mut a = change(
        "aws_schemaless_sg.gone",
        AWS,
        Action::Delete,
        Some(before.clone()),
        None,
    );
    a.reason = Some(ActionReason::DeleteBecauseNoResourceConfig);
    let mut b = change(
        "aws_schemaless_sg.counted[1]",
        AWS,
        Action::Delete,
        Some(before.clone()),
        None,
    );
    b.reason = Some(ActionReason::DeleteBecauseCountIndex);
    let mut c = change(
        "aws_schemaless_sg.each[\"x\"]",
        AWS,
        Action::Delete,
        Some(before.clone()),
        None,
    );
    c.reason = Some(ActionReason::DeleteBecauseEachKey);
    let mut d = change(
        "module.net.aws_schemaless_sg.m",
        AWS,
        Action::Delete,
        Some(before.clone()),
        None,
    );
    d.reason = Some(ActionReason::DeleteBecauseNoModule);
    let mut e = change(
        "aws_schemaless_sg.moved",
        AWS,
        Action::Update,
        Some(before.clone()),
        Some(obj(&[
            ("id", s("sg-1")),
            ("name", s("web2")),
            ("count", Value::int(3)),
        ])),
    );
    e.prev_addr = Some("aws_schemaless_sg.old".parse().unwrap());
    let p = plan(vec![a, b, c, d, e]);
    insta::assert_snapshot!(render(&p));
}

#[test]
fn read_data_source() {
    let after = obj(&[
        ("id", unknown()),
        ("most_recent", Value::bool(true)),
        ("owners", Value::list(Type::String, vec![s("amazon")])),
        ("image_id", unknown()),
    ]);
    let mut c = change("data.aws_ami.ubuntu", AWS, Action::Read, None, Some(after));
    c.reason = Some(ActionReason::ReadBecauseConfigUnknown);
    let p = plan(vec![c]);
    insta::assert_snapshot!(render(&p));
}

#[test]
fn sensitive_values() {
    let before = obj(&[
        ("id", s("db-1")),
        ("password", s("hunter2").mark(true)),
        ("username", s("admin")),
        (
            "config",
            obj(&[
                ("token", s("tok-old").mark(true)),
                ("port", Value::int(5432)),
            ]),
        ),
    ]);
    let after = obj(&[
        ("id", s("db-1")),
        ("password", s("correct-horse").mark(true)),
        ("username", s("root").mark(true)),
        (
            "config",
            obj(&[
                ("token", s("tok-new").mark(true)),
                ("port", Value::int(5432)),
            ]),
        ),
    ]);
    let mut p = plan(vec![change(
        "aws_schemaless_db.db",
        AWS,
        Action::Update,
        Some(before),
        Some(after),
    )]);
    p.outputs = vec![OutputChange {
        name: "password".into(),
        action: Action::Create,
        before: None,
        after: Some(s("hunter3")),
        sensitive: true,
    }];
    let out = render(&p);
    for secret in [
        "hunter2",
        "hunter3",
        "correct-horse",
        "tok-old",
        "tok-new",
        "root",
    ] {
        assert!(!out.contains(secret), "{secret} leaked:\n{out}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn outputs_only() {
    let mut p = plan(vec![]);
    p.outputs = vec![
        OutputChange {
            name: "vpc_id".into(),
            action: Action::Create,
            before: None,
            after: Some(unknown()),
            sensitive: false,
        },
        OutputChange {
            name: "name".into(),
            action: Action::Update,
            before: Some(s("a")),
            after: Some(s("b")),
            sensitive: false,
        },
        OutputChange {
            name: "tags".into(),
            action: Action::Create,
            before: None,
            after: Some(obj(&[
                ("Name", s("x")),
                ("list", Value::tuple(vec![Value::int(1), Value::bool(true)])),
            ])),
            sensitive: false,
        },
        OutputChange {
            name: "old".into(),
            action: Action::Delete,
            before: Some(s("gone")),
            after: None,
            sensitive: false,
        },
        OutputChange {
            name: "same".into(),
            action: Action::NoOp,
            before: Some(s("x")),
            after: Some(s("x")),
            sensitive: false,
        },
    ];
    insta::assert_snapshot!(render(&p));
}

#[test]
fn drift_and_changes() {
    let before = obj(&[
        ("id", s("vpc-1")),
        ("cidr_block", s("10.0.0.0/16")),
        ("tags", strmap(&[("Name", "a")])),
    ]);
    let drifted = obj(&[
        ("id", s("vpc-1")),
        ("cidr_block", s("10.0.0.0/16")),
        ("tags", strmap(&[("Name", "b")])),
    ]);
    let mut p = plan(vec![change(
        "aws_vpc.v",
        AWS,
        Action::Update,
        Some(drifted.clone()),
        Some(before.clone()),
    )]);
    p.drift = vec![
        change(
            "aws_vpc.v",
            AWS,
            Action::Update,
            Some(before.clone()),
            Some(drifted),
        ),
        change(
            "aws_subnet.s",
            AWS,
            Action::Delete,
            Some(obj(&[("id", s("subnet-1"))])),
            None,
        ),
    ];
    insta::assert_snapshot!(render(&p));
}

#[test]
fn no_changes() {
    let v = obj(&[("id", s("x"))]);
    let p = plan(vec![change(
        "aws_vpc.v",
        AWS,
        Action::NoOp,
        Some(v.clone()),
        Some(v),
    )]);
    insta::assert_snapshot!(render(&p));
}

#[test]
fn color_output() {
    let p = plan(vec![change(
        "aws_vpc.main",
        AWS,
        Action::Create,
        None,
        Some(obj(&[("id", unknown())])),
    )]);
    let out = render_plan(
        &p,
        &RenderOpts {
            color: true,
            width: 78,
        },
    );
    assert!(out.contains("\x1b[32m+\x1b[0m"), "{out:?}");
    assert!(out.contains("\x1b[1m"));
    assert!(!render(&p).contains('\x1b'));
}

// ---------------------------------------------------------------------------
// JSON

fn sensitive_plan() -> Plan {
    let before = obj(&[
        ("id", s("db-1")),
        ("password", s("hunter2").mark(true)),
        ("tags", strmap(&[("Name", "db")])),
    ]);
    let after = obj(&[
        ("id", s("db-1")),
        ("password", s("correct-horse").mark(true)),
        (
            "tags",
            Value::map(
                Type::String,
                [
                    ("Name".to_string(), s("db")),
                    ("Secret".to_string(), s("s3cr3t").mark(true)),
                ]
                .into_iter()
                .collect(),
            ),
        ),
        ("arn", unknown()),
    ]);
    let mut p = plan(vec![
        change(
            "aws_db_instance.db",
            AWS,
            Action::Update,
            Some(before),
            Some(after),
        ),
        change(
            "module.net.aws_vpc.v[0]",
            AWS,
            Action::Create,
            None,
            Some(obj(&[("id", unknown()), ("cidr_block", s("10.0.0.0/16"))])),
        ),
    ]);
    p.outputs = vec![OutputChange {
        name: "pw".into(),
        action: Action::Create,
        before: None,
        after: Some(s("topsecret")),
        sensitive: true,
    }];
    p.variables.insert("region".into(), s("eu-west-1"));
    p
}

#[test]
fn json_plan_structure_and_redaction() {
    let p = sensitive_plan();
    let j = plan_json(&p, None);
    let text = serde_json::to_string(&j).unwrap();
    for secret in ["hunter2", "correct-horse", "s3cr3t", "topsecret"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    for k in [
        "format_version",
        "terraform_version",
        "variables",
        "planned_values",
        "resource_changes",
        "output_changes",
        "prior_state",
        "timestamp",
        "applyable",
        "complete",
        "errored",
    ] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
    assert_eq!(j["format_version"], "1.2");
    assert_eq!(j["variables"]["region"]["value"], "eu-west-1");
    let rc = &j["resource_changes"][0];
    assert_eq!(rc["address"], "aws_db_instance.db");
    assert_eq!(rc["mode"], "managed");
    assert_eq!(rc["type"], "aws_db_instance");
    assert_eq!(rc["name"], "db");
    assert_eq!(rc["provider_name"], "registry.terraform.io/hashicorp/aws");
    let c = &rc["change"];
    assert_eq!(c["actions"], serde_json::json!(["update"]));
    assert_eq!(c["before"]["password"], serde_json::Value::Null);
    assert_eq!(c["before_sensitive"]["password"], true);
    assert_eq!(c["after_sensitive"]["tags"]["Secret"], true);
    assert_eq!(c["after"]["tags"]["Name"], "db");
    assert_eq!(c["after"]["tags"]["Secret"], serde_json::Value::Null);
    assert_eq!(c["after_unknown"]["arn"], true);
    assert!(c["after"].get("arn").is_none());
    let m = &j["resource_changes"][1];
    assert_eq!(m["module_address"], "module.net");
    assert_eq!(m["index"], 0);
    assert_eq!(m["change"]["before"], serde_json::Value::Null);
    assert_eq!(m["change"]["before_sensitive"], false);
    let pv = &j["planned_values"]["root_module"];
    assert_eq!(pv["resources"][0]["address"], "aws_db_instance.db");
    assert_eq!(pv["resources"][0]["sensitive_values"]["password"], true);
    assert_eq!(pv["child_modules"][0]["address"], "module.net");
    assert_eq!(
        pv["child_modules"][0]["resources"][0]["values"]["cidr_block"],
        "10.0.0.0/16"
    );
    let oc = &j["output_changes"]["pw"];
    assert_eq!(oc["after"], serde_json::Value::Null);
    assert_eq!(oc["after_sensitive"], true);
    assert_eq!(j["applyable"], true);
}

#[test]
fn json_state_redacts_sensitive_attributes() {
    let state: herd::state::State = serde_json::from_value(serde_json::json!({
        "version": 4,
        "terraform_version": "1.9.0",
        "serial": 3,
        "lineage": "l",
        "outputs": {"pw": {"value": "topsecret", "type": "string", "sensitive": true}},
        "resources": [{
            "module": "module.a",
            "mode": "managed",
            "type": "aws_db_instance",
            "name": "db",
            "provider": AWS,
            "instances": [{
                "index_key": "k",
                "schema_version": 1,
                "attributes": {"id": "db-1", "password": "hunter2", "nested": [{"x": "y"}]},
                "sensitive_attributes": [[{"type": "get_attr", "value": "password"}]]
            }]
        }]
    }))
    .unwrap();
    let j = state_json(&state);
    let text = serde_json::to_string(&j).unwrap();
    assert!(
        !text.contains("hunter2") && !text.contains("topsecret"),
        "{text}"
    );
    assert_eq!(j["format_version"], "1.0");
    let r = &j["values"]["root_module"]["child_modules"][0]["resources"][0];
    assert_eq!(r["address"], "module.a.aws_db_instance.db[\"k\"]");
    assert_eq!(r["index"], "k");
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["values"]["id"], "db-1");
    assert_eq!(r["sensitive_values"]["password"], true);
    assert_eq!(r["sensitive_values"]["nested"], serde_json::json!([{}]));
    assert_eq!(j["values"]["outputs"]["pw"]["sensitive"], true);
}

// ---------------------------------------------------------------------------
// Plan file

#[test]
fn plan_file_round_trip() {
    let mut p = sensitive_plan();
    p.changes[0].replace_paths = vec![vec![
        PathStep::Attr("tags".into()),
        PathStep::Key("Name".into()),
        PathStep::Index(3),
    ]];
    p.changes[0].reason = Some(ActionReason::ReplaceByTriggers);
    p.changes[0].prev_addr = Some("aws_db_instance.old".parse().unwrap());
    p.changes[0].deposed = Some("abcd".into());
    p.changes[0].importing = Some("db-1".into());
    p.drift = vec![p.changes[1].clone()];
    p.variables.insert(
        "typed".into(),
        obj(&[
            ("null_list", Value::null_of(Type::list(Type::String))),
            ("empty_set", Value::set(Type::Number, vec![])),
            ("empty_map", Value::map(Type::Bool, BTreeMap::new())),
            (
                "unknown_obj",
                Value::unknown(Type::Object(
                    [("a".to_string(), Type::Number)].into_iter().collect(),
                )),
            ),
            (
                "num",
                Value::number(
                    herd::lang::number::Number::parse("3.14159265358979323846264338327950288")
                        .unwrap(),
                ),
            ),
            (
                "set",
                Value::set(Type::String, vec![s("b"), s("a").mark(true)]),
            ),
            (
                "tuple",
                Value::tuple(vec![Value::bool(true), Value::null()]),
            ),
        ])
        .mark(true),
    );
    p.destroy = true;
    let extra = PlanFileExtra {
        lineage: "lin-1".into(),
        serial: 7,
        config_files: [(
            "main.tf".to_string(),
            "resource \"x\" \"y\" {}\n".to_string(),
        )]
        .into_iter()
        .collect(),
        variables: [("region".to_string(), "eu-west-1".to_string())]
            .into_iter()
            .collect(),
        targets: vec!["aws_vpc.v".into()],
        replace: vec!["aws_instance.a[0]".into()],
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.out");
    write_plan_file(&path, &p, &extra).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (q, e) = read_plan_file(&path).unwrap();
    assert_eq!(e, extra);
    assert_eq!(q.changes.len(), p.changes.len());
    for (a, b) in p
        .changes
        .iter()
        .zip(&q.changes)
        .chain(p.drift.iter().zip(&q.drift))
    {
        assert_eq!(a.addr, b.addr);
        assert_eq!(a.prev_addr, b.prev_addr);
        assert_eq!(a.provider, b.provider);
        assert_eq!(a.action, b.action);
        assert_eq!(a.reason, b.reason);
        assert_eq!(a.replace_paths, b.replace_paths);
        assert_eq!(a.deposed, b.deposed);
        assert_eq!(a.importing, b.importing);
        assert!(same(&a.before, &b.before) && same(&a.after, &b.after));
    }
    assert_eq!(q.outputs.len(), 1);
    assert!(same(&p.outputs[0].after, &q.outputs[0].after));
    assert!(q.outputs[0].sensitive);
    assert_eq!(q.variables.len(), p.variables.len());
    for (k, v) in &p.variables {
        assert!(deep_eq(v, &q.variables[k]), "{k}");
    }
    assert_eq!(q.prior_state, p.prior_state);
    assert!(q.destroy && !q.refresh_only && !q.errored);
    assert_eq!(q.timestamp, p.timestamp);
    // Also the rendered plan is identical.
    assert_eq!(render(&p), render(&q));
}

#[test]
fn plan_file_rejects_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad");
    std::fs::write(&path, "{\"herd_plan_format\": 99}").unwrap();
    assert!(read_plan_file(&path).is_err());
    std::fs::write(&path, "not json").unwrap();
    assert!(read_plan_file(&path).is_err());
}

fn same(a: &Option<Value>, b: &Option<Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => deep_eq(a, b),
        _ => false,
    }
}

/// Equality including types and sensitive marks.
fn deep_eq(a: &Value, b: &Value) -> bool {
    use herd::lang::value::Kind;
    if a.sensitive != b.sensitive || a.ty() != b.ty() {
        return false;
    }
    match (&a.kind, &b.kind) {
        (Kind::List(_, x), Kind::List(_, y))
        | (Kind::Set(_, x), Kind::Set(_, y))
        | (Kind::Tuple(x), Kind::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| deep_eq(p, q))
        }
        (Kind::Map(_, x), Kind::Map(_, y)) | (Kind::Object(x), Kind::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, p), (k2, q))| k1 == k2 && deep_eq(p, q))
        }
        _ => a.raw_eq(b),
    }
}

#[test]
fn json_configuration_section() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"
variable "region" {
  default = "eu-west-1"
}
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = {
    Name = "main-${var.region}"
  }
}
resource "aws_subnet" "s" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
}
resource "terraform_data" "d" {
  input = [for x in aws_subnet.s : x.id]
}
output "vpc" {
  value = aws_vpc.main.id
}
"#,
    )
    .unwrap();
    let mut loader = herd::config::Loader::new(dir.path(), herd::diag::Sources::default());
    let (module, diags) = loader.load(dir.path());
    assert!(!diags.has_errors());
    let j = plan_json(&plan(vec![]), Some(&module));
    let c = &j["configuration"];
    let text = serde_json::to_string(c).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(
        c["provider_config"]["aws"]["full_name"],
        "registry.terraform.io/hashicorp/aws"
    );
    let rs = c["root_module"]["resources"].as_array().unwrap();
    let vpc = rs.iter().find(|r| r["address"] == "aws_vpc.main").unwrap();
    assert_eq!(vpc["provider_config_key"], "aws");
    assert_eq!(
        vpc["expressions"]["cidr_block"]["constant_value"],
        "10.0.0.0/16"
    );
    assert_eq!(
        vpc["expressions"]["tags"]["references"],
        serde_json::json!(["var.region"])
    );
    let s = rs.iter().find(|r| r["address"] == "aws_subnet.s").unwrap();
    assert_eq!(
        s["expressions"]["vpc_id"]["references"],
        serde_json::json!(["aws_vpc.main.id", "aws_vpc.main"])
    );
    assert_eq!(s["count_expression"]["constant_value"], 2);
    assert!(s["expressions"].get("count").is_none());
    assert_eq!(
        s["expressions"]["cidr_block"]["references"],
        serde_json::json!(["aws_vpc.main.cidr_block", "aws_vpc.main", "count.index"])
    );
    let d = rs
        .iter()
        .find(|r| r["address"] == "terraform_data.d")
        .unwrap();
    assert_eq!(
        d["expressions"]["input"]["references"],
        serde_json::json!(["aws_subnet.s"])
    );
    assert_eq!(d["provider_config_key"], "terraform");
    assert_eq!(
        c["root_module"]["outputs"]["vpc"]["expression"]["references"],
        serde_json::json!(["aws_vpc.main.id", "aws_vpc.main"])
    );
    assert_eq!(
        c["root_module"]["variables"]["region"]["default"],
        "eu-west-1"
    );
    assert_eq!(c["root_module"]["variables"]["secret"]["sensitive"], true);
}
