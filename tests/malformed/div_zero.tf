output "o" { value = 1 / 0 }
output "p" { value = 0 / 0 }
