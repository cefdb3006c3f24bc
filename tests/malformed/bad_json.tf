output "o" { value = jsondecode("{") }
