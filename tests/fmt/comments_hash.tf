# leading comment
variable "x" { # trailing on block
  default = 1 # one
  description = "long description" # two
  # inner comment
  type = number #three
}
