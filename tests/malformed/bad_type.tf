variable "v" { type = list(strin) }
