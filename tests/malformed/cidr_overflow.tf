output "o" { value = cidrsubnet("10.0.0.0/8", 40, 1) }
