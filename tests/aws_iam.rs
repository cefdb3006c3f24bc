//! IAM against moto: an ECS task execution role whose trust policy comes
//! from `aws_iam_policy_document`, the AWS managed execution policy attached
//! to it, an inline secrets policy (`jsonencode`) and a customer managed
//! policy (heredoc JSON). Create, no-op plan (semantic JSON comparison),
//! in-place updates, replacement of the role and its dependants, drift,
//! import and destroy — every check of AWS through the test's own client.

mod common;

use std::path::Path;

use common::moto::*;

const EXEC_ARN: &str = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

struct Cfg<'a> {
    role: &'a str,
    description: &'a str,
    max_session: u32,
    tag: &'a str,
    /// Extra action of the customer managed policy.
    action: &'a str,
}

fn config(c: &Cfg) -> String {
    format!(
        r#"
provider "aws" {{
  default_tags {{
    tags = {{ Team = "infra" }}
  }}
}}

data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role" "exec" {{
  name                 = "{role}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  description          = "{description}"
  max_session_duration = {max_session}
  tags                 = {{ Name = "{tag}" }}
}}

resource "aws_iam_role_policy_attachment" "exec" {{
  role       = aws_iam_role.exec.name
  policy_arn = "{EXEC_ARN}"
}}

resource "aws_iam_role_policy" "secrets" {{
  name = "secrets"
  role = aws_iam_role.exec.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = "*"
    }}]
  }})
}}

resource "aws_iam_policy" "logs" {{
  name        = "app-logs"
  description = "log writing"
  tags        = {{ Name = "{tag}" }}
  policy      = <<EOF
{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Action": [
        "logs:CreateLogStream",
        "{action}"
      ],
      "Resource": "*"
    }}
  ]
}}
EOF
}}

output "assume" {{ value = data.aws_iam_policy_document.assume.json }}
"#,
        role = c.role,
        description = c.description,
        max_session = c.max_session,
        tag = c.tag,
        action = c.action,
    )
}

fn iam(m: &Moto) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&m.sdk())
}

fn decode(s: &str) -> String {
    herd::providers::aws::iam::policy::decode_document(s)
}

/// (description, max session, Name tag) of a role, `None` when gone.
fn role(m: &Moto, name: &str) -> Option<(String, i32, String)> {
    let out = m.block_on(iam(m).get_role().role_name(name).send()).ok()?;
    let r = out.role()?;
    let tags = m
        .block_on(iam(m).list_role_tags().role_name(name).send())
        .unwrap();
    let tag = tags
        .tags()
        .iter()
        .find(|t| t.key() == "Name")
        .map(|t| t.value().to_string())
        .unwrap_or_default();
    Some((
        r.description().unwrap_or_default().to_string(),
        r.max_session_duration().unwrap_or_default(),
        tag,
    ))
}

fn attached(m: &Moto, role: &str) -> Vec<String> {
    m.block_on(iam(m).list_attached_role_policies().role_name(role).send())
        .map(|o| {
            o.attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(|s| s.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn inline(m: &Moto, role: &str, name: &str) -> Option<String> {
    m.block_on(
        iam(m)
            .get_role_policy()
            .role_name(role)
            .policy_name(name)
            .send(),
    )
    .ok()
    .map(|o| decode(o.policy_document()))
}

/// The default version's document and version id of a managed policy.
fn managed(m: &Moto, arn: &str) -> Option<(String, String)> {
    let p = m
        .block_on(iam(m).get_policy().policy_arn(arn).send())
        .ok()?;
    let v = p.policy()?.default_version_id()?.to_string();
    let doc = m
        .block_on(
            iam(m)
                .get_policy_version()
                .policy_arn(arn)
                .version_id(&v)
                .send(),
        )
        .unwrap();
    Some((decode(doc.policy_version()?.document()?), v))
}

fn attr(dir: &Path, addr: &str, name: &str) -> String {
    state_attrs(dir, addr)[name]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn iam_execution_role_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let mut c = Cfg {
        role: "app-exec",
        description: "task execution",
        max_session: 3600,
        tag: "one",
        action: "logs:PutLogEvents",
    };

    // Create.
    write(dir, "main.tf", &config(&c));
    let out = apply(&m, dir);
    assert!(out.contains("4 added, 0 changed, 0 destroyed"), "{out}");
    assert_eq!(
        role(&m, "app-exec"),
        Some(("task execution".into(), 3600, "one".into()))
    );
    let trust = m
        .block_on(iam(&m).get_role().role_name("app-exec").send())
        .unwrap();
    let trust = decode(trust.role().unwrap().assume_role_policy_document().unwrap());
    assert!(trust.contains("ecs-tasks.amazonaws.com"), "{trust}");
    assert_eq!(attached(&m, "app-exec"), vec![EXEC_ARN.to_string()]);
    let doc = inline(&m, "app-exec", "secrets").expect("inline policy");
    assert!(doc.contains("secretsmanager:GetSecretValue"), "{doc}");
    let parn = attr(dir, "aws_iam_policy.logs", "arn");
    assert_eq!(attr(dir, "aws_iam_policy.logs", "id"), parn);
    let (doc, v) = managed(&m, &parn).expect("managed policy");
    assert!(doc.contains("logs:PutLogEvents"), "{doc}");
    assert_eq!(v, "v1");
    assert_eq!(
        attr(dir, "aws_iam_role_policy.secrets", "id"),
        "app-exec:secrets"
    );
    assert!(attr(dir, "aws_iam_role_policy_attachment.exec", "id").starts_with("app-exec-"));
    let st = state_attrs(dir, "aws_iam_role.exec");
    assert_eq!(st["tags_all"]["Team"], "infra");
    assert_eq!(st["path"], "/");
    assert!(st["arn"].as_str().unwrap().ends_with(":role/app-exec"));
    // The data source's JSON is exactly the provider's.
    assert!(out.contains("\"Principal\": {"), "{out}");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In-place updates: description, max session, tags, policy document.
    c.description = "runs tasks";
    c.max_session = 7200;
    c.tag = "two";
    c.action = "logs:CreateLogGroup";
    write(dir, "main.tf", &config(&c));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_iam_role.exec will be updated in-place"),
        "{out}"
    );
    assert!(
        out.contains("aws_iam_policy.logs will be updated in-place"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("0 added, 2 changed, 0 destroyed"), "{out}");
    assert_eq!(
        role(&m, "app-exec"),
        Some(("runs tasks".into(), 7200, "two".into())),
        "{out}\n{}",
        state_attrs(dir, "aws_iam_role.exec")
    );
    let (doc, v) = managed(&m, &parn).unwrap();
    assert!(doc.contains("logs:CreateLogGroup"), "{doc}");
    assert_eq!(v, "v2");
    assert_eq!(attr(dir, "aws_iam_policy.logs", "arn"), parn);
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Several more policy changes: the oldest version is pruned at five.
    for (i, a) in ["logs:A1", "logs:A2", "logs:A3", "logs:A4"]
        .iter()
        .enumerate()
    {
        c.action = a;
        write(dir, "main.tf", &config(&c));
        apply(&m, dir);
        let (doc, v) = managed(&m, &parn).unwrap();
        assert!(doc.contains(a), "{doc}");
        assert_eq!(v, format!("v{}", i + 3));
    }
    let versions = m
        .block_on(iam(&m).list_policy_versions().policy_arn(&parn).send())
        .unwrap();
    assert_eq!(versions.versions().len(), 5);

    // Replacement of the role (name forces it) and of its dependants.
    c.role = "app-exec-2";
    write(dir, "main.tf", &config(&c));
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_iam_role.exec must be replaced"), "{out}");
    assert!(
        out.contains("aws_iam_role_policy_attachment.exec must be replaced"),
        "{out}"
    );
    assert!(
        out.contains("aws_iam_role_policy.secrets must be replaced"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("3 added, 0 changed, 3 destroyed"), "{out}");
    assert!(role(&m, "app-exec").is_none(), "old role deleted");
    assert!(role(&m, "app-exec-2").is_some());
    assert_eq!(attached(&m, "app-exec-2"), vec![EXEC_ARN.to_string()]);
    assert!(inline(&m, "app-exec-2", "secrets").is_some());
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: the inline policy changed out of band is put back.
    m.block_on(
        iam(&m)
            .put_role_policy()
            .role_name("app-exec-2")
            .policy_name("secrets")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            )
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_iam_role_policy.secrets will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    let doc = inline(&m, "app-exec-2", "secrets").unwrap();
    assert!(doc.contains("secretsmanager:GetSecretValue"), "{doc}");
    plan(&m, dir, 0);

    // Drift: the attachment removed out of band is re-created.
    m.block_on(
        iam(&m)
            .detach_role_policy()
            .role_name("app-exec-2")
            .policy_arn(EXEC_ARN)
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_iam_role_policy_attachment.exec will be created"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(attached(&m, "app-exec-2"), vec![EXEC_ARN.to_string()]);
    plan(&m, dir, 0);

    // Drift: the role's description changed out of band is healed.
    m.block_on(
        iam(&m)
            .update_role_description()
            .role_name("app-exec-2")
            .description("changed")
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_iam_role.exec will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(role(&m, "app-exec-2").unwrap().0, "runs tasks");

    // Deleted out of band: the managed policy is re-created.
    m.block_on(iam(&m).delete_policy().policy_arn(&parn).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_iam_policy.logs will be created"), "{out}");
    apply(&m, dir);
    let recreated = attr(dir, "aws_iam_policy.logs", "arn");
    assert!(managed(&m, &recreated).is_some());
    plan(&m, dir, 0);

    // Destroy: everything is gone (the role's inline policy and
    // attachment with it).
    let out = destroy(&m, dir);
    assert!(out.contains("4 destroyed"), "{out}");
    assert!(role(&m, "app-exec-2").is_none());
    assert!(managed(&m, &recreated).is_none());
}

#[test]
fn iam_import() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let client = iam(&m);
    m.block_on(
        client
            .create_role()
            .role_name("imported")
            .assume_role_policy_document(trust)
            .description("outside")
            .send(),
    )
    .unwrap();
    m.block_on(
        client
            .attach_role_policy()
            .role_name("imported")
            .policy_arn(EXEC_ARN)
            .send(),
    )
    .unwrap();
    m.block_on(
        client
            .put_role_policy()
            .role_name("imported")
            .policy_name("inline")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#,
            )
            .send(),
    )
    .unwrap();
    let p = m
        .block_on(
            client
                .create_policy()
                .policy_name("outside-policy")
                .policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":"*"}]}"#,
                )
                .send(),
        )
        .unwrap();
    let parn = p.policy().unwrap().arn().unwrap().to_string();
    write(
        dir,
        "main.tf",
        &format!(
            r#"
data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role" "r" {{
  name               = "imported"
  description        = "outside"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}}

resource "aws_iam_role_policy" "p" {{
  name   = "inline"
  role   = aws_iam_role.r.name
  policy = <<EOF
{{
  "Statement": [{{
    "Resource": ["*"],
    "Action": ["secretsmanager:GetSecretValue"],
    "Effect": "Allow"
  }}],
  "Version": "2012-10-17"
}}
EOF
}}

resource "aws_iam_role_policy_attachment" "a" {{
  role       = aws_iam_role.r.name
  policy_arn = "{EXEC_ARN}"
}}

import {{
  to = aws_iam_policy.m
  id = "{parn}"
}}

resource "aws_iam_policy" "m" {{
  name = "outside-policy"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "logs:PutLogEvents", Resource = "*" }}]
  }})
}}
"#
        ),
    );
    run(
        &m,
        dir,
        &["import", "-no-color", "aws_iam_role.r", "imported"],
        0,
    );
    run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_iam_role_policy.p",
            "imported:inline",
        ],
        0,
    );
    run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_iam_role_policy_attachment.a",
            &format!("imported/{EXEC_ARN}"),
        ],
        0,
    );
    let st = state_attrs(dir, "aws_iam_role.r");
    assert_eq!(st["description"], "outside");
    assert_eq!(st["force_detach_policies"], false);
    // The import block brings in the managed policy; nothing else changes.
    let o = m
        .herd(dir)
        .args(["plan", "-input=false", "-no-color"])
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(attr(dir, "aws_iam_policy.m", "arn"), parn);
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // A malformed import id is an error.
    let d2 = tempfile::tempdir().unwrap();
    write(
        d2.path(),
        "main.tf",
        "resource \"aws_iam_role_policy\" \"q\" {\n  role   = \"x\"\n  policy = \"{}\"\n}\n",
    );
    let out = run(
        &m,
        d2.path(),
        &["import", "-no-color", "aws_iam_role_policy.q", "no-colon"],
        1,
    );
    assert!(out.contains("role_policy id must be"), "{out}");

    destroy(&m, dir);
    assert!(role(&m, "imported").is_none());
    assert!(managed(&m, &parn).is_none());
}
