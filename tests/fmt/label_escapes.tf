resource "a\u0041" "b\tc" {
}
resource "x" "" {
}
