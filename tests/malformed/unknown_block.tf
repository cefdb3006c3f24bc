foo "bar" {}
