locals {
  a = "x=y"
  bb = "=="
  c = a == b
}
