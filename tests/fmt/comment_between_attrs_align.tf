locals {
  a = 1
  # comment breaks nothing?
  bbbb = 2
  c = {
    x = 1
  }
  ddddd = 3
}
