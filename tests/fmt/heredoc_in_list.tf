locals {
  a = [
    <<EOT
one
EOT
    ,
    "two",
  ]
  b = 1
}
