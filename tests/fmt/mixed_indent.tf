resource "aws_s3_bucket" "b" {
bucket = "my-bucket"
        acl    = "private"
   tags = {
 Name        = "My bucket"
          Environment = "Dev"
      }
}
