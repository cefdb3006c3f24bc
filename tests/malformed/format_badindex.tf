output "o" { value = format("%[99]s", "a") }
