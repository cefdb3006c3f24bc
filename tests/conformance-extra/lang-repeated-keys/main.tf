# Object constructors that repeat a key: Terraform accepts them and the last
# item wins (seen in the alb module's complete example of terraform-aws-modules).
variable "listeners" {
  type = map(object({ port = number, protocol = string }))
}

locals {
  three  = { a = 1, a = 2, a = 3 }
  nested = { outer = { inner = "x", inner = "y" }, outer = { inner = "z" } }
}

output "ident_twice" { value = { port = 80, protocol = "HTTP", port = 443 } }
output "quoted_and_ident" { value = { port = 80, "port" = 8080 } }
output "quoted_twice" { value = { "a-b" = 1, "a-b" = 2 } }
output "three_times" { value = local.three }
output "nested" { value = local.nested }
output "in_tfvars" { value = var.listeners }
output "hyphen_keys" {
  value = {
    tcp-port = 1
    other    = true
    tcp-port = 2
  }
}
output "big_literal" { value = 123456789012345678901234567890 }
output "parseint_huge" { value = parseint("340282366920938463463374607431768211457", 10) }
output "parseint_hex_big" { value = parseint("ffffffffffffffffffffffffffffffffff", 16) }
