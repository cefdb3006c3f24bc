//! `aws_subnet`, `aws_internet_gateway`, `aws_security_group` and the
//! `aws_availability_zones` data source against moto, and a small VPC
//! configuration using them together. Every check of what exists in AWS
//! goes through the test's own EC2 client.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_ec2::types::Filter;
use common::moto::*;

fn f(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// What the test's own client sees of an object: its tags, and a summary
/// of the attribute under test.
struct Seen {
    tags: BTreeMap<String, String>,
    detail: String,
}

fn subnet(m: &Moto, id: &str) -> Option<Seen> {
    let out = m
        .block_on(
            m.ec2()
                .describe_subnets()
                .filters(f("subnet-id", id))
                .send(),
        )
        .unwrap();
    out.subnets().first().map(|s| Seen {
        tags: tags_map(s.tags()),
        detail: format!(
            "{} {} public={}",
            s.cidr_block().unwrap_or_default(),
            s.availability_zone().unwrap_or_default(),
            s.map_public_ip_on_launch().unwrap_or_default()
        ),
    })
}

fn igw(m: &Moto, id: &str) -> Option<Seen> {
    let out = m
        .block_on(
            m.ec2()
                .describe_internet_gateways()
                .filters(f("internet-gateway-id", id))
                .send(),
        )
        .unwrap();
    out.internet_gateways().first().map(|g| Seen {
        tags: tags_map(g.tags()),
        detail: g
            .attachments()
            .iter()
            .filter_map(|a| a.vpc_id())
            .collect::<Vec<_>>()
            .join(","),
    })
}

fn sg(m: &Moto, id: &str) -> Option<Seen> {
    let out = m
        .block_on(
            m.ec2()
                .describe_security_groups()
                .filters(f("group-id", id))
                .send(),
        )
        .unwrap();
    out.security_groups().first().map(|g| {
        let rules = |ps: &[aws_sdk_ec2::types::IpPermission]| {
            let mut v: Vec<String> = ps
                .iter()
                .map(|p| {
                    format!(
                        "{}:{}-{}:{}",
                        p.ip_protocol().unwrap_or_default(),
                        p.from_port().unwrap_or(-1),
                        p.to_port().unwrap_or(-1),
                        p.ip_ranges()
                            .iter()
                            .filter_map(|r| r.cidr_ip())
                            .collect::<Vec<_>>()
                            .join("+")
                    )
                })
                .collect();
            v.sort();
            v.join(" ")
        };
        Seen {
            tags: tags_map(g.tags()),
            detail: format!(
                "{} | {} | in[{}] out[{}]",
                g.group_name().unwrap_or_default(),
                g.description().unwrap_or_default(),
                rules(g.ip_permissions()),
                rules(g.ip_permissions_egress())
            ),
        }
    })
}

fn id_of(dir: &Path, addr: &str) -> String {
    state_attrs(dir, addr)["id"].as_str().unwrap().to_string()
}

/// The lifecycle every resource goes through: create, no-op plan, in-place
/// update, replacement, out-of-band deletion, destroy.
struct Case<'a> {
    addr: &'a str,
    /// Configuration for (replacement-forcing value, tag value).
    config: &'a dyn Fn(&str, &str) -> String,
    seen: &'a dyn Fn(&Moto, &str) -> Option<Seen>,
    delete: &'a dyn Fn(&Moto, &str),
    /// Two values of a force-new argument; `None`: the type has none, so
    /// replacement is requested with `-replace`.
    force: (&'a str, Option<&'a str>),
    /// What `detail` contains after create and after replacement.
    detail: (&'a str, &'a str),
}

fn lifecycle(m: &Moto, dir: &Path, c: &Case) {
    let (f1, f2) = c.force;
    write(dir, "main.tf", &(c.config)(f1, "one"));
    let out = apply(m, dir);
    assert!(
        out.contains(&format!("{}: Creation complete", c.addr)),
        "{out}"
    );
    let id = id_of(dir, c.addr);
    let s = (c.seen)(m, &id).expect("created");
    assert_eq!(s.tags.get("Name").map(|x| x.as_str()), Some("one"));
    assert_eq!(
        s.tags.get("Team").map(|x| x.as_str()),
        Some("infra"),
        "default tag"
    );
    assert!(s.detail.contains(c.detail.0), "{}", s.detail);
    let out = plan(m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In-place update of tags.
    write(dir, "main.tf", &(c.config)(f1, "two"));
    let out = plan(m, dir, 2);
    assert!(out.contains("will be updated in-place"), "{out}");
    apply(m, dir);
    assert_eq!(id_of(dir, c.addr), id);
    let s = (c.seen)(m, &id).unwrap();
    assert_eq!(s.tags.get("Name").map(|x| x.as_str()), Some("two"));
    plan(m, dir, 0);

    // Replacement.
    let out = match f2 {
        Some(f2) => {
            write(dir, "main.tf", &(c.config)(f2, "two"));
            let out = plan(m, dir, 2);
            assert!(out.contains("must be replaced"), "{out}");
            apply(m, dir)
        }
        None => run(
            m,
            dir,
            &[
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                &format!("-replace={}", c.addr),
            ],
            0,
        ),
    };
    assert!(out.contains("1 added, 0 changed, 1 destroyed"), "{out}");
    let new_id = id_of(dir, c.addr);
    assert_ne!(new_id, id);
    assert!((c.seen)(m, &id).is_none(), "old object deleted");
    let s = (c.seen)(m, &new_id).unwrap();
    assert!(s.detail.contains(c.detail.1), "{}", s.detail);
    let out = plan(m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Deleted out of band.
    (c.delete)(m, &new_id);
    let out = plan(m, dir, 2);
    assert!(
        out.contains(&format!("# {} will be created", c.addr)),
        "{out}"
    );
    apply(m, dir);
    let again = id_of(dir, c.addr);
    assert!((c.seen)(m, &again).is_some());

    destroy(m, dir);
    assert!((c.seen)(m, &again).is_none(), "destroyed");
}

const PROVIDER: &str = r#"
provider "aws" {
  default_tags {
    tags = { Team = "infra" }
  }
}
"#;

#[test]
fn subnet_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let config = |cidr: &str, name: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "v" {{
  cidr_block = "10.0.0.0/16"
}}
resource "aws_subnet" "s" {{
  vpc_id                  = aws_vpc.v.id
  cidr_block              = "{cidr}"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = true
  tags                    = {{ Name = "{name}" }}
}}
"#
        )
    };
    lifecycle(
        &m,
        d.path(),
        &Case {
            addr: "aws_subnet.s",
            config: &config,
            seen: &subnet,
            delete: &|m, id| {
                m.block_on(m.ec2().delete_subnet().subnet_id(id).send())
                    .unwrap();
            },
            force: ("10.0.1.0/24", Some("10.0.2.0/24")),
            detail: ("10.0.1.0/24 us-east-1b public=true", "10.0.2.0/24"),
        },
    );
}

#[test]
fn internet_gateway_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let config = |vpc: &str, name: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "a" {{
  cidr_block = "10.0.0.0/16"
}}
resource "aws_vpc" "b" {{
  cidr_block = "10.1.0.0/16"
}}
resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.{vpc}.id
  tags   = {{ Name = "{name}" }}
}}
"#
        )
    };
    let vpc_a = std::cell::RefCell::new(String::new());
    lifecycle(
        &m,
        dir,
        &Case {
            addr: "aws_internet_gateway.gw",
            config: &config,
            seen: &|m, id| {
                let s = igw(m, id);
                if vpc_a.borrow().is_empty() {
                    *vpc_a.borrow_mut() = id_of(dir, "aws_vpc.a");
                }
                s
            },
            delete: &|m, id| {
                let vpc = id_of(dir, "aws_vpc.a");
                m.block_on(
                    m.ec2()
                        .detach_internet_gateway()
                        .internet_gateway_id(id)
                        .vpc_id(vpc)
                        .send(),
                )
                .unwrap();
                m.block_on(
                    m.ec2()
                        .delete_internet_gateway()
                        .internet_gateway_id(id)
                        .send(),
                )
                .unwrap();
            },
            force: ("a", None),
            detail: ("vpc-", "vpc-"),
        },
    );

    // vpc_id changes in place: detached from one VPC, attached to the other.
    write(dir, "main.tf", &config("a", "x"));
    apply(&m, dir);
    let id = id_of(dir, "aws_internet_gateway.gw");
    assert_eq!(igw(&m, &id).unwrap().detail, id_of(dir, "aws_vpc.a"));
    write(dir, "main.tf", &config("b", "x"));
    let out = plan(&m, dir, 2);
    assert!(out.contains("will be updated in-place"), "{out}");
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_internet_gateway.gw"), id);
    assert_eq!(igw(&m, &id).unwrap().detail, id_of(dir, "aws_vpc.b"));
    plan(&m, dir, 0);
    destroy(&m, dir);
    assert!(igw(&m, &id).is_none());
}

#[test]
fn security_group_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let config = |name: &str, tag: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "v" {{
  cidr_block = "10.0.0.0/16"
}}
resource "aws_security_group" "web" {{
  name        = "{name}"
  description = "web servers"
  vpc_id      = aws_vpc.v.id
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/8"]
  }}
  tags = {{ Name = "{tag}" }}
}}
"#
        )
    };
    lifecycle(
        &m,
        dir,
        &Case {
            addr: "aws_security_group.web",
            config: &config,
            seen: &sg,
            delete: &|m, id| {
                m.block_on(m.ec2().delete_security_group().group_id(id).send())
                    .unwrap();
            },
            force: ("web", Some("web2")),
            detail: (
                "web | web servers | in[tcp:443-443:0.0.0.0/0] out[-1:-1--1:10.0.0.0/8]",
                "web2 | web servers",
            ),
        },
    );

    // Rules change in place; the default allow-all egress never comes back.
    write(dir, "main.tf", &config("web", "x"));
    apply(&m, dir);
    let id = id_of(dir, "aws_security_group.web");
    let text = config("web", "x").replace(
        "from_port   = 443\n    to_port     = 443",
        "from_port   = 80\n    to_port     = 80",
    );
    write(dir, "main.tf", &text);
    let out = plan(&m, dir, 2);
    assert!(out.contains("will be updated in-place"), "{out}");
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_security_group.web"), id);
    let s = sg(&m, &id).unwrap();
    assert!(
        s.detail
            .ends_with("in[tcp:80-80:0.0.0.0/0] out[-1:-1--1:10.0.0.0/8]"),
        "{}",
        s.detail
    );
    plan(&m, dir, 0);

    // Without egress blocks, AWS's default egress rule is revoked.
    write(
        dir,
        "main.tf",
        "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.5.0.0/16\"\n}\nresource \"aws_security_group\" \"bare\" {\n  name_prefix = \"bare-\"\n  vpc_id      = aws_vpc.v.id\n}\n",
    );
    apply(&m, dir);
    let st = state_attrs(dir, "aws_security_group.bare");
    assert!(st["name"].as_str().unwrap().starts_with("bare-"), "{st}");
    assert_eq!(st["description"], "Managed by Terraform");
    let s = sg(&m, st["id"].as_str().unwrap()).unwrap();
    assert!(s.detail.ends_with("in[] out[]"), "{}", s.detail);
    plan(&m, dir, 0);
    destroy(&m, dir);
}

#[test]
fn availability_zones_data_source() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        r#"
data "aws_availability_zones" "available" {
  state = "available"
}
data "aws_availability_zones" "some" {
  exclude_names = ["us-east-1a"]
}
output "names" { value = data.aws_availability_zones.available.names }
output "ids" { value = data.aws_availability_zones.available.zone_ids }
output "some" { value = data.aws_availability_zones.some.names }
"#,
    );
    apply(&m, dir);
    let o = m.herd(dir).args(["output", "-json"]).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let expected: Vec<String> = {
        let out = m
            .block_on(m.ec2().describe_availability_zones().send())
            .unwrap();
        let mut v: Vec<String> = out
            .availability_zones()
            .iter()
            .filter_map(|z| z.zone_name().map(|s| s.to_string()))
            .collect();
        v.sort();
        v
    };
    let names: Vec<String> = serde_json::from_value(j["names"]["value"].clone()).unwrap();
    assert_eq!(names, expected);
    assert_eq!(j["ids"]["value"].as_array().unwrap().len(), expected.len());
    let some: Vec<String> = serde_json::from_value(j["some"]["value"].clone()).unwrap();
    assert!(!some.contains(&"us-east-1a".to_string()));
    assert_eq!(some.len(), expected.len() - 1);
}

#[test]
fn small_vpc_network() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { Project = "net", Owner = "herd" }
  }
}

variable "ports" {
  default = [22, 80, 443]
}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  azs = toset(slice(data.aws_availability_zones.available.names, 0, 2))
}

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "net" }
}

resource "aws_subnet" "public" {
  for_each                = local.azs
  vpc_id                  = aws_vpc.main.id
  availability_zone       = each.key
  cidr_block              = cidrsubnet(aws_vpc.main.cidr_block, 8, index(sort(tolist(local.azs)), each.key))
  map_public_ip_on_launch = true
  tags                    = { Name = "public-${each.key}" }
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id
  dynamic "ingress" {
    for_each = var.ports
    content {
      description = "port ${ingress.value}"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

output "subnets" { value = { for k, s in aws_subnet.public : k => s.id } }
"#,
    );
    let out = apply(&m, dir);
    assert!(out.contains("5 added, 0 changed, 0 destroyed"), "{out}");
    let vpc = id_of(dir, "aws_vpc.main");

    // Subnets: one per AZ, in the VPC, with the default tags.
    let subnets = m
        .block_on(m.ec2().describe_subnets().filters(f("vpc-id", &vpc)).send())
        .unwrap();
    let mut azs: Vec<String> = subnets
        .subnets()
        .iter()
        .map(|s| s.availability_zone().unwrap().to_string())
        .collect();
    azs.sort();
    assert_eq!(azs, vec!["us-east-1a", "us-east-1b"]);
    for s in subnets.subnets() {
        let t = tags_map(s.tags());
        assert_eq!(t["Project"], "net");
        assert_eq!(
            t["Name"],
            format!("public-{}", s.availability_zone().unwrap())
        );
        assert_eq!(s.map_public_ip_on_launch(), Some(true));
    }
    let gw = id_of(dir, "aws_internet_gateway.gw");
    let g = igw(&m, &gw).unwrap();
    assert_eq!(g.detail, vpc);
    assert_eq!(g.tags["Owner"], "herd");
    let web = sg(&m, &id_of(dir, "aws_security_group.web")).unwrap();
    assert!(
        web.detail.ends_with(
            "in[tcp:22-22:0.0.0.0/0 tcp:443-443:0.0.0.0/0 tcp:80-80:0.0.0.0/0] out[-1:-1--1:0.0.0.0/0]"
        ),
        "{}",
        web.detail
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Changing the default tags updates every object in place.
    let text = std::fs::read_to_string(dir.join("main.tf"))
        .unwrap()
        .replace("Owner = \"herd\"", "Owner = \"ops\"");
    write(dir, "main.tf", &text);
    let out = plan(&m, dir, 2);
    assert!(out.contains("0 to add, 5 to change, 0 to destroy"), "{out}");
    apply(&m, dir);
    assert_eq!(igw(&m, &gw).unwrap().tags["Owner"], "ops");
    plan(&m, dir, 0);

    destroy(&m, dir);
    let vpcs = m
        .block_on(m.ec2().describe_vpcs().filters(f("vpc-id", &vpc)).send())
        .unwrap();
    assert!(vpcs.vpcs().is_empty());
}
