x {
  a = <<-EOT
    y
  EOT
}
