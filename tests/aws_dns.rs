//! `aws_route53_zone`, `aws_route53_record`, `aws_acm_certificate` and
//! `aws_acm_certificate_validation` against moto. Every check of what exists
//! in AWS goes through the test's own Route 53 / ACM clients.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, RrType, Tag, TagResourceType};
use common::moto::*;

fn r53(m: &Moto) -> aws_sdk_route53::Client {
    aws_sdk_route53::Client::new(&m.sdk())
}

fn acm(m: &Moto) -> aws_sdk_acm::Client {
    aws_sdk_acm::Client::new(&m.sdk())
}

fn id_of(dir: &Path, addr: &str) -> String {
    state_attrs(dir, addr)["id"].as_str().unwrap().to_string()
}

/// The zone's comment, or `None` when it does not exist.
fn zone_comment(m: &Moto, id: &str) -> Option<String> {
    let out = m.block_on(r53(m).get_hosted_zone().id(id).send()).ok()?;
    out.hosted_zone().map(|z| {
        z.config()
            .and_then(|c| c.comment())
            .unwrap_or_default()
            .to_string()
    })
}

fn zone_tags(m: &Moto, id: &str) -> BTreeMap<String, String> {
    let out = m
        .block_on(
            r53(m)
                .list_tags_for_resource()
                .resource_type(TagResourceType::Hostedzone)
                .resource_id(id)
                .send(),
        )
        .unwrap();
    out.resource_tag_set()
        .map(|s| {
            s.tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every record set of the zone as "name type ttl values|alias", read with
/// boto3 from moto's venv: moto writes record values as CDATA sections,
/// which the Rust SDK's XML reader returns empty, while boto3 reads them.
fn records(m: &Moto, zone: &str) -> Vec<String> {
    let python = moto_bin().with_file_name("python");
    let script = r#"
import sys, boto3
c = boto3.client("route53", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing")
for r in c.list_resource_record_sets(HostedZoneId=sys.argv[2])["ResourceRecordSets"]:
    vals = ",".join(sorted(v["Value"] for v in r.get("ResourceRecords", [])))
    a = r.get("AliasTarget")
    alias = f" alias={a['DNSName']}@{a['HostedZoneId']}" if a else ""
    print(f"{r['Name']} {r['Type']} {r.get('TTL', 0)} {vals}{alias}")
"#;
    let out = std::process::Command::new(&python)
        .args(["-c", script, &m.endpoint, zone])
        .output()
        .expect("python of the moto venv");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.to_string())
        .collect()
}

fn has_record(m: &Moto, zone: &str, prefix: &str) -> Option<String> {
    records(m, zone).into_iter().find(|r| r.starts_with(prefix))
}

/// Delete a record set out of band, exactly as AWS holds it.
fn delete_record(m: &Moto, zone: &str, name: &str, ty: RrType) {
    let out = m
        .block_on(
            r53(m)
                .list_resource_record_sets()
                .hosted_zone_id(zone)
                .send(),
        )
        .unwrap();
    let rr = out
        .resource_record_sets()
        .iter()
        .find(|r| r.name() == name && *r.r#type() == ty)
        .unwrap_or_else(|| panic!("{name} not found"))
        .clone();
    let change = Change::builder()
        .action(ChangeAction::Delete)
        .resource_record_set(rr)
        .build()
        .unwrap();
    m.block_on(
        r53(m)
            .change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(ChangeBatch::builder().changes(change).build().unwrap())
            .send(),
    )
    .unwrap();
}

fn dns_config(comment: &str, tag: &str, www: &str, ttl: u32, recs: &str) -> String {
    format!(
        r#"
provider "aws" {{
  default_tags {{
    tags = {{ Team = "infra" }}
  }}
}}

resource "aws_route53_zone" "main" {{
  name    = "example.com"
  comment = "{comment}"
  tags    = {{ Name = "{tag}" }}
}}

resource "aws_route53_record" "www" {{
  zone_id = aws_route53_zone.main.zone_id
  name    = "{www}"
  type    = "A"
  ttl     = {ttl}
  records = [{recs}]
}}

resource "aws_route53_record" "cname" {{
  zone_id = aws_route53_zone.main.zone_id
  name    = "blog.example.com"
  type    = "CNAME"
  ttl     = 300
  records = ["www.example.com"]
}}

resource "aws_route53_record" "alias" {{
  zone_id = aws_route53_zone.main.zone_id
  name    = "app"
  type    = "A"
  alias {{
    name                   = "My-LB-123.us-east-1.elb.amazonaws.com."
    zone_id                = "Z35SXDOTRQ7X7K"
    evaluate_target_health = true
  }}
}}

output "ns" {{
  value = aws_route53_zone.main.name_servers
}}
"#
    )
}

#[test]
fn zone_and_records() {
    let m = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    // Create.
    write(
        dir,
        "main.tf",
        &dns_config("first", "one", "www", 300, r#""1.2.3.4""#),
    );
    let out = apply(&m, dir);
    assert!(
        out.contains("aws_route53_zone.main: Creation complete"),
        "{out}"
    );
    let zone = id_of(dir, "aws_route53_zone.main");
    assert!(!zone.starts_with("/hostedzone/"));
    assert_eq!(zone_comment(&m, &zone).as_deref(), Some("first"));
    let tags = zone_tags(&m, &zone);
    assert_eq!(tags.get("Name").map(|s| s.as_str()), Some("one"));
    assert_eq!(tags.get("Team").map(|s| s.as_str()), Some("infra"));
    let z = state_attrs(dir, "aws_route53_zone.main");
    assert_eq!(z["name"], "example.com");
    assert_eq!(z["zone_id"], zone.as_str());
    assert_eq!(
        z["arn"],
        format!("arn:aws:route53:::hostedzone/{zone}").as_str()
    );
    assert!(!z["name_servers"].as_array().unwrap().is_empty());
    assert!(!z["primary_name_server"].as_str().unwrap().is_empty());
    assert_eq!(
        has_record(&m, &zone, "www.example.com. A").as_deref(),
        Some("www.example.com. A 300 1.2.3.4")
    );
    assert_eq!(
        has_record(&m, &zone, "blog.example.com. CNAME").as_deref(),
        Some("blog.example.com. CNAME 300 www.example.com")
    );
    let alias = has_record(&m, &zone, "app.example.com. A").expect("alias record");
    assert!(alias.contains("alias="), "{alias}");
    let www = state_attrs(dir, "aws_route53_record.www");
    assert_eq!(www["id"], format!("{zone}_www_A").as_str());
    assert_eq!(www["fqdn"], "www.example.com");
    let al = state_attrs(dir, "aws_route53_record.alias");
    assert_eq!(
        al["alias"][0]["name"],
        "My-LB-123.us-east-1.elb.amazonaws.com."
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In place: ttl, records, comment, tags.
    write(
        dir,
        "main.tf",
        &dns_config("second", "two", "www", 600, r#""1.2.3.4", "5.6.7.8""#),
    );
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route53_record.www will be updated in-place"),
        "{out}"
    );
    assert!(
        out.contains("aws_route53_zone.main will be updated in-place"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("0 added, 2 changed, 0 destroyed"), "{out}");
    assert_eq!(id_of(dir, "aws_route53_zone.main"), zone);
    assert_eq!(zone_comment(&m, &zone).as_deref(), Some("second"));
    assert_eq!(
        zone_tags(&m, &zone).get("Name").map(|s| s.as_str()),
        Some("two")
    );
    assert_eq!(
        has_record(&m, &zone, "www.example.com. A").as_deref(),
        Some("www.example.com. A 600 1.2.3.4,5.6.7.8")
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Force new: the record's name (FQDN with a trailing dot).
    write(
        dir,
        "main.tf",
        &dns_config(
            "second",
            "two",
            "www2.example.com.",
            600,
            r#""1.2.3.4", "5.6.7.8""#,
        ),
    );
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route53_record.www must be replaced"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("1 added, 0 changed, 1 destroyed"), "{out}");
    assert!(has_record(&m, &zone, "www.example.com. A").is_none());
    assert!(has_record(&m, &zone, "www2.example.com. A").is_some());
    assert_eq!(
        state_attrs(dir, "aws_route53_record.www")["id"],
        format!("{zone}_www2.example.com_A").as_str()
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: record deleted, zone tags changed out of band.
    delete_record(&m, &zone, "www2.example.com.", RrType::A);
    m.block_on(
        r53(&m)
            .change_tags_for_resource()
            .resource_type(TagResourceType::Hostedzone)
            .resource_id(&zone)
            .add_tags(Tag::builder().key("Name").value("drifted").build())
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route53_record.www will be created"),
        "{out}"
    );
    assert!(
        out.contains("aws_route53_zone.main will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert!(has_record(&m, &zone, "www2.example.com. A").is_some());
    assert_eq!(
        zone_tags(&m, &zone).get("Name").map(|s| s.as_str()),
        Some("two")
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Import: forget the objects, import them back.
    for a in [
        "aws_route53_zone.main",
        "aws_route53_record.cname",
        "aws_route53_record.alias",
    ] {
        run(&m, dir, &["state", "rm", a], 0);
    }
    run(
        &m,
        dir,
        &["import", "-no-color", "aws_route53_zone.main", &zone],
        0,
    );
    run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_route53_record.cname",
            &format!("{zone}_blog.example.com_CNAME"),
        ],
        0,
    );
    run(
        &m,
        dir,
        &[
            "import",
            "-no-color",
            "aws_route53_record.alias",
            &format!("{zone}_app.example.com_A"),
        ],
        0,
    );
    let c = state_attrs(dir, "aws_route53_record.cname");
    assert_eq!(c["ttl"], 300);
    assert_eq!(c["records"][0], "www.example.com");
    let out = plan(&m, dir, 2);
    // Only the configured-only settings differ after an import: the alias
    // name spelling and the record name of the imported alias record.
    assert!(
        !out.contains("must be replaced") || out.contains("aws_route53_record.alias"),
        "{out}"
    );
    apply(&m, dir);
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Destroy.
    let out = destroy(&m, dir);
    assert!(out.contains("Destroy complete"), "{out}");
    assert!(zone_comment(&m, &zone).is_none(), "zone deleted");
}

fn cert_config(domain: &str, tag: &str) -> String {
    format!(
        r#"
resource "aws_route53_zone" "main" {{
  name = "example.com"
}}

resource "aws_acm_certificate" "cert" {{
  domain_name               = "{domain}"
  subject_alternative_names = ["www.example.com"]
  validation_method         = "DNS"
  tags                      = {{ Name = "{tag}" }}

  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "aws_route53_record" "validation" {{
  for_each = {{
    for dvo in aws_acm_certificate.cert.domain_validation_options : dvo.domain_name => {{
      name   = dvo.resource_record_name
      record = dvo.resource_record_value
      type   = dvo.resource_record_type
    }}
  }}

  allow_overwrite = true
  name            = each.value.name
  records         = [each.value.record]
  ttl             = 60
  type            = each.value.type
  zone_id         = aws_route53_zone.main.zone_id
}}

resource "aws_acm_certificate_validation" "cert" {{
  certificate_arn         = aws_acm_certificate.cert.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}}
"#
    )
}

/// (domain, SANs, status, tags) of a certificate; `None` when gone.
#[allow(clippy::type_complexity)]
fn cert(m: &Moto, arn: &str) -> Option<(String, Vec<String>, String, BTreeMap<String, String>)> {
    let out = m
        .block_on(acm(m).describe_certificate().certificate_arn(arn).send())
        .ok()?;
    let c = out.certificate()?;
    let tags = m
        .block_on(
            acm(m)
                .list_tags_for_certificate()
                .certificate_arn(arn)
                .send(),
        )
        .unwrap()
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut sans = c.subject_alternative_names().to_vec();
    sans.sort();
    Some((
        c.domain_name().unwrap_or_default().to_string(),
        sans,
        c.status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        tags,
    ))
}

#[test]
fn acm_certificate_with_dns_validation() {
    // moto issues a DNS-validated certificate this many seconds after the
    // request (PENDING_VALIDATION until then): the validation waits.
    std::env::set_var("MOTO_ACM_VALIDATION_WAIT", "1");
    let m = Moto::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    write(dir, "main.tf", &cert_config("example.com", "one"));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route53_record.validation[\"www.example.com\"] will be created"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(
        out.contains("aws_acm_certificate_validation.cert: Creation complete"),
        "{out}"
    );
    let zone = id_of(dir, "aws_route53_zone.main");
    let arn = id_of(dir, "aws_acm_certificate.cert");
    let (domain, sans, status, tags) = cert(&m, &arn).expect("certificate");
    assert_eq!(domain, "example.com");
    assert!(sans.contains(&"www.example.com".to_string()), "{sans:?}");
    assert_eq!(status, "ISSUED");
    assert_eq!(tags.get("Name").map(|s| s.as_str()), Some("one"));
    let c = state_attrs(dir, "aws_acm_certificate.cert");
    assert_eq!(c["arn"], arn.as_str());
    assert_eq!(c["domain_validation_options"].as_array().unwrap().len(), 2);
    assert_eq!(c["validation_method"], "DNS");
    assert_eq!(c["key_algorithm"], "RSA_2048");
    let dvo_names: Vec<String> = c["domain_validation_options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["resource_record_name"].as_str().unwrap().to_string())
        .collect();
    for n in &dvo_names {
        assert!(
            has_record(&m, &zone, &format!("{n} CNAME")).is_some(),
            "{n}"
        );
    }
    let v = state_attrs(dir, "aws_acm_certificate_validation.cert");
    assert!(v["id"].as_str().unwrap().ends_with("+0000 UTC"), "{v}");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // In place: tags.
    write(dir, "main.tf", &cert_config("example.com", "two"));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_acm_certificate.cert will be updated in-place"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(id_of(dir, "aws_acm_certificate.cert"), arn);
    assert_eq!(
        cert(&m, &arn).unwrap().3.get("Name").map(|s| s.as_str()),
        Some("two")
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Force new: the domain name (create before destroy).
    write(dir, "main.tf", &cert_config("app.example.com", "two"));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_acm_certificate.cert must be replaced"),
        "{out}"
    );
    assert!(out.contains("create replacement and then destroy"), "{out}");
    apply(&m, dir);
    let arn2 = id_of(dir, "aws_acm_certificate.cert");
    assert_ne!(arn2, arn);
    assert!(cert(&m, &arn).is_none(), "old certificate deleted");
    assert_eq!(cert(&m, &arn2).unwrap().0, "app.example.com");
    assert!(has_record(
        &m,
        &zone,
        "_d930b28be6c5927595552b219965053e.app.example.com. CNAME"
    )
    .is_some());
    assert_eq!(
        state_attrs(dir, "aws_acm_certificate_validation.cert")["certificate_arn"],
        arn2.as_str()
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: tags changed, a validation record deleted.
    m.block_on(
        acm(&m)
            .add_tags_to_certificate()
            .certificate_arn(&arn2)
            .tags(
                aws_sdk_acm::types::Tag::builder()
                    .key("Name")
                    .value("drifted")
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .unwrap();
    delete_record(
        &m,
        &zone,
        "_d930b28be6c5927595552b219965053e.www.example.com.",
        RrType::Cname,
    );
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_acm_certificate.cert will be updated in-place"),
        "{out}"
    );
    assert!(
        out.contains("aws_route53_record.validation[\"www.example.com\"] will be created"),
        "{out}"
    );
    apply(&m, dir);
    assert_eq!(
        cert(&m, &arn2).unwrap().3.get("Name").map(|s| s.as_str()),
        Some("two")
    );
    assert!(has_record(
        &m,
        &zone,
        "_d930b28be6c5927595552b219965053e.www.example.com. CNAME"
    )
    .is_some());
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Import the certificate back after forgetting it.
    run(&m, dir, &["state", "rm", "aws_acm_certificate.cert"], 0);
    run(
        &m,
        dir,
        &["import", "-no-color", "aws_acm_certificate.cert", &arn2],
        0,
    );
    assert_eq!(id_of(dir, "aws_acm_certificate.cert"), arn2);
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Destroy.
    destroy(&m, dir);
    assert!(cert(&m, &arn2).is_none(), "certificate deleted");
    assert!(zone_comment(&m, &zone).is_none(), "zone deleted");
}
