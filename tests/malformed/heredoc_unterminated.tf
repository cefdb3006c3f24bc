output "o" { value = <<EOT
unterminated
