resource aws "b" {
}
