locals {
  obj = {
  a = 1
  bb = "two"
  ccc = [1,2,3]
  nested = {
  x = {y = 1}
  }
  }
  tup = [
  "a",
  "b",
    [1,
  2],
  ]
  inline = {a=1, b=2}
  inline_list = [ 1 , 2 , 3 ]
}
