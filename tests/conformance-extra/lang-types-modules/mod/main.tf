variable "cfg" {
  type = object({
    name = string
    size = number
    tags = map(string)
  })
}
variable "nn" {
  type     = string
  default  = "d"
}
variable "untyped" { default = null }
output "cfg" { value = var.cfg }
output "nn" { value = var.nn }
output "untyped" { value = var.untyped }
output "pm" { value = path.module }
