locals {
  a = var.x[*].y
  b = var.x.*.y
  c = var.m[ "k" ]
  d = var.l[ 0 ]
  e = f()[0]
  f = (var.x)[0]
}
