output "o" { value = [1,2,3][5] }
output "p" { value = {a=1}["b"] }
