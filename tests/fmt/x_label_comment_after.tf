resource "a" "b" /* keep? */ {
}
resource /* drop? */ "a" "c" {
}
locals /* nolabel */ {
}
