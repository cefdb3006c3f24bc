output "o" { value = substr("abc", 99999999999999999999, 1) }
