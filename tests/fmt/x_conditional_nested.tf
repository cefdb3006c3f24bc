locals {
  a = var.a ? var.b ? 1 : 2 : 3
  b = var.x==null?"":var.x
}
