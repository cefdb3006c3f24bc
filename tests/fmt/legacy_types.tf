variable "a" {
  type = "string"
}
variable "b" {
  type = "list"
}
variable "c" {
  type = "map"
}
variable "d" {
  type = list
}
variable "e" {
  type = map
}
variable "f" {
  type = set
}
variable "g" {
  type = "set"
}
variable "h" {
  type = list(string)
}
variable "i" {
  type = "number"
}
variable "j" { type = "string" }
locals {
  type = "string"
}
resource "x" "y" {
  type = "list"
  variable {
    type = "map"
  }
}
