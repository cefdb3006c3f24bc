locals {
  a = "%{ for x in var.l }${x},%{ endfor }"
  b = "%{~ if var.c ~}yes%{~ endif ~}"
  c = "${ {a=1}.a }"
}
