locals {
  a = { # c
    b = 1
  }
  c = [ // d
    1,
  ]
}
