resource "a" "b" {}
resource "a" "c" { }
resource "a" "d" {   count = 1   }
data "x" "y" {name="z"}
locals {}
