output "o" { value = format("%.999999999f", 1) }
