locals {
  a = "quote \" inside"
  b = "tab\tnewline\n"
  c = "unicode \u00e9"
  d = "back\\slash"
  e = ""
}
