locals {
  a = [-1, -2]
  b = 3 -1
  c = var.x - 1
  d = (-1)
  e = {a = -1}
  f = x ? -1 : -2
  g = -var.x
  h = [1,-1]
}
