locals {
  huge = 123456789012345678901234567890
  listeners = {
    port = 80
    protocol = "HTTP"
    port = 443
  }
  one_line = { a = 1, a = 2 }
}
