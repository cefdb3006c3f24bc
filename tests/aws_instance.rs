//! `aws_key_pair`, `aws_instance` and the `aws_ami` data source against
//! moto: a key pair, a VPC with a subnet and two security groups, and an
//! instance of an AMI found by `data "aws_ami"`. Every check of what exists
//! goes through the test's own EC2 client.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_ec2::types::Filter;
use common::moto::*;

const KEY_RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDLdxzcqVo7GarIdsEeGQK1q4V09Pmnk4/jo+WrU4B+4f+TigM9AEHhaqOzMvMmZDWa2mMCCVto5sSavJV31TIG0A2Rds4cS/Q6XHMZAeC7aSauZQJZswt/9iEAskz0h2zgFe1dZew3lh1YrIfX+AOiUnuhUIn0aLumeyc+xDnltM+qPquHLkQHjYvxd2aBATaSMvZMQj9sUcbSw5bCIbhqq+NccYe78OYtrP9Tr/QUvdWC+GUqOFOIMr/N3yB6UVCfm9qj0C9Pz/kYk2SCWnxz3K2sSV6NGKpROj1mRnBHZeHs98YinbrSFNyb9WZ1kdxuhvbcT5aQ1g8/JmpBLIjp a3";
const KEY_ED: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDe/2pYyFRqAWaICC5MHuuKTX30EXkyiXppkKe9SSUZT a3b";

fn f(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// What the test's own client sees of an instance.
#[derive(Debug)]
struct Inst {
    state: String,
    ty: String,
    ami: String,
    key: String,
    subnet: String,
    groups: Vec<String>,
    tags: BTreeMap<String, String>,
}

fn instance(m: &Moto, id: &str) -> Option<Inst> {
    let out = m
        .block_on(m.ec2().describe_instances().instance_ids(id).send())
        .ok()?;
    let i = out.reservations().first()?.instances().first()?.clone();
    let mut groups: Vec<String> = i
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id().map(|s| s.to_string()))
        .collect();
    groups.sort();
    Some(Inst {
        state: i
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        ty: i
            .instance_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        ami: i.image_id().unwrap_or_default().to_string(),
        key: i.key_name().unwrap_or_default().to_string(),
        subnet: i.subnet_id().unwrap_or_default().to_string(),
        groups,
        tags: tags_map(i.tags()),
    })
}

fn running(m: &Moto, id: &str) -> Inst {
    let i = instance(m, id).expect("instance exists");
    assert_eq!(i.state, "running", "{i:?}");
    i
}

fn gone_or_terminated(m: &Moto, id: &str) -> bool {
    instance(m, id)
        .map(|i| i.state == "terminated")
        .unwrap_or(true)
}

/// (fingerprint, tags) of a key pair, if it exists.
fn key_pair(m: &Moto, name: &str) -> Option<(String, BTreeMap<String, String>)> {
    let out = m
        .block_on(
            m.ec2()
                .describe_key_pairs()
                .filters(f("key-name", name))
                .send(),
        )
        .ok()?;
    out.key_pairs().first().map(|k| {
        (
            k.key_fingerprint().unwrap_or_default().to_string(),
            tags_map(k.tags()),
        )
    })
}

/// The id of the one Canonical image whose name contains `release`.
fn ubuntu_ami(m: &Moto, release: &str) -> String {
    let out = m
        .block_on(
            m.ec2()
                .describe_images()
                .owners("099720109477")
                .filters(f(
                    "name",
                    &format!("ubuntu/images/hvm-ssd/ubuntu-{release}-*"),
                ))
                .send(),
        )
        .unwrap();
    assert_eq!(out.images().len(), 1, "one {release} image in moto");
    out.images()[0].image_id().unwrap().to_string()
}

fn attr(dir: &Path, addr: &str, name: &str) -> String {
    state_attrs(dir, addr)[name]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

struct Conf<'a> {
    release: &'a str,
    ty: &'a str,
    groups: &'a str,
    tag: &'a str,
    key: &'a str,
}

fn config(c: &Conf) -> String {
    format!(
        r##"
provider "aws" {{
  default_tags {{
    tags = {{ Team = "infra" }}
  }}
}}

data "aws_ami" "ubuntu" {{
  most_recent = true
  owners      = ["099720109477"]
  name_regex  = "{release}"
  filter {{
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-*-amd64-server-*"]
  }}
  filter {{
    name   = "virtualization-type"
    values = ["hvm"]
  }}
}}

resource "aws_vpc" "v" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_subnet" "s" {{
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}}

resource "aws_security_group" "a" {{
  name   = "a"
  vpc_id = aws_vpc.v.id
}}

resource "aws_security_group" "b" {{
  name   = "b"
  vpc_id = aws_vpc.v.id
}}

resource "aws_key_pair" "k" {{
  key_name   = "deployer"
  public_key = "{key}"
  tags       = {{ Name = "{tag}" }}
}}

resource "aws_instance" "web" {{
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = "{ty}"
  subnet_id              = aws_subnet.s.id
  vpc_security_group_ids = [{groups}]
  key_name               = aws_key_pair.k.key_name
  user_data              = "#!/bin/sh\necho hello\n"
  tags                   = {{ Name = "{tag}" }}
}}

output "ami_name" {{
  value = data.aws_ami.ubuntu.name
}}
output "root_volume" {{
  value = aws_instance.web.root_block_device[0].volume_id
}}
"##,
        release = c.release,
        ty = c.ty,
        groups = c.groups,
        tag = c.tag,
        key = c.key,
    )
}

fn sg_ids(dir: &Path, names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names
        .iter()
        .map(|n| attr(dir, &format!("aws_security_group.{n}"), "id"))
        .collect();
    v.sort();
    v
}

#[test]
fn key_pair_and_instance_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let xenial = ubuntu_ami(&m, "xenial");
    let trusty = ubuntu_ami(&m, "trusty");
    let base = Conf {
        release: "xenial",
        ty: "t2.micro",
        groups: "aws_security_group.a.id",
        tag: "one",
        key: KEY_RSA,
    };

    // Create.
    write(dir, "main.tf", &config(&base));
    let out = apply(&m, dir);
    assert!(out.contains("aws_instance.web: Creation complete"), "{out}");
    let id = attr(dir, "aws_instance.web", "id");
    let i = running(&m, &id);
    assert_eq!(i.ty, "t2.micro");
    assert_eq!(i.ami, xenial);
    assert_eq!(i.key, "deployer");
    assert_eq!(i.subnet, attr(dir, "aws_subnet.s", "id"));
    assert_eq!(i.groups, sg_ids(dir, &["a"]));
    assert_eq!(i.tags.get("Name").map(String::as_str), Some("one"));
    assert_eq!(i.tags.get("Team").map(String::as_str), Some("infra"));
    let st = state_attrs(dir, "aws_instance.web");
    // user_data is kept as its SHA-1, as the provider does.
    assert_eq!(
        st["user_data"],
        sha1_hex(b"#!/bin/sh\necho hello\n").as_str()
    );
    assert_eq!(st["instance_state"], "running");
    assert!(
        st["arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":instance/{id}")),
        "{st}"
    );
    assert_eq!(st["root_block_device"].as_array().unwrap().len(), 1, "{st}");
    let (fp, ktags) = key_pair(&m, "deployer").expect("key pair created");
    assert_eq!(ktags.get("Name").map(String::as_str), Some("one"));
    assert_eq!(ktags.get("Team").map(String::as_str), Some("infra"));
    let kst = state_attrs(dir, "aws_key_pair.k");
    assert_eq!(kst["id"], "deployer");
    assert_eq!(kst["fingerprint"], fp.as_str());
    assert_eq!(kst["key_type"], "rsa");
    assert!(kst["arn"].as_str().unwrap().ends_with(":key-pair/deployer"));
    let o = m.herd(dir).args(["output", "-json"]).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        j["ami_name"]["value"].as_str().unwrap().contains("xenial"),
        "{j}"
    );
    assert!(j["root_volume"]["value"]
        .as_str()
        .unwrap()
        .starts_with("vol-"));
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In-place update: instance type (stop, modify, start), tags, groups.
    let upd = Conf {
        ty: "t2.small",
        groups: "aws_security_group.a.id, aws_security_group.b.id",
        tag: "two",
        ..base
    };
    write(dir, "main.tf", &config(&upd));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_instance.web will be updated in-place"),
        "{out}"
    );
    assert!(
        out.contains("aws_key_pair.k will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(attr(dir, "aws_instance.web", "id"), id);
    let i = running(&m, &id);
    assert_eq!(i.ty, "t2.small");
    assert_eq!(i.groups, sg_ids(dir, &["a", "b"]));
    assert_eq!(i.tags.get("Name").map(String::as_str), Some("two"));
    let (fp2, ktags) = key_pair(&m, "deployer").unwrap();
    assert_eq!(fp2, fp);
    assert_eq!(ktags.get("Name").map(String::as_str), Some("two"));
    plan(&m, dir, 0);

    // Force-new: another AMI replaces the instance, another public key the
    // key pair.
    let repl = Conf {
        release: "trusty",
        key: KEY_ED,
        ..upd
    };
    write(dir, "main.tf", &config(&repl));
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_instance.web must be replaced"), "{out}");
    assert!(out.contains("aws_key_pair.k must be replaced"), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("2 added, 0 changed, 2 destroyed"), "{out}");
    let id2 = attr(dir, "aws_instance.web", "id");
    assert_ne!(id2, id);
    assert!(gone_or_terminated(&m, &id), "old instance terminated");
    let i = running(&m, &id2);
    assert_eq!(i.ami, trusty);
    assert_eq!(i.ty, "t2.small");
    let (fp3, _) = key_pair(&m, "deployer").unwrap();
    assert_ne!(fp3, fp, "new key material");
    assert_eq!(attr(dir, "aws_key_pair.k", "key_type"), "ed25519");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: tags changed out of band are put back.
    m.block_on(
        m.ec2()
            .create_tags()
            .resources(&id2)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Name")
                    .value("drifted")
                    .build(),
            )
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_instance.web will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(
        running(&m, &id2).tags.get("Name").map(String::as_str),
        Some("two")
    );
    plan(&m, dir, 0);

    // Terminated out of band: planned for creation again.
    m.block_on(m.ec2().terminate_instances().instance_ids(&id2).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_instance.web will be created"), "{out}");
    apply(&m, dir);
    let id3 = attr(dir, "aws_instance.web", "id");
    assert_ne!(id3, id2);
    running(&m, &id3);
    plan(&m, dir, 0);

    // Import: the instance matches its configuration again; the key pair's
    // public key cannot be read, so (as in Terraform) it is replaced.
    run(&m, dir, &["state", "rm", "aws_instance.web"], 0);
    run(&m, dir, &["state", "rm", "aws_key_pair.k"], 0);
    run(&m, dir, &["import", "aws_instance.web", &id3], 0);
    run(&m, dir, &["import", "aws_key_pair.k", "deployer"], 0);
    assert_eq!(attr(dir, "aws_key_pair.k", "key_type"), "ed25519");
    let out = plan(&m, dir, 2);
    assert!(!out.contains("aws_instance.web will"), "{out}");
    assert!(!out.contains("aws_instance.web must"), "{out}");
    assert!(out.contains("aws_key_pair.k must be replaced"), "{out}");
    apply(&m, dir);
    plan(&m, dir, 0);
    assert_eq!(attr(dir, "aws_instance.web", "id"), id3);

    // Destroy.
    destroy(&m, dir);
    assert!(gone_or_terminated(&m, &id3), "instance terminated");
    assert!(key_pair(&m, "deployer").is_none(), "key pair deleted");
}

fn sha1_hex(b: &[u8]) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[test]
fn key_pair_generated_name_and_import_block() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        &format!(
            r#"
resource "aws_key_pair" "p" {{
  key_name_prefix = "web-"
  public_key      = "{KEY_ED}\n"
}}
resource "aws_key_pair" "g" {{
  public_key = "{KEY_RSA}"
}}
"#
        ),
    );
    apply(&m, dir);
    let p = attr(dir, "aws_key_pair.p", "key_name");
    assert!(p.starts_with("web-") && p.len() == 4 + 26, "{p}");
    assert_eq!(attr(dir, "aws_key_pair.p", "key_name_prefix"), "web-");
    let g = attr(dir, "aws_key_pair.g", "key_name");
    assert!(g.starts_with("terraform-"), "{g}");
    assert!(key_pair(&m, &p).is_some());
    assert!(key_pair(&m, &g).is_some());
    plan(&m, dir, 0);

    // An import block brings an existing key pair under management.
    m.block_on(
        m.ec2()
            .import_key_pair()
            .key_name("outside")
            .public_key_material(aws_sdk_ec2::primitives::Blob::new(KEY_RSA.as_bytes()))
            .send(),
    )
    .unwrap();
    let mut text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    text.push_str(&format!(
        r#"
import {{
  to = aws_key_pair.o
  id = "outside"
}}
resource "aws_key_pair" "o" {{
  key_name   = "outside"
  public_key = "{KEY_RSA}"
}}
"#
    ));
    write(dir, "main.tf", &text);
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_key_pair.o"), "{out}");
    apply(&m, dir);
    assert_eq!(attr(dir, "aws_key_pair.o", "id"), "outside");
    destroy(&m, dir);
    for n in [p.as_str(), g.as_str(), "outside"] {
        assert!(key_pair(&m, n).is_none(), "{n} deleted");
    }
}

#[test]
fn ami_data_source_errors_and_attributes() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let ds = |body: &str| {
        format!("data \"aws_ami\" \"x\" {{\n{body}\n}}\noutput \"id\" {{ value = data.aws_ami.x.id }}\noutput \"root\" {{ value = data.aws_ami.x.root_device_name }}\noutput \"arch\" {{ value = data.aws_ami.x.architecture }}\n")
    };
    // Several matches without most_recent.
    write(
        dir,
        "main.tf",
        &ds(r#"owners = ["099720109477"]
filter {
  name   = "name"
  values = ["ubuntu/images/*"]
}"#),
    );
    let out = run(&m, dir, &["plan", "-no-color", "-input=false"], 1);
    assert!(
        out.contains("Your query returned more than one result"),
        "{out}"
    );
    // None.
    write(
        dir,
        "main.tf",
        &ds(r#"owners = ["099720109477"]
name_regex = "^nothing"
"#),
    );
    let out = run(&m, dir, &["plan", "-no-color", "-input=false"], 1);
    assert!(out.contains("Your query returned no results."), "{out}");
    // Exactly one, by regex.
    write(
        dir,
        "main.tf",
        &ds(r#"owners = ["099720109477"]
name_regex = "trusty"
"#),
    );
    apply(&m, dir);
    let o = m.herd(dir).args(["output", "-json"]).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["id"]["value"], ubuntu_ami(&m, "trusty").as_str());
    assert_eq!(j["root"]["value"], "/dev/sda1");
    assert_eq!(j["arch"]["value"], "x86_64");
}
