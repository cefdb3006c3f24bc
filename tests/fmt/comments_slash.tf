// file comment
locals {
  a = 1 // a comment
  bbbbbb = 2 // b comment
  // standalone
  c = [1, 2] // c
}
