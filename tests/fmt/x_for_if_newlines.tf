locals {
  a = [
    for x in var.l :
    x
    if x != ""
  ]
  b = {
    for x in var.l :
    x => x
  }
}
