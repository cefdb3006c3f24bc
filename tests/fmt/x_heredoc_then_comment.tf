locals {
  a = <<EOT
foo
EOT
  # c
  bbb = 2 # x
}
