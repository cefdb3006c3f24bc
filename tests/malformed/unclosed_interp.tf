output "x" { value = "${" }
