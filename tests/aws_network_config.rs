//! Whole network configurations against moto, unmodified Terraform:
//! `examples/network` (for_each over zones, dynamic blocks, NAT gateway per
//! zone) and `tests/fixtures/network` (count + cidrsubnet, one shared NAT
//! gateway, every security group rule style, `ingress = []`). Each applies,
//! re-plans with no changes, heals drift made through the test's own EC2
//! client, and destroys to nothing.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_ec2::types::{Filter, IpPermission, Tag};
use common::moto::*;

fn f(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn config_dir(rel: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel), d.path());
    d
}

fn id_of(dir: &Path, addr: &str) -> String {
    state_attrs(dir, addr)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{addr} has no id"))
        .to_string()
}

/// VPCs other than moto's default one.
fn own_vpcs(m: &Moto) -> Vec<String> {
    let out = m.block_on(m.ec2().describe_vpcs().send()).unwrap();
    out.vpcs()
        .iter()
        .filter(|v| !v.is_default().unwrap_or(false))
        .filter_map(|v| v.vpc_id().map(|s| s.to_string()))
        .collect()
}

/// A group's permissions as sorted lines `dir proto from-to source[desc]`.
fn perms(m: &Moto, group: &str) -> Vec<String> {
    let out = m
        .block_on(
            m.ec2()
                .describe_security_groups()
                .filters(f("group-id", group))
                .send(),
        )
        .unwrap();
    let Some(g) = out.security_groups().first() else {
        return vec![];
    };
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
    v
}

/// "dest->target" of a route table's routes, the local route left out.
fn routes(m: &Moto, rtb: &str) -> Vec<String> {
    let out = m
        .block_on(
            m.ec2()
                .describe_route_tables()
                .filters(f("route-table-id", rtb))
                .send(),
        )
        .unwrap();
    let Some(t) = out.route_tables().first() else {
        return vec![];
    };
    let mut v: Vec<String> = t
        .routes()
        .iter()
        .filter(|r| r.gateway_id() != Some("local"))
        .map(|r| {
            format!(
                "{}->{}",
                r.destination_cidr_block().unwrap_or_default(),
                r.gateway_id().or(r.nat_gateway_id()).unwrap_or_default()
            )
        })
        .collect();
    v.sort();
    v
}

fn resource_tags(m: &Moto, id: &str) -> BTreeMap<String, String> {
    let out = m
        .block_on(m.ec2().describe_tags().filters(f("resource-id", id)).send())
        .unwrap();
    out.tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Revoke a group's ingress rule on `port` by its `sgr-…` id.
fn revoke_ingress(m: &Moto, group: &str, port: i32) {
    let out = m
        .block_on(
            m.ec2()
                .describe_security_group_rules()
                .filters(f("group-id", group))
                .send(),
        )
        .unwrap();
    let id = out
        .security_group_rules()
        .iter()
        .find(|r| r.is_egress() == Some(false) && r.from_port() == Some(port))
        .and_then(|r| r.security_group_rule_id())
        .unwrap_or_else(|| panic!("no ingress rule on {port} in {group}"))
        .to_string();
    m.block_on(
        m.ec2()
            .revoke_security_group_ingress()
            .group_id(group)
            .security_group_rule_ids(id)
            .send(),
    )
    .unwrap();
}

fn nat_timeouts(dir: &Path, addr: &str) -> serde_json::Value {
    state_attrs(dir, addr)["timeouts"].clone()
}

#[test]
fn network_example_applies_replans_clean_and_destroys() {
    let m = Moto::start();
    let d = config_dir("examples/network");
    let dir = d.path();
    run(&m, dir, &["init", "-input=false"], 0);
    let out = apply(&m, dir);
    assert!(out.contains("Apply complete!"), "{out}");
    let vpcs = own_vpcs(&m);
    assert_eq!(vpcs.len(), 1, "one VPC: {vpcs:?}");
    let subnets = m
        .block_on(
            m.ec2()
                .describe_subnets()
                .filters(
                    aws_sdk_ec2::types::Filter::builder()
                        .name("vpc-id")
                        .values(&vpcs[0])
                        .build(),
                )
                .send(),
        )
        .unwrap();
    assert_eq!(subnets.subnets().len(), 4, "2 public + 2 private subnets");
    for s in subnets.subnets() {
        let tags = tags_map(s.tags());
        assert_eq!(
            tags.get("ManagedBy").map(|s| s.as_str()),
            Some("herd"),
            "default_tags on {:?}",
            s.subnet_id()
        );
    }
    let nats = m.block_on(m.ec2().describe_nat_gateways().send()).unwrap();
    assert_eq!(
        nats.nat_gateways()
            .iter()
            .filter(|n| n.state().map(|s| s.as_str()) == Some("available"))
            .count(),
        2,
        "one NAT gateway per zone"
    );

    // The rule referencing the app group reads back as configured.
    let db = id_of(dir, "aws_security_group.db");
    let app = id_of(dir, "aws_security_group.app");
    assert!(
        perms(&m, &db).contains(&format!("in tcp 5432-5432 {app}[PostgreSQL from the app]")),
        "{:?}",
        perms(&m, &db)
    );
    let rule = state_attrs(dir, "aws_vpc_security_group_ingress_rule.db_from_app");
    assert_eq!(rule["description"], "PostgreSQL from the app");
    assert_eq!(rule["referenced_security_group_id"], app.as_str());

    // Timeouts stay in the state after apply.
    for az in ["us-east-1a", "us-east-1b"] {
        let addr = format!("aws_nat_gateway.this[\"{az}\"]");
        assert_eq!(nat_timeouts(dir, &addr)["create"], "15m", "{addr}");
    }

    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    assert!(!out.contains("changed outside"), "{out}");

    destroy(&m, dir);
    assert!(own_vpcs(&m).is_empty(), "the VPC is gone");
}

#[test]
fn count_style_network_heals_drift_and_destroys() {
    let m = Moto::start();
    let d = config_dir("tests/fixtures/network");
    let dir = d.path();
    run(&m, dir, &["init", "-input=false"], 0);
    let out = run(&m, dir, &["validate", "-no-color"], 0);
    assert!(out.contains("The configuration is valid"), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("Apply complete!"), "{out}");
    assert!(out.contains("vpc_id = \"vpc-"), "outputs: {out}");

    // What AWS has, through the test's own client.
    let vpc = id_of(dir, "aws_vpc.main");
    assert_eq!(own_vpcs(&m), vec![vpc.clone()]);
    let tags = resource_tags(&m, &vpc);
    assert_eq!(tags["Name"], "shop-staging");
    assert_eq!(tags["Environment"], "staging", "default tag");
    assert_eq!(tags["Owner"], "platform", "default tag");
    assert_eq!(tags["Application"], "shop", "merged local tag");
    let subnets = m
        .block_on(m.ec2().describe_subnets().filters(f("vpc-id", &vpc)).send())
        .unwrap();
    let mut cidrs: Vec<String> = subnets
        .subnets()
        .iter()
        .filter_map(|s| s.cidr_block().map(|c| c.to_string()))
        .collect();
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "172.20.0.0/20",
            "172.20.128.0/20",
            "172.20.144.0/20",
            "172.20.16.0/20"
        ]
    );
    let igw = id_of(dir, "aws_internet_gateway.main");
    let nat = id_of(dir, "aws_nat_gateway.main");
    let rt_pub = id_of(dir, "aws_route_table.public");
    let rt_priv = id_of(dir, "aws_route_table.private");
    assert_eq!(routes(&m, &rt_pub), vec![format!("0.0.0.0/0->{igw}")]);
    assert_eq!(routes(&m, &rt_priv), vec![format!("0.0.0.0/0->{nat}")]);

    let web = id_of(dir, "aws_security_group.web");
    let app = id_of(dir, "aws_security_group.app");
    let db = id_of(dir, "aws_security_group.db");
    let quarantine = id_of(dir, "aws_security_group.quarantine");
    assert_eq!(
        perms(&m, &web),
        [
            "in tcp 443-443 0.0.0.0/0[TCP 443 from anywhere]",
            "in tcp 80-80 0.0.0.0/0[TCP 80 from anywhere]",
            "out -1 -1--1 0.0.0.0/0[]",
        ]
    );
    assert_eq!(
        resource_tags(&m, &web)["Owner"],
        "web-team",
        "resource tag wins"
    );
    assert_eq!(perms(&m, &app), {
        let mut v = vec![
            format!("in -1 -1--1 {app}[App nodes talk to each other]"),
            format!("in tcp 8080-8080 {web}[App port from the web tier]"),
            "out -1 -1--1 0.0.0.0/0[]".to_string(),
        ];
        v.sort();
        v
    });
    assert_eq!(perms(&m, &db), {
        let mut v = vec![
            format!("in tcp 5432-5432 {app}[PostgreSQL from the app tier]"),
            "in tcp 5432-5432 172.20.128.0/20[]".to_string(),
            "in tcp 5432-5432 172.20.144.0/20[]".to_string(),
            "out -1 -1--1 0.0.0.0/0[]".to_string(),
        ];
        v.sort();
        v
    });
    assert!(
        perms(&m, &quarantine).is_empty(),
        "{:?}",
        perms(&m, &quarantine)
    );

    // The state as the provider keeps it.
    assert_eq!(
        state_attrs(dir, "aws_security_group_rule.app_from_web")["protocol"],
        "tcp"
    );
    assert_eq!(
        state_attrs(dir, "aws_security_group_rule.app_self")["protocol"],
        "-1"
    );
    assert_eq!(nat_timeouts(dir, "aws_nat_gateway.main")["create"], "10m");
    assert_eq!(
        state_attrs(dir, "aws_security_group.web")["tags_all"]["Owner"],
        "web-team"
    );

    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // A timeouts-only edit is no change (the provider's SDK does not diff
    // timeouts).
    let main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    write(
        dir,
        "main.tf",
        &main.replace("create = \"10m\"", "create = \"12m\""),
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    write(dir, "main.tf", &main);

    // Drift, out of band: the NAT route deleted, an inline rule and two rule
    // resources revoked, a rule added to the quarantine group, tags changed.
    let ec2 = m.ec2();
    m.block_on(
        ec2.delete_route()
            .route_table_id(&rt_priv)
            .destination_cidr_block("0.0.0.0/0")
            .send(),
    )
    .unwrap();
    revoke_ingress(&m, &web, 443);
    revoke_ingress(&m, &app, 8080);
    let db_rule = id_of(dir, "aws_vpc_security_group_ingress_rule.db_from_app");
    m.block_on(
        ec2.revoke_security_group_ingress()
            .group_id(&db)
            .security_group_rule_ids(&db_rule)
            .send(),
    )
    .unwrap();
    m.block_on(
        ec2.authorize_security_group_ingress()
            .group_id(&quarantine)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(
                        aws_sdk_ec2::types::IpRange::builder()
                            .cidr_ip("10.0.0.0/8")
                            .build(),
                    )
                    .build(),
            )
            .send(),
    )
    .unwrap();
    m.block_on(
        ec2.create_tags()
            .resources(&vpc)
            .tags(Tag::builder().key("Name").value("hand-edited").build())
            .send(),
    )
    .unwrap();
    m.block_on(
        ec2.delete_tags()
            .resources(&web)
            .tags(Tag::builder().key("Owner").build())
            .send(),
    )
    .unwrap();

    let out = plan(&m, dir, 2);
    for want in [
        "aws_route.private_nat will be created",
        "aws_security_group_rule.app_from_web will be created",
        "aws_vpc_security_group_ingress_rule.db_from_app will be created",
        "aws_security_group.web will be updated in-place",
        "aws_security_group.quarantine will be updated in-place",
        "aws_vpc.main will be updated in-place",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
    let out = apply(&m, dir);
    assert!(out.contains("Apply complete!"), "{out}");
    assert_eq!(routes(&m, &rt_priv), vec![format!("0.0.0.0/0->{nat}")]);
    assert!(perms(&m, &web).contains(&"in tcp 443-443 0.0.0.0/0[TCP 443 from anywhere]".into()));
    assert!(perms(&m, &app).contains(&format!(
        "in tcp 8080-8080 {web}[App port from the web tier]"
    )));
    assert!(perms(&m, &db).contains(&format!(
        "in tcp 5432-5432 {app}[PostgreSQL from the app tier]"
    )));
    assert!(
        perms(&m, &quarantine).is_empty(),
        "{:?}",
        perms(&m, &quarantine)
    );
    assert_eq!(resource_tags(&m, &vpc)["Name"], "shop-staging");
    assert_eq!(resource_tags(&m, &web)["Owner"], "web-team");
    assert_eq!(nat_timeouts(dir, "aws_nat_gateway.main")["create"], "10m");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Attribute syntax for the same inline rules and routes: the block form
    // and the list-of-objects form mean the same, `[]` means none.
    let main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    let as_attr = main
        .replace(
            r#"  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }"#,
            r#"  route = [{
    cidr_block                 = "0.0.0.0/0"
    gateway_id                 = aws_internet_gateway.main.id
    ipv6_cidr_block            = null
    destination_prefix_list_id = null
    carrier_gateway_id         = null
    core_network_arn           = null
    egress_only_gateway_id     = null
    local_gateway_id           = null
    nat_gateway_id             = null
    network_interface_id       = null
    transit_gateway_id         = null
    vpc_endpoint_id            = null
    vpc_peering_connection_id  = null
  }]"#,
        )
        .replace(
            "  ingress = []\n",
            r#"  ingress = [{
    description      = "SSH from the office"
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    cidr_blocks      = ["10.0.0.0/8"]
    ipv6_cidr_blocks = []
    prefix_list_ids  = []
    security_groups  = []
    self             = false
  }]
"#,
        );
    assert_ne!(as_attr, main);
    write(dir, "main.tf", &as_attr);
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_security_group.quarantine will be updated in-place"),
        "{out}"
    );
    assert!(
        !out.contains("aws_route_table.public"),
        "same routes: {out}"
    );
    apply(&m, dir);
    assert_eq!(
        perms(&m, &quarantine),
        ["in tcp 22-22 10.0.0.0/8[SSH from the office]"]
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    write(dir, "main.tf", &main);
    apply(&m, dir);
    assert!(
        perms(&m, &quarantine).is_empty(),
        "{:?}",
        perms(&m, &quarantine)
    );
    plan(&m, dir, 0);

    let out = destroy(&m, dir);
    assert!(out.contains("Destroy complete!"), "{out}");
    assert!(own_vpcs(&m).is_empty(), "the VPC is gone");
    let groups = m
        .block_on(m.ec2().describe_security_groups().send())
        .unwrap();
    let left: Vec<&str> = groups
        .security_groups()
        .iter()
        .filter(|g| g.group_name() != Some("default"))
        .filter_map(|g| g.group_id())
        .collect();
    assert!(left.is_empty(), "security groups left: {left:?}");
    let nats = m.block_on(m.ec2().describe_nat_gateways().send()).unwrap();
    assert!(
        nats.nat_gateways()
            .iter()
            .all(|n| n.state().map(|s| s.as_str()) == Some("deleted")),
        "NAT gateways left"
    );
}
