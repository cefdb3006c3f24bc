locals {
  a = [for x in[1,2]: x]
  b = [for k, v in{a=1}: k]
}
