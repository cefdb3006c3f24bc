//! Security group rules in all three styles against moto:
//! `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule` /
//! `aws_vpc_security_group_egress_rule`, and inline `ingress` / `egress`
//! blocks of `aws_security_group`, alone and together. Every check of what
//! exists in AWS goes through the test's own EC2 client.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_ec2::types::{Filter, IpPermission, IpRange};
use common::moto::*;

fn f(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

fn id_of(dir: &Path, addr: &str) -> String {
    state_attrs(dir, addr)["id"].as_str().unwrap().to_string()
}

/// The permissions of a group as sorted lines
/// `dir proto from-to source[desc]`; `None` when the group is gone.
fn perms(m: &Moto, group: &str) -> Option<Vec<String>> {
    let out = m
        .block_on(
            m.ec2()
                .describe_security_groups()
                .filters(f("group-id", group))
                .send(),
        )
        .unwrap();
    let g = out.security_groups().first()?;
    let mut v = vec![];
    let mut add = |dir: &str, ps: &[IpPermission]| {
        for p in ps {
            let head = format!(
                "{dir} {} {}-{}",
                p.ip_protocol().unwrap_or_default(),
                p.from_port().unwrap_or(-1),
                p.to_port().unwrap_or(-1)
            );
            for r in p.ip_ranges() {
                v.push(format!(
                    "{head} {}[{}]",
                    r.cidr_ip().unwrap_or_default(),
                    r.description().unwrap_or_default()
                ));
            }
            for r in p.user_id_group_pairs() {
                v.push(format!(
                    "{head} {}[{}]",
                    r.group_id().unwrap_or_default(),
                    r.description().unwrap_or_default()
                ));
            }
        }
    };
    add("in", g.ip_permissions());
    add("out", g.ip_permissions_egress());
    v.sort();
    Some(v)
}

/// The AWS rule `sgr-…`: (summary, tags); `None` when gone.
fn sgr(m: &Moto, id: &str) -> Option<(String, BTreeMap<String, String>)> {
    let out = m
        .block_on(
            m.ec2()
                .describe_security_group_rules()
                .filters(f("security-group-rule-id", id))
                .send(),
        )
        .ok()?;
    let r = out.security_group_rules().first()?;
    Some((
        format!(
            "{} {} {} {}-{} {}[{}]",
            r.group_id().unwrap_or_default(),
            if r.is_egress() == Some(true) {
                "out"
            } else {
                "in"
            },
            r.ip_protocol().unwrap_or_default(),
            r.from_port().unwrap_or(-1),
            r.to_port().unwrap_or(-1),
            r.cidr_ipv4()
                .map(|s| s.to_string())
                .or_else(|| {
                    r.referenced_group_info()
                        .and_then(|g| g.group_id())
                        .map(|s| s.to_string())
                })
                .unwrap_or_default(),
            r.description().unwrap_or_default()
        ),
        tags_map(r.tags()),
    ))
}

fn has(lines: &[String], s: &str) -> bool {
    lines.iter().any(|l| l == s)
}

const BASE: &str = r#"
provider "aws" {
  default_tags {
    tags = { Team = "infra" }
  }
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "a" {
  name   = "a"
  vpc_id = aws_vpc.v.id
}
resource "aws_security_group" "b" {
  name   = "b"
  vpc_id = aws_vpc.v.id
}
"#;

#[test]
fn security_group_rule_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let config = |port: u16, desc: &str| {
        format!(
            r#"{BASE}
resource "aws_security_group_rule" "http" {{
  type              = "ingress"
  from_port         = {port}
  to_port           = {port}
  protocol          = "6"
  cidr_blocks       = ["10.0.0.0/8"]
  description       = "{desc}"
  security_group_id = aws_security_group.a.id
}}
resource "aws_security_group_rule" "from_b" {{
  type                     = "ingress"
  from_port                = 443
  to_port                  = 443
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.b.id
  security_group_id        = aws_security_group.a.id
}}
resource "aws_security_group_rule" "out" {{
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "all"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.a.id
}}
"#
        )
    };
    write(dir, "main.tf", &config(80, "web"));
    let out = apply(&m, dir);
    assert!(out.contains("6 added, 0 changed, 0 destroyed"), "{out}");
    let a = id_of(dir, "aws_security_group.a");
    let b = id_of(dir, "aws_security_group.b");
    let p = perms(&m, &a).unwrap();
    assert!(has(&p, "in tcp 80-80 10.0.0.0/8[web]"), "{p:?}");
    assert!(has(&p, &format!("in tcp 443-443 {b}[]")), "{p:?}");
    assert!(has(&p, "out -1 -1--1 0.0.0.0/0[]"), "{p:?}");
    assert_eq!(p.len(), 3, "{p:?}");
    let st = state_attrs(dir, "aws_security_group_rule.http");
    assert!(st["id"].as_str().unwrap().starts_with("sgrule-"), "{st}");
    assert!(
        st["security_group_rule_id"]
            .as_str()
            .unwrap()
            .starts_with("sgr-"),
        "{st}"
    );
    assert_eq!(
        st["protocol"], "tcp",
        "kept as the provider's StateFunc does: 6 -> tcp"
    );
    assert_eq!(
        state_attrs(dir, "aws_security_group_rule.out")["protocol"],
        "-1"
    );
    let http_id = st["id"].as_str().unwrap().to_string();
    // The group has no inline rules: the rule resources' rules show no diff.
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Description changes in place.
    write(dir, "main.tf", &config(80, "web servers"));
    let out = plan(&m, dir, 2);
    assert!(out.contains("will be updated in-place"), "{out}");
    assert!(out.contains("0 to add, 1 to change, 0 to destroy"), "{out}");
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_security_group_rule.http"), http_id);
    let p = perms(&m, &a).unwrap();
    assert!(has(&p, "in tcp 80-80 10.0.0.0/8[web servers]"), "{p:?}");
    plan(&m, dir, 0);

    // A port change replaces the rule.
    write(dir, "main.tf", &config(8080, "web servers"));
    let out = plan(&m, dir, 2);
    assert!(out.contains("must be replaced"), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("1 added, 0 changed, 1 destroyed"), "{out}");
    assert_ne!(id_of(dir, "aws_security_group_rule.http"), http_id);
    let p = perms(&m, &a).unwrap();
    assert!(has(&p, "in tcp 8080-8080 10.0.0.0/8[web servers]"), "{p:?}");
    assert!(!p.iter().any(|l| l.contains(" 80-80 ")), "{p:?}");
    plan(&m, dir, 0);

    // Revoked out of band: re-created.
    m.block_on(
        m.ec2()
            .revoke_security_group_ingress()
            .group_id(&a)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(8080)
                    .to_port(8080)
                    .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                    .build(),
            )
            .send(),
    )
    .unwrap();
    assert!(!has(
        &perms(&m, &a).unwrap(),
        "in tcp 8080-8080 10.0.0.0/8[web servers]"
    ));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("# aws_security_group_rule.http will be created"),
        "{out}"
    );
    apply(&m, dir);
    assert!(has(
        &perms(&m, &a).unwrap(),
        "in tcp 8080-8080 10.0.0.0/8[web servers]"
    ));
    plan(&m, dir, 0);

    // Import by the provider's id format, then no changes.
    let before = state_attrs(dir, "aws_security_group_rule.http");
    run(&m, dir, &["state", "rm", "aws_security_group_rule.http"], 0);
    run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_security_group_rule.http",
            &format!("{a}_ingress_6_8080_8080_10.0.0.0/8"),
        ],
        0,
    );
    let after = state_attrs(dir, "aws_security_group_rule.http");
    assert_eq!(after["id"], before["id"], "{after}");
    assert_eq!(after["description"], "web servers", "{after}");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    // A malformed import id is refused with the provider's message.
    run(&m, dir, &["state", "rm", "aws_security_group_rule.out"], 0);
    let out = run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_security_group_rule.out",
            &format!("{a}_egress_all_0"),
        ],
        1,
    );
    assert!(out.contains("too few parts"), "{out}");
    run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_security_group_rule.out",
            &format!("{a}_egress_all_0_0_0.0.0.0/0"),
        ],
        0,
    );
    plan(&m, dir, 0);

    destroy(&m, dir);
    assert!(perms(&m, &a).is_none(), "destroyed");
}

#[test]
fn vpc_security_group_rules_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let config = |group: &str, port: u16, desc: &str, tag: &str| {
        format!(
            r#"{BASE}
resource "aws_vpc_security_group_ingress_rule" "http" {{
  security_group_id = aws_security_group.{group}.id
  cidr_ipv4         = "10.0.0.0/8"
  ip_protocol       = "tcp"
  from_port         = {port}
  to_port           = {port}
  description       = "{desc}"
  tags              = {{ Name = "{tag}" }}
}}
resource "aws_vpc_security_group_ingress_rule" "from_b" {{
  security_group_id            = aws_security_group.a.id
  referenced_security_group_id = aws_security_group.b.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}}
resource "aws_vpc_security_group_egress_rule" "all" {{
  security_group_id = aws_security_group.a.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}}
"#
        )
    };
    write(dir, "main.tf", &config("a", 80, "web", "one"));
    let out = apply(&m, dir);
    assert!(out.contains("6 added, 0 changed, 0 destroyed"), "{out}");
    let a = id_of(dir, "aws_security_group.a");
    let b = id_of(dir, "aws_security_group.b");
    let http = id_of(dir, "aws_vpc_security_group_ingress_rule.http");
    assert!(http.starts_with("sgr-"), "{http}");
    let (s, tags) = sgr(&m, &http).unwrap();
    assert_eq!(s, format!("{a} in tcp 80-80 10.0.0.0/8[web]"));
    assert_eq!(tags.get("Name").map(|s| s.as_str()), Some("one"));
    assert_eq!(tags.get("Team").map(|s| s.as_str()), Some("infra"));
    let (s, _) = sgr(
        &m,
        &id_of(dir, "aws_vpc_security_group_ingress_rule.from_b"),
    )
    .unwrap();
    assert_eq!(s, format!("{a} in tcp 443-443 {b}[]"));
    let all = id_of(dir, "aws_vpc_security_group_egress_rule.all");
    let (s, _) = sgr(&m, &all).unwrap();
    assert_eq!(s, format!("{a} out -1 -1--1 0.0.0.0/0[]"));
    let st = state_attrs(dir, "aws_vpc_security_group_ingress_rule.http");
    assert_eq!(st["security_group_rule_id"], http.as_str());
    assert!(
        st["arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":security-group-rule/{http}")),
        "{st}"
    );
    let st = state_attrs(dir, "aws_vpc_security_group_egress_rule.all");
    assert!(st["from_port"].is_null(), "{st}");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Description, port and tags change in place (same rule id).
    write(dir, "main.tf", &config("a", 8080, "web servers", "two"));
    let out = plan(&m, dir, 2);
    assert!(out.contains("0 to add, 1 to change, 0 to destroy"), "{out}");
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_vpc_security_group_ingress_rule.http"), http);
    let (s, tags) = sgr(&m, &http).unwrap();
    assert_eq!(s, format!("{a} in tcp 8080-8080 10.0.0.0/8[web servers]"));
    assert_eq!(tags.get("Name").map(|s| s.as_str()), Some("two"));
    plan(&m, dir, 0);

    // Another group: replaced.
    write(dir, "main.tf", &config("b", 8080, "web servers", "two"));
    let out = plan(&m, dir, 2);
    assert!(out.contains("must be replaced"), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("1 added, 0 changed, 1 destroyed"), "{out}");
    let http2 = id_of(dir, "aws_vpc_security_group_ingress_rule.http");
    assert_ne!(http2, http);
    assert!(sgr(&m, &http).is_none(), "old rule revoked");
    let (s, _) = sgr(&m, &http2).unwrap();
    assert!(s.starts_with(&format!("{b} in tcp 8080-8080")), "{s}");
    plan(&m, dir, 0);

    // Revoked out of band: re-created.
    m.block_on(
        m.ec2()
            .revoke_security_group_egress()
            .group_id(&a)
            .security_group_rule_ids(&all)
            .send(),
    )
    .unwrap();
    assert!(sgr(&m, &all).is_none());
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("# aws_vpc_security_group_egress_rule.all will be created"),
        "{out}"
    );
    apply(&m, dir);
    let all2 = id_of(dir, "aws_vpc_security_group_egress_rule.all");
    assert!(sgr(&m, &all2).is_some());
    plan(&m, dir, 0);

    // Import by rule id.
    run(
        &m,
        dir,
        &["state", "rm", "aws_vpc_security_group_ingress_rule.http"],
        0,
    );
    run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_vpc_security_group_ingress_rule.http",
            &http2,
        ],
        0,
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    // An egress rule id is not an ingress rule.
    run(
        &m,
        dir,
        &["state", "rm", "aws_vpc_security_group_ingress_rule.from_b"],
        0,
    );
    let out = run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_vpc_security_group_ingress_rule.from_b",
            &all2,
        ],
        1,
    );
    assert!(out.contains("not found"), "{out}");

    destroy(&m, dir);
    assert!(sgr(&m, &http2).is_none());
    assert!(sgr(&m, &all2).is_none());
    assert!(perms(&m, &a).is_none());
}

#[test]
fn three_styles_together() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        r#"
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_security_group" "inline" {
  name   = "inline"
  vpc_id = aws_vpc.v.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "sep" {
  name                   = "sep"
  vpc_id                 = aws_vpc.v.id
  revoke_rules_on_delete = true
}
resource "aws_security_group_rule" "ssh_from_inline" {
  type                     = "ingress"
  from_port                = 22
  to_port                  = 22
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.inline.id
  security_group_id        = aws_security_group.sep.id
}
resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.sep.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.sep.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}
"#,
    );
    let out = apply(&m, dir);
    assert!(out.contains("6 added, 0 changed, 0 destroyed"), "{out}");
    let inline = id_of(dir, "aws_security_group.inline");
    let sep = id_of(dir, "aws_security_group.sep");
    assert_eq!(
        perms(&m, &inline).unwrap(),
        vec!["in tcp 22-22 10.0.0.0/8[]", "out -1 -1--1 0.0.0.0/0[]"]
    );
    assert_eq!(
        perms(&m, &sep).unwrap(),
        vec![
            format!("in tcp 22-22 {inline}[]"),
            "in tcp 443-443 0.0.0.0/0[]".to_string(),
            "out -1 -1--1 0.0.0.0/0[]".to_string(),
        ]
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // A rule added out of band to the group with inline rules is removed.
    m.block_on(
        m.ec2()
            .authorize_security_group_ingress()
            .group_id(&inline)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(3306)
                    .to_port(3306)
                    .ip_ranges(IpRange::builder().cidr_ip("10.9.0.0/16").build())
                    .build(),
            )
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("# aws_security_group.inline will be updated in-place"),
        "{out}"
    );
    assert!(out.contains("0 to add, 1 to change, 0 to destroy"), "{out}");
    apply(&m, dir);
    assert_eq!(
        perms(&m, &inline).unwrap(),
        vec!["in tcp 22-22 10.0.0.0/8[]", "out -1 -1--1 0.0.0.0/0[]"]
    );
    assert_eq!(perms(&m, &sep).unwrap().len(), 3);
    plan(&m, dir, 0);

    // Refresh-only sees the out-of-band rule on the group without inline
    // rules as state, not as a change to make.
    m.block_on(
        m.ec2()
            .authorize_security_group_ingress()
            .group_id(&sep)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(5432)
                    .to_port(5432)
                    .ip_ranges(IpRange::builder().cidr_ip("10.8.0.0/16").build())
                    .build(),
            )
            .send(),
    )
    .unwrap();
    plan(&m, dir, 0);

    // revoke_rules_on_delete: the group goes even with rules left in it.
    destroy(&m, dir);
    assert!(perms(&m, &inline).is_none());
    assert!(perms(&m, &sep).is_none());
}
