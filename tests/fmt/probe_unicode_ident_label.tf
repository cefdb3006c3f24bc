resource aws_ünï x {
}
