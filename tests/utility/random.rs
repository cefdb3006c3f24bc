//! random_*: state layout, no-change re-plans, replacement on every
//! argument, keepers' null rule, the password's secrecy, import.

use crate::common::*;

const CONFIG: &str = r#"
terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "random" {}

resource "random_id" "i" {
  byte_length = 8
  prefix      = "p-"
}

resource "random_string" "s" {
  length           = 16
  special          = true
  override_special = "_%"
  min_numeric      = 3
}

resource "random_password" "p" {
  length      = 20
  min_upper   = 2
  keepers = {
    rotate = "one"
  }
}

resource "random_pet" "pet" {
  length = 3
}

resource "random_integer" "n" {
  min  = 10
  max  = 20
  seed = "fixed"
}

resource "random_shuffle" "sh" {
  input        = ["a", "b", "c", "d"]
  result_count = 6
}

resource "random_uuid" "u" {}

output "pw" {
  value     = random_password.p.result
  sensitive = true
}

output "pet" {
  value = random_pet.pet.id
}
"#;

#[test]
fn apply_state_replan_replace_destroy() {
    let d = workdir(CONFIG);
    ok(d.path(), &["init"]);
    apply(d.path());
    let st = state(d.path());
    for a in [
        "random_id.i",
        "random_string.s",
        "random_password.p",
        "random_pet.pet",
        "random_integer.n",
        "random_shuffle.sh",
        "random_uuid.u",
    ] {
        assert_eq!(
            provider_of(&st, a),
            "provider[\"registry.terraform.io/hashicorp/random\"]",
            "{a}"
        );
    }
    // Schema versions as the provider declares them.
    assert_eq!(schema_version(&st, "random_string.s"), 2);
    assert_eq!(schema_version(&st, "random_password.p"), 3);
    assert_eq!(schema_version(&st, "random_id.i"), 0);

    // random_id: the encodings of the same bytes, after the prefix.
    let id = attrs(&st, "random_id.i");
    let b64 = id["id"].as_str().unwrap();
    assert_eq!(id["b64_url"].as_str().unwrap(), format!("p-{b64}"));
    let hex = id["hex"].as_str().unwrap().strip_prefix("p-").unwrap();
    assert_eq!(hex.len(), 16);
    let n = u64::from_str_radix(hex, 16).unwrap();
    assert_eq!(id["dec"].as_str().unwrap(), format!("p-{n}"));
    assert!(id["b64_std"].as_str().unwrap().starts_with("p-"));
    assert_eq!(id["keepers"], serde_json::Value::Null);

    // random_string: length, charset, minimums, defaults filled in.
    let s = attrs(&st, "random_string.s");
    let r = s["result"].as_str().unwrap();
    assert_eq!(s["id"], s["result"]);
    assert_eq!(r.chars().count(), 16);
    assert!(r
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '%'));
    assert!(r.chars().filter(|c| c.is_ascii_digit()).count() >= 3);
    assert_eq!(s["number"], true);
    assert_eq!(s["numeric"], true);
    assert_eq!(s["upper"], true);
    assert_eq!(s["min_lower"], 0);
    assert_eq!(s["override_special"], "_%");

    // random_password: hidden in state views, with a bcrypt hash.
    let p = attrs(&st, "random_password.p");
    let pw = p["result"].as_str().unwrap().to_string();
    assert_eq!(pw.chars().count(), 20);
    assert_eq!(p["id"], "none");
    assert!(p["bcrypt_hash"].as_str().unwrap().starts_with("$2a$10$"));
    let sens =
        resource(&st, "random_password.p")["instances"][0]["sensitive_attributes"].to_string();
    assert!(
        sens.contains("\"result\"") && sens.contains("\"bcrypt_hash\""),
        "{sens}"
    );

    // random_pet: three words, lower case, "-" separated.
    let pet = attrs(&st, "random_pet.pet");
    let name = pet["id"].as_str().unwrap();
    assert_eq!(name.split('-').count(), 3, "{name}");
    assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
    assert_eq!(pet["separator"], "-");
    assert_eq!(pet["prefix"], serde_json::Value::Null);

    // random_integer: in range, id is the number, seed kept.
    let n = attrs(&st, "random_integer.n");
    let v = n["result"].as_i64().unwrap();
    assert!((10..=20).contains(&v));
    assert_eq!(n["id"], v.to_string());
    assert_eq!(n["seed"], "fixed");

    // random_shuffle: result_count elements, permutations of the input.
    let sh = attrs(&st, "random_shuffle.sh");
    let res: Vec<&str> = sh["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(res.len(), 6);
    let mut first: Vec<&str> = res[..4].to_vec();
    first.sort();
    assert_eq!(first, ["a", "b", "c", "d"]);
    assert_eq!(sh["id"], "-");

    // random_uuid: 8-4-4-4-12 lower-case hex.
    let u = attrs(&st, "random_uuid.u");
    let uu = u["result"].as_str().unwrap();
    assert_eq!(u["id"], u["result"]);
    let parts: Vec<usize> = uu.split('-').map(|p| p.len()).collect();
    assert_eq!(parts, [8, 4, 4, 4, 12]);

    assert_no_changes(d.path());

    // The same seed gives the same number on a new object.
    let d2 = workdir(CONFIG);
    apply(d2.path());
    assert_eq!(attrs(&state(d2.path()), "random_integer.n")["result"], v);

    // Every argument forces replacement.
    write_tf(
        d.path(),
        &CONFIG
            .replace("length           = 16", "length           = 17")
            .replace("byte_length = 8", "byte_length = 9")
            .replace("rotate = \"one\"", "rotate = \"two\""),
    );
    let p = plan(d.path());
    for a in ["random_string.s", "random_id.i", "random_password.p"] {
        assert!(p.contains(&format!("# {a} must be replaced")), "{a}:\n{p}");
    }
    assert!(
        p.contains("Plan: 3 to add, 0 to change, 3 to destroy."),
        "{p}"
    );
    assert!(!p.contains(&pw), "password shown in plan:\n{p}");
    let out = apply(d.path());
    assert!(!out.contains(&pw), "password shown in apply:\n{out}");
    let st2 = state(d.path());
    assert_ne!(
        attrs(&st2, "random_password.p")["result"].as_str().unwrap(),
        pw
    );
    assert_eq!(
        attrs(&st2, "random_string.s")["result"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        17
    );
    // Untouched objects stay.
    assert_eq!(attrs(&st2, "random_uuid.u")["result"], uu);

    ok(d.path(), &["destroy", "-auto-approve"]);
    assert!(state(d.path())["resources"].as_array().unwrap().is_empty());
}

#[test]
fn keepers_gaining_only_null_values_update_in_place() {
    let base = r#"
resource "random_pet" "p" {
  keepers = {
    a = "1"
  }
}
"#;
    let d = workdir(base);
    apply(d.path());
    let name = attrs(&state(d.path()), "random_pet.p")["id"].clone();
    // A new key with a null value: no replacement (RequiresReplaceIfValuesNotNull).
    write_tf(
        d.path(),
        &base.replace("a = \"1\"", "a = \"1\"\n    b = null"),
    );
    let p = plan(d.path());
    assert!(!p.contains("must be replaced"), "{p}");
    assert!(p.contains("will be updated in-place"), "{p}");
    apply(d.path());
    assert_eq!(attrs(&state(d.path()), "random_pet.p")["id"], name);
    // A changed value: replacement.
    write_tf(d.path(), &base.replace("a = \"1\"", "a = \"2\""));
    let p = plan(d.path());
    assert!(p.contains("# random_pet.p must be replaced"), "{p}");
}

#[test]
fn password_never_in_output_or_show_json() {
    let d = workdir(
        r#"
resource "random_password" "db" {
  length  = 24
  special = false
}
output "pw" {
  value     = random_password.db.result
  sensitive = true
}
"#,
    );
    let out = apply(d.path());
    let st = state(d.path());
    let pw = attrs(&st, "random_password.db")["result"]
        .as_str()
        .unwrap()
        .to_string();
    let hash = attrs(&st, "random_password.db")["bcrypt_hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
    for (what, text) in [
        ("apply", out),
        ("plan", plan(d.path())),
        ("show", ok(d.path(), &["show"])),
        ("show -json", ok(d.path(), &["show", "-json"])),
        ("output", ok(d.path(), &["output"])),
    ] {
        assert!(!text.contains(&pw), "password in {what}:\n{text}");
        assert!(!text.contains(&hash), "hash in {what}:\n{text}");
    }
    let j: serde_json::Value = serde_json::from_str(&ok(d.path(), &["show", "-json"])).unwrap();
    let r = &j["values"]["root_module"]["resources"][0];
    assert_eq!(r["sensitive_values"]["result"], true, "{r:#}");
    assert_eq!(r["sensitive_values"]["bcrypt_hash"], true, "{r:#}");
    // Asked for explicitly, it is there.
    assert!(ok(d.path(), &["output", "-raw", "pw"]).contains(&pw));
}

#[test]
fn import_string_password_integer_id_uuid() {
    let d = workdir(
        r#"
resource "random_string" "s" {
  length = 9
}
resource "random_password" "p" {
  length = 6
}
resource "random_integer" "n" {
  min = 1
  max = 20
}
resource "random_id" "i" {
  byte_length = 3
  prefix      = "p-"
}
resource "random_uuid" "u" {}
"#,
    );
    ok(d.path(), &["import", "random_string.s", "abcXYZ123"]);
    ok(d.path(), &["import", "random_password.p", "s3cr3t"]);
    ok(d.path(), &["import", "random_integer.n", "15,1,20"]);
    ok(d.path(), &["import", "random_id.i", "p-,AAAH"]);
    ok(
        d.path(),
        &[
            "import",
            "random_uuid.u",
            "0123ABCD-4567-89ab-cdef-0123456789ab",
        ],
    );
    let st = state(d.path());
    let s = attrs(&st, "random_string.s");
    assert_eq!(s["result"], "abcXYZ123");
    assert_eq!(s["length"], 9);
    assert_eq!(s["special"], true);
    let p = attrs(&st, "random_password.p");
    assert_eq!(p["id"], "none");
    assert!(p["bcrypt_hash"].as_str().unwrap().starts_with("$2a$"));
    let n = attrs(&st, "random_integer.n");
    assert_eq!(
        (n["result"].as_i64(), n["id"].as_str()),
        (Some(15), Some("15"))
    );
    let i = attrs(&st, "random_id.i");
    assert_eq!(i["id"], "AAAH");
    assert_eq!(i["hex"], "p-000007");
    assert_eq!(i["dec"], "p-7");
    assert_eq!(i["prefix"], "p-");
    assert_eq!(
        attrs(&st, "random_uuid.u")["result"],
        "0123abcd-4567-89ab-cdef-0123456789ab"
    );
    // The imported objects match the configuration.
    assert_no_changes(d.path());
    // A malformed import id is an error, not a panic.
    let bad = workdir("resource \"random_integer\" \"m\" {\n  min = 1\n  max = 2\n}\n");
    let e = fails(bad.path(), &["import", "random_integer.m", "x"]);
    assert!(e.contains("expecting {result},{min},{max}"), "{e}");
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn invalid_arguments_are_plan_errors() {
    let d = workdir(
        r#"
resource "random_string" "s" {
  length    = 2
  min_upper = 3
}
"#,
    );
    let e = fails(d.path(), &["plan"]);
    assert!(e.contains("must be at least sum of"), "{e}");
    let d = workdir(
        r#"
resource "random_string" "s" {
  length  = 4
  number  = true
  numeric = false
}
"#,
    );
    let e = fails(d.path(), &["plan"]);
    assert!(e.contains("Number and numeric are both configured"), "{e}");
}
