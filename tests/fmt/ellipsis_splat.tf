locals {
  a = max(var.list...)
  b = var.list[*]
  c = var.obj.*.x
  d = { for k, v in var.m : v => k... }
}
