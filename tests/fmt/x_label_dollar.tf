resource "a$b" "c" {
}
resource "p%q" "r" {}
