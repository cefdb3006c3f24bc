locals {
  "é" = 1
}
