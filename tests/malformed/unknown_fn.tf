output "o" { value = nosuchfn(1) }
