locals {
  a = "${merge(
    var.a,
    var.b
  )}"
}
