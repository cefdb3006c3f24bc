//! data.template_file.

use sha2::Digest as _;

use crate::common::*;

#[test]
fn template_file_renders_with_vars_and_functions() {
    let d = workdir(
        r#"
data "template_file" "t" {
  template = <<-EOT
    Hello, $${name}! %%{ for c in split(",", list) }[$${upper(c)}]%%{ endfor }
  EOT
  vars = {
    name = "herd"
    list = "a,b"
  }
}
output "r" {
  value = data.template_file.t.rendered
}
output "t" {
  value = data.template_file.t
}
"#,
    );
    let out = apply(d.path());
    let want = "Hello, herd! [A][B]\n";
    assert!(out.contains("Hello, herd! [A][B]"), "{out}");
    let st = state(d.path());
    let a = output(&st, "t");
    assert_eq!(a["rendered"], want);
    assert_eq!(a["id"], hex(&sha2::Sha256::digest(want.as_bytes())));
    assert_no_changes(d.path());
    // An unknown variable is an error.
    write_tf(
        d.path(),
        "data \"template_file\" \"t\" {\n  template = \"$${missing}\"\n}\n",
    );
    let e = fails(d.path(), &["plan"]);
    assert!(e.contains("missing"), "{e}");
}
