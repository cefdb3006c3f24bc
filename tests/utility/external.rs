//! data.external: the program's JSON in, JSON out.

use crate::common::*;

#[test]
fn external_program_round_trip_and_errors() {
    let d = workdir(
        r#"
terraform {
  required_providers {
    external = { source = "hashicorp/external" }
  }
}
data "external" "echo" {
  program = ["cat"]
  query = {
    greeting = "hello"
    n        = "2"
  }
}
output "e" {
  value = data.external.echo
}
"#,
    );
    ok(d.path(), &["init"]);
    apply(d.path());
    let e = output(&state(d.path()), "e");
    assert_eq!(e["result"]["greeting"], "hello");
    assert_eq!(e["result"]["n"], "2");
    assert_eq!(e["id"], "-");
    assert_no_changes(d.path());

    write_tf(
        d.path(),
        "data \"external\" \"x\" {\n  program = [\"sh\", \"-c\", \"echo boom >&2; exit 3\"]\n}\n",
    );
    let err = fails(d.path(), &["plan"]);
    assert!(err.contains("boom"), "{err}");
    write_tf(
        d.path(),
        "data \"external\" \"x\" {\n  program = [\"sh\", \"-c\", \"echo '{\\\"a\\\": 1}'\"]\n}\n",
    );
    let err = fails(d.path(), &["plan"]);
    assert!(
        err.contains("JSON encoded map of string keys and string values"),
        "{err}"
    );
}
