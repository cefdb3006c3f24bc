resource "aws_instance" "a" {
  ami = "${var.ami}"
  count = "${length(var.list)}"
  tags = "${merge(var.tags, {"Name" = "x"})}"
  sg = ["${var.sg}"]
  s = "${var.a}${var.b}"
  l = "prefix-${var.a}"
  n = "${lookup(var.m, "${var.k}")}"
  t = "${
    var.x
  }"
  u = "${var.cond ?
    "a" : "b"}"
  v = "${(var.a
  + var.b)}"
  nested {
    x = "${var.nested}"
  }
}
