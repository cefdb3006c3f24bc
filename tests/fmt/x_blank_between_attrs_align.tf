locals {
  a = 1
  bb = 2

  ccc = 3
  d = 4
  # c
  eeeee = 5
  f = 6
}
