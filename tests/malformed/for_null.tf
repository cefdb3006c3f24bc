output "o" { value = [for x in null : x] }
