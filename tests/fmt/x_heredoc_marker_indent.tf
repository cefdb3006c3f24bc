locals {
  a = <<EOT
  foo
  EOT
  b = 2
}
