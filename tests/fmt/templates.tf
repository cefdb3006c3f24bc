locals {
  a = "hello ${var.name}!"
  b = "${var.a}-${var.b}"
  c = "%{if var.x}yes%{else}no%{endif}"
  d = "${ var.a }"
  e = "nested ${lookup(var.m, "key", "${var.default}")} end"
  f = "esc $${not} %%{not}"
  g = "${~ var.trim ~}"
}
