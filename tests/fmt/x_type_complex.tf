variable "a" {
  type = object({
    a = string
    bb = list(number)
  })
  default = {
    a = "x"
    bb = []
  }
}
variable "b" {
  type = map(object({x=string}))
}
