locals { # comment
  a = 1
} # after close
resource "x" "y" { // c
}
