//! null_resource and null_data_source.

use crate::common::*;

#[test]
fn null_resource_triggers_replace() {
    let base = r#"
terraform {
  required_providers {
    null = {
      source = "hashicorp/null"
    }
  }
}
resource "null_resource" "n" {
  triggers = {
    v = "1"
  }
}
data "null_data_source" "d" {
  inputs = {
    a = "x"
  }
}
output "out" {
  value = data.null_data_source.d.outputs["a"]
}
# `random` changes on every read (as with the provider): leave it out.
output "ds" {
  value = { for k, v in data.null_data_source.d : k => v if k != "random" }
}
"#;
    let d = workdir(base);
    ok(d.path(), &["init"]);
    let out = apply(d.path());
    assert!(out.contains("out = \"x\""), "{out}");
    let st = state(d.path());
    assert_eq!(
        provider_of(&st, "null_resource.n"),
        "provider[\"registry.terraform.io/hashicorp/null\"]"
    );
    let n = attrs(&st, "null_resource.n");
    let id = n["id"].as_str().unwrap().to_string();
    assert!(id.parse::<u64>().is_ok(), "{id}");
    assert_eq!(n["triggers"]["v"], "1");
    let ds = output(&st, "ds");
    assert_eq!(ds["outputs"]["a"], "x");
    assert_eq!(ds["id"], "static");
    assert_eq!(ds["has_computed_default"], "default");
    assert_no_changes(d.path());

    write_tf(d.path(), &base.replace("v = \"1\"", "v = \"2\""));
    let p = plan(d.path());
    assert!(p.contains("# null_resource.n must be replaced"), "{p}");
    apply(d.path());
    assert_ne!(
        attrs(&state(d.path()), "null_resource.n")["id"],
        id.as_str()
    );

    // Removing the triggers replaces too (the state had a value).
    write_tf(
        d.path(),
        &base.replace("  triggers = {\n    v = \"1\"\n  }\n", ""),
    );
    let p = plan(d.path());
    assert!(p.contains("# null_resource.n must be replaced"), "{p}");
    ok(d.path(), &["destroy", "-auto-approve"]);
}
