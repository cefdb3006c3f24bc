locals {
  é = 1
  ab = 2 # x
  🚀🚀 = 3 # y
}
