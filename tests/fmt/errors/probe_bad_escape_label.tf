resource "\q" "b" {}
