locals {
  a = [{
    x = 1
  }, {
    x = 2
  }]
  b = merge({
  a = 1
  }, var.x)
  c = [[
    1
  ]]
}
