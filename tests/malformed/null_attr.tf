output "o" { value = null.a }
