//! `aws_route53_zone`, `aws_route53_record`, `aws_acm_certificate` and
//! `aws_acm_certificate_validation` against moto. Every check of what exists
//! in AWS goes through the test's own Route 53 / ACM clients.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_route53::types::{Tag, TagResourceType};
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

/// Run `script` with boto3 from moto's venv, given `r53` (a Route 53
/// client of this server) and `args`; returns its stdout. Record sets are
/// read and changed out of band this way: boto3's XML reader is independent
/// of the Rust SDK's, which skips the CDATA sections moto writes record
/// values in (herd's client unwraps them; the test's own SDK client does
/// not), so what the test sees of record values does not rely on herd's fix.
fn boto(m: &Moto, script: &str, args: &[&str]) -> String {
    let python = moto_bin().with_file_name("python");
    let script = format!(
        r#"
import sys, boto3
r53 = boto3.client("route53", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
args = sys.argv[2:]
{script}"#
    );
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(&script)
        .arg(&m.endpoint)
        .args(args)
        .output()
        .expect("python of the moto venv");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every record set of the zone as "name type ttl values[ alias=name@zone]"
/// (values sorted, comma separated).
fn records(m: &Moto, zone: &str) -> Vec<String> {
    let script = r#"
for r in r53.list_resource_record_sets(HostedZoneId=args[0])["ResourceRecordSets"]:
    vals = ",".join(sorted(v["Value"] for v in r.get("ResourceRecords", [])))
    a = r.get("AliasTarget")
    alias = f" alias={a['DNSName']}@{a['HostedZoneId']}" if a else ""
    print(f"{r['Name']} {r['Type']} {r.get('TTL', 0)} {vals}{alias}")
"#;
    boto(m, script, &[zone])
        .lines()
        .map(|l| l.to_string())
        .collect()
}

fn has_record(m: &Moto, zone: &str, prefix: &str) -> Option<String> {
    records(m, zone).into_iter().find(|r| r.starts_with(prefix))
}

/// Delete a record set out of band, exactly as AWS holds it.
fn delete_record(m: &Moto, zone: &str, name: &str, ty: &str) {
    let script = r#"
zone, name, ty = args
rr = [r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
      if r["Name"] == name and r["Type"] == ty]
assert rr, f"{name} {ty} not found"
r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
    {"Action": "DELETE", "ResourceRecordSet": rr[0]}]})
"#;
    boto(m, script, &[zone, name, ty]);
}

/// Create or replace a simple record set out of band (values comma separated).
fn upsert_record(m: &Moto, zone: &str, name: &str, ty: &str, ttl: u32, values: &str) {
    let script = r#"
zone, name, ty, ttl, vals = args
r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
    {"Action": "UPSERT", "ResourceRecordSet": {
        "Name": name, "Type": ty, "TTL": int(ttl),
        "ResourceRecords": [{"Value": v} for v in vals.split(",")]}}]})
"#;
    boto(m, script, &[zone, name, ty, &ttl.to_string(), values]);
}

/// The ids of every hosted zone of the server.
fn zone_ids(m: &Moto) -> Vec<String> {
    let out = m.block_on(r53(m).list_hosted_zones().send()).unwrap();
    out.hosted_zones()
        .iter()
        .map(|z| z.id().trim_start_matches("/hostedzone/").to_string())
        .collect()
}

/// moto for this test binary. moto issues a DNS-validated certificate
/// `MOTO_ACM_VALIDATION_WAIT` seconds after the request (default 60),
/// whether or not the validation records exist: it never looks at DNS.
/// The server is shared by the binary's tests and started by whichever comes
/// first, so each asks for the same wait.
fn moto() -> Moto {
    Moto::start_with_acm_wait(1)
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
    let m = moto();
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

    // Drift: record values and ttl, zone comment changed out of band.
    upsert_record(&m, &zone, "www2.example.com.", "A", 900, "9.9.9.9");
    m.block_on(
        r53(&m)
            .update_hosted_zone_comment()
            .id(&zone)
            .comment("drifted")
            .send(),
    )
    .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route53_record.www will be updated in-place"),
        "{out}"
    );
    assert!(out.contains(r#"- "9.9.9.9""#), "{out}");
    assert!(out.contains("ttl             = 900 -> 600"), "{out}");
    assert!(
        out.contains("aws_route53_zone.main will be updated in-place"),
        "{out}"
    );
    assert!(out.contains(r#""drifted" -> "second""#), "{out}");
    let out = apply(&m, dir);
    assert!(out.contains("0 added, 2 changed, 0 destroyed"), "{out}");
    assert_eq!(
        has_record(&m, &zone, "www2.example.com. A").as_deref(),
        Some("www2.example.com. A 600 1.2.3.4,5.6.7.8")
    );
    assert_eq!(zone_comment(&m, &zone).as_deref(), Some("second"));
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: record deleted, zone tags changed out of band.
    delete_record(&m, &zone, "www2.example.com.", "A");
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

    // Import: forget the objects, import them back by the ids herd gave
    // them; the configuration then matches what was imported.
    let ids: Vec<(&str, String)> = [
        "aws_route53_zone.main",
        "aws_route53_record.www",
        "aws_route53_record.cname",
        "aws_route53_record.alias",
    ]
    .into_iter()
    .map(|a| (a, id_of(dir, a)))
    .collect();
    assert_eq!(ids[3].1, format!("{zone}_app_A"));
    for (a, _) in &ids {
        run(&m, dir, &["state", "rm", a], 0);
    }
    for (a, id) in &ids {
        let out = run(&m, dir, &["import", "-no-color", a, id], 0);
        assert!(out.contains("Import successful"), "{out}");
        assert_eq!(&id_of(dir, a), id);
    }
    let c = state_attrs(dir, "aws_route53_record.cname");
    assert_eq!(c["ttl"], 300);
    assert_eq!(c["records"], serde_json::json!(["www.example.com"]));
    let w = state_attrs(dir, "aws_route53_record.www");
    assert_eq!(w["records"], serde_json::json!(["1.2.3.4", "5.6.7.8"]));
    let a = state_attrs(dir, "aws_route53_record.alias");
    assert_eq!(a["alias"][0]["zone_id"], "Z35SXDOTRQ7X7K");
    assert_eq!(a["alias"][0]["evaluate_target_health"], true);
    let z = state_attrs(dir, "aws_route53_zone.main");
    assert_eq!(z["comment"], "second");
    assert_eq!(z["tags"]["Name"], "two");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Destroy.
    let out = destroy(&m, dir);
    assert!(out.contains("Destroy complete"), "{out}");
    assert!(zone_comment(&m, &zone).is_none(), "zone deleted");
    assert!(zone_ids(&m).is_empty(), "{:?}", zone_ids(&m));
}

fn zone_config(name: &str) -> String {
    format!(
        r#"
resource "aws_route53_zone" "main" {{
  name          = "{name}"
  force_destroy = true
}}

resource "aws_route53_record" "www" {{
  zone_id = aws_route53_zone.main.zone_id
  name    = "www"
  type    = "TXT"
  ttl     = 60
  records = ["v=spf1 include:_spf.{name} ~all", "a&b <c>"]
}}
"#
    )
}

/// A zone replaced for a new name (taking its record along and, with
/// `force_destroy`, records it does not manage), then deleted out of band.
#[test]
fn zone_replacement_and_deletion() {
    let m = moto();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    write(dir, "main.tf", &zone_config("example.com"));
    apply(&m, dir);
    let zone = id_of(dir, "aws_route53_zone.main");
    // TXT values are quoted in DNS; herd adds and strips the quotes, and
    // `&`, `<`, `>` survive moto's CDATA sections.
    assert_eq!(
        has_record(&m, &zone, "www.example.com. TXT").as_deref(),
        Some(r#"www.example.com. TXT 60 "a&b <c>","v=spf1 include:_spf.example.com ~all""#)
    );
    assert_eq!(
        state_attrs(dir, "aws_route53_record.www")["records"],
        serde_json::json!(["a&b <c>", "v=spf1 include:_spf.example.com ~all"])
    );
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // A record herd does not manage: force_destroy removes it with the zone.
    upsert_record(&m, &zone, "extra.example.com.", "A", 60, "10.0.0.1");

    // Force new: the zone's name.
    write(dir, "main.tf", &zone_config("example.net"));
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route53_zone.main must be replaced"),
        "{out}"
    );
    assert!(
        out.contains("aws_route53_record.www must be replaced"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("2 added, 0 changed, 2 destroyed"), "{out}");
    let zone2 = id_of(dir, "aws_route53_zone.main");
    assert_ne!(zone2, zone);
    assert_eq!(zone_ids(&m), vec![zone2.clone()]);
    assert!(has_record(&m, &zone2, "www.example.net. TXT").is_some());
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: the record and the zone deleted out of band.
    delete_record(&m, &zone2, "www.example.net.", "TXT");
    m.block_on(r53(&m).delete_hosted_zone().id(&zone2).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_route53_zone.main will be created"),
        "{out}"
    );
    assert!(
        out.contains("aws_route53_record.www will be created"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(out.contains("2 added, 0 changed, 0 destroyed"), "{out}");
    let zone3 = id_of(dir, "aws_route53_zone.main");
    assert_eq!(zone_ids(&m), vec![zone3.clone()]);
    assert!(has_record(&m, &zone3, "www.example.net. TXT").is_some());
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    destroy(&m, dir);
    assert!(zone_ids(&m).is_empty(), "{:?}", zone_ids(&m));
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
    let m = moto();
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
        "CNAME",
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
    let c = state_attrs(dir, "aws_acm_certificate.cert");
    assert_eq!(c["domain_name"], "app.example.com");
    assert_eq!(
        c["subject_alternative_names"],
        serde_json::json!(["www.example.com"])
    );
    assert_eq!(c["tags"]["Name"], "two");
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Drift: the certificate deleted out of band is requested again (moto
    // derives the validation record names from the domain only, so the
    // records stay as they are) and validated again.
    m.block_on(acm(&m).delete_certificate().certificate_arn(&arn2).send())
        .unwrap();
    let out = plan(&m, dir, 2);
    assert!(
        out.contains("aws_acm_certificate.cert will be created"),
        "{out}"
    );
    assert!(
        out.contains("aws_acm_certificate_validation.cert will be created"),
        "{out}"
    );
    let out = apply(&m, dir);
    assert!(
        out.contains("aws_acm_certificate_validation.cert: Creation complete"),
        "{out}"
    );
    let arn3 = id_of(dir, "aws_acm_certificate.cert");
    assert_ne!(arn3, arn2);
    let (domain, _, status, tags) = cert(&m, &arn3).expect("certificate");
    assert_eq!(domain, "app.example.com");
    assert_eq!(status, "ISSUED");
    assert_eq!(tags.get("Name").map(|s| s.as_str()), Some("two"));
    let out = plan(&m, dir, 0);
    assert!(out.contains("No changes."), "{out}");

    // Destroy.
    destroy(&m, dir);
    assert!(cert(&m, &arn3).is_none(), "certificate deleted");
    assert!(zone_comment(&m, &zone).is_none(), "zone deleted");
}
