locals {
  a = "${var.x}" # c
  b = /* c */ "${var.y}"
}
