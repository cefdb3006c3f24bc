//! `aws_lb`, `aws_lb_target_group`, `aws_lb_listener` and
//! `aws_lb_listener_rule` against moto: a VPC with two subnets in two AZs
//! and a security group, an ALB, an ip target group, an HTTP listener
//! redirecting to HTTPS, an HTTPS listener with an ACM certificate, and a
//! listener rule. Every check of what exists goes through the test's own
//! ELBv2 client.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_elasticloadbalancingv2 as elbv2;
use common::moto::*;

fn elb(m: &Moto) -> elbv2::Client {
    elbv2::Client::new(&m.sdk())
}

fn id_of(dir: &Path, addr: &str) -> String {
    state_attrs(dir, addr)["id"].as_str().unwrap().to_string()
}

fn tags(m: &Moto, arn: &str) -> BTreeMap<String, String> {
    let out = m
        .block_on(elb(m).describe_tags().resource_arns(arn).send())
        .unwrap();
    out.tag_descriptions()
        .iter()
        .flat_map(|d| d.tags())
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn lb(m: &Moto, arn: &str) -> Option<elbv2::types::LoadBalancer> {
    m.block_on(
        elb(m)
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send(),
    )
    .ok()
    .and_then(|o| o.load_balancers().first().cloned())
}

fn lb_attrs(m: &Moto, arn: &str) -> BTreeMap<String, String> {
    let out = m
        .block_on(
            elb(m)
                .describe_load_balancer_attributes()
                .load_balancer_arn(arn)
                .send(),
        )
        .unwrap();
    out.attributes()
        .iter()
        .map(|a| {
            (
                a.key().unwrap_or_default().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn tg(m: &Moto, arn: &str) -> Option<elbv2::types::TargetGroup> {
    m.block_on(
        elb(m)
            .describe_target_groups()
            .target_group_arns(arn)
            .send(),
    )
    .ok()
    .and_then(|o| o.target_groups().first().cloned())
}

fn tg_attrs(m: &Moto, arn: &str) -> BTreeMap<String, String> {
    let out = m
        .block_on(
            elb(m)
                .describe_target_group_attributes()
                .target_group_arn(arn)
                .send(),
        )
        .unwrap();
    out.attributes()
        .iter()
        .map(|a| {
            (
                a.key().unwrap_or_default().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn listener(m: &Moto, arn: &str) -> Option<elbv2::types::Listener> {
    m.block_on(elb(m).describe_listeners().listener_arns(arn).send())
        .ok()
        .and_then(|o| o.listeners().first().cloned())
}

fn rule(m: &Moto, arn: &str) -> Option<elbv2::types::Rule> {
    m.block_on(elb(m).describe_rules().rule_arns(arn).send())
        .ok()
        .and_then(|o| o.rules().first().cloned())
}

const NETWORK: &str = r#"
provider "aws" {
  default_tags {
    tags = { Team = "infra" }
  }
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}
resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1b"
}
resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.v.id
}
"#;

struct LbConf<'a> {
    name: &'a str,
    idle: u32,
    hc_path: &'a str,
    tag: &'a str,
    protect: bool,
}

fn lb_config(c: &LbConf) -> String {
    format!(
        r#"{NETWORK}
resource "aws_lb" "web" {{
  name                       = "web-{name}"
  internal                   = false
  load_balancer_type         = "application"
  subnets                    = [aws_subnet.a.id, aws_subnet.b.id]
  security_groups            = [aws_security_group.web.id]
  idle_timeout               = {idle}
  enable_deletion_protection = {protect}
  tags                       = {{ Name = "{tag}" }}
}}
resource "aws_lb_target_group" "app" {{
  name                 = "app-{name}"
  port                 = 8080
  protocol             = "HTTP"
  vpc_id               = aws_vpc.v.id
  target_type          = "ip"
  deregistration_delay = 30
  health_check {{
    path     = "{hc_path}"
    matcher  = "200-299"
    interval = 15
    timeout  = 5
  }}
  tags = {{ Name = "{tag}" }}
}}
"#,
        name = c.name,
        idle = c.idle,
        hc_path = c.hc_path,
        tag = c.tag,
        protect = c.protect,
    )
}

#[test]
fn load_balancer_and_target_group_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let mut c = LbConf {
        name: "one",
        idle: 60,
        hc_path: "/",
        tag: "one",
        protect: false,
    };

    // Create.
    write(dir, "main.tf", &lb_config(&c));
    let out = apply(&m, dir);
    assert!(out.contains("aws_lb.web: Creation complete"), "{out}");
    let lb_arn = id_of(dir, "aws_lb.web");
    let tg_arn = id_of(dir, "aws_lb_target_group.app");
    let l = lb(&m, &lb_arn).expect("load balancer created");
    assert_eq!(l.load_balancer_name(), Some("web-one"));
    assert_eq!(l.availability_zones().len(), 2);
    assert_eq!(l.security_groups().len(), 1);
    assert_eq!(tags(&m, &lb_arn)["Name"], "one");
    assert_eq!(tags(&m, &lb_arn)["Team"], "infra");
    let st = state_attrs(dir, "aws_lb.web");
    assert_eq!(st["arn"], lb_arn.as_str());
    assert_eq!(st["dns_name"], l.dns_name().unwrap());
    assert!(st["arn_suffix"]
        .as_str()
        .unwrap()
        .starts_with("app/web-one/"));
    assert_eq!(st["vpc_id"], state_attrs(dir, "aws_vpc.v")["id"]);
    let t = tg(&m, &tg_arn).expect("target group created");
    assert_eq!(t.target_group_name(), Some("app-one"));
    assert_eq!(t.target_type().unwrap().as_str(), "ip");
    assert_eq!(t.health_check_path(), Some("/"));
    assert_eq!(t.health_check_interval_seconds(), Some(15));
    assert_eq!(t.healthy_threshold_count(), Some(3));
    assert_eq!(t.matcher().unwrap().http_code(), Some("200-299"));
    assert_eq!(
        tg_attrs(&m, &tg_arn)["deregistration_delay.timeout_seconds"],
        "30"
    );
    assert_eq!(tags(&m, &tg_arn)["Name"], "one");
    let st = state_attrs(dir, "aws_lb_target_group.app");
    assert_eq!(st["health_check"]["port"], "traffic-port");
    assert_eq!(st["deregistration_delay"], "30");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In-place update: idle_timeout, health check path, tags.
    c.idle = 120;
    c.hc_path = "/health";
    c.tag = "two";
    write(dir, "main.tf", &lb_config(&c));
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_lb.web will be updated in-place"), "{out}");
    assert!(
        out.contains("aws_lb_target_group.app will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_lb.web"), lb_arn);
    assert_eq!(id_of(dir, "aws_lb_target_group.app"), tg_arn);
    assert_eq!(lb_attrs(&m, &lb_arn)["idle_timeout.timeout_seconds"], "120");
    assert_eq!(tags(&m, &lb_arn)["Name"], "two");
    assert_eq!(
        tg(&m, &tg_arn).unwrap().health_check_path(),
        Some("/health")
    );
    assert_eq!(tags(&m, &tg_arn)["Name"], "two");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: attributes changed out of band are healed.
    m.block_on(
        elb(&m)
            .modify_load_balancer_attributes()
            .load_balancer_arn(&lb_arn)
            .attributes(
                elbv2::types::LoadBalancerAttribute::builder()
                    .key("idle_timeout.timeout_seconds")
                    .value("300")
                    .build(),
            )
            .send(),
    )
    .unwrap();
    m.block_on(
        elb(&m)
            .modify_target_group()
            .target_group_arn(&tg_arn)
            .health_check_path("/drifted")
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_lb.web will be updated in-place"), "{out}");
    assert!(out.contains("/drifted"), "{out}");
    apply(&m, dir);
    assert_eq!(lb_attrs(&m, &lb_arn)["idle_timeout.timeout_seconds"], "120");
    assert_eq!(
        tg(&m, &tg_arn).unwrap().health_check_path(),
        Some("/health")
    );
    plan(&m, dir, 0);

    // Deletion protection is set on the load balancer.
    c.protect = true;
    write(dir, "main.tf", &lb_config(&c));
    apply(&m, dir);
    assert_eq!(lb_attrs(&m, &lb_arn)["deletion_protection.enabled"], "true");
    plan(&m, dir, 0);
    c.protect = false;
    write(dir, "main.tf", &lb_config(&c));
    apply(&m, dir);
    assert_eq!(
        lb_attrs(&m, &lb_arn)["deletion_protection.enabled"],
        "false"
    );

    // Replacement: the names force new objects.
    c.name = "two";
    write(dir, "main.tf", &lb_config(&c));
    let out = plan(&m, dir, 2);
    assert!(out.contains("aws_lb.web must be replaced"), "{out}");
    assert!(
        out.contains("aws_lb_target_group.app must be replaced"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("2 added, 0 changed, 2 destroyed"), "{out}");
    let lb2 = id_of(dir, "aws_lb.web");
    let tg2 = id_of(dir, "aws_lb_target_group.app");
    assert_ne!(lb2, lb_arn);
    assert_ne!(tg2, tg_arn);
    assert!(lb(&m, &lb_arn).is_none(), "old load balancer deleted");
    assert!(tg(&m, &tg_arn).is_none(), "old target group deleted");
    assert_eq!(lb(&m, &lb2).unwrap().load_balancer_name(), Some("web-two"));
    assert_eq!(tg(&m, &tg2).unwrap().target_group_name(), Some("app-two"));
    plan(&m, dir, 0);

    // Deleted out of band: re-created.
    m.block_on(
        elb(&m)
            .delete_load_balancer()
            .load_balancer_arn(&lb2)
            .send(),
    )
    .unwrap();
    m.block_on(elb(&m).delete_target_group().target_group_arn(&tg2).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(out.contains("# aws_lb.web will be created"), "{out}");
    assert!(
        out.contains("# aws_lb_target_group.app will be created"),
        "{out}"
    );
    apply(&m, dir);
    let lb3 = id_of(dir, "aws_lb.web");
    let tg3 = id_of(dir, "aws_lb_target_group.app");
    assert!(lb(&m, &lb3).is_some() && tg(&m, &tg3).is_some());
    plan(&m, dir, 0);

    // Import by ARN.
    run(
        &m,
        dir,
        &["state", "rm", "aws_lb.web", "aws_lb_target_group.app"],
        0,
    );
    run(&m, dir, &["import", "-no-color", "aws_lb.web", &lb3], 0);
    run(
        &m,
        dir,
        &["import", "-no-color", "aws_lb_target_group.app", &tg3],
        0,
    );
    assert_eq!(state_attrs(dir, "aws_lb.web")["name"], "web-two");
    assert_eq!(state_attrs(dir, "aws_lb_target_group.app")["port"], 8080);
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Destroy.
    destroy(&m, dir);
    assert!(lb(&m, &lb3).is_none(), "load balancer destroyed");
    assert!(tg(&m, &tg3).is_none(), "target group destroyed");
}

#[test]
fn generated_names_and_aliases() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    write(
        dir,
        "main.tf",
        &format!(
            r#"{NETWORK}
resource "aws_alb" "gen" {{
  subnets = [aws_subnet.a.id, aws_subnet.b.id]
}}
resource "aws_alb_target_group" "pre" {{
  name_prefix = "tg-"
  port        = 80
  protocol    = "HTTP"
  vpc_id      = aws_vpc.v.id
}}
"#
        ),
    );
    apply(&m, dir);
    let st = state_attrs(dir, "aws_alb.gen");
    let name = st["name"].as_str().unwrap();
    assert!(name.starts_with("tf-lb-") && name.len() <= 32, "{name}");
    assert_eq!(st["load_balancer_type"], "application");
    assert_eq!(st["idle_timeout"], 60);
    assert_eq!(st["enable_http2"], true);
    let arn = st["arn"].as_str().unwrap().to_string();
    assert_eq!(lb(&m, &arn).unwrap().load_balancer_name(), Some(name));
    let st = state_attrs(dir, "aws_alb_target_group.pre");
    assert!(st["name"].as_str().unwrap().starts_with("tg-"), "{st}");
    assert_eq!(st["target_type"], "instance");
    assert_eq!(st["deregistration_delay"], "300");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");
    destroy(&m, dir);
    assert!(lb(&m, &arn).is_none());
}

struct ListenerConf<'a> {
    redirect_code: &'a str,
    priority: u32,
    path: &'a str,
    rule_listener: &'a str,
    tag: &'a str,
}

fn listener_config(cert: &str, c: &ListenerConf) -> String {
    format!(
        r#"{NETWORK}
resource "aws_lb" "web" {{
  name            = "web"
  subnets         = [aws_subnet.a.id, aws_subnet.b.id]
  security_groups = [aws_security_group.web.id]
}}
resource "aws_lb_target_group" "app" {{
  name        = "app"
  port        = 80
  protocol    = "HTTP"
  vpc_id      = aws_vpc.v.id
  target_type = "ip"
  health_check {{
    path = "/health"
  }}
}}
resource "aws_lb_listener" "http" {{
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {{
    type = "redirect"
    redirect {{
      port        = "443"
      protocol    = "HTTPS"
      status_code = "{code}"
    }}
  }}
  tags = {{ Name = "{tag}" }}
}}
resource "aws_lb_listener" "https" {{
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = "{cert}"
  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }}
}}
resource "aws_lb_listener_rule" "api" {{
  listener_arn = aws_lb_listener.{listener}.arn
  priority     = {priority}
  action {{
    type = "fixed-response"
    fixed_response {{
      content_type = "text/plain"
      message_body = "api"
      status_code  = "200"
    }}
  }}
  condition {{
    path_pattern {{
      values = ["{path}"]
    }}
  }}
  condition {{
    host_header {{
      values = ["example.com"]
    }}
  }}
  tags = {{ Name = "{tag}" }}
}}
"#,
        code = c.redirect_code,
        tag = c.tag,
        listener = c.rule_listener,
        priority = c.priority,
        path = c.path,
    )
}

#[test]
fn listeners_and_rules_lifecycle() {
    let m = Moto::start();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let acm = aws_sdk_acm::Client::new(&m.sdk());
    let cert = m
        .block_on(acm.request_certificate().domain_name("example.com").send())
        .unwrap()
        .certificate_arn()
        .unwrap()
        .to_string();
    let mut c = ListenerConf {
        redirect_code: "HTTP_301",
        priority: 10,
        path: "/api/*",
        rule_listener: "https",
        tag: "one",
    };

    // Create.
    write(dir, "main.tf", &listener_config(&cert, &c));
    apply(&m, dir);
    let http = id_of(dir, "aws_lb_listener.http");
    let https = id_of(dir, "aws_lb_listener.https");
    let rule_arn = id_of(dir, "aws_lb_listener_rule.api");
    let l = listener(&m, &http).expect("http listener");
    assert_eq!(l.port(), Some(80));
    let a = &l.default_actions()[0];
    assert_eq!(a.r#type().unwrap().as_str(), "redirect");
    let r = a.redirect_config().unwrap();
    assert_eq!(r.protocol(), Some("HTTPS"));
    assert_eq!(r.port(), Some("443"));
    assert_eq!(r.status_code().unwrap().as_str(), "HTTP_301");
    assert_eq!(tags(&m, &http)["Name"], "one");
    let st = state_attrs(dir, "aws_lb_listener.http");
    assert_eq!(st["default_action"][0]["redirect"]["host"], "#{host}");
    let l = listener(&m, &https).expect("https listener");
    assert_eq!(l.protocol().unwrap().as_str(), "HTTPS");
    assert_eq!(l.certificates()[0].certificate_arn(), Some(cert.as_str()));
    assert_eq!(
        l.default_actions()[0].target_group_arn(),
        Some(id_of(dir, "aws_lb_target_group.app").as_str())
    );
    let r = rule(&m, &rule_arn).expect("rule");
    assert_eq!(r.priority(), Some("10"));
    assert_eq!(r.conditions().len(), 2);
    assert_eq!(
        r.actions()[0]
            .fixed_response_config()
            .unwrap()
            .message_body(),
        Some("api")
    );
    assert_eq!(tags(&m, &rule_arn)["Team"], "infra");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In-place: listener default action, rule priority and condition, tags.
    c.redirect_code = "HTTP_302";
    c.priority = 20;
    c.path = "/v2/*";
    c.tag = "two";
    write(dir, "main.tf", &listener_config(&cert, &c));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_lb_listener.http will be updated in-place"),
        "{out}"
    );
    assert!(
        out.contains("aws_lb_listener_rule.api will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_lb_listener.http"), http);
    assert_eq!(id_of(dir, "aws_lb_listener_rule.api"), rule_arn);
    let l = listener(&m, &http).unwrap();
    assert_eq!(
        l.default_actions()[0]
            .redirect_config()
            .unwrap()
            .status_code()
            .unwrap()
            .as_str(),
        "HTTP_302"
    );
    assert_eq!(tags(&m, &http)["Name"], "two");
    let r = rule(&m, &rule_arn).unwrap();
    assert_eq!(r.priority(), Some("20"));
    let paths: Vec<String> = r
        .conditions()
        .iter()
        .filter(|c| c.field() == Some("path-pattern"))
        .flat_map(|c| {
            c.path_pattern_config()
                .map(|p| p.values().to_vec())
                .unwrap_or_else(|| c.values().to_vec())
        })
        .collect();
    assert_eq!(paths, vec!["/v2/*"]);
    assert_eq!(tags(&m, &rule_arn)["Name"], "two");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: a default action changed out of band is healed.
    m.block_on(
        elb(&m)
            .modify_listener()
            .listener_arn(&http)
            .default_actions(
                elbv2::types::Action::builder()
                    .r#type(elbv2::types::ActionTypeEnum::FixedResponse)
                    .fixed_response_config(
                        elbv2::types::FixedResponseActionConfig::builder()
                            .content_type("text/plain")
                            .status_code("503")
                            .build(),
                    )
                    .build(),
            )
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_lb_listener.http will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    let l = listener(&m, &http).unwrap();
    assert_eq!(
        l.default_actions()[0].r#type().unwrap().as_str(),
        "redirect"
    );
    plan(&m, dir, 0);

    // Replacement: a rule moved to another listener.
    c.rule_listener = "http";
    write(dir, "main.tf", &listener_config(&cert, &c));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_lb_listener_rule.api must be replaced"),
        "{out}"
    );
    apply(&m, dir);
    let rule2 = id_of(dir, "aws_lb_listener_rule.api");
    assert_ne!(rule2, rule_arn);
    assert!(rule(&m, &rule_arn).is_none(), "old rule deleted");
    assert!(rule(&m, &rule2).is_some());
    assert!(rule2.contains(&http.split(":listener/").nth(1).unwrap().to_string()));
    plan(&m, dir, 0);

    // Deleted out of band: re-created.
    m.block_on(elb(&m).delete_rule().rule_arn(&rule2).send())
        .unwrap();
    m.block_on(elb(&m).delete_listener().listener_arn(&https).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("# aws_lb_listener_rule.api will be created"),
        "{out}"
    );
    assert!(
        out.contains("# aws_lb_listener.https will be created"),
        "{out}"
    );
    apply(&m, dir);
    let https2 = id_of(dir, "aws_lb_listener.https");
    let rule3 = id_of(dir, "aws_lb_listener_rule.api");
    assert!(listener(&m, &https2).is_some() && rule(&m, &rule3).is_some());
    plan(&m, dir, 0);

    // Import by ARN.
    run(
        &m,
        dir,
        &[
            "state",
            "rm",
            "aws_lb_listener.http",
            "aws_lb_listener.https",
            "aws_lb_listener_rule.api",
        ],
        0,
    );
    for (addr, arn) in [
        ("aws_lb_listener.http", &http),
        ("aws_lb_listener.https", &https2),
        ("aws_lb_listener_rule.api", &rule3),
    ] {
        run(&m, dir, &["import", "-no-color", addr, arn], 0);
    }
    assert_eq!(
        state_attrs(dir, "aws_lb_listener_rule.api")["listener_arn"],
        http.as_str()
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Destroy.
    destroy(&m, dir);
    assert!(listener(&m, &http).is_none());
    assert!(listener(&m, &https2).is_none());
    assert!(rule(&m, &rule3).is_none());
}
