locals {
  a = format("%s-%s",
    var.a,
  var.b)
  b = coalesce(
  var.x,
      var.y
  )
}
