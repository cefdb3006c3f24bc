output "o" { value = "\q" }
