resource aws_instance web {
  ami = "x"
}
provider aws {
  region = "us-east-1"
}
resource "a" /* odd */ "b" {
}
module m {
  source = "./m"
}
