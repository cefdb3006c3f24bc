output "o" { value = sensitive("x") }
