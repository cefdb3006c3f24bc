a = {
  # c
  b = 1
  # d
}
