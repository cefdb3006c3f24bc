locals {
  a = {
    "k1" = 1
    k22 = 2
    (var.k) = 3
    k4: 4
  }
}
