# c
locals { // d
  a = 1 # e
  /* f */
}
