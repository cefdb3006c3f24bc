output "o" {
  value = <<EOT
hello ${var.a}
%{ for x in var.list ~}
item ${x}
%{ endfor ~}
EOT
}
