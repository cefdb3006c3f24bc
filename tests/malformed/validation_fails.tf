variable "v" {
  default = 1
  validation {
    condition = var.v > 5
    error_message = "too small"
  }
}
