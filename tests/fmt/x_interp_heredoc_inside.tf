locals {
  a = "${<<EOT
foo
EOT
}"
}
