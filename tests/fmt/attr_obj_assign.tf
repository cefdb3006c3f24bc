locals {
  short = {
    a = 1
  }
  longer_name = 2
  x = 3
}
