resource "a" "b" {
  x=1
  yy = 2 # c
  s = <<EOT
hi
EOT
}
