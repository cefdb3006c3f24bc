output "o" { value = indent(999999999999, "a\nb") }
