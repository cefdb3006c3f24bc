locals {
  a = ! var.x
  b = !(var.y)
  c = - var.z
}
