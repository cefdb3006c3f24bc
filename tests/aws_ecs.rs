//! ECS (cluster, Fargate task definition, service), CloudWatch Logs log
//! group and Application Auto Scaling (target, target-tracking policy)
//! against moto, as one web-service configuration. Every check of what
//! exists goes through the test's own ECS / Logs / Application Auto Scaling
//! clients.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use common::moto::*;

struct Knobs<'a> {
    retention: i64,
    count: i64,
    max: i64,
    target: f64,
    tag: &'a str,
    image: &'a str,
}

fn config(k: &Knobs) -> String {
    format!(
        r#"
resource "aws_vpc" "v" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_subnet" "a" {{
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}}

resource "aws_security_group" "web" {{
  name   = "web"
  vpc_id = aws_vpc.v.id
}}

resource "aws_cloudwatch_log_group" "app" {{
  name              = "/ecs/app"
  retention_in_days = {retention}
  tags              = {{ Team = "{tag}" }}
}}

resource "aws_ecs_cluster" "main" {{
  name = "main"
  setting {{
    name  = "containerInsights"
    value = "enabled"
  }}
  tags = {{ Team = "{tag}" }}
}}

resource "aws_ecs_task_definition" "app" {{
  family                   = "app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{{
    name         = "web"
    image        = "{image}"
    portMappings = [{{ containerPort = 80 }}]
    environment  = [{{ name = "B", value = "2" }}, {{ name = "A", value = "1" }}]
    logConfiguration = {{
      logDriver = "awslogs"
      options = {{
        "awslogs-group"         = aws_cloudwatch_log_group.app.name
        "awslogs-region"        = "us-east-1"
        "awslogs-stream-prefix" = "web"
      }}
    }}
  }}])
  tags = {{ Team = "{tag}" }}
}}

resource "aws_ecs_service" "web" {{
  name            = "web"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = {count}
  launch_type     = "FARGATE"
  network_configuration {{
    subnets          = [aws_subnet.a.id]
    security_groups  = [aws_security_group.web.id]
    assign_public_ip = false
  }}
  tags = {{ Team = "{tag}" }}
}}

resource "aws_appautoscaling_target" "web" {{
  service_namespace  = "ecs"
  resource_id        = "service/${{aws_ecs_cluster.main.name}}/${{aws_ecs_service.web.name}}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 2
  max_capacity       = {max}
}}

resource "aws_appautoscaling_policy" "cpu" {{
  name               = "cpu"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  target_tracking_scaling_policy_configuration {{
    target_value       = {target}
    scale_in_cooldown  = 60
    scale_out_cooldown = 60
    predefined_metric_specification {{
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }}
  }}
}}
"#,
        retention = k.retention,
        tag = k.tag,
        image = k.image,
        count = k.count,
        max = k.max,
        target = k.target,
    )
}

/// Everything the test's own clients see, as one comparable summary.
#[derive(Debug, PartialEq)]
struct Seen {
    log_group: Option<(i64, BTreeMap<String, String>)>,
    cluster: Option<(String, String)>,
    /// (revision, image, status)
    task_def: Option<(i32, String, String)>,
    /// (desired, task definition arn, subnets)
    service: Option<(i32, String, usize)>,
    target: Option<(i32, i32)>,
    policy: Option<f64>,
}

fn seen(m: &Moto, td_arn: &str) -> Seen {
    let sdk = m.sdk();
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let aas = aws_sdk_applicationautoscaling::Client::new(&sdk);
    m.block_on(async {
        let lg = logs
            .describe_log_groups()
            .log_group_name_prefix("/ecs/app")
            .send()
            .await
            .unwrap();
        let log_group = match lg
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some("/ecs/app"))
        {
            Some(g) => {
                let arn = g.arn().unwrap().trim_end_matches(":*").to_string();
                let tags = logs
                    .list_tags_for_resource()
                    .resource_arn(arn)
                    .send()
                    .await
                    .unwrap();
                Some((
                    g.retention_in_days().unwrap_or(0) as i64,
                    tags.tags()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .collect(),
                ))
            }
            None => None,
        };
        let cl = ecs
            .describe_clusters()
            .clusters("main")
            .include(aws_sdk_ecs::types::ClusterField::Settings)
            .send()
            .await
            .unwrap();
        let cluster = cl
            .clusters()
            .iter()
            .find(|c| c.status() == Some("ACTIVE"))
            .map(|c| {
                (
                    c.status().unwrap_or_default().to_string(),
                    c.settings()
                        .iter()
                        .map(|s| {
                            format!(
                                "{}={}",
                                s.name().map(|n| n.as_str()).unwrap_or_default(),
                                s.value().unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                )
            });
        let task_def = if td_arn.is_empty() {
            None
        } else {
            ecs.describe_task_definition()
                .task_definition(td_arn)
                .send()
                .await
                .ok()
                .and_then(|o| o.task_definition().cloned())
                .map(|t| {
                    (
                        t.revision(),
                        t.container_definitions()[0]
                            .image()
                            .unwrap_or_default()
                            .to_string(),
                        t.status()
                            .map(|s| s.as_str())
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
        };
        let service = match ecs
            .describe_services()
            .cluster("main")
            .services("web")
            .send()
            .await
        {
            Ok(o) => o
                .services()
                .iter()
                .find(|s| s.status() == Some("ACTIVE"))
                .map(|s| {
                    (
                        s.desired_count(),
                        s.task_definition().unwrap_or_default().to_string(),
                        s.network_configuration()
                            .and_then(|n| n.awsvpc_configuration())
                            .map(|a| a.subnets().len())
                            .unwrap_or(0),
                    )
                }),
            Err(_) => None,
        };
        let t = aas
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Ecs)
            .send()
            .await
            .unwrap();
        let target = t
            .scalable_targets()
            .iter()
            .find(|t| t.resource_id() == "service/main/web")
            .map(|t| (t.min_capacity(), t.max_capacity()));
        let p = aas
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Ecs)
            .send()
            .await
            .unwrap();
        let policy = p
            .scaling_policies()
            .iter()
            .find(|p| p.policy_name() == "cpu")
            .and_then(|p| p.target_tracking_scaling_policy_configuration())
            .map(|c| c.target_value());
        Seen {
            log_group,
            cluster,
            task_def,
            service,
            target,
            policy,
        }
    })
}

fn attr(dir: &Path, addr: &str, name: &str) -> String {
    let a = state_attrs(dir, addr);
    match &a[name] {
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn team(t: &str) -> BTreeMap<String, String> {
    [("Team".to_string(), t.to_string())].into_iter().collect()
}

const ADDRS: &[&str] = &[
    "aws_cloudwatch_log_group.app",
    "aws_ecs_cluster.main",
    "aws_ecs_task_definition.app",
    "aws_ecs_service.web",
    "aws_appautoscaling_target.web",
    "aws_appautoscaling_policy.cpu",
];

#[test]
fn ecs_web_service_lifecycle() {
    let m = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut k = Knobs {
        retention: 7,
        count: 2,
        max: 10,
        target: 50.0,
        tag: "one",
        image: "nginx:1.25",
    };

    // Create.
    write(dir, "main.tf", &config(&k));
    let out = apply(&m, dir);
    for a in ADDRS {
        assert!(
            out.contains(&format!("{a}: Creation complete")),
            "{a}\n{out}"
        );
    }
    let td1 = attr(dir, "aws_ecs_task_definition.app", "arn");
    let svc_arn = attr(dir, "aws_ecs_service.web", "id");
    assert!(td1.ends_with("task-definition/app:1"), "{td1}");
    assert_eq!(attr(dir, "aws_ecs_task_definition.app", "revision"), "1");
    assert_eq!(
        attr(dir, "aws_cloudwatch_log_group.app", "arn"),
        attr(dir, "aws_cloudwatch_log_group.app", "arn").trim_end_matches(":*")
    );
    let s = seen(&m, &td1);
    assert_eq!(s.log_group, Some((7, team("one"))));
    assert_eq!(
        s.cluster,
        Some(("ACTIVE".into(), "containerInsights=enabled".into()))
    );
    assert_eq!(s.task_def, Some((1, "nginx:1.25".into(), "ACTIVE".into())));
    assert_eq!(s.service, Some((2, td1.clone(), 1)));
    assert_eq!(s.target, Some((2, 10)));
    assert_eq!(s.policy, Some(50.0));

    // What AWS returns (defaults, reordered environment) is no change.
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In-place updates.
    k.retention = 14;
    k.count = 3;
    k.max = 12;
    k.target = 60.0;
    k.tag = "two";
    write(dir, "main.tf", &config(&k));
    let out = plan(&m, dir, 2);
    assert!(!out.contains("must be replaced"), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("0 added, 6 changed, 0 destroyed"), "{out}");
    let s = seen(&m, &td1);
    assert_eq!(s.log_group, Some((14, team("two"))));
    assert_eq!(s.task_def, Some((1, "nginx:1.25".into(), "ACTIVE".into())));
    assert_eq!(s.service, Some((3, td1.clone(), 1)));
    assert_eq!(s.target, Some((2, 12)));
    assert_eq!(s.policy, Some(60.0));
    assert_eq!(attr(dir, "aws_ecs_service.web", "id"), svc_arn);
    plan(&m, dir, 0);

    // A container change registers a new revision; the service follows.
    k.image = "nginx:1.27";
    write(dir, "main.tf", &config(&k));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_ecs_task_definition.app must be replaced"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("1 added, 1 changed, 1 destroyed"), "{out}");
    let td2 = attr(dir, "aws_ecs_task_definition.app", "arn");
    assert!(td2.ends_with("task-definition/app:2"), "{td2}");
    let s = seen(&m, &td2);
    assert_eq!(s.task_def, Some((2, "nginx:1.27".into(), "ACTIVE".into())));
    assert_eq!(s.service, Some((3, td2.clone(), 1)));
    assert_eq!(attr(dir, "aws_ecs_service.web", "id"), svc_arn);
    assert_eq!(
        seen(&m, &td1).task_def.map(|t| t.2),
        Some("INACTIVE".to_string())
    );
    plan(&m, dir, 0);

    // Drift: desired count changed out of band is put back.
    let ecs = aws_sdk_ecs::Client::new(&m.sdk());
    m.block_on(
        ecs.update_service()
            .cluster("main")
            .service("web")
            .desired_count(5)
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_ecs_service.web will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(seen(&m, &td2).service, Some((3, td2.clone(), 1)));

    // Drift: the log group deleted out of band is created again.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&m.sdk());
    m.block_on(logs.delete_log_group().log_group_name("/ecs/app").send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_cloudwatch_log_group.app will be created"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(seen(&m, &td2).log_group, Some((14, team("two"))));
    plan(&m, dir, 0);

    // Import every type back after forgetting it.
    let ids = [
        ("aws_cloudwatch_log_group.app", "/ecs/app".to_string()),
        ("aws_ecs_cluster.main", "main".to_string()),
        ("aws_ecs_task_definition.app", td2.clone()),
        ("aws_ecs_service.web", "main/web".to_string()),
        (
            "aws_appautoscaling_target.web",
            "ecs/service/main/web/ecs:service:DesiredCount".to_string(),
        ),
        (
            "aws_appautoscaling_policy.cpu",
            "ecs/service/main/web/ecs:service:DesiredCount/cpu".to_string(),
        ),
    ];
    let mut rm = vec!["state", "rm"];
    rm.extend(ADDRS);
    run(&m, dir, &rm, 0);
    for (addr, id) in &ids {
        let out = run(&m, dir, &["import", "-no-color", addr, id], 0);
        assert!(out.contains("Import successful"), "{addr}\n{out}");
    }
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    assert_eq!(attr(dir, "aws_ecs_service.web", "id"), svc_arn);

    // Destroy: everything is gone.
    destroy(&m, dir);
    let s = seen(&m, &td2);
    assert_eq!(s.log_group, None);
    assert_eq!(s.cluster, None);
    assert_eq!(s.task_def.map(|t| t.2), Some("INACTIVE".to_string()));
    assert_eq!(s.service, None);
    assert_eq!(s.target, None);
    assert_eq!(s.policy, None);
}

/// An `import` block brings an existing log group under management.
#[test]
fn log_group_import_block_and_generated_name() {
    let m = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let logs = aws_sdk_cloudwatchlogs::Client::new(&m.sdk());
    m.block_on(logs.create_log_group().log_group_name("existing").send())
        .unwrap();
    m.block_on(
        logs.put_retention_policy()
            .log_group_name("existing")
            .retention_in_days(30)
            .send(),
    )
    .unwrap();
    write(
        dir,
        "main.tf",
        r#"
import {
  to = aws_cloudwatch_log_group.x
  id = "existing"
}
resource "aws_cloudwatch_log_group" "x" {
  name              = "existing"
  retention_in_days = 30
}
resource "aws_cloudwatch_log_group" "gen" {
  name_prefix = "app-"
}
"#,
    );
    let out = apply(&m, dir);
    assert!(out.contains("1 added, 0 changed, 0 destroyed"), "{out}");
    let gen = attr(dir, "aws_cloudwatch_log_group.gen", "name");
    assert!(gen.starts_with("app-") && gen.len() == 30, "{gen}");
    plan(&m, dir, 0);
    // Retention 0 (never expire) removes the policy.
    write(
        dir,
        "main.tf",
        r#"
resource "aws_cloudwatch_log_group" "x" {
  name = "existing"
}
resource "aws_cloudwatch_log_group" "gen" {
  name_prefix = "app-"
}
"#,
    );
    apply(&m, dir);
    let g = m
        .block_on(
            logs.describe_log_groups()
                .log_group_name_prefix("existing")
                .send(),
        )
        .unwrap();
    assert_eq!(g.log_groups()[0].retention_in_days(), None);
    plan(&m, dir, 0);
    destroy(&m, dir);
    let g = m.block_on(logs.describe_log_groups().send()).unwrap();
    assert!(g.log_groups().is_empty(), "{g:?}");
}

fn capacity_config(cluster: &str, providers: &str, strategy: &str) -> String {
    format!(
        r#"
resource "aws_ecs_cluster" "a" {{
  name = "cap-a"
}}
resource "aws_ecs_cluster" "b" {{
  name = "cap-b"
}}
resource "aws_ecs_cluster_capacity_providers" "x" {{
  cluster_name       = aws_ecs_cluster.{cluster}.name
  capacity_providers = [{providers}]
{strategy}
}}
"#
    )
}

/// (capacity providers, default strategy as (provider, base, weight)) of a
/// cluster, read through the test's own ECS client.
type Capacity = (Vec<String>, Vec<(String, i32, i32)>);

fn capacity(m: &Moto, cluster: &str) -> Capacity {
    let ecs = aws_sdk_ecs::Client::new(&m.sdk());
    let out = m
        .block_on(ecs.describe_clusters().clusters(cluster).send())
        .unwrap();
    let c = &out.clusters()[0];
    let mut p = c.capacity_providers().to_vec();
    p.sort();
    let mut s: Vec<(String, i32, i32)> = c
        .default_capacity_provider_strategy()
        .iter()
        .map(|s| (s.capacity_provider().to_string(), s.base(), s.weight()))
        .collect();
    s.sort();
    (p, s)
}

/// `aws_ecs_cluster_capacity_providers`: Fargate and Fargate Spot with a
/// default strategy; update, move to another cluster (replacement), drift,
/// import, destroy (the providers are detached).
#[test]
fn cluster_capacity_providers_lifecycle() {
    let m = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let both = r#""FARGATE", "FARGATE_SPOT""#;
    let strategy = |base: i32, w1: i32, w2: i32| {
        format!(
            r#"  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE"
    base              = {base}
    weight            = {w1}
  }}
  default_capacity_provider_strategy {{
    capacity_provider = "FARGATE_SPOT"
    weight            = {w2}
  }}"#
        )
    };
    let s = |p: &str, b: i32, w: i32| (p.to_string(), b, w);
    let names = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    write(
        dir,
        "main.tf",
        &capacity_config("a", both, &strategy(1, 1, 3)),
    );
    apply(&m, dir);
    assert_eq!(
        capacity(&m, "cap-a"),
        (
            names(&["FARGATE", "FARGATE_SPOT"]),
            vec![s("FARGATE", 1, 1), s("FARGATE_SPOT", 0, 3)]
        )
    );
    plan(&m, dir, 0);

    // In place: new weights.
    write(
        dir,
        "main.tf",
        &capacity_config("a", both, &strategy(2, 1, 1)),
    );
    let out = apply(&m, dir);
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    assert_eq!(
        capacity(&m, "cap-a").1,
        vec![s("FARGATE", 2, 1), s("FARGATE_SPOT", 0, 1)]
    );
    plan(&m, dir, 0);

    // Drift: the strategy cleared out of band is put back.
    let ecs = aws_sdk_ecs::Client::new(&m.sdk());
    m.block_on(
        ecs.put_cluster_capacity_providers()
            .cluster("cap-a")
            .capacity_providers("FARGATE")
            .set_default_capacity_provider_strategy(Some(vec![]))
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("will be updated in-place"), "{out}");
    apply(&m, dir);
    assert_eq!(capacity(&m, "cap-a").0, names(&["FARGATE", "FARGATE_SPOT"]));
    plan(&m, dir, 0);

    // Import by cluster name.
    run(
        &m,
        dir,
        &["state", "rm", "aws_ecs_cluster_capacity_providers.x"],
        0,
    );
    run(
        &m,
        dir,
        &[
            "import",
            "-input=false",
            "aws_ecs_cluster_capacity_providers.x",
            "cap-a",
        ],
        0,
    );
    plan(&m, dir, 0);

    // Another cluster: replacement; the old cluster loses its providers.
    write(dir, "main.tf", &capacity_config("b", r#""FARGATE""#, ""));
    let out = apply(&m, dir);
    assert!(out.contains("1 added, 0 changed, 1 destroyed"), "{out}");
    assert_eq!(capacity(&m, "cap-a"), (vec![], vec![]));
    assert_eq!(capacity(&m, "cap-b"), (names(&["FARGATE"]), vec![]));
    plan(&m, dir, 0);

    destroy(&m, dir);
    let out = m
        .block_on(ecs.describe_clusters().clusters("cap-b").send())
        .unwrap();
    assert!(out
        .clusters()
        .iter()
        .all(|c| c.status() == Some("INACTIVE")));
}
