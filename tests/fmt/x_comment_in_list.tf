locals {
  a = [
    # first
    1,
    2, # two
    // three
    3
  ]
}
