output "o" { value = upper("a", "b") }
