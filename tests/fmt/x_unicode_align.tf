locals {
  é = 1
  ab = 2 # x
  日本 = 3 # y
  ée = 1 # z
}
