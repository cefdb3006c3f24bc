resource "a" "b" {
  depends_on = [aws_instance.x,aws_instance.y]
  lifecycle {
    create_before_destroy = true
    ignore_changes = [tags,]
  }
  provisioner "local-exec" {
    command = "echo ${self.id}"
  }
}
