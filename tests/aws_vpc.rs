//! `aws_vpc` against moto: create, no-op plan, in-place tag update,
//! force-new replacement, out-of-band deletion, destroy, import.

mod common;

use common::moto::*;

fn config(cidr: &str, tags: &str) -> String {
    format!(
        r#"
provider "aws" {{
  default_tags {{
    tags = {{ Project = "herd", Env = "test" }}
  }}
}}

resource "aws_vpc" "main" {{
  cidr_block           = "{cidr}"
  enable_dns_hostnames = true
  tags                 = {tags}
}}

output "vpc_id" {{ value = aws_vpc.main.id }}
output "arn" {{ value = aws_vpc.main.arn }}
output "sg" {{ value = aws_vpc.main.default_security_group_id }}
output "rt" {{ value = aws_vpc.main.main_route_table_id }}
"#
    )
}

fn describe(m: &Moto, id: &str) -> Option<aws_sdk_ec2::types::Vpc> {
    let out = m
        .block_on(
            m.ec2()
                .describe_vpcs()
                .filters(
                    aws_sdk_ec2::types::Filter::builder()
                        .name("vpc-id")
                        .values(id)
                        .build(),
                )
                .send(),
        )
        .unwrap();
    out.vpcs().first().cloned()
}

fn dns_hostnames(m: &Moto, id: &str) -> bool {
    m.block_on(
        m.ec2()
            .describe_vpc_attribute()
            .vpc_id(id)
            .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames)
            .send(),
    )
    .unwrap()
    .enable_dns_hostnames()
    .and_then(|a| a.value())
    .unwrap()
}

fn id_of(dir: &std::path::Path) -> String {
    state_attrs(dir, "aws_vpc.main")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn vpc_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        &config("10.0.0.0/16", r#"{ Name = "main", Env = "own" }"#),
    );
    let out = apply(&m, dir);
    assert!(out.contains("aws_vpc.main: Creation complete"), "{out}");
    let id = id_of(dir);

    // Verified through our own client.
    let v = describe(&m, &id).expect("VPC exists");
    assert_eq!(v.cidr_block(), Some("10.0.0.0/16"));
    let tags = tags_map(v.tags());
    assert_eq!(tags.get("Name").map(|s| s.as_str()), Some("main"));
    assert_eq!(tags.get("Project").map(|s| s.as_str()), Some("herd"));
    // Resource tags override default tags.
    assert_eq!(tags.get("Env").map(|s| s.as_str()), Some("own"));
    assert!(dns_hostnames(&m, &id));
    let st = state_attrs(dir, "aws_vpc.main");
    assert_eq!(st["tags_all"]["Project"], "herd");
    assert_eq!(st["tags_all"]["Env"], "own");
    assert_eq!(st["tags"].as_object().unwrap().len(), 2);
    assert!(st["arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:ec2:us-east-1:"));
    assert!(st["default_security_group_id"]
        .as_str()
        .unwrap()
        .starts_with("sg-"));
    assert!(st["main_route_table_id"]
        .as_str()
        .unwrap()
        .starts_with("rtb-"));
    assert_eq!(st["enable_dns_support"], true);
    assert_eq!(st["instance_tenancy"], "default");

    // Nothing to do.
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Tags change in place.
    write(
        dir,
        "main.tf",
        &config("10.0.0.0/16", r#"{ Name = "renamed" }"#),
    );
    let out = plan(&m, dir, 2);
    assert!(out.contains("will be updated in-place"), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("1 changed"), "{out}");
    assert_eq!(id_of(dir), id, "updated in place");
    let tags = tags_map(describe(&m, &id).unwrap().tags());
    assert_eq!(tags.get("Name").map(|s| s.as_str()), Some("renamed"));
    assert_eq!(tags.get("Env").map(|s| s.as_str()), Some("test"));
    plan(&m, dir, 0);

    // cidr_block forces replacement.
    write(
        dir,
        "main.tf",
        &config("10.1.0.0/16", r#"{ Name = "renamed" }"#),
    );
    let out = plan(&m, dir, 2);
    assert!(out.contains("must be replaced"), "{out}");
    assert!(out.contains("# forces replacement"), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("1 added, 0 changed, 1 destroyed"), "{out}");
    let new_id = id_of(dir);
    assert_ne!(new_id, id);
    assert!(describe(&m, &id).is_none(), "old VPC deleted");
    assert_eq!(
        describe(&m, &new_id).unwrap().cidr_block(),
        Some("10.1.0.0/16")
    );
    plan(&m, dir, 0);

    // Deleted out of band: planned to be created again.
    m.block_on(m.ec2().delete_vpc().vpc_id(&new_id).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("will be created"), "{out}");
    assert!(out.contains("1 to add, 0 to change, 0 to destroy"), "{out}");
    apply(&m, dir);
    let again = id_of(dir);
    assert!(describe(&m, &again).is_some());

    // Destroy.
    let out = destroy(&m, dir);
    assert!(out.contains("1 destroyed"), "{out}");
    assert!(describe(&m, &again).is_none());
}

#[test]
fn vpc_import_and_errors() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let created = m
        .block_on(
            m.ec2()
                .create_vpc()
                .cidr_block("10.9.0.0/16")
                .tag_specifications(
                    aws_sdk_ec2::types::TagSpecification::builder()
                        .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
                        .tags(
                            aws_sdk_ec2::types::Tag::builder()
                                .key("Name")
                                .value("outside")
                                .build(),
                        )
                        .build(),
                )
                .send(),
        )
        .unwrap();
    let id = created.vpc().unwrap().vpc_id().unwrap().to_string();
    write(
        dir,
        "main.tf",
        r#"
resource "aws_vpc" "main" {
  cidr_block = "10.9.0.0/16"
  tags       = { Name = "outside" }
}
"#,
    );
    run(&m, dir, &["import", "-no-color", "aws_vpc.main", &id], 0);
    let st = state_attrs(dir, "aws_vpc.main");
    assert_eq!(st["cidr_block"], "10.9.0.0/16");
    assert_eq!(st["tags"]["Name"], "outside");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Import of a missing id fails.
    let d2 = tempfile::tempdir().unwrap();
    write(
        d2.path(),
        "main.tf",
        "resource \"aws_vpc\" \"x\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
    );
    let out = run(
        &m,
        d2.path(),
        &["import", "-no-color", "aws_vpc.x", "vpc-0000000000000000"],
        1,
    );
    assert!(out.contains("not found"), "{out}");

    // AWS errors carry the code, named the way the AWS provider names them.
    write(
        d2.path(),
        "main.tf",
        "resource \"aws_vpc\" \"bad\" {\n  cidr_block = \"10.0.0.0/8\"\n}\n",
    );
    let out = run(
        &m,
        d2.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        1,
    );
    assert!(
        out.contains("creating EC2 VPC (aws_vpc.bad): InvalidVpc.Range"),
        "{out}"
    );
}

#[test]
fn provider_alias_selects_region_and_default_tags() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        r#"
provider "aws" {
  default_tags {
    tags = { Where = "east" }
  }
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
  default_tags {
    tags = { Where = "west" }
  }
}

resource "aws_vpc" "east" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "west" {
  provider   = aws.west
  cidr_block = "10.1.0.0/16"
}
"#,
    );
    apply(&m, dir);
    let west_id = state_attrs(dir, "aws_vpc.west")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(state_attrs(dir, "aws_vpc.west")["arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:ec2:us-west-2:"));
    // The west VPC exists in us-west-2 (seen by a us-west-2 client), not in us-east-1.
    let conf = aws_sdk_ec2::Config::builder()
        .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
        .region(aws_sdk_ec2::config::Region::new("us-west-2"))
        .endpoint_url(&m.endpoint)
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    let west = aws_sdk_ec2::Client::from_conf(conf);
    let out = m
        .block_on(
            west.describe_vpcs()
                .filters(
                    aws_sdk_ec2::types::Filter::builder()
                        .name("vpc-id")
                        .values(&west_id)
                        .build(),
                )
                .send(),
        )
        .unwrap();
    let v = out.vpcs().first().expect("VPC in us-west-2");
    assert_eq!(tags_map(v.tags())["Where"], "west");
    assert!(describe(&m, &west_id).is_none());
    let east_id = state_attrs(dir, "aws_vpc.east")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        tags_map(describe(&m, &east_id).unwrap().tags())["Where"],
        "east"
    );
    // Refresh reads each VPC through its own provider configuration.
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    destroy(&m, dir);
}
