locals {
  a = "x ${ var.a [ 0 ] } y"
  b = "${ var.a } ${ var.b }"
}
