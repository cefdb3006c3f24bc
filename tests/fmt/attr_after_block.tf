resource "a" "b" {
  x = 1
  inner {
    y = 2
  }
  z = 3
  long_name = 4
}
