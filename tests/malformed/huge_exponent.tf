output "o" { value = tonumber("1e999999999") }
