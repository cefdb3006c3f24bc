resource "" "x" {
}
