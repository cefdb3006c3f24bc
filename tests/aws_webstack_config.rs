//! `tests/fixtures/webstack` against moto: a production web stack written in
//! another team's style than `examples/fargate-app` — the local module owns
//! the load balancer (`aws_alb*` aliases, listener rules with host/path
//! conditions, a fixed-response default, stickiness), RDS manages the master
//! password itself, scaling is step + memory target tracking, IAM policy
//! documents carry conditions, RDS exports its logs. It applies, is checked through the test's own
//! SDK clients, re-plans with no changes and destroys to nothing (leaving the
//! final snapshot).

mod common;

use std::path::Path;

use aws_sdk_applicationautoscaling::types::{PolicyType, ServiceNamespace};
use aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum;
use common::moto::*;

const API_KEY: &str = "pk_live_Wq8zT3vN5sK1";

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

/// VPCs other than moto's default one.
fn own_vpcs(m: &Moto) -> Vec<String> {
    let out = m.block_on(m.ec2().describe_vpcs().send()).unwrap();
    out.vpcs()
        .iter()
        .filter(|v| !v.is_default().unwrap_or(false))
        .filter_map(|v| v.vpc_id().map(|s| s.to_string()))
        .collect()
}

#[test]
fn webstack_applies_replans_clean_and_destroys_with_a_final_snapshot() {
    let m = Moto::start_with_acm_wait(3);
    let d = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webstack"),
        d.path(),
    );
    let dir = d.path();
    let herd = |args: &[&str], code: i32| {
        let o = m
            .herd(dir)
            .env("TF_VAR_payment_api_key", API_KEY)
            .args(args)
            .output()
            .unwrap();
        let t = text(&o);
        assert!(!t.contains(API_KEY), "the API key leaked:\n{t}");
        assert_eq!(o.status.code(), Some(code), "herd {args:?}\n{t}");
        t
    };

    herd(&["init", "-input=false", "-no-color"], 0);
    herd(&["validate", "-no-color"], 0);
    let t = herd(&["plan", "-input=false", "-no-color", "-out=web.plan"], 0);
    assert!(
        t.contains("Plan: 49 to add, 0 to change, 0 to destroy."),
        "{t}"
    );
    assert!(
        t.contains("database_master_secret_arn = (sensitive value)"),
        "{t}"
    );
    let t = herd(&["apply", "-input=false", "-no-color", "web.plan"], 0);
    assert!(t.contains("Apply complete! Resources: 49 added"), "{t}");
    assert!(
        t.contains("database_master_secret_arn = <sensitive>"),
        "{t}"
    );

    let sdk = m.sdk();

    // The load balancer and its listeners.
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let lbs = m
        .block_on(elb.describe_load_balancers().names("shop-prod").send())
        .expect("the load balancer exists");
    let lb_arn = lbs.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let ls = m
        .block_on(elb.describe_listeners().load_balancer_arn(&lb_arn).send())
        .unwrap();
    let listener = |port: i32| {
        ls.listeners()
            .iter()
            .find(|l| l.port() == Some(port))
            .unwrap_or_else(|| panic!("no listener on {port}"))
    };
    let http = &listener(80).default_actions()[0];
    assert_eq!(http.r#type(), Some(&ActionTypeEnum::Redirect));
    let r = http.redirect_config().unwrap();
    assert_eq!(r.protocol(), Some("HTTPS"));
    assert_eq!(r.port(), Some("443"));
    assert_eq!(r.status_code().map(|s| s.as_str()), Some("HTTP_301"));
    let https = listener(443);
    assert_eq!(
        https.ssl_policy(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    assert!(https.certificates()[0]
        .certificate_arn()
        .unwrap_or_default()
        .contains(":acm:"));
    let def = &https.default_actions()[0];
    assert_eq!(def.r#type(), Some(&ActionTypeEnum::FixedResponse));
    assert_eq!(
        def.fixed_response_config().unwrap().status_code(),
        Some("404")
    );
    let rules = m
        .block_on(
            elb.describe_rules()
                .listener_arn(https.listener_arn().unwrap())
                .send(),
        )
        .unwrap();
    let mut prios: Vec<&str> = rules.rules().iter().filter_map(|r| r.priority()).collect();
    prios.sort();
    assert_eq!(prios, ["10", "100", "20", "default"]);

    // The target group: health check and stickiness.
    let tgs = m
        .block_on(
            elb.describe_target_groups()
                .load_balancer_arn(&lb_arn)
                .send(),
        )
        .unwrap();
    let tg = &tgs.target_groups()[0];
    assert!(tg.target_group_name().unwrap().starts_with("app-"));
    assert_eq!(tg.health_check_path(), Some("/healthz"));
    assert_eq!(tg.health_check_interval_seconds(), Some(20));
    assert_eq!(tg.healthy_threshold_count(), Some(2));
    assert_eq!(tg.unhealthy_threshold_count(), Some(4));
    assert_eq!(tg.matcher().and_then(|m| m.http_code()), Some("200-299"));
    let attrs = m
        .block_on(
            elb.describe_target_group_attributes()
                .target_group_arn(tg.target_group_arn().unwrap())
                .send(),
        )
        .unwrap();
    let attr = |k: &str| {
        attrs
            .attributes()
            .iter()
            .find(|a| a.key() == Some(k))
            .and_then(|a| a.value())
            .map(|s| s.to_string())
    };
    assert_eq!(attr("stickiness.enabled").as_deref(), Some("true"));
    assert_eq!(attr("stickiness.type").as_deref(), Some("lb_cookie"));
    assert_eq!(
        attr("stickiness.lb_cookie.duration_seconds").as_deref(),
        Some("3600")
    );
    assert_eq!(
        attr("deregistration_delay.timeout_seconds").as_deref(),
        Some("15")
    );

    // The database: RDS keeps the master password in a secret of its own.
    let rds = aws_sdk_rds::Client::new(&sdk);
    let db_id = state_attrs(dir, "aws_db_instance.postgres")["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(db_id.starts_with("shop-prod-pg-"), "{db_id}");
    let dbs = m
        .block_on(
            rds.describe_db_instances()
                .db_instance_identifier(&db_id)
                .send(),
        )
        .expect("the database exists");
    let db = &dbs.db_instances()[0];
    assert_eq!(db.engine(), Some("postgres"));
    assert_eq!(db.multi_az(), Some(true));
    assert_eq!(db.backup_retention_period(), Some(14));
    assert_eq!(db.storage_encrypted(), Some(true));
    assert_eq!(db.copy_tags_to_snapshot(), Some(true));
    assert_eq!(
        db.preferred_maintenance_window(),
        Some("mon:03:00-mon:04:00")
    );
    let mut exports = db.enabled_cloudwatch_logs_exports().to_vec();
    exports.sort();
    assert_eq!(exports, ["postgresql", "upgrade"]);
    assert_eq!(db.iam_database_authentication_enabled(), Some(true));
    let master = db
        .master_user_secret()
        .and_then(|s| s.secret_arn())
        .expect("a managed master user secret")
        .to_string();

    // The task definition: secrets from both secrets, logs, health check.
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let td = m
        .block_on(
            ecs.describe_task_definition()
                .task_definition("shop-prod-storefront")
                .send(),
        )
        .unwrap();
    let c = &td.task_definition().unwrap().container_definitions()[0];
    assert_eq!(c.name(), Some("storefront"));
    let secrets: Vec<(&str, &str)> = c
        .secrets()
        .iter()
        .map(|s| (s.name(), s.value_from()))
        .collect();
    let app_secret = state_attrs(dir, "aws_secretsmanager_secret.app")["arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        secrets,
        [
            ("DB_PASSWORD", format!("{master}:password::").as_str()),
            (
                "PAYMENT_API_KEY",
                format!("{app_secret}:payment_api_key::").as_str()
            ),
        ]
    );
    assert_eq!(
        c.log_configuration().unwrap().options().unwrap()["awslogs-group"],
        "/ecs/shop-prod/storefront"
    );
    assert_eq!(c.health_check().unwrap().retries(), Some(3));
    assert_eq!(c.port_mappings()[0].container_port(), Some(8080));

    // The service and its scaling.
    let svc = m
        .block_on(
            ecs.describe_services()
                .cluster("shop-prod")
                .services("storefront")
                .send(),
        )
        .unwrap();
    let s = &svc.services()[0];
    assert_eq!(s.desired_count(), 2);
    assert_eq!(s.load_balancers()[0].container_port(), Some(8080));
    let aas = aws_sdk_applicationautoscaling::Client::new(&sdk);
    let targets = m
        .block_on(
            aas.describe_scalable_targets()
                .service_namespace(ServiceNamespace::Ecs)
                .send(),
        )
        .unwrap();
    let st = &targets.scalable_targets()[0];
    assert_eq!(st.resource_id(), "service/shop-prod/storefront");
    assert_eq!((st.min_capacity(), st.max_capacity()), (2, 6));
    let policies = m
        .block_on(
            aas.describe_scaling_policies()
                .service_namespace(ServiceNamespace::Ecs)
                .send(),
        )
        .unwrap();
    let mut kinds: Vec<(String, PolicyType)> = policies
        .scaling_policies()
        .iter()
        .map(|p| (p.policy_name().to_string(), p.policy_type().clone()))
        .collect();
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        kinds,
        [
            ("shop-prod-burst-step".into(), PolicyType::StepScaling),
            (
                "shop-prod-memory-tracking".into(),
                PolicyType::TargetTrackingScaling
            ),
            (
                "shop-prod-requests".into(),
                PolicyType::TargetTrackingScaling
            ),
        ]
    );
    let step = policies
        .scaling_policies()
        .iter()
        .find(|p| p.policy_type() == &PolicyType::StepScaling)
        .and_then(|p| p.step_scaling_policy_configuration())
        .unwrap();
    assert_eq!(step.step_adjustments().len(), 2);
    let label = policies
        .scaling_policies()
        .iter()
        .find(|p| p.policy_name() == "shop-prod-requests")
        .and_then(|p| p.target_tracking_scaling_policy_configuration())
        .and_then(|c| c.predefined_metric_specification())
        .and_then(|m| m.resource_label())
        .unwrap_or_default()
        .to_string();
    assert!(
        label.starts_with("app/shop-prod/") && label.contains("/targetgroup/app-"),
        "{label}"
    );

    // The app's own secret, the IAM policy, DNS.
    let sm = aws_sdk_secretsmanager::Client::new(&sdk);
    let v = m
        .block_on(sm.get_secret_value().secret_id("shop/prod/app").send())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(v.secret_string().unwrap()).unwrap();
    assert_eq!(v["payment_api_key"], API_KEY);
    assert_eq!(v["db_port"], 5432);
    let iam = aws_sdk_iam::Client::new(&sdk);
    let att = m
        .block_on(
            iam.list_attached_role_policies()
                .role_name("shop-prod-task-execution")
                .send(),
        )
        .unwrap();
    let mut names: Vec<&str> = att
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["AmazonECSTaskExecutionRolePolicy", "shop-prod-read-secrets"]
    );
    // moto wraps record values in CDATA, which the SDK's XML reader skips:
    // the test's client unwraps them as herd's own does.
    let r53 = aws_sdk_route53::Client::from_conf(
        aws_sdk_route53::config::Builder::from(&sdk)
            .interceptor(herd::providers::aws::route53::cdata::UnwrapCdata)
            .build(),
    );
    let zone = state_attrs(dir, "aws_route53_zone.primary")["zone_id"]
        .as_str()
        .unwrap()
        .to_string();
    let rrs = m
        .block_on(r53.list_resource_record_sets().hosted_zone_id(&zone).send())
        .unwrap();
    let rr = |name: &str, ty: &str| {
        rrs.resource_record_sets()
            .iter()
            .find(|r| r.name() == name && r.r#type().as_str() == ty)
            .unwrap_or_else(|| panic!("no {ty} record {name}"))
            .clone()
    };
    let apex = rr("shop.example.net.", "A");
    assert!(apex
        .alias_target()
        .unwrap()
        .dns_name()
        .starts_with("shop-prod-"));
    let www = rr("www.shop.example.net.", "CNAME");
    assert_eq!(www.resource_records()[0].value(), "shop.example.net");

    let t = herd(
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        0,
    );
    assert!(t.contains("No changes."), "{t}");

    herd(
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
        0,
    );
    assert!(own_vpcs(&m).is_empty(), "the VPC is gone");
    let left = m.block_on(elb.describe_load_balancers().send()).unwrap();
    assert!(
        left.load_balancers().is_empty(),
        "the load balancer is gone"
    );
    let left = m.block_on(rds.describe_db_instances().send()).unwrap();
    assert!(left.db_instances().is_empty(), "the database is gone");
    let snaps = m
        .block_on(
            rds.describe_db_snapshots()
                .db_snapshot_identifier("shop-prod-pg-final")
                .send(),
        )
        .expect("the final snapshot was taken on destroy");
    assert_eq!(snaps.db_snapshots().len(), 1);
    let left = m
        .block_on(
            ecs.describe_services()
                .cluster("shop-prod")
                .services("storefront")
                .send(),
        )
        .map(|o| {
            o.services()
                .iter()
                .filter(|s| s.status() == Some("ACTIVE"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(left, 0, "the service is gone");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("terraform.tfstate")).unwrap())
            .unwrap();
    let managed = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .count();
    assert_eq!(managed, 0, "no managed resource left in the state");
}
