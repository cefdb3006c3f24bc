output "o" { value = upper() }
