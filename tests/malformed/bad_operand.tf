output "o" { value = 1 + "x" }
