//! The built-in providers in `required_providers` and `provider` blocks.

use crate::common::*;

#[test]
fn init_accepts_the_built_in_providers_only() {
    let d = workdir(
        r#"
terraform {
  required_providers {
    random   = { source = "hashicorp/random", version = "3.6.0" }
    null     = { source = "hashicorp/null" }
    time     = { source = "registry.terraform.io/hashicorp/time" }
    local    = { source = "hashicorp/local" }
    archive  = { source = "hashicorp/archive" }
    template = { source = "hashicorp/template" }
  }
}
provider "random" {}
provider "null" {}
resource "random_pet" "p" {}
"#,
    );
    let out = ok(d.path(), &["init"]);
    assert!(out.contains("successfully initialized"), "{out}");
    ok(d.path(), &["validate"]);
    apply(d.path());

    let d = workdir(
        "terraform {\n  required_providers {\n    tls = { source = \"hashicorp/tls\" }\n  }\n}\n",
    );
    let e = fails(d.path(), &["init"]);
    assert!(e.contains("Unsupported provider"), "{e}");
    assert!(e.contains("\"random\""), "{e}");
}

#[test]
fn provider_blocks_take_no_arguments() {
    let d =
        workdir("provider \"random\" {\n  region = \"x\"\n}\nresource \"random_pet\" \"p\" {}\n");
    let e = fails(d.path(), &["plan"]);
    assert!(e.contains("region"), "{e}");
}

#[test]
fn types_not_built_are_unsupported() {
    let d = workdir("resource \"tls_private_key\" \"k\" {\n  algorithm = \"RSA\"\n}\n");
    let e = fails(d.path(), &["plan"]);
    assert!(e.contains("Unsupported resource type"), "{e}");
}
