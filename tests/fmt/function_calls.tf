locals {
  a = concat( var.a , var.b )
  b = merge(
    var.x,
    {
      a = 1
    },
  )
  c = jsonencode({
    "key" = "value"
    "other"= [1,2]
  })
  d = lookup (var.m, "k")
}
