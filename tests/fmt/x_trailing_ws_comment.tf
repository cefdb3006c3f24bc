# comment with trailing space   
locals {
  a = 1 # c   
}
