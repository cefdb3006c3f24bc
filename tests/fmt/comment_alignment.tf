locals {
  a = 1 # short
  bbbbbbbb = 2 # long
  c = "three" # c

  d = 4 # after blank
  eeee = 5      # e
}
