locals {
  a = {a=1,b=2,}
  b = {
    a = 1,
    bb = 2,
  }
  c = {"quoted key" = 1, (var.k) = 2}
}
