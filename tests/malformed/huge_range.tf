output "o" { value = range(1e18) }
