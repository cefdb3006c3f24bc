output "ids" {
  value = aws_instance.web.*.id
}
output "first" {
  value = aws_instance.web[0].id
}
output "all" {
  value = [for i in aws_instance.web: i.id]
}
