//! time_sleep, time_static, time_rotating.

use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn time_sleep_waits_on_create_and_destroy() {
    let d = workdir(
        r#"
resource "time_sleep" "w" {
  create_duration  = "2s"
  destroy_duration = "1s"
}
"#,
    );
    let t = Instant::now();
    let out = apply(d.path());
    assert!(
        t.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        t.elapsed()
    );
    assert!(out.contains("time_sleep.w: Still creating..."), "{out}");
    let st = state(d.path());
    assert_eq!(
        provider_of(&st, "time_sleep.w"),
        "provider[\"registry.terraform.io/hashicorp/time\"]"
    );
    let a = attrs(&st, "time_sleep.w");
    assert!(a["id"].as_str().unwrap().ends_with('Z'), "{a}");
    assert_eq!(a["create_duration"], "2s");
    // Re-plans clean, without sleeping again.
    let t = Instant::now();
    assert_no_changes(d.path());
    assert!(t.elapsed() < Duration::from_secs(2));
    // A duration change alone updates in place, without waiting.
    write_tf(
        d.path(),
        "resource \"time_sleep\" \"w\" {\n  create_duration = \"30s\"\n  destroy_duration = \"1s\"\n}\n",
    );
    let p = plan(d.path());
    assert!(p.contains("will be updated in-place"), "{p}");
    let t = Instant::now();
    apply(d.path());
    assert!(t.elapsed() < Duration::from_secs(20));
    let t = Instant::now();
    ok(d.path(), &["destroy", "-auto-approve"]);
    assert!(t.elapsed() >= Duration::from_millis(900));
    // Bad durations are plan errors.
    write_tf(
        d.path(),
        "resource \"time_sleep\" \"w\" {\n  create_duration = \"1h30m\"\n}\n",
    );
    let e = fails(d.path(), &["plan"]);
    assert!(
        e.contains("must be a number immediately followed by"),
        "{e}"
    );
}

#[test]
fn time_static_fields_replace_and_import() {
    let cfg = r#"
resource "time_static" "t" {
  rfc3339 = "2024-02-29T10:11:12Z"
}
resource "time_static" "now" {}
"#;
    let d = workdir(cfg);
    apply(d.path());
    let st = state(d.path());
    let t = attrs(&st, "time_static.t");
    assert_eq!(t["id"], "2024-02-29T10:11:12Z");
    assert_eq!(
        (t["year"].as_i64(), t["month"].as_i64(), t["day"].as_i64()),
        (Some(2024), Some(2), Some(29))
    );
    assert_eq!(
        (
            t["hour"].as_i64(),
            t["minute"].as_i64(),
            t["second"].as_i64()
        ),
        (Some(10), Some(11), Some(12))
    );
    assert_eq!(t["unix"], 1709201472);
    assert_eq!(t["triggers"], serde_json::Value::Null);
    let now = attrs(&st, "time_static.now");
    assert_eq!(now["id"], now["rfc3339"]);
    assert_no_changes(d.path());
    write_tf(d.path(), &cfg.replace("10:11:12Z", "10:11:13Z"));
    let p = plan(d.path());
    assert!(p.contains("# time_static.t must be replaced"), "{p}");

    // Import of an RFC 3339 timestamp.
    let i = workdir("resource \"time_static\" \"i\" {\n  triggers = {}\n}\n");
    ok(
        i.path(),
        &["import", "time_static.i", "2020-01-02T03:04:05Z"],
    );
    let a = attrs(&state(i.path()), "time_static.i");
    assert_eq!(a["rfc3339"], "2020-01-02T03:04:05Z");
    assert_eq!(a["unix"], 1577934245);
    assert_no_changes(i.path());
}

#[test]
fn time_rotating_rotates_once_the_time_has_passed() {
    // A rotation long ago: the next plan creates it anew.
    let past = r#"
resource "time_rotating" "r" {
  rfc3339          = "2020-01-01T00:00:00Z"
  rotation_minutes = 1
}
"#;
    let d = workdir(past);
    apply(d.path());
    let a = attrs(&state(d.path()), "time_rotating.r");
    assert_eq!(a["rotation_rfc3339"], "2020-01-01T00:01:00Z");
    assert_eq!(a["minute"], 1);
    assert_eq!(a["id"], "2020-01-01T00:00:00Z");
    let p = plan(d.path());
    assert!(p.contains("# time_rotating.r will be created"), "{p}");

    // A rotation far ahead: stable; changing the rotation updates in place.
    let future = r#"
resource "time_rotating" "r" {
  rfc3339        = "2020-01-01T00:00:00Z"
  rotation_years = 100
}
"#;
    let d = workdir(future);
    apply(d.path());
    assert_eq!(
        attrs(&state(d.path()), "time_rotating.r")["rotation_rfc3339"],
        "2120-01-01T00:00:00Z"
    );
    assert_no_changes(d.path());
    write_tf(d.path(), &future.replace("= 100", "= 50"));
    let p = plan(d.path());
    assert!(p.contains("will be updated in-place"), "{p}");
    assert!(p.contains("2070-01-01T00:00:00Z"), "{p}");
    apply(d.path());
    let a = attrs(&state(d.path()), "time_rotating.r");
    assert_eq!(a["rotation_rfc3339"], "2070-01-01T00:00:00Z");
    assert_eq!(a["year"], 2070);
    assert_no_changes(d.path());
}
