locals {
  a = <<EOT
foo
}
