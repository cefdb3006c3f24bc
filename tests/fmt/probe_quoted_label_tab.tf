resource "a	b" "c" {}
