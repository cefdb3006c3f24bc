//! EC2 routing against moto: `aws_route_table` (inline routes),
//! `aws_route`, `aws_route_table_association`, `aws_eip`, `aws_nat_gateway`
//! and `aws_vpc_endpoint`, in the network of a web stack: a VPC with a
//! public and private subnets, an internet gateway, a NAT gateway, route
//! tables and an S3 gateway endpoint. Every check of what exists in AWS
//! goes through the test's own EC2 client.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_ec2::types::Filter;
use common::moto::*;

fn f(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

fn id_of(dir: &Path, addr: &str) -> String {
    state_attrs(dir, addr)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{addr} has no id"))
        .to_string()
}

/// The knobs of the test configuration.
#[derive(Clone)]
struct Knobs {
    tag: &'static str,
    /// Target of `aws_route.private_default`: "nat" or "igw".
    route_target: &'static str,
    route_dest: &'static str,
    /// Route table of the private subnet's association.
    assoc_rt: &'static str,
    /// Subnet of that association.
    assoc_subnet: &'static str,
    /// Route tables of the endpoint.
    ep_rts: &'static str,
    ep_service: &'static str,
    /// An extra inline route on the public table.
    extra_inline: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            tag: "one",
            route_target: "nat",
            route_dest: "0.0.0.0/0",
            assoc_rt: "private",
            assoc_subnet: "private",
            ep_rts: "aws_route_table.private.id",
            ep_service: "s3",
            extra_inline: false,
        }
    }
}

fn config(k: &Knobs) -> String {
    let target = match k.route_target {
        "nat" => "nat_gateway_id = aws_nat_gateway.nat.id",
        _ => "gateway_id     = aws_internet_gateway.gw.id",
    };
    let extra = if k.extra_inline {
        r#"
  route {
    cidr_block = "10.99.0.0/16"
    gateway_id = aws_internet_gateway.gw.id
  }"#
    } else {
        ""
    };
    let tag = k.tag;
    format!(
        r#"
provider "aws" {{
  default_tags {{
    tags = {{ Team = "infra" }}
  }}
}}

resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.main.id
}}

resource "aws_subnet" "public" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}}

resource "aws_subnet" "private" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}}

resource "aws_subnet" "private2" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.3.0/24"
}}

resource "aws_eip" "nat" {{
  domain = "vpc"
  tags   = {{ Name = "eip-{tag}" }}
}}

resource "aws_nat_gateway" "nat" {{
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
  tags          = {{ Name = "nat-{tag}" }}

  timeouts {{
    create = "5m"
  }}

  depends_on = [aws_internet_gateway.gw]
}}

resource "aws_route_table" "public" {{
  vpc_id = aws_vpc.main.id

  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }}{extra}

  tags = {{ Name = "public-{tag}" }}
}}

resource "aws_route_table" "private" {{
  vpc_id = aws_vpc.main.id
  tags   = {{ Name = "private-{tag}" }}
}}

resource "aws_route_table" "private_b" {{
  vpc_id = aws_vpc.main.id
}}

resource "aws_route" "private_default" {{
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "{dest}"
  {target}
}}

resource "aws_route_table_association" "public" {{
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}}

resource "aws_route_table_association" "private" {{
  subnet_id      = aws_subnet.{subnet}.id
  route_table_id = aws_route_table.{assoc_rt}.id
}}

resource "aws_vpc_endpoint" "s3" {{
  vpc_id          = aws_vpc.main.id
  service_name    = "com.amazonaws.us-east-1.{svc}"
  route_table_ids = [{ep_rts}]
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject"]
      Resource  = "*"
    }}]
  }})
  tags = {{ Name = "ep-{tag}" }}
}}
"#,
        dest = k.route_dest,
        subnet = k.assoc_subnet,
        assoc_rt = k.assoc_rt,
        ep_rts = k.ep_rts,
        svc = k.ep_service,
    )
}

// ---------------------------------------------------------------------------
// What the test's own client sees

fn route_table(m: &Moto, id: &str) -> Option<aws_sdk_ec2::types::RouteTable> {
    m.block_on(
        m.ec2()
            .describe_route_tables()
            .filters(f("route-table-id", id))
            .send(),
    )
    .unwrap()
    .route_tables()
    .first()
    .cloned()
}

/// "dest->target" of a route table's routes (local route left out).
fn routes(m: &Moto, rtb: &str) -> Vec<String> {
    let Some(t) = route_table(m, rtb) else {
        return vec![];
    };
    let mut v: Vec<String> = t
        .routes()
        .iter()
        .filter(|r| r.gateway_id() != Some("local"))
        .map(|r| {
            format!(
                "{}->{}",
                r.destination_cidr_block()
                    .or(r.destination_prefix_list_id())
                    .unwrap_or_default(),
                r.gateway_id().or(r.nat_gateway_id()).unwrap_or_default()
            )
        })
        .collect();
    v.sort();
    v
}

fn rt_tags(m: &Moto, rtb: &str) -> BTreeMap<String, String> {
    route_table(m, rtb)
        .map(|t| tags_map(t.tags()))
        .unwrap_or_default()
}

/// (subnet, route table) of a live association.
fn association(m: &Moto, id: &str) -> Option<(String, String)> {
    let out = m
        .block_on(
            m.ec2()
                .describe_route_tables()
                .filters(f("association.route-table-association-id", id))
                .send(),
        )
        .unwrap();
    out.route_tables()
        .iter()
        .flat_map(|t| t.associations())
        .find(|a| a.route_table_association_id() == Some(id))
        .map(|a| {
            (
                a.subnet_id().unwrap_or_default().to_string(),
                a.route_table_id().unwrap_or_default().to_string(),
            )
        })
}

fn eip(m: &Moto, id: &str) -> Option<aws_sdk_ec2::types::Address> {
    m.block_on(
        m.ec2()
            .describe_addresses()
            .filters(f("allocation-id", id))
            .send(),
    )
    .unwrap()
    .addresses()
    .first()
    .cloned()
}

fn nat(m: &Moto, id: &str) -> Option<aws_sdk_ec2::types::NatGateway> {
    m.block_on(
        m.ec2()
            .describe_nat_gateways()
            .filter(f("nat-gateway-id", id))
            .send(),
    )
    .unwrap()
    .nat_gateways()
    .iter()
    .find(|g| g.state().map(|s| s.as_str()) != Some("deleted"))
    .cloned()
}

fn endpoint(m: &Moto, id: &str) -> Option<aws_sdk_ec2::types::VpcEndpoint> {
    m.block_on(m.ec2().describe_vpc_endpoints().send())
        .unwrap()
        .vpc_endpoints()
        .iter()
        .find(|e| {
            e.vpc_endpoint_id() == Some(id)
                && !e
                    .state()
                    .is_some_and(|s| s.as_str().eq_ignore_ascii_case("deleted"))
        })
        .cloned()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// ---------------------------------------------------------------------------

#[test]
fn web_stack_routing() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();

    // Create.
    let k = Knobs::default();
    write(dir, "main.tf", &config(&k));
    let out = apply(&m, dir);
    assert!(
        out.contains("aws_nat_gateway.nat: Creation complete"),
        "{out}"
    );
    let igw = id_of(dir, "aws_internet_gateway.gw");
    let rt_pub = id_of(dir, "aws_route_table.public");
    let rt_priv = id_of(dir, "aws_route_table.private");
    let rt_b = id_of(dir, "aws_route_table.private_b");
    let sn_priv = id_of(dir, "aws_subnet.private");
    let sn_pub = id_of(dir, "aws_subnet.public");
    let eip_id = id_of(dir, "aws_eip.nat");
    let nat_id = id_of(dir, "aws_nat_gateway.nat");
    let ep_id = id_of(dir, "aws_vpc_endpoint.s3");
    let route_id = id_of(dir, "aws_route.private_default");
    let assoc_priv = id_of(dir, "aws_route_table_association.private");
    let assoc_pub = id_of(dir, "aws_route_table_association.public");

    assert_eq!(routes(&m, &rt_pub), vec![format!("0.0.0.0/0->{igw}")]);
    assert!(routes(&m, &rt_priv).contains(&format!("0.0.0.0/0->{nat_id}")));
    assert_eq!(rt_tags(&m, &rt_pub).get("Name").unwrap(), "public-one");
    assert_eq!(rt_tags(&m, &rt_pub).get("Team").unwrap(), "infra");
    assert_eq!(
        association(&m, &assoc_priv),
        Some((sn_priv.clone(), rt_priv.clone()))
    );
    assert_eq!(
        association(&m, &assoc_pub),
        Some((sn_pub.clone(), rt_pub.clone()))
    );
    let a = eip(&m, &eip_id).expect("eip");
    assert_eq!(tags_map(a.tags()).get("Name").unwrap(), "eip-one");
    let g = nat(&m, &nat_id).expect("nat");
    assert_eq!(g.subnet_id(), Some(sn_pub.as_str()));
    assert_eq!(
        g.nat_gateway_addresses()[0].allocation_id(),
        Some(eip_id.as_str())
    );
    assert_eq!(g.state().map(|s| s.as_str()), Some("available"));
    let e = endpoint(&m, &ep_id).expect("endpoint");
    assert_eq!(e.route_table_ids(), std::slice::from_ref(&rt_priv));
    assert_eq!(e.service_name(), Some("com.amazonaws.us-east-1.s3"));
    assert!(e.policy_document().unwrap().contains("s3:GetObject"));

    // State: computed attributes as the provider has them.
    let st = state_attrs(dir, "aws_route.private_default");
    assert_eq!(
        route_id,
        format!(
            "r-{rt_priv}{}",
            crc32(b"0.0.0.0/0") // the provider's hash of the destination
        )
    );
    assert_eq!(st["state"], "active");
    let st = state_attrs(dir, "aws_nat_gateway.nat");
    assert_eq!(st["connectivity_type"], "public");
    assert_eq!(st["public_ip"], a.public_ip().unwrap());
    assert!(st["network_interface_id"]
        .as_str()
        .unwrap()
        .starts_with("eni-"));
    let st = state_attrs(dir, "aws_eip.nat");
    assert_eq!(st["domain"], "vpc");
    assert!(st["public_dns"]
        .as_str()
        .unwrap()
        .ends_with(".compute-1.amazonaws.com"));
    assert!(st["arn"]
        .as_str()
        .unwrap()
        .contains(":elastic-ip/eipalloc-"));
    let st = state_attrs(dir, "aws_vpc_endpoint.s3");
    assert!(st["prefix_list_id"].as_str().unwrap().starts_with("pl-"));
    assert_eq!(st["vpc_endpoint_type"], "Gateway");
    // The configured policy string is kept (AWS's JSON is equivalent).
    assert!(st["policy"].as_str().unwrap().contains("\"s3:GetObject\""));
    // No route blocks on the private table: the aws_route's route is not in
    // its configuration, and does not show as a change either.
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In-place updates: tags everywhere, the route's target, the
    // association's route table, the endpoint's route tables, one more
    // inline route.
    let k2 = Knobs {
        tag: "two",
        route_target: "igw",
        assoc_rt: "private_b",
        ep_rts: "aws_route_table.private.id, aws_route_table.private_b.id",
        extra_inline: true,
        ..Knobs::default()
    };
    write(dir, "main.tf", &config(&k2));
    let out = plan(&m, dir, 2);
    assert!(out.contains("0 to add, 7 to change, 0 to destroy"), "{out}");
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_route.private_default"), route_id);
    assert_eq!(id_of(dir, "aws_route_table.public"), rt_pub);
    assert_eq!(id_of(dir, "aws_nat_gateway.nat"), nat_id);
    assert_eq!(id_of(dir, "aws_eip.nat"), eip_id);
    assert_eq!(id_of(dir, "aws_vpc_endpoint.s3"), ep_id);
    assert!(routes(&m, &rt_priv).contains(&format!("0.0.0.0/0->{igw}")));
    assert_eq!(
        routes(&m, &rt_pub),
        vec![format!("0.0.0.0/0->{igw}"), format!("10.99.0.0/16->{igw}")]
    );
    let assoc_priv = id_of(dir, "aws_route_table_association.private");
    assert_eq!(
        association(&m, &assoc_priv),
        Some((sn_priv.clone(), rt_b.clone()))
    );
    assert_eq!(
        sorted(endpoint(&m, &ep_id).unwrap().route_table_ids().to_vec()),
        sorted(vec![rt_priv.clone(), rt_b.clone()])
    );
    assert_eq!(rt_tags(&m, &rt_priv).get("Name").unwrap(), "private-two");
    let tags = |x: &[aws_sdk_ec2::types::Tag]| tags_map(x).get("Name").cloned().unwrap();
    assert_eq!(tags(eip(&m, &eip_id).unwrap().tags()), "eip-two");
    assert_eq!(tags(nat(&m, &nat_id).unwrap().tags()), "nat-two");
    assert_eq!(tags(endpoint(&m, &ep_id).unwrap().tags()), "ep-two");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Replacement: the route's destination, the association's subnet, the
    // endpoint's service (new endpoint on both tables: its prefix list
    // routes are AWS's, not inline routes).
    let k3 = Knobs {
        route_dest: "192.168.0.0/16",
        assoc_subnet: "private2",
        ep_service: "dynamodb",
        ep_rts: "aws_route_table.private.id, aws_route_table.public.id",
        ..k2.clone()
    };
    write(dir, "main.tf", &config(&k3));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route.private_default must be replaced"),
        "{out}"
    );
    assert!(
        out.contains("aws_vpc_endpoint.s3 must be replaced"),
        "{out}"
    );
    assert!(
        out.contains("aws_route_table_association.private must be replaced"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("3 added, 0 changed, 3 destroyed"), "{out}");
    assert!(endpoint(&m, &ep_id).is_none(), "old endpoint deleted");
    assert!(
        association(&m, &assoc_priv).is_none(),
        "old association gone"
    );
    let ep_id = id_of(dir, "aws_vpc_endpoint.s3");
    let e = endpoint(&m, &ep_id).unwrap();
    assert_eq!(e.service_name(), Some("com.amazonaws.us-east-1.dynamodb"));
    assert!(
        routes(&m, &rt_pub).iter().any(|r| r.starts_with("pl-")),
        "gateway endpoint route on the public table: {:?}",
        routes(&m, &rt_pub)
    );
    let r = routes(&m, &rt_priv);
    assert!(r.contains(&format!("192.168.0.0/16->{igw}")), "{r:?}");
    assert!(!r.contains(&format!("0.0.0.0/0->{igw}")), "{r:?}");
    let assoc_priv = id_of(dir, "aws_route_table_association.private");
    let sn_priv2 = id_of(dir, "aws_subnet.private2");
    assert_eq!(
        association(&m, &assoc_priv),
        Some((sn_priv2.clone(), rt_b.clone()))
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // A new EIP: the NAT gateway's allocation_id forces its replacement.
    write(
        dir,
        "main.tf",
        &config(&Knobs {
            route_target: "nat",
            ..k3.clone()
        }),
    );
    let out = run(
        &m,
        dir,
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-replace=aws_eip.nat",
        ],
        0,
    );
    assert!(out.contains("2 added, 1 changed, 2 destroyed"), "{out}");
    let eip2 = id_of(dir, "aws_eip.nat");
    let nat2 = id_of(dir, "aws_nat_gateway.nat");
    assert_ne!(eip2, eip_id);
    assert_ne!(nat2, nat_id);
    assert!(eip(&m, &eip_id).is_none(), "old EIP released");
    assert!(nat(&m, &nat_id).is_none(), "old NAT gateway deleted");
    assert_eq!(
        nat(&m, &nat2).unwrap().nat_gateway_addresses()[0].allocation_id(),
        Some(eip2.as_str())
    );
    assert!(routes(&m, &rt_priv).contains(&format!("192.168.0.0/16->{nat2}")));
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: a route and an inline route deleted, tags changed, out of band.
    m.block_on(
        m.ec2()
            .delete_route()
            .route_table_id(&rt_priv)
            .destination_cidr_block("192.168.0.0/16")
            .send(),
    )
    .unwrap();
    m.block_on(
        m.ec2()
            .delete_route()
            .route_table_id(&rt_pub)
            .destination_cidr_block("10.99.0.0/16")
            .send(),
    )
    .unwrap();
    for id in [&rt_pub, &eip2, &nat2, &ep_id] {
        m.block_on(
            m.ec2()
                .create_tags()
                .resources(id.as_str())
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key("Name")
                        .value("drifted")
                        .build(),
                )
                .send(),
        )
        .unwrap();
    }
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("# aws_route.private_default will be created"),
        "{out}"
    );
    assert!(
        out.contains("# aws_route_table.public will be updated in-place"),
        "{out}"
    );
    assert!(out.contains("1 to add, 4 to change, 0 to destroy"), "{out}");
    apply(&m, dir);
    assert!(routes(&m, &rt_priv).contains(&format!("192.168.0.0/16->{nat2}")));
    assert!(routes(&m, &rt_pub).contains(&format!("10.99.0.0/16->{igw}")));
    assert_eq!(rt_tags(&m, &rt_pub).get("Name").unwrap(), "public-two");
    assert_eq!(tags(endpoint(&m, &ep_id).unwrap().tags()), "ep-two");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Objects deleted out of band are created again.
    let ec2 = m.ec2();
    m.block_on(ec2.delete_vpc_endpoints().vpc_endpoint_ids(&ep_id).send())
        .unwrap();
    m.block_on(
        ec2.disassociate_route_table()
            .association_id(&assoc_priv)
            .send(),
    )
    .unwrap();
    m.block_on(
        ec2.disassociate_route_table()
            .association_id(id_of(dir, "aws_route_table_association.public"))
            .send(),
    )
    .unwrap();
    m.block_on(ec2.delete_route_table().route_table_id(&rt_pub).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    for a in [
        "aws_vpc_endpoint.s3",
        "aws_route_table_association.private",
        "aws_route_table_association.public",
        "aws_route_table.public",
    ] {
        assert!(
            out.contains(&format!("# {a} will be created")),
            "{a}\n{out}"
        );
    }
    apply(&m, dir);
    let rt_pub = id_of(dir, "aws_route_table.public");
    assert!(routes(&m, &rt_pub).contains(&format!("0.0.0.0/0->{igw}")));
    assert!(endpoint(&m, &id_of(dir, "aws_vpc_endpoint.s3")).is_some());
    assert_eq!(
        association(&m, &id_of(dir, "aws_route_table_association.public")),
        Some((sn_pub.clone(), rt_pub.clone()))
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Import: forget each object, import it by the provider's id format,
    // and the plan is empty again.
    let imports = [
        ("aws_route_table.public", rt_pub.clone()),
        ("aws_route_table.private", rt_priv.clone()),
        (
            "aws_route.private_default",
            format!("{rt_priv}_192.168.0.0/16"),
        ),
        (
            "aws_route_table_association.public",
            format!("{sn_pub}/{rt_pub}"),
        ),
        (
            "aws_route_table_association.private",
            format!("{sn_priv2}/{rt_b}"),
        ),
        ("aws_eip.nat", eip2.clone()),
        ("aws_nat_gateway.nat", nat2.clone()),
        ("aws_vpc_endpoint.s3", id_of(dir, "aws_vpc_endpoint.s3")),
    ];
    for (addr, id) in &imports {
        let before = id_of(dir, addr);
        run(&m, dir, &["state", "rm", addr], 0);
        run(&m, dir, &["import", "-no-color", addr, id], 0);
        assert_eq!(&id_of(dir, addr), &before, "{addr}");
    }
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Destroy: nothing is left.
    let vpc = id_of(dir, "aws_vpc.main");
    let ep_id = id_of(dir, "aws_vpc_endpoint.s3");
    destroy(&m, dir);
    assert!(eip(&m, &eip2).is_none());
    assert!(nat(&m, &nat2).is_none());
    assert!(endpoint(&m, &ep_id).is_none());
    let left = m
        .block_on(
            m.ec2()
                .describe_route_tables()
                .filters(f("vpc-id", &vpc))
                .send(),
        )
        .unwrap();
    assert!(left.route_tables().is_empty(), "{left:?}");
    assert!(m
        .block_on(m.ec2().describe_addresses().send())
        .unwrap()
        .addresses()
        .is_empty());
}

/// CRC-32 (IEEE) of the destination, as in the provider's route ids.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in data {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
