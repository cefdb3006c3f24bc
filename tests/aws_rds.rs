//! `aws_db_subnet_group`, `aws_db_parameter_group`, `aws_db_instance`,
//! `aws_secretsmanager_secret` and `aws_secretsmanager_secret_version`
//! against moto: the database part of a web stack in one configuration.
//! Every check of what exists in AWS goes through the test's own clients.

mod common;

use std::path::Path;

use common::moto::*;

const PASSWORD: &str = "Sup3rS3cretPassw0rd";

struct Net {
    subnets: Vec<String>,
}

/// A VPC with three subnets, made with the test's own EC2 client.
fn network(m: &Moto) -> Net {
    let ec2 = m.ec2();
    let vpc = m
        .block_on(ec2.create_vpc().cidr_block("10.20.0.0/16").send())
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let mut subnets = vec![];
    for (i, az) in ["us-east-1a", "us-east-1b", "us-east-1c"]
        .iter()
        .enumerate()
    {
        let s = m
            .block_on(
                ec2.create_subnet()
                    .vpc_id(&vpc_id)
                    .cidr_block(format!("10.20.{i}.0/24"))
                    .availability_zone(*az)
                    .send(),
            )
            .unwrap();
        subnets.push(s.subnet().unwrap().subnet_id().unwrap().to_string());
    }
    Net { subnets }
}

struct Knobs<'a> {
    subnets: &'a [String],
    ident: &'a str,
    class: &'a str,
    retention: i64,
    param: &'a str,
    secret_desc: &'a str,
    url_suffix: &'a str,
    stages: Option<&'a str>,
    final_snapshot: &'a str,
    env_tag: &'a str,
}

fn config(k: &Knobs) -> String {
    let subnets = k
        .subnets
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let stages = k
        .stages
        .map(|s| format!("  version_stages = {s}\n"))
        .unwrap_or_default();
    format!(
        r#"
variable "db_password" {{
  type      = string
  sensitive = true
}}

resource "aws_db_subnet_group" "db" {{
  name       = "Web-DB"
  subnet_ids = [{subnets}]
  tags       = {{ env = "{env}" }}
}}

resource "aws_db_parameter_group" "pg" {{
  name   = "web-pg"
  family = "postgres16"
  parameter {{
    name  = "log_min_duration_statement"
    value = "{param}"
  }}
  tags = {{ env = "{env}" }}
}}

resource "aws_db_instance" "db" {{
  identifier                = "{ident}"
  engine                    = "postgres"
  engine_version            = "16"
  instance_class            = "{class}"
  allocated_storage         = 20
  storage_encrypted         = true
  db_name                   = "app"
  username                  = "app"
  password                  = var.db_password
  db_subnet_group_name      = aws_db_subnet_group.db.name
  parameter_group_name      = aws_db_parameter_group.pg.name
  backup_retention_period   = {retention}
  maintenance_window        = "Mon:00:00-Mon:03:00"
  apply_immediately         = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "{final_snapshot}"
  tags                      = {{ env = "{env}" }}
}}

resource "aws_secretsmanager_secret" "db" {{
  name                    = "web/database"
  description             = "{secret_desc}"
  recovery_window_in_days = 0
  tags                    = {{ env = "{env}" }}
}}

resource "aws_secretsmanager_secret_version" "db" {{
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({{
    DATABASE_URL = "postgres://app:${{var.db_password}}@${{aws_db_instance.db.endpoint}}/app{url_suffix}"
  }})
{stages}}}
"#,
        env = k.env_tag,
        ident = k.ident,
        class = k.class,
        retention = k.retention,
        param = k.param,
        secret_desc = k.secret_desc,
        url_suffix = k.url_suffix,
        final_snapshot = k.final_snapshot,
    )
}

fn write_config(dir: &Path, k: &Knobs) {
    write(dir, "main.tf", &config(k));
    write(
        dir,
        "terraform.tfvars",
        &format!("db_password = \"{PASSWORD}\"\n"),
    );
}

fn rds(m: &Moto) -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::new(&m.sdk())
}

fn sm(m: &Moto) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&m.sdk())
}

fn instance(m: &Moto, ident: &str) -> Option<aws_sdk_rds::types::DbInstance> {
    match m.block_on(
        rds(m)
            .describe_db_instances()
            .db_instance_identifier(ident)
            .send(),
    ) {
        Ok(o) => o.db_instances().first().cloned(),
        Err(_) => None,
    }
}

fn subnet_group_subnets(m: &Moto, name: &str) -> Option<Vec<String>> {
    let o = m
        .block_on(
            rds(m)
                .describe_db_subnet_groups()
                .db_subnet_group_name(name)
                .send(),
        )
        .ok()?;
    let g = o.db_subnet_groups().first()?;
    let mut v: Vec<String> = g
        .subnets()
        .iter()
        .filter_map(|s| s.subnet_identifier().map(String::from))
        .collect();
    v.sort();
    Some(v)
}

fn param_value(m: &Moto, group: &str, name: &str) -> Option<String> {
    let o = m
        .block_on(
            rds(m)
                .describe_db_parameters()
                .db_parameter_group_name(group)
                .send(),
        )
        .ok()?;
    o.parameters()
        .iter()
        .find(|p| p.parameter_name() == Some(name))
        .and_then(|p| p.parameter_value().map(String::from))
}

fn snapshot_exists(m: &Moto, id: &str) -> bool {
    m.block_on(
        rds(m)
            .describe_db_snapshots()
            .db_snapshot_identifier(id)
            .send(),
    )
    .map(|o| !o.db_snapshots().is_empty())
    .unwrap_or(false)
}

/// The secret's description, or None when it is gone (or scheduled for
/// deletion).
fn secret_desc(m: &Moto, id: &str) -> Option<String> {
    let d = m
        .block_on(sm(m).describe_secret().secret_id(id).send())
        .ok()?;
    if d.deleted_date().is_some() {
        return None;
    }
    Some(d.description().unwrap_or_default().to_string())
}

fn secret_value(m: &Moto, id: &str) -> String {
    m.block_on(sm(m).get_secret_value().secret_id(id).send())
        .unwrap()
        .secret_string()
        .unwrap_or_default()
        .to_string()
}

fn no_leak(out: &str) {
    assert!(!out.contains(PASSWORD), "password leaked:\n{out}");
}

#[test]
fn database_stack_lifecycle() {
    let m = Moto::start();
    let net = network(&m);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let two = net.subnets[..2].to_vec();
    let mut k = Knobs {
        subnets: &two,
        ident: "web-db",
        class: "db.t3.micro",
        retention: 7,
        param: "500",
        secret_desc: "database url",
        url_suffix: "",
        stages: None,
        final_snapshot: "web-db-final",
        env_tag: "test",
    };
    write_config(dir, &k);

    // Create.
    let out = apply(&m, dir);
    no_leak(&out);
    let db = instance(&m, "web-db").expect("instance created");
    assert_eq!(db.db_instance_class(), Some("db.t3.micro"));
    assert_eq!(db.storage_encrypted(), Some(true));
    assert_eq!(db.backup_retention_period(), Some(7));
    assert_eq!(db.engine(), Some("postgres"));
    assert_eq!(
        db.db_subnet_group().and_then(|g| g.db_subnet_group_name()),
        Some("web-db")
    );
    let mut want = two.clone();
    want.sort();
    assert_eq!(subnet_group_subnets(&m, "web-db"), Some(want));
    assert_eq!(
        param_value(&m, "web-pg", "log_min_duration_statement").as_deref(),
        Some("500")
    );
    let st = state_attrs(dir, "aws_db_instance.db");
    assert_eq!(st["identifier"], "web-db");
    assert_eq!(st["engine_version"], "16");
    assert_eq!(st["maintenance_window"], "mon:00:00-mon:03:00");
    let endpoint = st["endpoint"].as_str().unwrap().to_string();
    assert!(endpoint.ends_with(":5432"), "{endpoint}");
    assert_eq!(st["port"], 5432);
    assert_eq!(state_attrs(dir, "aws_db_subnet_group.db")["name"], "web-db");
    let secret_arn = state_attrs(dir, "aws_secretsmanager_secret.db")["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        secret_desc(&m, &secret_arn).as_deref(),
        Some("database url")
    );
    let url = secret_value(&m, &secret_arn);
    assert!(
        url.contains(&format!("postgres://app:{PASSWORD}@{endpoint}/app")),
        "{url}"
    );
    let v = state_attrs(dir, "aws_secretsmanager_secret_version.db");
    assert_eq!(
        v["id"].as_str().unwrap(),
        format!("{secret_arn}|{}", v["version_id"].as_str().unwrap())
    );

    // No changes; secrets stay out of every output.
    no_leak(&plan(&m, dir, 0));
    let show = run(&m, dir, &["show", "-json"], 0);
    no_leak(&show);

    // In-place updates. (subnet_ids stay: moto's ModifyDBSubnetGroup drops
    // the group from its store, so the update would lose it.)
    k.class = "db.t3.small";
    k.retention = 14;
    k.param = "1000";
    k.secret_desc = "the database url";
    k.env_tag = "staging";
    k.stages = Some("[\"AWSCURRENT\", \"blue\"]");
    write_config(dir, &k);
    let out = plan(&m, dir, 2);
    assert!(out.contains("5 to change, 0 to destroy"), "{out}");
    no_leak(&out);
    no_leak(&apply(&m, dir));
    let db = instance(&m, "web-db").unwrap();
    assert_eq!(db.db_instance_class(), Some("db.t3.small"));
    assert_eq!(db.backup_retention_period(), Some(14));
    assert_eq!(subnet_group_subnets(&m, "web-db").map(|v| v.len()), Some(2));
    assert_eq!(
        param_value(&m, "web-pg", "log_min_duration_statement").as_deref(),
        Some("1000")
    );
    assert_eq!(
        secret_desc(&m, &secret_arn).as_deref(),
        Some("the database url")
    );
    let d = m
        .block_on(sm(&m).describe_secret().secret_id(&secret_arn).send())
        .unwrap();
    let version = v["version_id"].as_str().unwrap().to_string();
    let stages = d.version_ids_to_stages().unwrap()[&version].clone();
    assert!(stages.contains(&"blue".to_string()), "{stages:?}");
    assert_eq!(d.tags().len(), 1);
    assert_eq!(d.tags()[0].value(), Some("staging"));
    let tags = m
        .block_on(
            rds(&m)
                .list_tags_for_resource()
                .resource_name(db.db_instance_arn().unwrap())
                .send(),
        )
        .unwrap();
    assert_eq!(tags.tag_list()[0].value(), Some("staging"));
    plan(&m, dir, 0);

    // Force-new: identifier and secret_string → replacement. The old
    // instance leaves its final snapshot behind.
    k.ident = "web-db2";
    k.url_suffix = "?sslmode=require";
    write_config(dir, &k);
    let out = plan(&m, dir, 2);
    assert!(out.contains("must be replaced"), "{out}");
    no_leak(&out);
    no_leak(&apply(&m, dir));
    assert!(instance(&m, "web-db").is_none(), "old instance gone");
    assert!(snapshot_exists(&m, "web-db-final"), "final snapshot taken");
    let db = instance(&m, "web-db2").expect("new instance");
    assert_eq!(db.db_instance_class(), Some("db.t3.small"));
    let endpoint = state_attrs(dir, "aws_db_instance.db")["endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    let url = secret_value(&m, &secret_arn);
    assert!(
        url.contains(&format!("@{endpoint}/app?sslmode=require")),
        "{url}"
    );
    let v2 = state_attrs(dir, "aws_secretsmanager_secret_version.db");
    assert_ne!(v2["version_id"], v["version_id"]);
    plan(&m, dir, 0);

    // Drift: instance modified out of band → healed.
    m.block_on(
        rds(&m)
            .modify_db_instance()
            .db_instance_identifier("web-db2")
            .backup_retention_period(3)
            .apply_immediately(true)
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("backup_retention_period"), "{out}");
    apply(&m, dir);
    assert_eq!(
        instance(&m, "web-db2").unwrap().backup_retention_period(),
        Some(14)
    );

    // Drift: secret deleted out of band → re-created (with its version).
    m.block_on(
        sm(&m)
            .delete_secret()
            .secret_id(&secret_arn)
            .force_delete_without_recovery(true)
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_secretsmanager_secret.db will be created"),
        "{out}"
    );
    apply(&m, dir);
    let secret_arn = state_attrs(dir, "aws_secretsmanager_secret.db")["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        secret_desc(&m, &secret_arn).as_deref(),
        Some("the database url")
    );
    assert!(secret_value(&m, &secret_arn).contains("DATABASE_URL"));
    plan(&m, dir, 0);

    // Drift: instance deleted out of band → re-created.
    m.block_on(
        rds(&m)
            .delete_db_instance()
            .db_instance_identifier("web-db2")
            .skip_final_snapshot(true)
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_db_instance.db will be created"), "{out}");
    apply(&m, dir);
    assert!(instance(&m, "web-db2").is_some());
    plan(&m, dir, 0);

    // Import everything into a fresh directory with the same configuration
    // (the subnet group through an `import` block).
    let tmp2 = tempfile::tempdir().unwrap();
    let dir2 = tmp2.path();
    k.final_snapshot = "web-db2-final";
    write_config(dir2, &k);
    write(
        dir2,
        "imports.tf",
        "import {\n  to = aws_db_subnet_group.db\n  id = \"web-db\"\n}\n",
    );
    let version_id = state_attrs(dir, "aws_secretsmanager_secret_version.db")["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (addr, id) in [
        ("aws_db_parameter_group.pg", "web-pg"),
        ("aws_db_instance.db", "web-db2"),
        ("aws_secretsmanager_secret.db", secret_arn.as_str()),
        ("aws_secretsmanager_secret_version.db", version_id.as_str()),
    ] {
        let out = run(&m, dir2, &["import", "-no-color", addr, id], 0);
        no_leak(&out);
    }
    let st = state_attrs(dir2, "aws_db_instance.db");
    assert_eq!(st["identifier"], "web-db2");
    assert_eq!(st["backup_retention_period"], 14);
    assert_eq!(st["skip_final_snapshot"], true);
    assert_eq!(
        state_attrs(dir2, "aws_db_parameter_group.pg")["parameter"][0]["value"],
        "1000"
    );
    // Config-only settings (password, final snapshot, recovery window)
    // converge in one apply; then no changes.
    let out = apply(&m, dir2);
    no_leak(&out);
    assert!(out.contains("1 to import"), "{out}");
    assert!(out.contains("0 added"), "{out}");
    assert!(out.contains("0 destroyed"), "{out}");
    plan(&m, dir2, 0);

    // Destroy with a final snapshot.
    std::fs::remove_file(dir2.join("imports.tf")).unwrap();
    no_leak(&destroy(&m, dir2));
    assert!(instance(&m, "web-db2").is_none());
    assert!(
        snapshot_exists(&m, "web-db2-final"),
        "final snapshot on destroy"
    );
    assert!(subnet_group_subnets(&m, "web-db").is_none());
    assert!(param_value(&m, "web-pg", "log_min_duration_statement").is_none());
    assert!(secret_desc(&m, &secret_arn).is_none());
}

#[test]
fn db_instance_delete_rules() {
    let m = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cfg = |skip: bool, protect: bool| {
        format!(
            r#"
resource "aws_db_instance" "x" {{
  identifier_prefix   = "tmp-"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 10
  username            = "app"
  password            = "Passw0rdPassw0rd"
  skip_final_snapshot = {skip}
  deletion_protection = {protect}
}}
"#
        )
    };
    // No final snapshot identifier and skip_final_snapshot = false: destroy
    // fails like the provider's.
    write(dir, "main.tf", &cfg(false, false));
    apply(&m, dir);
    let ident = state_attrs(dir, "aws_db_instance.x")["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ident.starts_with("tmp-"), "{ident}");
    let st = state_attrs(dir, "aws_db_instance.x");
    assert_eq!(st["backup_retention_period"], 1);
    assert_eq!(st["storage_type"], "gp2");
    assert_eq!(st["storage_encrypted"], false);
    plan(&m, dir, 0);
    let out = run(
        &m,
        dir,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
        1,
    );
    assert!(
        out.contains("final_snapshot_identifier is required when skip_final_snapshot is false"),
        "{out}"
    );
    assert!(instance(&m, &ident).is_some());

    // Deletion protection blocks delete with the AWS error.
    write(dir, "main.tf", &cfg(true, true));
    apply(&m, dir);
    assert_eq!(
        instance(&m, &ident).unwrap().deletion_protection(),
        Some(true)
    );
    let out = run(
        &m,
        dir,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
        1,
    );
    assert!(out.contains("deleting RDS DB Instance"), "{out}");
    assert!(instance(&m, &ident).is_some());

    // skip_final_snapshot = true: gone, no snapshot.
    write(dir, "main.tf", &cfg(true, false));
    apply(&m, dir);
    destroy(&m, dir);
    assert!(instance(&m, &ident).is_none());
    let snaps = m.block_on(rds(&m).describe_db_snapshots().send()).unwrap();
    assert!(
        snaps
            .db_snapshots()
            .iter()
            .all(|s| s.snapshot_type() != Some("manual")),
        "no final snapshot"
    );
}
