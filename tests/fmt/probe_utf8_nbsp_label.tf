resource "a b" "c" {}
