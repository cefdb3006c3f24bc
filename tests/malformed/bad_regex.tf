output "o" { value = regex("(", "x") }
