x {
  a = <<EOT
  hi
  EOT
  b = 1
}
