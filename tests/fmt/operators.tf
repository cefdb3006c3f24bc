locals {
  a = 1+2*3-4/5%6
  b = !var.x&&var.y||var.z
  c = var.a==var.b?1:2
  d = -1
  e = 5 - -3
  f = [-1, - 2]
  g = var.x>=3&&var.y<=4
  h = (1+2)*3
  i = var.a != var.b
  j = var.list[0]
  k = var.list[*].id
  l = var.map["key"]
  m = func(1,2,3...)
  n = var.obj.attr[0].x
}
