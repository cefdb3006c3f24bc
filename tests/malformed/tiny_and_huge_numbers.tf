output "a" { value = 1e-9999 * 1e-9999 }
output "b" { value = 1e9999 * 1e9999 }
output "c" { value = format("%g", 1e-999999) }
output "d" { value = tonumber("1p99999999") }
