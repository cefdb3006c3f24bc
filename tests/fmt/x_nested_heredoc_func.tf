locals {
  a = trimspace(<<EOT
foo
EOT
  )
  b = 1
}
